-- A board's life after create_board: alter_board removes a ladder only when told to
-- (drop_ladder => true; a NULL argument is one not given); only boards that can re-read
-- their source get an (agent, at) index, and drop_board drops the one a board made, once
-- no other board records it, never the user's.
SET search_path = public, leaderboard;
\set SHOW_CONTEXT never
CREATE TABLE life_calls (call_id bigint PRIMARY KEY, agent_id int NOT NULL, started_at timestamptz NOT NULL,
  converted boolean NOT NULL);
INSERT INTO life_calls SELECT i, 1 + i % 4, timestamptz '2026-10-05 13:00+00' + i * interval '1 minute', i % (2 + i % 4) = 0
FROM generate_series(1, 40) i;

SELECT create_board('life', 'life_calls', 'agent_id', 'started_at', ARRAY['converted AS conv', '1 AS calls'],
  '{"metrics": [{"name": "conv", "stat": "rate", "weight": 1}], "scale": 100}',
  periods => ARRAY['day'], ladder => 'Bronze: 0, Silver: 30, Gold: 45', time_zone => 'UTC') IS NOT NULL AS created;
SELECT agent_id, round(score::numeric, 1) AS score, rank, tier FROM life_standings ORDER BY rank;

-- a NULL ladder changes nothing: the argument was not given
SELECT alter_board('life', ladder => NULL) AS rewritten;
SELECT ladder::text FROM leaderboard.boards WHERE name = 'life';
-- a new ladder and drop_ladder together are refused
SELECT alter_board('life', ladder => 'A: 0', drop_ladder => true);
-- drop_ladder removes it: every tier goes, the ranks stay
SELECT alter_board('life', drop_ladder => true) AS rewritten;
SELECT ladder IS NULL AS no_ladder FROM leaderboard.boards WHERE name = 'life';
SELECT agent_id, round(score::numeric, 1) AS score, rank, tier FROM life_standings ORDER BY rank;
SELECT count(*) AS differences FROM verify('life');
-- later writes give no tier either
INSERT INTO life_calls VALUES (41, 1, '2026-10-05 18:00+00', true);
SELECT count(*) FILTER (WHERE tier IS NOT NULL) AS tiers, (SELECT count(*) FROM verify('life')) AS differences FROM life_standings;
-- and a ladder can be given again
SELECT alter_board('life', ladder => 'Bronze: 0, Gold: 40') AS rewritten;
SELECT count(*) AS differences FROM verify('life');

-- A board whose corrections are all deltas (integer and boolean metrics, no card reading a
-- min or max) never re-reads its source: create_board made no index.
SELECT count(*) AS source_indexes FROM pg_index WHERE indrelid = 'life_calls'::regclass AND NOT indisprimary;
SELECT name, source_index FROM leaderboard.boards ORDER BY name;
-- A card that reads a max makes corrections of that metric re-read the source: alter_board
-- creates the (agent_id, started_at) index, records it, and rebuilds (the stored rows may
-- have forgotten the max), so the board stays exact.
UPDATE life_calls SET converted = NOT converted WHERE call_id % 5 = 0;
SELECT alter_board('life', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 1},
  {"name": "calls", "stat": "max", "weight": 0}], "scale": 100}') AS rewritten;
SELECT indexrelid::regclass AS source_index FROM pg_index WHERE indrelid = 'life_calls'::regclass AND NOT indisprimary;
SELECT name, source_index FROM leaderboard.boards ORDER BY name;
SELECT count(*) AS differences FROM verify('life');
-- a second board over the source with a fractional metric (float sums do not subtract
-- exactly) shares the index, and records it too
SELECT create_board('life_week', 'life_calls', 'agent_id', 'started_at', ARRAY['converted::int::numeric AS conv'],
  '{"metrics": [{"name": "conv", "stat": "avg", "weight": 1}]}', periods => ARRAY['week'], time_zone => 'UTC') IS NOT NULL AS created;
SELECT name, source_index FROM leaderboard.boards ORDER BY name;
-- dropping one board keeps the index the other still records; dropping the last drops it
SELECT drop_board('life');
SELECT count(*) AS source_indexes FROM pg_index WHERE indrelid = 'life_calls'::regclass AND NOT indisprimary;
SELECT drop_board('life_week');
SELECT count(*) AS source_indexes FROM pg_index WHERE indrelid = 'life_calls'::regclass AND NOT indisprimary;

-- An index the user made is the user's: a board using it records nothing and leaves it.
CREATE INDEX life_calls_by_agent ON life_calls (agent_id, started_at, converted);
SELECT create_board('life', 'life_calls', 'agent_id', 'started_at', ARRAY['converted AS conv'],
  '{"metrics": [{"name": "conv", "stat": "max", "weight": 1}]}', periods => ARRAY['day'], time_zone => 'UTC') IS NOT NULL AS created;
SELECT source_index FROM leaderboard.boards WHERE name = 'life';
SELECT drop_board('life');
SELECT indexrelid::regclass AS source_index FROM pg_index WHERE indrelid = 'life_calls'::regclass AND NOT indisprimary;
DROP INDEX life_calls_by_agent;

-- On a partitioned source the index is a partitioned one, and goes with its partitions'.
CREATE TABLE life_parted (call_id bigint, agent_id int NOT NULL, started_at timestamptz NOT NULL, converted boolean NOT NULL)
  PARTITION BY RANGE (started_at);
CREATE TABLE life_parted_2026 PARTITION OF life_parted FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO life_parted SELECT * FROM life_calls;
SELECT create_board('life_parted', 'life_parted', 'agent_id', 'started_at', ARRAY['converted AS conv'],
  '{"metrics": [{"name": "conv", "stat": "max", "weight": 1}]}', periods => ARRAY['day'], time_zone => 'UTC') IS NOT NULL AS created;
SELECT count(*) AS indexes FROM pg_index WHERE indrelid IN ('life_parted'::regclass, 'life_parted_2026'::regclass);
SELECT drop_board('life_parted');
SELECT count(*) AS indexes FROM pg_index WHERE indrelid IN ('life_parted'::regclass, 'life_parted_2026'::regclass);
