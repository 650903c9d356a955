-- Events the commit-time apply writes itself (the rank and tier kinds and personal_best,
-- when a commit announces no other kind) are the rows the board's events statement
-- writes: two boards over two copies of the same calls take the same commits, the first
-- with the apply writing its events, the second through the statement (a trigger on
-- leaderboard.events, which only a statement fires, turns the apply's writing off), and
-- their events are equal, column for column and in id order.
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
    "entered_top_n": 2, "rank_climb": 2, "personal_best": true}');
$$;
SELECT ew_board('ewa', 'ew_a'), ew_board('ewb', 'ew_b');
CREATE FUNCTION ew_off() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
SET leaderboard.report_apply = on;

-- the commits on ew_a, the apply writing its events
\set t ew_a
INSERT INTO :t (agent_id, team, started_at, converted) VALUES (4, 't0', '2026-10-06 09:00+00', true);
INSERT INTO :t (agent_id, team, started_at, converted) VALUES (4, 't0', '2026-10-06 09:05+00', true);
INSERT INTO :t (agent_id, team, started_at, converted)
SELECT 1 + i % 9, CASE WHEN (1 + i % 9) % 3 = 0 THEN NULL ELSE 't' || (1 + i % 9) % 2 END,
       timestamptz '2026-10-06 10:00+00' + i * interval '1 minute', i % 4 = 0
FROM generate_series(1, 30) i;
INSERT INTO :t (agent_id, team, started_at, converted) VALUES (3, NULL, '2026-10-06 11:00+00', true);
BEGIN;
INSERT INTO :t (agent_id, team, started_at, converted) VALUES (7, 't1', '2026-10-06 12:00+00', true);
INSERT INTO :t (agent_id, team, started_at, converted) VALUES (7, 't1', '2026-10-06 12:01+00', true);
COMMIT;
UPDATE :t SET converted = NOT converted WHERE agent_id = 2 AND started_at >= '2026-10-06';
DELETE FROM :t WHERE agent_id = 4 AND started_at >= '2026-10-06 09:00+00' AND started_at < '2026-10-06 10:00+00';

-- the same commits on ew_b, through the events statement
CREATE TRIGGER ew_off AFTER INSERT ON leaderboard.events FOR EACH STATEMENT EXECUTE FUNCTION ew_off();
\set t ew_b
INSERT INTO :t (agent_id, team, started_at, converted) VALUES (4, 't0', '2026-10-06 09:00+00', true);
INSERT INTO :t (agent_id, team, started_at, converted) VALUES (4, 't0', '2026-10-06 09:05+00', true);
INSERT INTO :t (agent_id, team, started_at, converted)
SELECT 1 + i % 9, CASE WHEN (1 + i % 9) % 3 = 0 THEN NULL ELSE 't' || (1 + i % 9) % 2 END,
       timestamptz '2026-10-06 10:00+00' + i * interval '1 minute', i % 4 = 0
FROM generate_series(1, 30) i;
INSERT INTO :t (agent_id, team, started_at, converted) VALUES (3, NULL, '2026-10-06 11:00+00', true);
BEGIN;
INSERT INTO :t (agent_id, team, started_at, converted) VALUES (7, 't1', '2026-10-06 12:00+00', true);
INSERT INTO :t (agent_id, team, started_at, converted) VALUES (7, 't1', '2026-10-06 12:01+00', true);
COMMIT;
UPDATE :t SET converted = NOT converted WHERE agent_id = 2 AND started_at >= '2026-10-06';
DELETE FROM :t WHERE agent_id = 4 AND started_at >= '2026-10-06 09:00+00' AND started_at < '2026-10-06 10:00+00';
DROP TRIGGER ew_off ON leaderboard.events;
RESET leaderboard.report_apply;

-- every kind was written, by both, and the two boards' events are the same rows in the
-- same order, committed by as many transactions
SELECT board, kind, count(*) FROM leaderboard.events WHERE board IN ('ewa', 'ewb') GROUP BY 1, 2 ORDER BY 1, 2;
WITH a AS (SELECT row_number() OVER (ORDER BY id) AS n, kind, agent, partition, period, period_start, old, new
           FROM leaderboard.events WHERE board = 'ewa'),
     b AS (SELECT row_number() OVER (ORDER BY id) AS n, kind, agent, partition, period, period_start, old, new
           FROM leaderboard.events WHERE board = 'ewb')
SELECT (SELECT count(*) FROM a) AS events,
       (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b) x) AS only_apply,
       (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a) x) AS only_statement,
       (SELECT count(DISTINCT xid) FROM leaderboard.events WHERE board = 'ewa') AS commits_apply,
       (SELECT count(DISTINCT xid) FROM leaderboard.events WHERE board = 'ewb') AS commits_statement;
-- what the rows hold: the JSON of each kind, the partition of a NULL team
SELECT kind, agent, partition, period, period_start, old, new FROM leaderboard.events
WHERE board = 'ewa' ORDER BY id LIMIT 12;
SELECT count(*) AS differences FROM leaderboard.verify('ewa');
SELECT leaderboard.drop_board('ewa'), leaderboard.drop_board('ewb');
DROP TABLE ew_a, ew_b;
