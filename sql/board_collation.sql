-- A row_number board breaks ties by the agent key, in the collation of the source's agent
-- column: the standings' agent (and partition) columns take the source's collation, so
-- that the commit-time apply, create_board, rebuild and verify() order tied agents alike.
-- Two boards whose agent columns have collations that order Z, b and å differently (C:
-- Z b å; ICU en-US: å b Z): whatever the database's default, at least one differs from it.
CREATE TABLE co_c (agent text COLLATE "C" NOT NULL, at timestamptz NOT NULL, ok boolean NOT NULL);
CREATE TABLE co_icu (agent text COLLATE "en-US-x-icu" NOT NULL, at timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO co_c VALUES ('Z', '2026-05-01 10:00+00', true);
INSERT INTO co_icu VALUES ('Z', '2026-05-01 10:00+00', true);
SELECT leaderboard.create_board(name => b, source => s, agent => 'agent', at => 'at',
  metrics => ARRAY['ok'], scorecard => '{"metrics": [{"name": "ok", "stat": "count"}]}',
  periods => ARRAY['day'], rank_style => 'row_number', time_zone => 'UTC') AS standings
FROM (VALUES ('co_c', 'co_c'::regclass), ('co_icu', 'co_icu'::regclass)) v(b, s);

-- the standings' agent column has the source column's collation
SELECT c.relname, a.attname, l.collname
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_collation l ON l.oid = a.attcollation
WHERE c.relname IN ('co_c_standings', 'co_icu_standings') AND a.attname = 'agent' ORDER BY 1;

-- tied agents written at commit, one statement, then one by one
INSERT INTO co_c VALUES ('å', '2026-05-01 10:00+00', true), ('b', '2026-05-01 10:00+00', true);
INSERT INTO co_icu VALUES ('å', '2026-05-01 10:00+00', true), ('b', '2026-05-01 10:00+00', true);
SELECT 'co_c' AS board, agent, score, rank FROM co_c_standings
UNION ALL SELECT 'co_icu', agent, score, rank FROM co_icu_standings ORDER BY 1, 4;
SELECT * FROM leaderboard.verify('co_c');
SELECT * FROM leaderboard.verify('co_icu');
-- a new agent ties them; then one pulls ahead and falls back to the tie
INSERT INTO co_c VALUES ('a', '2026-05-01 11:00+00', true);
INSERT INTO co_icu VALUES ('a', '2026-05-01 11:00+00', true);
INSERT INTO co_c VALUES ('å', '2026-05-01 12:00+00', true);
INSERT INTO co_icu VALUES ('å', '2026-05-01 12:00+00', true);
DELETE FROM co_c WHERE agent = 'å' AND at = '2026-05-01 12:00+00';
DELETE FROM co_icu WHERE agent = 'å' AND at = '2026-05-01 12:00+00';
SELECT 'co_c' AS board, agent, score, rank FROM co_c_standings
UNION ALL SELECT 'co_icu', agent, score, rank FROM co_icu_standings ORDER BY 1, 4;
SELECT * FROM leaderboard.verify('co_c');
SELECT * FROM leaderboard.verify('co_icu');
-- the same ranks from plain SQL over the source, and after a rebuild
SELECT agent, row_number() OVER (ORDER BY count(*) DESC, agent) AS rank FROM co_icu GROUP BY agent ORDER BY 2;
SELECT leaderboard.rebuild('co_icu');
SELECT agent, rank FROM co_icu_standings ORDER BY rank;
SELECT leaderboard.drop_board('co_c');
SELECT leaderboard.drop_board('co_icu');
DROP TABLE co_c, co_icu;
