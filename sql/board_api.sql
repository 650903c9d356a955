-- The board API end to end: declaration, the objects it creates, reading (current,
-- explain, around, rolling), rank styles and tiers, rescoring and dropping.
CREATE SCHEMA floor;
CREATE TABLE floor.calls (
  call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL,
  csat smallint, is_test boolean NOT NULL DEFAULT false);
-- agents 1-8 in teams 1-2 over three days; agent 8 makes only two calls
INSERT INTO floor.calls (agent_id, team_id, started_at, handle_seconds, converted, csat, is_test)
SELECT a, 1 + a % 2, timestamptz '2026-10-05 13:00+00' + (i % 3) * interval '1 day',
       150 + 40 * a + i, (i + a) % (1 + a % 4) = 0, 1 + (i + a) % 5, i = 1
FROM generate_series(1, 7) a, generate_series(1, 12) i
UNION ALL SELECT 8, 1, timestamptz '2026-10-05 13:00+00', 100, true, 5, false
UNION ALL SELECT 8, 1, timestamptz '2026-10-06 13:00+00', 100, true, 5, false;

SELECT leaderboard.create_board(name => 'sales', source => 'floor.calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'csat', 'call_id AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 50, "target": 0.5},
    {"name": "aht", "stat": "avg", "weight": 25, "better": "lower", "range": [150, 450]},
    {"name": "calls", "stat": "count", "weight": 25, "target": 12}], "min_rows": 3}',
  periods => ARRAY['day', 'week'], partition_by => ARRAY['team_id'], filter => 'NOT is_test',
  ladder => 'Bronze: 0, Silver: 40, Gold: 60', time_zone => 'America/New_York');

-- what the board created, in the source's schema
SELECT c.relname, c.relkind FROM pg_class c
WHERE c.relnamespace = 'floor'::regnamespace AND c.relname LIKE 'sales%' AND c.relkind IN ('r', 'v')
ORDER BY 1;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'floor.calls'::regclass AND NOT tgisinternal ORDER BY 1;
SELECT name, source, agent_column, metric_names, periods, partition_by, filter, time_zone, rank_style
FROM leaderboard.boards WHERE name = 'sales';

-- the week standings of team 1: test calls are not counted; agent 8 is below min_rows,
-- so it has a score but no rank and no tier
SELECT agent_id, leaderboard.rows(kpis) AS calls, round(score::numeric, 2) AS score, qualified, rank, tier
FROM floor.sales_standings WHERE period = 'week' AND team_id = 1 ORDER BY rank NULLS LAST, agent_id;
-- the same ranks as a from-scratch rank() over the qualified rows
SELECT count(*) AS differences FROM leaderboard.verify('sales');

-- why agent 3's week score is what it is; the contributions add up to the score
SELECT e.explanation -> 'metrics' -> 0 ->> 'name' AS first_metric,
       (SELECT round(sum((m ->> 'contribution')::numeric), 6) FROM jsonb_array_elements(e.explanation -> 'metrics') m)
         = round(e.score::numeric, 6) AS contributions_add_up
FROM floor.sales_explain e WHERE e.period = 'week' AND e.agent_id = 3;
-- the card does not score csat: the explanation still lists it, with weight 0
SELECT m ->> 'name' AS metric, m ->> 'weight' AS weight
FROM floor.sales_explain e, jsonb_array_elements(e.explanation -> 'metrics') m
WHERE e.period = 'week' AND e.agent_id = 3;

-- around me: two rows above and below agent 3 this week (the view and the function read
-- the current periods, so the calls are first moved to the start of today, which is in the
-- current day and the current week whatever the weekday)
UPDATE floor.calls SET started_at = (date_trunc('day', now() AT TIME ZONE 'America/New_York') + interval '1 hour' * (call_id % 3)) AT TIME ZONE 'America/New_York';
SELECT agent_id, rank FROM floor.sales_around(3, 'week', 2) ORDER BY score DESC, agent_id DESC;
SELECT count(*) AS current_rows, count(DISTINCT period) AS periods FROM floor.sales_current;
SELECT count(*) AS differences FROM leaderboard.verify('sales');

