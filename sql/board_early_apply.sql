-- A commit-time apply that runs early (SET CONSTRAINTS ALL IMMEDIATE, or a deferred
-- constraint checked early) inside a savepoint that is then rolled back: the rollback
-- undoes the apply's writes, so what it applied is applied again at commit. Nothing
-- captured is lost and nothing is counted twice; verify() (a from-scratch recomputation)
-- finds no difference after each transaction.
CREATE TABLE ea_calls (
  call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL);
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
SELECT 1 + i % 6, i % 2, timestamptz '2026-10-05 08:00+00' + (i % 4) * interval '1 day',
       120 + (i * 37) % 700, i % 3 = 0
FROM generate_series(1, 60) i;
SELECT leaderboard.create_board(name => 'ea', source => 'ea_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 50, "target": 0.25},
    {"name": "aht", "stat": "avg", "weight": 25, "better": "lower", "range": [180, 900]},
    {"name": "calls", "stat": "count", "weight": 25, "target": 20}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC');

-- the calls the board counts, the calls in the source, and verify()'s differences
CREATE VIEW ea_counts AS
SELECT (SELECT sum(leaderboard.rows(kpis)) FROM ea_standings WHERE period = 'month') AS board_calls,
       (SELECT count(*) FROM ea_calls) AS source_calls,
       (SELECT count(*) FROM leaderboard.verify('ea')) AS differences;
SELECT * FROM ea_counts;

-- 1. calls captured before a savepoint, applied early inside it, the savepoint rolled
--    back: the calls stay (they were inserted before the savepoint) and are counted
BEGIN;
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
SELECT 1 + i % 6, i % 2, '2026-10-06 09:00+00', 300, true FROM generate_series(1, 15) i;
SAVEPOINT s;
SET CONSTRAINTS ALL IMMEDIATE;
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT * FROM ea_counts;

-- 2. the same with calls inserted inside the savepoint too: those go with the rollback,
--    the earlier ones stay
BEGIN;
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (1, 0, '2026-10-06 10:00+00', 200, false), (2, 1, '2026-10-07 10:00+00', 250, true);
SAVEPOINT s;
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (3, 0, '2026-10-06 11:00+00', 200, true);
DELETE FROM ea_calls WHERE call_id = 5;
ROLLBACK TO SAVEPOINT s;
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (4, 1, '2026-10-08 10:00+00', 500, false);
COMMIT;
SELECT * FROM ea_counts;

-- 3. nested savepoints: the apply runs in the inner one, which is released; the outer one
--    is rolled back, taking the inner one's work with it
BEGIN;
UPDATE ea_calls SET agent_id = 6 WHERE call_id BETWEEN 10 AND 14;
SAVEPOINT outer_sp;
SAVEPOINT inner_sp;
SET CONSTRAINTS ALL IMMEDIATE;
RELEASE SAVEPOINT inner_sp;
ROLLBACK TO SAVEPOINT outer_sp;
COMMIT;
SELECT * FROM ea_counts;

-- 4. an early apply released into the transaction stays applied, and is not applied twice
BEGIN;
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (5, 0, '2026-10-06 12:00+00', 400, true);
SAVEPOINT s;
SET CONSTRAINTS ALL IMMEDIATE;
RELEASE SAVEPOINT s;
SAVEPOINT t;
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (5, 0, '2026-10-06 13:00+00', 400, true);
ROLLBACK TO SAVEPOINT t;
COMMIT;
SELECT * FROM ea_counts;

-- 5. a deferred foreign key checked early in a PL/pgSQL exception block: the block's
--    error rolls back its implicit savepoint, with the apply that ran inside it
CREATE TABLE ea_teams (team_id int PRIMARY KEY);
INSERT INTO ea_teams VALUES (0), (1);
ALTER TABLE ea_calls ADD FOREIGN KEY (team_id) REFERENCES ea_teams DEFERRABLE INITIALLY DEFERRED;
BEGIN;
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (2, 0, '2026-10-09 09:00+00', 300, true), (3, 1, '2026-10-09 09:00+00', 300, false);
DO $$
BEGIN
  INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
  VALUES (4, 7, '2026-10-09 10:00+00', 300, true);
  SET CONSTRAINTS ALL IMMEDIATE;
EXCEPTION WHEN foreign_key_violation THEN
  RAISE NOTICE 'team 7 refused';
END $$;
COMMIT;
SELECT * FROM ea_counts;

-- 6. a TRUNCATE whose rebuild ran early, rolled back with its savepoint: the board
--    matches the calls that remain after the transaction
BEGIN;
SAVEPOINT s;
TRUNCATE ea_calls CASCADE;
SET CONSTRAINTS ALL IMMEDIATE;
ROLLBACK TO SAVEPOINT s;
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (6, 1, '2026-10-09 11:00+00', 300, true);
COMMIT;
SELECT * FROM ea_counts;

-- 7. an early apply that fails inside a savepoint (as one hitting lock_timeout does; here
--    a trigger on the standings fails it on demand): the savepoint is rolled back and the
--    commit applies the calls
CREATE FUNCTION ea_fail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('ea.fail', true) = 'on' THEN
    RAISE EXCEPTION 'standings write refused';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ea_fail BEFORE INSERT OR UPDATE ON ea_standings FOR EACH ROW EXECUTE FUNCTION ea_fail();
BEGIN;
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (2, 0, '2026-10-09 13:00+00', 300, true);
SAVEPOINT s;
SET LOCAL ea.fail = 'on';
SET CONSTRAINTS ALL IMMEDIATE;
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT * FROM ea_counts;
DROP TRIGGER ea_fail ON ea_standings;
DROP FUNCTION ea_fail();

-- 8. a board never commits changes it has not applied: with the apply trigger disabled, the
--    commit fails instead of leaving the board behind its calls
ALTER TABLE leaderboard.pending DISABLE TRIGGER apply_at_commit;
INSERT INTO ea_calls (agent_id, team_id, started_at, handle_seconds, converted)
VALUES (1, 0, '2026-10-09 12:00+00', 300, true);
ALTER TABLE leaderboard.pending ENABLE ALWAYS TRIGGER apply_at_commit;
SELECT * FROM ea_counts;

DROP VIEW ea_counts;
SELECT leaderboard.drop_board('ea');
DROP TABLE ea_calls, ea_teams;
