-- Logical-replication subscribers apply rows as session_replication_role = replica, which
-- fires only row triggers enabled REPLICA or ALWAYS: the board's lb_<board>_repl row
-- trigger captures those rows (and the statement triggers do not, so nothing counts
-- twice). Setting the role by hand does what an apply worker does.
CREATE TABLE repl_calls (call_id int NOT NULL, agent_id int NOT NULL, team_id int, at date NOT NULL, won boolean NOT NULL)
  PARTITION BY LIST (team_id);
CREATE TABLE repl_calls_1 PARTITION OF repl_calls FOR VALUES IN (1);
CREATE TABLE repl_calls_2 (won boolean NOT NULL, at date NOT NULL, team_id int, agent_id int NOT NULL, call_id int NOT NULL);
ALTER TABLE repl_calls ATTACH PARTITION repl_calls_2 FOR VALUES IN (2);
INSERT INTO repl_calls SELECT i, 1 + i % 4, 1 + i % 2, date '2026-10-01' + i % 5, i % 3 = 0 FROM generate_series(1, 40) i;
SELECT leaderboard.create_board(name => 'repl', source => 'repl_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['day', 'all'], partition_by => ARRAY['team_id'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}') IS NOT NULL AS created;
-- how the triggers are enabled: O = local sessions, R = replicas only, A = always
SELECT tgrelid::regclass::text AS relation, tgname, tgenabled FROM pg_trigger
WHERE tgname LIKE 'lb_repl_%' ORDER BY 1, 2;

SET session_replication_role = replica;
INSERT INTO repl_calls VALUES (101, 1, 1, '2026-10-02', true), (102, 2, 2, '2026-10-02', true);
INSERT INTO repl_calls_2 VALUES (true, '2026-10-03', 2, 3, 103);
UPDATE repl_calls SET won = NOT won WHERE call_id % 7 = 0;
UPDATE repl_calls SET team_id = 2 WHERE call_id = 5;
DELETE FROM repl_calls WHERE call_id % 11 = 0;
RESET session_replication_role;
SELECT count(*) AS differences FROM leaderboard.verify('repl');
SELECT agent_id, team_id, score, rank FROM repl_standings WHERE period = 'all' ORDER BY team_id, rank, agent_id;

-- a replicated TRUNCATE
SET session_replication_role = replica;
TRUNCATE repl_calls;
INSERT INTO repl_calls VALUES (1, 1, 1, '2026-10-01', true);
RESET session_replication_role;
SELECT period, agent_id, score FROM repl_standings ORDER BY period;
SELECT count(*) AS differences FROM leaderboard.verify('repl');

-- local statements still count once, also into a partition whose columns lie in another
-- order than the parent's
INSERT INTO repl_calls VALUES (2, 1, 1, '2026-10-01', true);
INSERT INTO repl_calls_2 VALUES (true, '2026-10-01', 2, 1, 3);
SELECT team_id, score AS calls_won FROM repl_standings WHERE period = 'all' AND agent_id = 1 ORDER BY 1;
SELECT count(*) AS differences FROM leaderboard.verify('repl');
SELECT leaderboard.drop_board('repl');
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgname LIKE 'lb_repl_%';
DROP TABLE repl_calls;
