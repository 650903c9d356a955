-- How alter_board rescores: a scope where at least half the scores change takes a new
-- scope_id and its rows are written again under it (new keys in both indexes); a scope
-- where fewer change, or only qualification, ranks or tiers, keeps its id and only its
-- changed rows are updated. Either way the rows are what rebuild makes, verify() finds
-- nothing, the count returned is the rows whose score, qualification, rank or tier
-- changed, and closed scopes keep what they closed with.
SET search_path = public, leaderboard;
\set SHOW_CONTEXT never
CREATE TABLE rs_calls (call_id bigint PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL);
-- seven agents in two teams, calls on three days of October
INSERT INTO rs_calls SELECT i, 1 + i % 7, (1 + i % 7) % 2, timestamptz '2026-10-05 08:00+00' + (i / 7 % 3) * interval '1 day' + i * interval '1 minute',
  60 + (i * 37) % 500, i % (2 + i % 5) = 0
FROM generate_series(1, 120) i;
SELECT create_board('rs', 'rs_calls', 'agent_id', 'started_at', ARRAY['converted AS conv', 'handle_seconds AS aht'],
  '{"metrics": [{"name": "conv", "stat": "rate", "weight": 50},
                {"name": "aht", "stat": "avg", "weight": 50, "better": "lower", "range": [60, 600]}], "scale": 100}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'],
  ladder => 'Bronze: 0, Silver: 40, Gold: 60', time_zone => 'UTC') IS NOT NULL AS created;
CREATE TABLE rs_ids AS SELECT scope_key, scope_id FROM rs_scopes;
CREATE FUNCTION rs_moved() RETURNS TABLE (moved bigint, kept bigint) LANGUAGE sql AS $$
  SELECT count(*) FILTER (WHERE i.scope_id <> s.scope_id), count(*) FILTER (WHERE i.scope_id = s.scope_id)
  FROM rs_scopes s JOIN rs_ids i USING (scope_key) $$;
CREATE FUNCTION rs_remember() RETURNS void LANGUAGE sql AS $$
  DELETE FROM rs_ids; INSERT INTO rs_ids SELECT scope_key, scope_id FROM rs_scopes $$;
-- what rebuild would write, to compare with
CREATE FUNCTION rs_rows() RETURNS TABLE (period text, period_start date, team_id int, agent_id int, kpis text,
  score float8, qualified boolean, rank bigint, tier text) LANGUAGE sql AS $$
  SELECT period, period_start, team_id, agent_id, kpis::text, score, qualified, rank, tier FROM rs_standings $$;
CREATE TABLE rs_before AS SELECT * FROM rs_rows();
SELECT count(*) AS scopes, (SELECT count(*) FROM rs_standings) AS rows_ FROM rs_scopes;

-- a new card changes every score: every scope moves, and every row is written again
SELECT alter_board('rs', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 70},
  {"name": "aht", "stat": "avg", "weight": 30, "better": "lower", "range": [60, 600]}], "scale": 100}') AS changed;
SELECT * FROM rs_moved();
SELECT count(*) AS differences FROM verify('rs');
CREATE TABLE rs_after AS SELECT * FROM rs_rows();
SELECT count(*) AS scores_changed FROM rs_before b JOIN rs_after a USING (period, period_start, team_id, agent_id)
WHERE a.score <> b.score;
SELECT rebuild('rs') AS rebuilt;
SELECT count(*) AS unlike_rebuild FROM ((SELECT * FROM rs_after EXCEPT ALL SELECT * FROM rs_rows())
                                       UNION ALL (SELECT * FROM rs_rows() EXCEPT ALL SELECT * FROM rs_after)) d;

-- a new ladder changes no score: no scope moves, only the rows changing tier are written
SELECT rs_remember();
SELECT alter_board('rs', ladder => 'Bronze: 0, Silver: 50, Gold: 70') AS changed;
SELECT * FROM rs_moved();
SELECT count(*) AS differences FROM verify('rs');

-- a card that only makes fewer rows qualify changes no score: the scopes keep their ids,
-- and the rows losing their rank and tier (and those ranked below them) are updated
SELECT rs_remember();
SELECT alter_board('rs', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 70},
  {"name": "aht", "stat": "avg", "weight": 30, "better": "lower", "range": [60, 600]}], "scale": 100, "min_rows": 8}') AS changed;
