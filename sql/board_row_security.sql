-- Row-level security on a board's source. The triggers count every row (transition tables
-- bypass it); a recomputation from the source as the board's owner must not silently drop
-- the rows the policies hide from it, which they do under FORCE ROW LEVEL SECURITY:
-- verify(), rebuild() and the commit-time recomputations refuse (42501) instead.
CREATE ROLE lb_rls_owner;
GRANT CREATE ON SCHEMA public TO lb_rls_owner;
SET ROLE lb_rls_owner;
CREATE TABLE rls_calls (call_id serial PRIMARY KEY, agent_id int NOT NULL, at date NOT NULL DEFAULT '2026-10-05',
                        handle_seconds int NOT NULL);
INSERT INTO rls_calls (agent_id, handle_seconds) SELECT g % 4, 100 + g FROM generate_series(1, 12) g;
-- a card reading a maximum: a correction that removes it recomputes from the source
SELECT leaderboard.create_board(name => 'rls', source => 'rls_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle_seconds AS aht'], periods => ARRAY['day'], time_zone => 'UTC',
  scorecard => '{"metrics": [{"name": "aht", "stat": "max"}]}') IS NOT NULL AS created;
CREATE POLICY rls_hide_two ON rls_calls USING (agent_id <> 2) WITH CHECK (true);
ALTER TABLE rls_calls ENABLE ROW LEVEL SECURITY;
-- enabled, not forced: the owner reads every row, as before
SELECT count(*) AS differences FROM leaderboard.verify('rls');
ALTER TABLE rls_calls FORCE ROW LEVEL SECURITY;
\set SHOW_CONTEXT never
SELECT count(*) AS differences FROM leaderboard.verify('rls');
\echo :LAST_ERROR_SQLSTATE
SELECT leaderboard.rebuild('rls');
\echo :LAST_ERROR_SQLSTATE
-- new calls need no recomputation and count as usual, the owner's too
INSERT INTO rls_calls (agent_id, handle_seconds) VALUES (2, 500), (1, 50);
RESET ROLE;
-- a correction removing agent 2's longest call would recompute it from the source, as the
-- board's owner, who cannot see agent 2's calls
UPDATE rls_calls SET handle_seconds = 10 WHERE agent_id = 2 AND handle_seconds = 500;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE rls_calls;
\echo :LAST_ERROR_SQLSTATE
SET ROLE lb_rls_owner;
SELECT leaderboard.create_board(name => 'rls2', source => 'rls_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle_seconds AS aht'], periods => ARRAY['day'], time_zone => 'UTC',
  scorecard => '{"metrics": [{"name": "aht", "stat": "max"}]}');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
-- without FORCE, everything agrees again, and the correction goes through
ALTER TABLE rls_calls NO FORCE ROW LEVEL SECURITY;
SELECT agent_id, leaderboard.kpi_max(kpis, 1) AS longest, leaderboard.rows(kpis) AS calls
FROM rls_standings ORDER BY agent_id;
SELECT count(*) AS differences FROM leaderboard.verify('rls');
UPDATE rls_calls SET handle_seconds = 10 WHERE agent_id = 2 AND handle_seconds = 500;
SELECT agent_id, leaderboard.kpi_max(kpis, 1) AS longest FROM rls_standings WHERE agent_id = 2;
SELECT count(*) AS differences FROM leaderboard.verify('rls');
RESET ROLE;
-- an owner with BYPASSRLS is not filtered, forced or not
ALTER ROLE lb_rls_owner BYPASSRLS;
SET ROLE lb_rls_owner;
ALTER TABLE rls_calls FORCE ROW LEVEL SECURITY;
SELECT leaderboard.rebuild('rls') AS rebuilt;
SELECT count(*) AS differences FROM leaderboard.verify('rls');
SELECT leaderboard.drop_board('rls');
DROP TABLE rls_calls;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM lb_rls_owner;
DROP ROLE lb_rls_owner;
