-- Stored generated columns of a partitioned source. PostgreSQL 15 gives the partitioned
-- table's statement triggers a row it routed to a partition whose columns lie in another
-- order (a column dropped from the parent, a table attached) without the columns the
-- partition generated; the board computes the generated columns it reads itself, and
-- keeps out partitions that generate a column the source does not.
CREATE TABLE ge (junk int, agent text NOT NULL, team int NOT NULL, at timestamptz NOT NULL, h int,
                 hh int GENERATED ALWAYS AS (h * 2) STORED,
                 agent_key text COLLATE "C" GENERATED ALWAYS AS (lower(agent)) STORED) PARTITION BY LIST (team);
ALTER TABLE ge DROP COLUMN junk;
CREATE TABLE ge_d PARTITION OF ge DEFAULT;
-- attached with its columns in another order
CREATE TABLE ge_1 (at timestamptz NOT NULL, team int NOT NULL, h int, agent text NOT NULL,
                   hh int GENERATED ALWAYS AS (h * 2) STORED,
                   agent_key text COLLATE "C" GENERATED ALWAYS AS (lower(agent)) STORED);
ALTER TABLE ge ATTACH PARTITION ge_1 FOR VALUES IN (1);
INSERT INTO ge (agent, team, at, h) VALUES ('Ann', 1, '2026-05-01 09:00+00', 1);
SELECT leaderboard.create_board(name => 'ge', source => 'ge', agent => 'agent_key', at => 'at',
  metrics => ARRAY['h', 'hh'], scorecard => '{"metrics": [{"name": "hh", "stat": "sum"}]}',
  periods => ARRAY['day'], partition_by => ARRAY['team'], time_zone => 'UTC');
-- through the partitioned table (routed to both partitions), into each partition, COPY
INSERT INTO ge (agent, team, at, h) VALUES ('Bob', 1, '2026-05-01 10:00+00', 10), ('bob', 2, '2026-05-01 10:00+00', 5);
INSERT INTO ge_1 (agent, team, at, h) VALUES ('BOB', 1, '2026-05-01 11:00+00', 7);
INSERT INTO ge_d (agent, team, at, h) VALUES ('Cy', 3, '2026-05-01 11:00+00', 3);
COPY ge (agent, team, at, h) FROM stdin;
ann	1	2026-05-01 12:00+00	4
cy	2	2026-05-01 12:00+00	6
\.
SELECT team, agent_key, kpis, score, rank FROM ge_standings ORDER BY team, rank;
SELECT * FROM leaderboard.verify('ge');
-- an UPDATE moving rows between partitions, one changing the generated agent, a DELETE
UPDATE ge SET team = 2 WHERE agent = 'BOB';
UPDATE ge SET agent = 'Cyd', h = h + 1 WHERE agent = 'Cy';
DELETE FROM ge WHERE agent = 'ann';
SELECT team, agent_key, kpis, score, rank FROM ge_standings ORDER BY team, rank;
SELECT * FROM leaderboard.verify('ge');
-- the same sums from the table
SELECT team, agent_key, sum(hh) FROM ge GROUP BY 1, 2 ORDER BY 1, 3 DESC;
-- a generated column made a plain one: the fold stops computing it, in this session too
ALTER TABLE ge ALTER COLUMN hh DROP EXPRESSION;
INSERT INTO ge (agent, team, at, h, hh) VALUES ('Bob', 1, '2026-05-01 13:00+00', 10, 1);
SELECT team, agent_key, leaderboard.kpi_sum(kpis, 2) AS hh FROM ge_standings WHERE agent_key = 'bob' ORDER BY team;
SELECT * FROM leaderboard.verify('ge');

-- a partition generating a column the partitioned table does not: a row routed there
-- reaches the board with the value given, not the one the partition stores
CREATE TABLE gf (agent int NOT NULL, team int NOT NULL, at timestamptz NOT NULL, h int, g int) PARTITION BY LIST (team);
CREATE TABLE gf_1 (agent int NOT NULL, team int NOT NULL, at timestamptz NOT NULL, h int,
                   g int GENERATED ALWAYS AS (h * 3) STORED);
ALTER TABLE gf ATTACH PARTITION gf_1 FOR VALUES IN (1);
SELECT leaderboard.create_board(name => 'gf', source => 'gf', agent => 'agent', at => 'at',
  metrics => ARRAY['g'], scorecard => '{"metrics": [{"name": "g", "stat": "sum"}]}',
  periods => ARRAY['day'], time_zone => 'UTC');
ALTER TABLE gf DETACH PARTITION gf_1;
SELECT leaderboard.create_board(name => 'gf', source => 'gf', agent => 'agent', at => 'at',
  metrics => ARRAY['g'], scorecard => '{"metrics": [{"name": "g", "stat": "sum"}]}',
  periods => ARRAY['day'], time_zone => 'UTC');
-- and attached later
ALTER TABLE gf ATTACH PARTITION gf_1 FOR VALUES IN (1);
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent = 'gf'::regclass;
SELECT leaderboard.drop_board('gf');
SELECT leaderboard.drop_board('ge');
DROP TABLE ge, gf, gf_1;
