-- MERGE into a partitioned source whose UPDATE actions may move rows between partitions:
-- PostgreSQL hands the moved rows only to the DELETE and INSERT statement triggers, which
-- fire only when the MERGE has DELETE and INSERT actions of its own
CREATE TABLE mg_calls (id bigserial, agent int NOT NULL, team int NOT NULL,
                       at timestamptz NOT NULL, n int NOT NULL) PARTITION BY LIST (team);
CREATE TABLE mg_calls_1 PARTITION OF mg_calls FOR VALUES IN (1);
CREATE TABLE mg_calls_2 PARTITION OF mg_calls FOR VALUES IN (2) PARTITION BY RANGE (at);
CREATE TABLE mg_calls_2_oct PARTITION OF mg_calls_2 FOR VALUES FROM ('2026-10-01 00:00+00') TO ('2026-11-01 00:00+00');
CREATE TABLE mg_calls_2_nov PARTITION OF mg_calls_2 FOR VALUES FROM ('2026-11-01 00:00+00') TO ('2026-12-01 00:00+00');
CREATE TABLE mg_calls_other PARTITION OF mg_calls DEFAULT;
SELECT leaderboard.create_board(name => 'mg', source => 'mg_calls', agent => 'agent', at => 'at',
  metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}',
  periods => ARRAY['day'], partition_by => ARRAY['team'], time_zone => 'UTC') IS NOT NULL AS created;
INSERT INTO mg_calls (agent, team, at, n)
SELECT g % 4, 1 + g % 3, '2026-10-05 09:00+00', g FROM generate_series(1, 24) g;
CREATE VIEW mg_check AS
SELECT (SELECT count(*) FROM leaderboard.verify('mg')) AS differences,
       (SELECT string_agg(format('%s/%s:%s', team, agent, leaderboard.kpi_sum(kpis, 1)), ' ' ORDER BY team, agent)
        FROM mg_standings) AS standings;
SELECT * FROM mg_check;

\set SHOW_CONTEXT never
-- an UPDATE action setting the partition key, with no DELETE or no INSERT action: refused
MERGE INTO mg_calls t USING (VALUES (1, 1)) s(agent, team) ON t.agent = s.agent AND t.team = s.team
  WHEN MATCHED THEN UPDATE SET team = 2;
\echo :LAST_ERROR_SQLSTATE
MERGE INTO mg_calls t USING (VALUES (1, 1)) s(agent, team) ON t.agent = s.agent AND t.team = s.team
  WHEN MATCHED THEN UPDATE SET team = 0
  WHEN NOT MATCHED THEN INSERT (agent, team, at, n) VALUES (s.agent, s.team, '2026-10-05 10:00+00', 1);
\echo :LAST_ERROR_SQLSTATE
MERGE INTO mg_calls t USING (VALUES (1, 1)) s(agent, team) ON t.agent = s.agent AND t.team = s.team
  WHEN MATCHED AND t.n > 100 THEN DELETE
  WHEN MATCHED THEN UPDATE SET team = 0;
\echo :LAST_ERROR_SQLSTATE
-- a key column of a partitioned partition counts too, merged into through the source or
-- into that partition itself
MERGE INTO mg_calls t USING (VALUES (2)) s(agent) ON t.agent = s.agent AND t.team = 2
  WHEN MATCHED THEN UPDATE SET at = t.at + interval '1 month';
\echo :LAST_ERROR_SQLSTATE
MERGE INTO mg_calls_2 t USING (VALUES (2)) s(agent) ON t.agent = s.agent
  WHEN MATCHED THEN UPDATE SET at = t.at + interval '1 month';
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
SELECT * FROM mg_check;

-- with both other kinds of action named, even ones that never run, the moves are seen
MERGE INTO mg_calls t USING (VALUES (1, 1)) s(agent, team) ON t.agent = s.agent AND t.team = s.team
  WHEN MATCHED AND false THEN DELETE
  WHEN MATCHED THEN UPDATE SET team = 2
  WHEN NOT MATCHED AND false THEN INSERT DEFAULT VALUES;
MERGE INTO mg_calls t USING (VALUES (2)) s(agent) ON t.agent = s.agent AND t.team = 2
  WHEN MATCHED AND false THEN DELETE
  WHEN MATCHED THEN UPDATE SET at = t.at + interval '1 month'
  WHEN NOT MATCHED AND false THEN INSERT DEFAULT VALUES;
SELECT * FROM mg_check;
-- an UPDATE action setting no key column cannot move a row: an upsert goes through
MERGE INTO mg_calls t USING (VALUES (3, 3, 50), (9, 1, 7)) s(agent, team, n) ON t.agent = s.agent AND t.team = s.team
  WHEN MATCHED THEN UPDATE SET n = s.n
  WHEN NOT MATCHED THEN INSERT (agent, team, at, n) VALUES (s.agent, s.team, '2026-10-05 11:00+00', s.n);
SELECT * FROM mg_check;

-- a BEFORE UPDATE row trigger on a partition may set a key column: refused as well
CREATE FUNCTION mg_to_other() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.team := 5; RETURN NEW; END $$;
CREATE TRIGGER mg_move BEFORE UPDATE ON mg_calls_1 FOR EACH ROW EXECUTE FUNCTION mg_to_other();
\set SHOW_CONTEXT never
MERGE INTO mg_calls t USING (VALUES (0, 1)) s(agent, team) ON t.agent = s.agent AND t.team = s.team
  WHEN MATCHED THEN UPDATE SET n = t.n + 1;
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
DROP TRIGGER mg_move ON mg_calls_1;
DROP FUNCTION mg_to_other();
SELECT * FROM mg_check;

-- EXPLAIN without ANALYZE runs nothing and is not refused
EXPLAIN (COSTS OFF) MERGE INTO mg_calls t USING (VALUES (1, 2)) s(agent, team) ON t.agent = s.agent AND t.team = s.team
  WHEN MATCHED THEN UPDATE SET team = 1;

-- a new session: the library is not loaded until a board's trigger fires, after the
-- MERGE started; the trigger then rebuilds the board at commit (setting a placeholder
-- does not load it)
\c
SET leaderboard.report_apply = on;
MERGE INTO mg_calls t USING (VALUES (1, 2)) s(agent, team) ON t.agent = s.agent AND t.team = s.team
  WHEN MATCHED THEN UPDATE SET team = 1;
SELECT * FROM mg_check;
-- later statements of the session go through the hook
\set SHOW_CONTEXT never
MERGE INTO mg_calls t USING (VALUES (1, 1)) s(agent, team) ON t.agent = s.agent AND t.team = s.team
  WHEN MATCHED THEN UPDATE SET team = 2;
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
-- a plain UPDATE moving rows in a new session is seen as usual, without a rebuild
\c
SET leaderboard.report_apply = on;
UPDATE mg_calls SET team = 2 WHERE agent = 3 AND team = 1;
RESET leaderboard.report_apply;
SELECT * FROM mg_check;

DROP VIEW mg_check;
SELECT leaderboard.drop_board('mg');
DROP TABLE mg_calls;
