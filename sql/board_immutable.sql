-- A board's metrics and filter may use only immutable functions, operators and casts: a
-- call row must count the same way whenever the board folds, recomputes or verifies it.
-- Anything reading the clock or the session's settings (TimeZone, DateStyle) is refused.
CREATE TABLE imm_calls (agent_id int, at timestamptz, handle_seconds int, note text, day date);
INSERT INTO imm_calls VALUES
  (1, '2026-10-05 23:30+00', 100, 'a', '2026-10-05'),
  (1, '2026-10-06 00:30+00', 200, 'b', '2026-10-06'),
  (2, '2026-10-06 12:00+00', 300, 'c', '2026-10-06');
CREATE FUNCTION public.imm_stable_factor() RETURNS int LANGUAGE sql STABLE AS 'SELECT 2';
CREATE FUNCTION public.imm_double(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';
CREATE FUNCTION imm_board(metrics text[], filter text) RETURNS regclass LANGUAGE sql AS $$
  SELECT leaderboard.create_board(name => 'imm', source => 'imm_calls', agent => 'agent_id', at => 'at',
    metrics => metrics, filter => filter, time_zone => 'Asia/Kolkata',
    scorecard => format('{"metrics": [{"name": %s, "stat": "sum"}]}',
                        to_jsonb(coalesce(substring(metrics[1] from ' AS (\w+)$'), metrics[1])))::jsonb)
$$;
\set SHOW_CONTEXT never

-- a rolling window written as a filter would drift as time passes
SELECT imm_board(ARRAY['handle_seconds'], $$at > now() - interval '1 day'$$);
SELECT imm_board(ARRAY['handle_seconds'], 'day >= current_date');
-- 'today' and 'now' are read when the expression is parsed, and a board parses its
-- expressions again each time it prepares its statements
SELECT imm_board(ARRAY['handle_seconds'], $$day >= 'today'$$);
\set VERBOSITY terse
SELECT imm_board(ARRAY['handle_seconds'], $$at < timestamptz 'Tomorrow 10:00+00'$$);
SELECT imm_board(ARRAY['handle_seconds'], $$at > E'now'::timestamptz - interval '1 day'$$);
\set VERBOSITY default
-- a stable function of the user's
SELECT imm_board(ARRAY['handle_seconds * public.imm_stable_factor() AS weighted'], NULL);
-- stable casts: the date of a timestamptz and the parse of a text depend on TimeZone
SELECT imm_board(ARRAY['handle_seconds'], $$at::date = '2026-10-06'$$);
SELECT imm_board(ARRAY['handle_seconds'], $$note::timestamptz > '2026-10-01'$$);
-- a stable function of PostgreSQL's: to_char of a timestamptz reads TimeZone
SELECT imm_board(ARRAY['handle_seconds'], $$to_char(at, 'HH24') < '12'$$);
-- a stable operator: comparing timestamptz with timestamp reads TimeZone
SELECT imm_board(ARRAY['handle_seconds'], $$at > day::timestamp$$);
-- volatile functions, as before
SELECT imm_board(ARRAY['handle_seconds * random() AS noisy'], NULL);
\set VERBOSITY terse
-- each part of a metric list is checked
SELECT imm_board(ARRAY['handle_seconds', 'extract(epoch FROM now() - at) AS age'], NULL);
\set VERBOSITY default
-- nothing was left behind
SELECT count(*) AS boards FROM leaderboard.boards;
SELECT count(*) AS objects FROM pg_class WHERE relname LIKE 'imm\_%' AND relname <> 'imm_calls';

-- the row itself changes value when a column is added or dropped, the calls staying the
-- same: a metric or filter reading the whole row is refused
SELECT imm_board(ARRAY['num_nonnulls(imm_calls.*) AS filled'], NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT imm_board(ARRAY['handle_seconds'], 'imm_calls IS NOT NULL');
\echo :LAST_ERROR_SQLSTATE

-- immutable expressions are accepted: constants (a text 'today' is just text), an
-- immutable function of the user's, local time in a named zone; the board's own period
-- cutting in its time zone is its own (stable) SQL and is not checked
SELECT imm_board(ARRAY['public.imm_double(handle_seconds) AS doubled',
                       $$extract(hour FROM at AT TIME ZONE 'Asia/Kolkata') < 12 AS morning$$],
                 $$at >= timestamptz '2026-10-01 00:00+00' AND day < 'infinity' AND note <> 'today'$$) IS NOT NULL AS created;
SET TimeZone = 'America/Los_Angeles';
INSERT INTO imm_calls VALUES (2, '2026-10-06 20:00+00', 50, 'd', '2026-10-06');
SELECT agent_id, period, period_start, leaderboard.kpi_sum(kpis, 1) AS doubled, leaderboard.kpi_sum(kpis, 2) AS mornings
FROM imm_standings WHERE period = 'day' ORDER BY agent_id, period_start;
SELECT count(*) AS differences FROM leaderboard.verify('imm');
RESET TimeZone;
SELECT leaderboard.drop_board('imm');
DROP TABLE imm_calls;
DROP FUNCTION imm_board(text[], text), public.imm_stable_factor(), public.imm_double(int);
