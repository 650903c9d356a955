-- The leaderboard.* settings: their defaults, their bounds, and that each changes only
-- how a board is maintained, never what it holds (verify() stays empty).
SELECT leaderboard.kpi_count(leaderboard.kpi_agg(1), 1);  -- loads the library
SELECT name, setting, unit, context FROM pg_settings WHERE name LIKE 'leaderboard.%' ORDER BY name;
SET leaderboard.stored_rank_limit = 0;
SET leaderboard.direct_apply_max_groups = -1;
SET leaderboard.large_batch_work_mem = '1kB';
SET leaderboard.no_such_setting = 1;

CREATE TABLE set_calls (call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  at timestamptz NOT NULL, handle int NOT NULL, won boolean NOT NULL);
INSERT INTO set_calls (agent_id, team_id, at, handle, won)
SELECT i % 8, 1, '2026-03-02 09:00+00', 100 + i * 13 % 300, i % 3 = 0 FROM generate_series(1, 40) i;
SELECT leaderboard.create_board(name => 'set_b', source => 'set_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won', 'handle', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "won", "stat": "rate", "weight": 2},
    {"name": "handle", "stat": "avg", "weight": 1, "better": "lower", "range": [100, 400]},
    {"name": "calls", "stat": "count", "weight": 1, "target": 10}]}',
  periods => ARRAY['day'], partition_by => ARRAY['team_id'], time_zone => 'UTC');
CREATE VIEW set_state AS
SELECT (SELECT ranks_stored FROM set_b_scopes) AS ranks_stored,
       (SELECT count(rank) FROM set_b_standings) AS stored_ranks,
       (SELECT count(*) FROM leaderboard.verify('set_b')) AS differences;
SELECT * FROM set_state;

-- direct_apply_max_groups = 0: a single-row insert applies through statements
SET leaderboard.report_apply = on;
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO set_calls (agent_id, team_id, at, handle, won) VALUES (1, 1, '2026-03-02 10:00+00', 120, true);
RESET leaderboard.direct_apply_max_groups;
INSERT INTO set_calls (agent_id, team_id, at, handle, won) VALUES (2, 1, '2026-03-02 10:00+00', 120, true);
-- small_batch_groups = 1: two groups are a large batch, planned for their size
SET leaderboard.small_batch_groups = 1;
INSERT INTO set_calls (agent_id, team_id, at, handle, won) VALUES (3, 1, '2026-03-02 11:00+00', 320, false),
  (4, 1, '2026-03-02 11:00+00', 150, true);
RESET leaderboard.small_batch_groups;
RESET leaderboard.report_apply;
SELECT * FROM set_state;

-- stored_rank_limit = 5: a direct change that would store a rank past 5 makes the scope
-- stop storing ranks; readers still see exact ranks
SET leaderboard.stored_rank_limit = 5;
INSERT INTO set_calls (agent_id, team_id, at, handle, won) VALUES (7, 1, '2026-03-02 12:00+00', 390, false);
RESET leaderboard.stored_rank_limit;
SELECT * FROM set_state;
SELECT count(*) AS qualified_rows, count(*) FILTER (WHERE rank = expected) AS ranked_as_rank_would
FROM (SELECT e.rank, rank() OVER (ORDER BY e.score DESC) AS expected
      FROM set_b_explain e WHERE e.qualified) x;

-- a large batch applied under a small large_batch_work_mem stays exact
SET leaderboard.large_batch_work_mem = '2MB';
SET leaderboard.small_batch_groups = 1;
INSERT INTO set_calls (agent_id, team_id, at, handle, won)
SELECT i % 8, 1, '2026-03-03 09:00+00', 100 + i * 7 % 300, i % 2 = 0 FROM generate_series(1, 30) i;
RESET leaderboard.small_batch_groups;
RESET leaderboard.large_batch_work_mem;
SELECT count(*) AS differences FROM leaderboard.verify('set_b');

DROP VIEW set_state;
SELECT leaderboard.drop_board('set_b');
DROP TABLE set_calls;
