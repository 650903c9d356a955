-- A writer who owns the domain of an agent or partition column can add a CHECK constraint
-- calling its own function at any time. The statements the board's owner runs at commit
-- (events, goals) cast values into those columns' types: cast into the domain, the
-- writer's function would run as the owner, at the writer's will (a call inserted). They
-- cast into the type the domain is over, so the writer's code runs only as the writer.
CREATE ROLE lbd_owner;
CREATE ROLE lbd_writer;
GRANT CREATE ON SCHEMA public TO lbd_owner;
CREATE SCHEMA lbd_w AUTHORIZATION lbd_writer;
-- who ran the writer's check
CREATE TABLE lbd_log (who text);
GRANT INSERT ON lbd_log TO PUBLIC;
SET ROLE lbd_writer;
CREATE FUNCTION lbd_w.noted(v text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.lbd_log VALUES (current_user); RETURN true; END$$;
CREATE DOMAIN lbd_w.agent_t AS int;
CREATE DOMAIN lbd_w.team_t AS text;
GRANT USAGE ON SCHEMA lbd_w TO PUBLIC;
RESET ROLE;
SET ROLE lbd_owner;
CREATE TABLE lbd_calls (agent_id lbd_w.agent_t NOT NULL, team lbd_w.team_t, at timestamptz NOT NULL DEFAULT now(),
                        d int NOT NULL);
SELECT leaderboard.create_board(name => 'lbd', source => 'lbd_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['d'], scorecard => '{"metrics": [{"name": "d", "stat": "sum"}]}', periods => ARRAY['day', 'month'],
  partition_by => ARRAY['team'], time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.set_goal('lbd', 'd', 'sum', 'day', 1, agent => '7', partition => '{"team": "a"}') > 0 AS goal_set;
SELECT leaderboard.alter_board('lbd', events => '{"goal_met": true, "personal_best": true, "new_leader": true}');
GRANT INSERT ON lbd_calls TO lbd_writer;
RESET ROLE;
SET ROLE lbd_writer;
ALTER DOMAIN lbd_w.team_t ADD CONSTRAINT noted CHECK (lbd_w.noted(VALUE)) NOT VALID;
ALTER DOMAIN lbd_w.agent_t ADD CONSTRAINT noted CHECK (lbd_w.noted(VALUE::text)) NOT VALID;
INSERT INTO lbd_calls (agent_id, team, d) VALUES (7, 'a', 5);
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO lbd_calls (agent_id, team, d) VALUES (7, 'a', 5), (8, 'a', 6);
RESET leaderboard.direct_apply_max_groups;
RESET ROLE;
SELECT who, count(*) > 0 AS ran FROM lbd_log GROUP BY who ORDER BY who;
SELECT kind, agent FROM leaderboard.events WHERE board = 'lbd' ORDER BY id;
SELECT count(*) AS differences FROM leaderboard.verify('lbd');
SET ROLE lbd_owner;
SELECT leaderboard.drop_board('lbd');
DROP TABLE lbd_calls;
RESET ROLE;
DROP SCHEMA lbd_w CASCADE;
DROP TABLE lbd_log;
REVOKE CREATE ON SCHEMA public FROM lbd_owner;
DROP ROLE lbd_owner;
DROP ROLE lbd_writer;
