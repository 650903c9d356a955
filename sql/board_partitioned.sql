-- A partitioned source: rows written through the parent or straight into a partition are
-- each counted once; new partitions get the board's triggers; detached ones lose them.
CREATE TABLE part_calls (agent_id int NOT NULL, team_id int, at date NOT NULL, won boolean NOT NULL)
  PARTITION BY RANGE (at);
CREATE TABLE part_calls_oct PARTITION OF part_calls FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');
CREATE TABLE part_calls_nov PARTITION OF part_calls FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')
  PARTITION BY LIST (team_id);
CREATE TABLE part_calls_nov_1 PARTITION OF part_calls_nov FOR VALUES IN (1);
CREATE TABLE part_calls_nov_2 PARTITION OF part_calls_nov FOR VALUES IN (2);
INSERT INTO part_calls SELECT 1 + i % 5, 1 + i % 2, date '2026-10-20' + i % 20, i % 3 = 0 FROM generate_series(1, 200) i;
SELECT leaderboard.create_board(name => 'parts', source => 'part_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won'], periods => ARRAY['month', 'all'], partition_by => ARRAY['team_id'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}') IS NOT NULL AS created;
-- every table of the tree carries the triggers
SELECT tgrelid::regclass::text AS relation, count(*) AS triggers FROM pg_trigger
WHERE tgname LIKE 'lb_parts_%' GROUP BY 1 ORDER BY 1;

-- through the parent, into a leaf, into an intermediate partitioned table, and moved
-- across partitions by an UPDATE
INSERT INTO part_calls VALUES (1, 1, '2026-10-05', true), (1, 2, '2026-11-05', true);
INSERT INTO part_calls_oct VALUES (2, 1, '2026-10-06', true);
INSERT INTO part_calls_nov VALUES (3, 2, '2026-11-07', true);
INSERT INTO part_calls_nov_1 VALUES (4, 1, '2026-11-08', true);
UPDATE part_calls SET at = '2026-11-09' WHERE agent_id = 1 AND at = '2026-10-25';
DELETE FROM part_calls_nov_2 WHERE agent_id = 3;
SELECT count(*) AS differences FROM leaderboard.verify('parts');
SELECT period, team_id, agent_id, score, rank FROM parts_standings WHERE period = 'all' ORDER BY team_id, rank, agent_id;

-- a partition created later is covered at once
CREATE TABLE part_calls_dec PARTITION OF part_calls FOR VALUES FROM ('2026-12-01') TO ('2027-01-01');
INSERT INTO part_calls_dec VALUES (1, 1, '2026-12-01', true);
SELECT count(*) AS differences FROM leaderboard.verify('parts');
-- a detached partition loses the triggers, and its rows leave the board at commit (a
-- rebuild; sql/board_partition_moves.sql tests drop, detach and attach in detail)
ALTER TABLE part_calls DETACH PARTITION part_calls_dec;
SELECT count(*) AS triggers_on_detached FROM pg_trigger WHERE tgrelid = 'part_calls_dec'::regclass AND tgname LIKE 'lb_%';
INSERT INTO part_calls_dec VALUES (1, 1, '2026-12-02', true);
SELECT count(*) AS differences FROM leaderboard.verify('parts');
-- attaching one back: triggers again, and its rows join the board at commit
ALTER TABLE part_calls ATTACH PARTITION part_calls_dec FOR VALUES FROM ('2026-12-01') TO ('2027-01-01');
SELECT count(*) AS triggers_on_attached FROM pg_trigger WHERE tgrelid = 'part_calls_dec'::regclass AND tgname LIKE 'lb_%';
SELECT count(*) AS differences FROM leaderboard.verify('parts');
TRUNCATE part_calls_oct;
SELECT count(*) AS differences FROM leaderboard.verify('parts');

SELECT leaderboard.drop_board('parts');
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgname LIKE 'lb_parts_%';
DROP TABLE part_calls, part_calls_dec;
