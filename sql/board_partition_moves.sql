-- Partitions that leave or join a partitioned source without DML: DROP TABLE of a
-- partition (retention), DETACH PARTITION and ATTACH PARTITION. The board is rebuilt from
-- its source at commit, as after TRUNCATE, and verify() finds nothing; a rolled-back
-- transaction leaves the board as it was. Tables that move empty cost no rebuild.
CREATE ROLE pm_owner;
CREATE ROLE pm_dropper;
GRANT CREATE ON SCHEMA public TO pm_owner;
SET ROLE pm_owner;
CREATE TABLE pm_calls (agent_id int NOT NULL, at date NOT NULL, won boolean NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE pm_calls_oct PARTITION OF pm_calls FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');
CREATE TABLE pm_calls_nov PARTITION OF pm_calls FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')
  PARTITION BY LIST (agent_id);
CREATE TABLE pm_calls_nov_a PARTITION OF pm_calls_nov FOR VALUES IN (1, 2);
CREATE TABLE pm_calls_nov_b PARTITION OF pm_calls_nov DEFAULT;
CREATE TABLE pm_calls_dec PARTITION OF pm_calls FOR VALUES FROM ('2026-12-01') TO ('2027-01-01');
CREATE TABLE pm_unrelated (id int);
-- October: agent 1 wins 3, agent 2 wins 1; November: agents 2 and 3 win 2 each;
-- December: agent 4 wins 1
INSERT INTO pm_calls VALUES (1, '2026-10-05', true), (1, '2026-10-06', true), (1, '2026-10-07', true),
  (2, '2026-10-05', true), (2, '2026-11-02', true), (2, '2026-11-03', true),
  (3, '2026-11-02', true), (3, '2026-11-04', true), (4, '2026-12-01', true);
SELECT leaderboard.create_board(name => 'moves', source => 'pm_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['month', 'all'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}') IS NOT NULL AS created;
CREATE VIEW pm_all AS SELECT agent_id, score, rank FROM moves_standings WHERE period = 'all';
SELECT * FROM pm_all ORDER BY rank, agent_id;

-- Dropping a partition, rolled back: the board is unchanged
BEGIN;
DROP TABLE pm_calls_oct;
ROLLBACK;
SELECT count(*) AS differences FROM leaderboard.verify('moves');
SELECT * FROM pm_all ORDER BY rank, agent_id;
-- committed: October's rows leave the board at commit
BEGIN;
DROP TABLE pm_calls_oct;
SELECT pg_current_xact_id() AS xid \gset
COMMIT;
SELECT count(*) AS differences FROM leaderboard.verify('moves');
SELECT * FROM pm_all ORDER BY rank, agent_id;
SELECT count(*) AS october_rows FROM moves_standings WHERE period_start = '2026-10-01';
-- it was a rebuild: every standings row was written by the DROP's transaction
SELECT count(*) FILTER (WHERE xmin::text = :'xid') = count(*) AS rebuilt FROM moves_standings;

-- Detaching a (sub-partitioned) partition, rolled back, then committed
BEGIN;
ALTER TABLE pm_calls DETACH PARTITION pm_calls_nov;
SELECT count(*) AS differences_before_commit FROM leaderboard.verify('moves');
ROLLBACK;
SELECT count(*) AS differences FROM leaderboard.verify('moves');
SELECT * FROM pm_all ORDER BY rank, agent_id;
ALTER TABLE pm_calls DETACH PARTITION pm_calls_nov;
SELECT count(*) AS differences FROM leaderboard.verify('moves');
SELECT * FROM pm_all ORDER BY rank, agent_id;
-- and attaching it back, rolled back, then committed: its rows join the board
BEGIN;
ALTER TABLE pm_calls ATTACH PARTITION pm_calls_nov FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
ROLLBACK;
SELECT * FROM pm_all ORDER BY rank, agent_id;
ALTER TABLE pm_calls ATTACH PARTITION pm_calls_nov FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
SELECT count(*) AS differences FROM leaderboard.verify('moves');
SELECT * FROM pm_all ORDER BY rank, agent_id;
-- writes after the moves are captured as usual
INSERT INTO pm_calls VALUES (4, '2026-11-20', true), (4, '2026-12-20', true);
DELETE FROM pm_calls_nov_a WHERE agent_id = 2 AND at = '2026-11-03';
SELECT count(*) AS differences FROM leaderboard.verify('moves');
SELECT * FROM pm_all ORDER BY rank, agent_id;

-- A DETACH undone by a savepoint rollback takes its rebuild back
BEGIN;
SAVEPOINT s;
ALTER TABLE pm_calls DETACH PARTITION pm_calls_dec;
ROLLBACK TO SAVEPOINT s;
SELECT pg_current_xact_id() AS xid \gset
COMMIT;
SELECT count(*) FILTER (WHERE xmin::text = :'xid') AS rows_rewritten FROM moves_standings;
SELECT count(*) AS differences FROM leaderboard.verify('moves');

-- Empty tables move for free: a partition created, an empty table attached or detached,
-- dropping an unrelated table and attaching rows to another partitioned table rewrite no
-- standings row
CREATE TABLE pm_other (id int) PARTITION BY LIST (id);
CREATE TABLE pm_other_1 (id int);
INSERT INTO pm_other_1 VALUES (1);
BEGIN;
ALTER TABLE pm_other ATTACH PARTITION pm_other_1 FOR VALUES IN (1);
CREATE TABLE pm_calls_jan PARTITION OF pm_calls FOR VALUES FROM ('2027-01-01') TO ('2027-02-01');
CREATE TABLE pm_calls_feb (LIKE pm_calls);
ALTER TABLE pm_calls ATTACH PARTITION pm_calls_feb FOR VALUES FROM ('2027-02-01') TO ('2027-03-01');
ALTER TABLE pm_calls DETACH PARTITION pm_calls_jan;
DROP TABLE pm_unrelated;
SELECT pg_current_xact_id() AS xid \gset
COMMIT;
SELECT count(*) FILTER (WHERE xmin::text = :'xid') AS rows_rewritten FROM moves_standings;
-- a dropped table cannot be read any more: dropping even an empty partition rebuilds
-- (detach it first to avoid that)
BEGIN;
DROP TABLE pm_calls_feb;
SELECT pg_current_xact_id() AS xid \gset
COMMIT;
SELECT count(*) FILTER (WHERE xmin::text = :'xid') = count(*) AS rebuilt FROM moves_standings;
SELECT count(*) AS differences FROM leaderboard.verify('moves');

-- DETACH PARTITION CONCURRENTLY (two transactions of its own): rebuilt at its end
ALTER TABLE pm_calls DETACH PARTITION pm_calls_dec CONCURRENTLY;
SELECT count(*) AS differences FROM leaderboard.verify('moves');
SELECT * FROM pm_all ORDER BY rank, agent_id;

-- The rebuild runs as the board's owner, whoever drops the partition: this role may not
-- write the standings
RESET ROLE;
ALTER TABLE pm_calls_nov_b OWNER TO pm_dropper;
SET ROLE pm_dropper;
DROP TABLE pm_calls_nov_b;
RESET ROLE;
SELECT count(*) AS differences FROM leaderboard.verify('moves');
SELECT * FROM pm_all ORDER BY rank, agent_id;

SET ROLE pm_owner;
DROP VIEW pm_all;
SELECT leaderboard.drop_board('moves');
DROP TABLE pm_calls, pm_calls_nov, pm_calls_dec, pm_calls_jan, pm_other;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM pm_owner;
DROP ROLE pm_owner, pm_dropper;