-- rolling windows merge day rows: the two days up to tomorrow
SELECT partition, agent, rank FROM leaderboard.rolling('sales', 2, (now() AT TIME ZONE 'America/New_York')::date + 1) WHERE partition = '{"team_id": 2}' ORDER BY rank, agent;

-- alter_board rescores from the stored kpis: a card that only counts calls
SELECT leaderboard.alter_board('sales', scorecard => '{"metrics": [{"name": "calls", "stat": "count", "weight": 1}], "scale": 1}') AS rescored;
SELECT agent_id, score, rank FROM floor.sales_standings WHERE period = 'week' AND team_id = 2 ORDER BY rank, agent_id;
SELECT count(*) AS differences FROM leaderboard.verify('sales');
-- the same card again changes no score, rank or tier, so no row is written
SELECT leaderboard.alter_board('sales', scorecard => '{"metrics": [{"name": "calls", "stat": "count", "weight": 1}], "scale": 1}') AS rewritten;
-- and a new ladder
SELECT leaderboard.alter_board('sales', ladder => 'Rookie: 0, Pro: 10') IS NOT NULL AS altered;
SELECT tier, count(*) FROM floor.sales_standings WHERE period = 'week' GROUP BY tier ORDER BY tier;
-- a ladder change rewrites just the rows whose tier changes: as many as the new ladder
-- gives another tier than the stored one (counted before), and verify() agrees afterwards
CREATE TEMP TABLE tier_changes AS SELECT count(*) AS n FROM floor.sales_standings
  WHERE tier IS DISTINCT FROM CASE WHEN qualified THEN leaderboard.tier(score, 'Rookie: 0, Pro: 11.5') END;
SELECT n > 0 AS some_tiers_change, n < (SELECT count(*) FROM floor.sales_standings) AS not_every_row FROM tier_changes;
SELECT leaderboard.alter_board('sales', ladder => 'Rookie: 0, Pro: 11.5') = (SELECT n FROM tier_changes) AS rewrites_only_changed_tiers;
SELECT count(*) AS differences FROM leaderboard.verify('sales');

SELECT leaderboard.drop_board('sales');
SELECT count(*) AS leftovers FROM pg_class WHERE relnamespace = 'floor'::regnamespace AND relname LIKE 'sales%';
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'floor.calls'::regclass AND NOT tgisinternal;

-- rank styles: rank, dense_rank and row_number with a tie-break chain ending in the agent
CREATE TABLE floor.ties (agent_id int, at date, won boolean, handle int);
INSERT INTO floor.ties VALUES (1, '2026-10-05', true, 100), (2, '2026-10-05', true, 90), (3, '2026-10-05', true, 90),
  (4, '2026-10-05', false, 50), (5, '2026-10-05', false, 60);
SELECT leaderboard.create_board(name => 'ties_rank', source => 'floor.ties', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won', 'handle'], periods => ARRAY['all'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}, {"name": "handle", "stat": "avg", "better": "lower", "range": [0, 200], "weight": 0}], "scale": 1}') IS NOT NULL;
SELECT leaderboard.create_board(name => 'ties_dense', source => 'floor.ties', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won', 'handle'], periods => ARRAY['all'], rank_style => 'dense_rank',
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}, {"name": "handle", "stat": "avg", "better": "lower", "range": [0, 200], "weight": 0}], "scale": 1}') IS NOT NULL;
SELECT leaderboard.create_board(name => 'ties_rownum', source => 'floor.ties', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won', 'handle'], periods => ARRAY['all'], rank_style => 'row_number', tie_break => ARRAY['handle'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}, {"name": "handle", "stat": "avg", "better": "lower", "range": [0, 200], "weight": 0}], "scale": 1}') IS NOT NULL;
SELECT r.agent_id, r.score, r.rank AS rank, d.rank AS dense_rank, n.rank AS row_number
FROM floor.ties_rank_standings r JOIN floor.ties_dense_standings d USING (agent_id) JOIN floor.ties_rownum_standings n USING (agent_id)
ORDER BY n.rank;
SELECT b, (SELECT count(*) FROM leaderboard.verify(b)) AS differences FROM unnest(ARRAY['ties_rank', 'ties_dense', 'ties_rownum']) b;
-- alter_board keeps the tie-break chain: with every agent on one call, all tie on the score
-- and row_number orders them by average handle time (lower first), then by agent
SELECT leaderboard.alter_board('ties_rownum', scorecard => '{"metrics": [{"name": "won", "stat": "count", "weight": 1}, {"name": "handle", "stat": "avg", "better": "lower", "range": [0, 200], "weight": 0}], "scale": 1}') AS rewritten;
SELECT agent_id, score, rank FROM floor.ties_rownum_standings ORDER BY rank;
SELECT count(*) AS differences FROM leaderboard.verify('ties_rownum');
SELECT leaderboard.drop_board(b) FROM unnest(ARRAY['ties_rank', 'ties_dense', 'ties_rownum']) b;

