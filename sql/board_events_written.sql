-- Events the commit-time apply writes itself (every kind but streak_milestone, when a
-- commit announces no streak) are the rows the board's events statement writes: two
-- boards over two copies of the same calls take the same commits, the first with the
-- apply writing its events, the second through the statement (a trigger on
-- leaderboard.events, which only a statement fires, turns the apply's writing off), and
-- their events are equal, column for column, commit by commit, in the statement's order.
CREATE TABLE ew_a (call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team text,
                   started_at timestamptz NOT NULL, converted boolean NOT NULL);
CREATE TABLE ew_b (LIKE ew_a INCLUDING ALL);
-- earlier days and months: the bests the personal bests pass
INSERT INTO ew_a (agent_id, team, started_at, converted)
SELECT a, CASE WHEN a % 3 = 0 THEN NULL ELSE 't' || a % 2 END,
       timestamptz '2026-09-20 08:00+00' + d * interval '1 day' + k * interval '1 minute', (k + d + a) % 3 = 0
FROM generate_series(1, 9) a, generate_series(0, 16) d, generate_series(1, 1 + (a + d) % 3) k;
INSERT INTO ew_b SELECT * FROM ew_a;
CREATE FUNCTION ew_board(name text, source text) RETURNS void LANGUAGE sql AS $$
  SELECT leaderboard.create_board(name => name, source => source, agent => 'agent_id', at => 'started_at',
    metrics => ARRAY['converted AS conv', '1 AS calls'],
    scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 70},
                               {"name": "calls", "stat": "count", "weight": 30, "target": 6}], "min_rows": 2}',
    periods => ARRAY['day', 'month'], partition_by => ARRAY['team'],
    ladder => 'Bronze: 0, Silver: 35, Gold: 55', time_zone => 'UTC');
  SELECT leaderboard.alter_board(name, events => '{"tier_up": true, "tier_down": true, "new_leader": true,
    "entered_top_n": 2, "rank_climb": 2, "personal_best": true, "goal_met": true, "goal_at_risk": 0.5}');
  -- goal ladders for everyone, a team, an agent; one from a later day on; a monthly rate
  -- for October only (so that what today's calls announce is the same on any day)
  SELECT leaderboard.set_goal(name, 'calls', 'count', 'day', t) FROM unnest(ARRAY[3, 5]) t;
  SELECT leaderboard.set_goal(name, 'calls', 'count', 'day', 4, partition => '{"team": "t0"}');
  SELECT leaderboard.set_goal(name, 'calls', 'count', 'day', 2, agent => '7');
  SELECT leaderboard.set_goal(name, 'calls', 'count', 'day', 6, effective_from => '2026-10-07');
  SELECT leaderboard.set_goal(name, 'conv', 'rate', 'month', t, effective_to => '2026-10-31')
  FROM unnest(ARRAY[0.4, 0.45]) t;
$$;
SELECT ew_board('ewa', 'ew_a'), ew_board('ewb', 'ew_b');
CREATE FUNCTION ew_off() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
SET leaderboard.report_apply = on;

-- the commits, each a statement (on calls_table, replaced) run by \gexec in its own
-- transaction, but for one BEGIN ... COMMIT
CREATE TABLE ew_work (step int, sql text);
INSERT INTO ew_work VALUES
(1, $$INSERT INTO calls_table (agent_id, team, started_at, converted) VALUES (4, 't0', '2026-10-06 09:00+00', true)$$),
(2, $$INSERT INTO calls_table (agent_id, team, started_at, converted) VALUES (4, 't0', '2026-10-06 09:05+00', true)$$),
(3, $$INSERT INTO calls_table (agent_id, team, started_at, converted)
      SELECT 1 + i % 9, CASE WHEN (1 + i % 9) % 3 = 0 THEN NULL ELSE 't' || (1 + i % 9) % 2 END,
             timestamptz '2026-10-06 10:00+00' + i * interval '1 minute', i % 4 = 0
      FROM generate_series(1, 30) i$$),
(4, $$INSERT INTO calls_table (agent_id, team, started_at, converted) VALUES (3, NULL, '2026-10-06 11:00+00', true)$$),
(5, 'BEGIN'),
(6, $$INSERT INTO calls_table (agent_id, team, started_at, converted) VALUES (7, 't1', '2026-10-06 12:00+00', true)$$),
(7, $$INSERT INTO calls_table (agent_id, team, started_at, converted) VALUES (7, 't1', '2026-10-06 12:01+00', true)$$),
(8, 'COMMIT'),
(9, $$UPDATE calls_table SET converted = NOT converted WHERE agent_id = 2 AND started_at >= '2026-10-06'$$),
(10, $$DELETE FROM calls_table WHERE agent_id = 4 AND started_at >= '2026-10-06 09:00+00' AND started_at < '2026-10-06 10:00+00'$$),
-- today: the day's goals are at risk (the whole day has gone by in a day period) and met
(11, $$INSERT INTO calls_table (agent_id, team, started_at, converted) VALUES (1, 't1', now(), true)$$),
(12, $$INSERT INTO calls_table (agent_id, team, started_at, converted)
       SELECT 1 + i % 4, 't' || (1 + i % 4) % 2, now(), i % 2 = 0 FROM generate_series(1, 8) i$$),
(13, $$INSERT INTO calls_table (agent_id, team, started_at, converted) VALUES (7, 't1', now(), true)$$),
(14, $$INSERT INTO calls_table (agent_id, team, started_at, converted) VALUES (2, 't0', now(), false), (2, 't0', now(), true)$$),
-- agent 7's daily goal of 2 calls becomes one of 3 (as many goals as before): its second
-- call of today meets none (a backend that kept the old goal would announce goal_met)
(15, $$SELECT count(*) AS goals_replaced FROM (
       SELECT leaderboard.clear_goal(g.id), leaderboard.set_goal(g.board, 'calls', 'count', 'day', 3, agent => '7')
       FROM leaderboard.goals g WHERE g.board = replace('calls_table', '_', '') AND g.agent = '7') x$$),
(16, $$INSERT INTO calls_table (agent_id, team, started_at, converted) VALUES (7, 't1', now(), false)$$);

-- on ew_a, the apply writing its events
SELECT replace(sql, 'calls_table', 'ew_a') FROM ew_work ORDER BY step \gexec
-- on ew_b, through the events statement
CREATE TRIGGER ew_off AFTER INSERT ON leaderboard.events FOR EACH STATEMENT EXECUTE FUNCTION ew_off();
SELECT replace(sql, 'calls_table', 'ew_b') FROM ew_work ORDER BY step \gexec
DROP TRIGGER ew_off ON leaderboard.events;
RESET leaderboard.report_apply;

-- every kind was written, by both, and the two boards' events are the same rows, commit
-- by commit, each in the order the statement inserts them (period, period start,
-- partition, agent, kind; two goals' events of one row and kind in either order)
SELECT board, kind, count(*) FROM leaderboard.events WHERE board IN ('ewa', 'ewb') GROUP BY 1, 2 ORDER BY 1, 2;
-- (the boards' goals have their own ids, set in the same order: a goal is compared by
-- its place among its board's goals, as the number of them set before it)
WITH e AS (SELECT board, dense_rank() OVER (PARTITION BY board ORDER BY xid) AS commit_no, id, kind, agent,
                  partition, period, period_start, old,
                  new - 'goal_id' || coalesce(jsonb_build_object('goal_no', (SELECT count(*) FROM leaderboard.goals g
                    WHERE g.board = events.board AND g.id < (new ->> 'goal_id')::bigint)), '{}') AS new
           FROM leaderboard.events WHERE board IN ('ewa', 'ewb')),
     a AS (SELECT commit_no, kind, agent, partition, period, period_start, old, new FROM e WHERE board = 'ewa'),
     b AS (SELECT commit_no, kind, agent, partition, period, period_start, old, new FROM e WHERE board = 'ewb')
SELECT (SELECT count(*) FROM a) AS events,
       (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b) x) AS only_apply,
       (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a) x) AS only_statement,
       (SELECT max(commit_no) FROM a) AS commits_apply, (SELECT max(commit_no) FROM b) AS commits_statement,
       (SELECT count(*) FROM (SELECT row_number() OVER (PARTITION BY board ORDER BY id) AS by_id,
                                     row_number() OVER (PARTITION BY board ORDER BY commit_no, period, period_start,
                                                        partition::text, agent, kind, id) AS by_key FROM e) x
        WHERE by_id <> by_key) AS out_of_order;
-- the goal events of today, without the date (nor the goal ids, which other tests' goals move)
SELECT kind, agent, partition, period, old, new - 'goal_id' AS new FROM leaderboard.events
WHERE board = 'ewa' AND kind LIKE 'goal%' AND period_start = (now() AT TIME ZONE 'UTC')::date ORDER BY id;
-- what the rows hold: the JSON of each kind, the partition of a NULL team
SELECT kind, agent, partition, period, period_start, old, new - 'goal_id' AS new FROM leaderboard.events
WHERE board = 'ewa' ORDER BY id LIMIT 12;
SELECT count(*) AS differences FROM leaderboard.verify('ewa');

-- a partition column of another type than the integers and text: the statement writes
CREATE TABLE ew_c (agent_id int NOT NULL, site uuid, started_at timestamptz NOT NULL, converted boolean NOT NULL);
INSERT INTO ew_c SELECT a, ('00000000-0000-0000-0000-00000000000' || a % 2)::uuid, '2026-10-05 08:00+00', a % 3 = 0
FROM generate_series(1, 6) a;
SELECT leaderboard.create_board(name => 'ewc', source => 'ew_c', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv'], scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 100}]}',
  periods => ARRAY['day'], partition_by => ARRAY['site'], time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.alter_board('ewc', events => '{"new_leader": true, "rank_climb": 1}');
SET leaderboard.report_apply = on;
INSERT INTO ew_c VALUES (8, '00000000-0000-0000-0000-000000000000', '2026-10-05 09:00+00', true);
RESET leaderboard.report_apply;
SELECT kind, agent, partition, old, new FROM leaderboard.events WHERE board = 'ewc' ORDER BY id;

SELECT leaderboard.drop_board('ewa'), leaderboard.drop_board('ewb'), leaderboard.drop_board('ewc');
DROP TABLE ew_a, ew_b, ew_c, ew_work;