SELECT * FROM rs_moved();
SELECT count(*) FILTER (WHERE NOT qualified) AS unqualified, count(*) FILTER (WHERE rank IS NULL) AS unranked FROM rs_standings;
SELECT count(*) AS differences FROM verify('rs');

-- a card taking effect on a later day moves only the scopes of the periods it scores
SELECT rs_remember();
SELECT alter_board('rs', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 20},
  {"name": "aht", "stat": "avg", "weight": 80, "better": "lower", "range": [60, 600]}], "scale": 100, "min_rows": 8}',
  effective_from => '2026-10-06') > 0 AS changed;
SELECT s.period, s.period_start, count(*) FILTER (WHERE i.scope_id <> s.scope_id) AS moved,
       count(*) FILTER (WHERE i.scope_id = s.scope_id) AS kept
FROM rs_scopes s JOIN rs_ids i USING (scope_key) GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS differences FROM verify('rs');

-- a scope where fewer than half the scores change is updated in place: agent 4's kpis of
-- 2026-10-05 are made agent 2's, so that rescoring moves that one score of its scope of
-- three (verify then reports the row, whose kpis no longer match the calls)
SELECT rs_remember();
UPDATE rs_standings SET kpis = (SELECT kpis FROM rs_standings WHERE agent_id = 2 AND period = 'day' AND period_start = '2026-10-05')
WHERE agent_id = 4 AND period = 'day' AND period_start = '2026-10-05';
SELECT count(*) AS rows_in_scope FROM rs_standings WHERE team_id = 0 AND period = 'day' AND period_start = '2026-10-05';
SELECT alter_board('rs', ladder => 'Bronze: 0, Silver: 45, Gold: 70') >= 1 AS changed;
SELECT * FROM rs_moved();
SELECT problem, period, period_start, agent FROM verify('rs') ORDER BY 1, 2, 3, 4;
SELECT rebuild('rs') > 0 AS rebuilt;

-- closed periods keep their scopes and rows: October is closed, calls of today open a day
-- and a month of each team, and a new card moves only those four scopes
SELECT close_periods('rs') > 0 AS closed;
INSERT INTO rs_calls SELECT 1000 + i, i, i % 2, now(), 100 * i, i % 2 = 0 FROM generate_series(1, 6) i;
SELECT rs_remember();
CREATE TABLE rs_closed AS SELECT * FROM rs_rows() WHERE period_start < '2026-11-01';
SELECT alter_board('rs', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 90},
  {"name": "aht", "stat": "avg", "weight": 10, "better": "lower", "range": [60, 600]}], "scale": 100}') AS changed;
SELECT * FROM rs_moved();
SELECT count(*) AS closed_rows_changed FROM ((SELECT * FROM rs_closed EXCEPT ALL SELECT * FROM rs_rows() WHERE period_start < '2026-11-01')
  UNION ALL (SELECT * FROM rs_rows() WHERE period_start < '2026-11-01' EXCEPT ALL SELECT * FROM rs_closed)) d;
SELECT count(*) AS differences FROM verify('rs');
SELECT drop_board('rs');

-- a tier held by hold carries over a rescore while the ladder stays the same, also when
-- alter_board is given the ladder the board has (written otherwise); a new ladder places
-- tiers afresh
CREATE TABLE hold_calls (agent_id int NOT NULL, started_at timestamptz NOT NULL, pts int NOT NULL);
INSERT INTO hold_calls VALUES (1, '2026-10-05 09:00+00', 55), (2, '2026-10-05 09:00+00', 20);
SELECT create_board('hold', 'hold_calls', 'agent_id', 'started_at', ARRAY['pts'],
  '{"metrics": [{"name": "pts", "stat": "max", "weight": 1}], "scale": 1}', periods => ARRAY['all'],
  ladder => 'Low: 0, High: 50; hold 10', time_zone => 'UTC') IS NOT NULL AS created;
UPDATE hold_calls SET pts = 45 WHERE agent_id = 1;
SELECT agent_id, score, tier FROM hold_standings ORDER BY 1;
SELECT alter_board('hold', ladder => 'Low:0,High:50;hold 10') AS changed;
SELECT agent_id, score, tier FROM hold_standings ORDER BY 1;
SELECT alter_board('hold', ladder => 'Low: 0, High: 50; hold 6') AS changed;
SELECT agent_id, score, tier FROM hold_standings ORDER BY 1;
SELECT drop_board('hold');
DROP TABLE hold_calls;