-- a rank ladder places tiers by rank among the qualified agents of the scope
SELECT leaderboard.create_board(name => 'podium', source => 'floor.ties', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['all'], ladder => 'Gold: top 1, Silver: top 40%, Bronze: top 100%',
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}') IS NOT NULL;
SELECT agent_id, score, rank, tier FROM floor.podium_standings ORDER BY rank, agent_id;
INSERT INTO floor.ties VALUES (5, '2026-10-06', true, 60), (5, '2026-10-06', true, 60);
SELECT agent_id, score, rank, tier FROM floor.podium_standings ORDER BY rank, agent_id;
SELECT count(*) AS differences FROM leaderboard.verify('podium');
SELECT leaderboard.drop_board('podium');
DROP SCHEMA floor CASCADE;

-- rolling() ranks as the board does: dense_rank, and row_number by the tie-break chain
-- and then the agent; a one-day window over fixed days gives the day's stored ranks
CREATE TABLE rs_calls (agent_id int NOT NULL, started_at timestamptz NOT NULL, converted boolean NOT NULL);
INSERT INTO rs_calls VALUES (1, '2026-03-02 10:00+00', true), (2, '2026-03-02 10:00+00', true),
  (3, '2026-03-02 10:00+00', true), (3, '2026-03-02 11:00+00', false), (4, '2026-03-02 10:00+00', false),
  (5, '2026-03-02 10:00+00', true), (5, '2026-03-02 11:00+00', true);
SELECT leaderboard.create_board(name => 'rs_' || s, source => 'rs_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate"}, {"name": "calls", "stat": "count", "weight": 0}]}',
  periods => ARRAY['day'], rank_style => s, tie_break => CASE WHEN s = 'row_number' THEN ARRAY['calls'] ELSE '{}' END,
  time_zone => 'UTC') IS NOT NULL AS created
FROM unnest(ARRAY['rank', 'dense_rank', 'row_number']) s;
SELECT 'rank' AS style, r.agent, r.score, r.rank, s.rank AS stored_rank
FROM leaderboard.rolling('rs_rank', 1, '2026-03-02') r JOIN rs_rank_standings s ON s.agent_id::text = r.agent
UNION ALL
SELECT 'dense_rank', r.agent, r.score, r.rank, s.rank
FROM leaderboard.rolling('rs_dense_rank', 1, '2026-03-02') r JOIN rs_dense_rank_standings s ON s.agent_id::text = r.agent
UNION ALL
SELECT 'row_number', r.agent, r.score, r.rank, s.rank
FROM leaderboard.rolling('rs_row_number', 1, '2026-03-02') r JOIN rs_row_number_standings s ON s.agent_id::text = r.agent
ORDER BY 1, 4, 2;
SELECT leaderboard.drop_board(b) FROM unnest(ARRAY['rs_rank', 'rs_dense_rank', 'rs_row_number']) b;
DROP TABLE rs_calls;
