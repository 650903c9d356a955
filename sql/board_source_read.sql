-- A transaction that wrote calls and then reads the whole source into a board (rebuild(),
-- an alter_board() that rebuilds, drop_board() and create_board() of the same name): the
-- rows written before are in what was read, and the commit must not apply them again.
CREATE TABLE sr_calls (call_id serial PRIMARY KEY, agent_id int NOT NULL, team int NOT NULL,
                       started_at timestamptz NOT NULL, converted boolean NOT NULL, handle int NOT NULL);
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle)
SELECT 1 + i % 3, i % 2, timestamptz '2026-03-10 12:00 UTC' - i * interval '7 hours', i % 3 = 0, 100 + i
FROM generate_series(1, 30) i;
CREATE FUNCTION sr_make() RETURNS text LANGUAGE sql AS $$
  SELECT leaderboard.create_board(name => 'sr', source => 'sr_calls', agent => 'agent_id', at => 'started_at',
    metrics => ARRAY['converted AS conv', 'handle'],
    scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 1}, {"name": "handle", "stat": "avg", "weight": 1, "better": "lower", "range": [0, 200]}]}',
    periods => ARRAY['day', 'month'], partition_by => ARRAY['team'], time_zone => 'UTC')::text $$;
SELECT sr_make();
-- one line per check: the verify() rows and the calls the month rows count
CREATE FUNCTION sr_check() RETURNS TABLE (verify_rows bigint, month_rows numeric, calls bigint)
LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM leaderboard.verify('sr')),
         (SELECT sum(leaderboard.rows(kpis)) FROM sr_standings WHERE period = 'month'),
         (SELECT count(*) FROM sr_calls) $$;

-- rebuild() after an INSERT, an UPDATE that moves a call and a DELETE
BEGIN;
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle)
VALUES (1, 0, '2026-03-09 08:00 UTC', true, 90), (4, 1, '2026-03-09 09:00 UTC', false, 120);
UPDATE sr_calls SET agent_id = 2, team = 1 WHERE call_id = 3;
DELETE FROM sr_calls WHERE call_id IN (5, 6);
SELECT leaderboard.rebuild('sr') > 0 AS rebuilt;
COMMIT;
SELECT * FROM sr_check();

-- and calls written after the rebuild in the same transaction count once too
BEGIN;
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle) VALUES (2, 0, '2026-03-08 10:00 UTC', true, 80);
SELECT leaderboard.rebuild('sr') > 0 AS rebuilt;
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle) VALUES (3, 1, '2026-03-08 11:00 UTC', false, 150);
DELETE FROM sr_calls WHERE call_id = 7;
COMMIT;
SELECT * FROM sr_check();

-- a rebuild rolled back to its savepoint: the calls written before it are applied at commit
BEGIN;
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle) VALUES (1, 1, '2026-03-07 10:00 UTC', true, 70);
SAVEPOINT s;
SELECT leaderboard.rebuild('sr') > 0 AS rebuilt;
ROLLBACK TO SAVEPOINT s;
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle) VALUES (2, 1, '2026-03-07 11:00 UTC', false, 60);
COMMIT;
SELECT * FROM sr_check();

-- a card that starts reading a max rebuilds the board inside alter_board()
BEGIN;
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle) VALUES (3, 0, '2026-03-06 10:00 UTC', true, 95);
SELECT leaderboard.alter_board('sr', scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 1}, {"name": "handle", "stat": "max", "weight": 1, "better": "lower", "range": [0, 200]}]}') > 0 AS rescored;
COMMIT;
SELECT * FROM sr_check();

-- dropped and made again under the same name after writes: the new board loaded them
BEGIN;
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle) VALUES (1, 0, '2026-03-05 10:00 UTC', true, 85);
DELETE FROM sr_calls WHERE call_id = 8;
SELECT leaderboard.drop_board('sr');
SELECT sr_make();
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle) VALUES (2, 0, '2026-03-05 11:00 UTC', true, 75);
COMMIT;
SELECT * FROM sr_check();

-- dropped after writes, and not made again: the commit has nothing to apply them to
BEGIN;
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle) VALUES (1, 0, '2026-03-04 10:00 UTC', true, 85);
SELECT leaderboard.drop_board('sr');
COMMIT;
SELECT count(*) AS boards FROM leaderboard.boards WHERE name = 'sr';
SELECT sr_make();

-- a drop rolled back to its savepoint: the board stays and counts the calls
BEGIN;
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle) VALUES (3, 1, '2026-03-03 10:00 UTC', false, 110);
SAVEPOINT s;
SELECT leaderboard.drop_board('sr');
ROLLBACK TO SAVEPOINT s;
UPDATE sr_calls SET converted = NOT converted WHERE call_id = 9;
COMMIT;
SELECT * FROM sr_check();

-- a drop inside a savepoint that is kept, then a board of the name made at the top level
BEGIN;
INSERT INTO sr_calls (agent_id, team, started_at, converted, handle) VALUES (4, 0, '2026-03-02 10:00 UTC', true, 100);
SAVEPOINT s;
SELECT leaderboard.drop_board('sr');
RELEASE SAVEPOINT s;
SELECT sr_make();
COMMIT;
SELECT * FROM sr_check();

-- the mark is the board owner's to set
CREATE ROLE sr_other;
SET ROLE sr_other;
SELECT leaderboard._source_read('sr');
RESET ROLE;
DROP ROLE sr_other;

SELECT leaderboard.drop_board('sr');
DROP FUNCTION sr_make(), sr_check();
DROP TABLE sr_calls;
