-- ALTER TYPE ... RENAME VALUE of an enum a board partitions by: the scopes are named by
-- text keys made from the partition values, so the board is rebuilt at commit and the
-- calls of the renamed value stay in one scope. Adding a value changes no key and
-- rebuilds nothing; a board over another column of the source is not rebuilt.
CREATE TYPE el_team AS ENUM ('red', 'blue');
CREATE TABLE el_calls (agent_id int NOT NULL, at date NOT NULL, team el_team, squad int, won boolean NOT NULL);
INSERT INTO el_calls VALUES (1, '2026-10-05', 'red', 1, true), (2, '2026-10-05', 'blue', 2, false),
  (3, '2026-10-06', 'red', 2, true), (1, '2026-10-06', 'red', 1, false);
SELECT leaderboard.create_board(name => 'el', source => 'el_calls', agent => 'agent_id', at => 'at',
  partition_by => ARRAY['team'], metrics => ARRAY['won'], periods => ARRAY['month'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}') IS NOT NULL AS created;
SELECT leaderboard.create_board(name => 'el_d', source => 'el_calls', agent => 'agent_id', at => 'at',
  partition_by => ARRAY['squad'], metrics => ARRAY['won'], periods => ARRAY['month'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}') IS NOT NULL AS created;
CREATE TEMP TABLE el_ids AS SELECT (SELECT array_agg(scope_id ORDER BY scope_id) FROM el_scopes) AS el,
                                   (SELECT array_agg(scope_id ORDER BY scope_id) FROM el_d_scopes) AS el_d;

-- a value added: nothing rebuilt
ALTER TYPE el_team ADD VALUE 'green';
SELECT (SELECT array_agg(scope_id ORDER BY scope_id) FROM el_scopes) = el AS el_kept_its_scopes,
       (SELECT array_agg(scope_id ORDER BY scope_id) FROM el_d_scopes) = el_d AS el_d_kept_its_scopes FROM el_ids;
-- a rename rolled back: nothing rebuilt either
BEGIN;
ALTER TYPE el_team RENAME VALUE 'blue' TO 'navy';
ROLLBACK;
SELECT (SELECT array_agg(scope_id ORDER BY scope_id) FROM el_scopes) = el AS el_kept_its_scopes FROM el_ids;

-- a rename: one scope a value, before and after
ALTER TYPE el_team RENAME VALUE 'red' TO 'crimson';
INSERT INTO el_calls VALUES (4, '2026-10-07', 'crimson', 2, true);
SELECT team, agent_id, leaderboard.rows(kpis) AS calls, rank FROM el_standings ORDER BY 1, 2;
SELECT (SELECT array_agg(scope_id ORDER BY scope_id) FROM el_d_scopes) = el_d AS el_d_kept_its_scopes FROM el_ids;
SELECT count(*) AS scopes FROM el_scopes;
SELECT count(*) AS differences FROM leaderboard.verify('el');
SELECT count(*) AS differences FROM leaderboard.verify('el_d');

-- through a domain and an array of it
CREATE DOMAIN el_team_d AS el_team;
CREATE TABLE el_calls2 (agent_id int NOT NULL, at date NOT NULL, teams el_team_d[], won boolean NOT NULL);
INSERT INTO el_calls2 VALUES (1, '2026-10-05', '{crimson}', true), (2, '2026-10-05', '{blue}', true);
SELECT leaderboard.create_board(name => 'el_a', source => 'el_calls2', agent => 'agent_id', at => 'at',
  partition_by => ARRAY['teams'], metrics => ARRAY['won'], periods => ARRAY['month'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}') IS NOT NULL AS created;
ALTER TYPE el_team RENAME VALUE 'crimson' TO 'scarlet';
INSERT INTO el_calls2 VALUES (3, '2026-10-06', '{scarlet}', true);
SELECT teams, agent_id FROM el_a_standings ORDER BY 1, 2;
SELECT count(*) AS differences FROM leaderboard.verify('el_a');
SELECT leaderboard.drop_board('el_a');
DROP TABLE el_calls2;
DROP DOMAIN el_team_d;

-- through a range over the enum
CREATE TYPE el_span AS RANGE (subtype = el_team);
CREATE TABLE el_calls3 (agent_id int NOT NULL, at date NOT NULL, span el_span, won boolean NOT NULL);
INSERT INTO el_calls3 VALUES (1, '2026-10-05', '[blue,green]', true), (2, '2026-10-05', '[scarlet,blue]', true);
SELECT leaderboard.create_board(name => 'el_r', source => 'el_calls3', agent => 'agent_id', at => 'at',
  partition_by => ARRAY['span'], metrics => ARRAY['won'], periods => ARRAY['month'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}]}') IS NOT NULL AS created;
ALTER TYPE el_team RENAME VALUE 'scarlet' TO 'ruby';
INSERT INTO el_calls3 VALUES (3, '2026-10-06', '[ruby,blue]', true);
SELECT span, agent_id FROM el_r_standings ORDER BY 1, 2;
SELECT count(*) AS differences FROM leaderboard.verify('el_r');
SELECT leaderboard.drop_board('el_r');
DROP TABLE el_calls3;
DROP TYPE el_span;

SELECT leaderboard.drop_board('el'), leaderboard.drop_board('el_d');
DROP TABLE el_calls;
DROP TYPE el_team;
