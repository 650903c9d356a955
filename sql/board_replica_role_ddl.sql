-- DDL run under session_replication_role = replica (a superuser's bulk load or restore) is
-- watched as in any session: the board's event triggers are enabled ALWAYS.
SELECT evtname, evtenabled FROM pg_event_trigger
WHERE evtname LIKE 'leaderboard\_%' AND evtenabled <> 'A' ORDER BY 1;

CREATE TABLE rr_calls (agent_id int NOT NULL, started_at timestamptz NOT NULL, converted boolean NOT NULL);
INSERT INTO rr_calls SELECT 1 + i % 3, timestamptz '2026-05-20 12:00 UTC' - i * interval '1 hour', i % 2 = 0
FROM generate_series(1, 30) i;
SELECT leaderboard.create_board(name => 'rr', source => 'rr_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv'], scorecard => '{"metrics": [{"name": "conv", "stat": "rate"}]}',
  periods => ARRAY['month'], time_zone => 'UTC');

-- a board trigger disabled under the replica role is put back
SET session_replication_role = replica;
ALTER TABLE rr_calls DISABLE TRIGGER lb_rr_ins;
RESET session_replication_role;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgname = 'lb_rr_ins';
INSERT INTO rr_calls VALUES (1, '2026-05-21 09:00 UTC', true);
SELECT count(*) AS verify_rows FROM leaderboard.verify('rr');

-- partitions created and attached under the replica role get the board's triggers, and a
-- table attached with rows rebuilds the board at commit
CREATE TABLE rp_calls (agent_id int NOT NULL, team_id int NOT NULL, started_at timestamptz NOT NULL,
                       converted boolean NOT NULL) PARTITION BY LIST (team_id);
CREATE TABLE rp_calls_1 PARTITION OF rp_calls FOR VALUES IN (1);
INSERT INTO rp_calls SELECT 1 + i % 3, 1, timestamptz '2026-05-20 12:00 UTC' - i * interval '1 hour', i % 2 = 0
FROM generate_series(1, 30) i;
SELECT leaderboard.create_board(name => 'rp', source => 'rp_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv'], scorecard => '{"metrics": [{"name": "conv", "stat": "rate"}]}',
  periods => ARRAY['month'], time_zone => 'UTC');
CREATE TABLE rp_calls_2 (LIKE rp_calls);
INSERT INTO rp_calls_2 VALUES (7, 2, '2026-05-20 10:00 UTC', true), (7, 2, '2026-05-20 11:00 UTC', true);
SET session_replication_role = replica;
CREATE TABLE rp_calls_3 PARTITION OF rp_calls FOR VALUES IN (3);
ALTER TABLE rp_calls ATTACH PARTITION rp_calls_2 FOR VALUES IN (2);
RESET session_replication_role;
INSERT INTO rp_calls_3 VALUES (8, 3, '2026-05-21 09:00 UTC', true);
SELECT tgrelid::regclass AS tbl, count(*) AS board_triggers
FROM pg_trigger WHERE tgname LIKE 'lb\_rp\_%' GROUP BY 1 ORDER BY 1;
SELECT agent_id, leaderboard.rows(kpis) FROM rp_standings WHERE agent_id IN (7, 8) ORDER BY 1;
SELECT count(*) AS verify_rows FROM leaderboard.verify('rp');

SELECT leaderboard.drop_board('rr');
SELECT leaderboard.drop_board('rp');
DROP TABLE rr_calls, rp_calls;
