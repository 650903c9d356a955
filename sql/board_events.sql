-- Events of a live board: written by the commit that causes them, once per net change of
-- an agent's row in a scope, none from rolled-back work. Every transaction below is
-- checked against events derived independently from the standings as they were before it
-- and after it (ev_expected), in both directions, and against verify().
CREATE TABLE ev_calls (
  call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, converted boolean NOT NULL);
INSERT INTO ev_calls (agent_id, team_id, started_at, converted)
SELECT a, a % 2, timestamptz '2026-10-05 08:00+00' + d * interval '1 day' + k * interval '1 minute',
       (k + d) % (a % 4 + 2) = 0
FROM generate_series(1, 8) a, generate_series(0, 2) d, generate_series(1, 2 + (a * 3 + d) % 4) k;
SELECT leaderboard.create_board(name => 'ev', source => 'ev_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 80},
                             {"name": "calls", "stat": "count", "weight": 20, "target": 10}], "min_rows": 2}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'],
  ladder => 'Bronze: 0, Silver: 30, Gold: 50', time_zone => 'UTC');

-- 1. the setting: none until set, checked, stored in the catalog
\set SHOW_CONTEXT never
SELECT events FROM leaderboard.boards WHERE name = 'ev';
SELECT leaderboard.alter_board('ev', events => '[]');
SELECT leaderboard.alter_board('ev', events => '{"tier_upp": true}');
SELECT leaderboard.alter_board('ev', events => '{"tier_up": 1}');
SELECT leaderboard.alter_board('ev', events => '{"rank_climb": 0}');
SELECT leaderboard.alter_board('ev', events => '{"rank_climb": 1.5}');
SELECT leaderboard.alter_board('ev', events => '{"entered_top_n": "3"}');
SELECT leaderboard.alter_board('ev', events => '{"new_leader": true, "periods": ["week"]}');
SELECT leaderboard.alter_board('ev', events => '{"new_leader": true, "periods": []}');
SELECT leaderboard.alter_board('nope', events => '{"new_leader": true}');
SELECT count(*) AS events_triggers FROM pg_trigger WHERE tgrelid = 'ev_standings'::regclass AND tgname = 'lb_events';
SELECT leaderboard.alter_board('ev', events => '{"tier_up": true, "tier_down": true, "new_leader": true,
  "entered_top_n": 2, "rank_climb": 2, "personal_best": true}');
SELECT events FROM leaderboard.boards WHERE name = 'ev';
SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'ev_standings'::regclass AND tgname = 'lb_events';

-- Events derived from two copies of the standings, by the documented rules: tier_up and
-- tier_down between two known tiers; new_leader on reaching rank 1; entered_top_n on
-- reaching rank 2 or better from below it (or from no rank); rank_climb by 2 places or
-- more; personal_best when the score passes the agent's best earlier qualified score of
-- the period kind for the first time.
CREATE TABLE ev_before AS SELECT * FROM ev_standings;
CREATE FUNCTION ev_expected() RETURNS TABLE (kind text, agent text, period text, period_start date, partition jsonb)
LANGUAGE sql AS $$
  WITH c AS (
    SELECT coalesce(n.period, o.period) AS period, coalesce(n.period_start, o.period_start) AS period_start,
           coalesce(n.team_id, o.team_id) AS team_id, coalesce(n.agent_id, o.agent_id) AS agent_id,
           o.rank AS old_rank, n.rank AS new_rank, o.tier AS old_tier, n.tier AS new_tier,
           o.score AS old_score, n.score AS new_score, n.qualified AS new_qualified
    FROM ev_before o FULL JOIN ev_standings n
      ON (n.period, n.period_start, n.team_id, n.agent_id) = (o.period, o.period_start, o.team_id, o.agent_id)),
  best AS (
    SELECT c.*, (SELECT max(p.score) FROM ev_before p
                 WHERE p.agent_id = c.agent_id AND p.period = c.period AND p.period_start < c.period_start
                   AND p.qualified) AS best
    FROM c)
  SELECT k.kind, agent_id::text, period, period_start, jsonb_build_object('team_id', team_id)
  FROM best, LATERAL (VALUES
    ('tier_up', leaderboard.tier_level(new_tier, 'Bronze: 0, Silver: 30, Gold: 50') > leaderboard.tier_level(old_tier, 'Bronze: 0, Silver: 30, Gold: 50')),
    ('tier_down', leaderboard.tier_level(new_tier, 'Bronze: 0, Silver: 30, Gold: 50') < leaderboard.tier_level(old_tier, 'Bronze: 0, Silver: 30, Gold: 50')),
    ('new_leader', new_rank = 1 AND coalesce(old_rank, 2) > 1),
    ('entered_top_n', new_rank <= 2 AND coalesce(old_rank, 3) > 2),
    ('rank_climb', old_rank - new_rank >= 2),
    ('personal_best', new_qualified AND new_score > best AND coalesce(old_score, best) <= best)) AS k(kind, fires)
  WHERE k.fires
$$;
-- what the last transaction wrote against what it should have: both lists empty, the
-- number of events, and verify()'s differences; then the next transaction's "before"
CREATE FUNCTION ev_check(OUT missing text, OUT unexpected text, OUT events bigint, OUT differences bigint)
LANGUAGE plpgsql AS $$
DECLARE
  last_xid xid8 := (SELECT max(xid) FROM leaderboard.events);
BEGIN
  CREATE TEMP TABLE ev_new ON COMMIT DROP AS
  SELECT e.kind, e.agent, e.period, e.period_start, e.partition FROM leaderboard.events e
  WHERE e.id > coalesce((SELECT max(id) FROM ev_seen), 0);
  SELECT string_agg(format('%s %s %s %s', x.kind, x.agent, x.period, x.period_start), '; ' ORDER BY x)
    INTO missing FROM (SELECT * FROM ev_expected() EXCEPT ALL SELECT * FROM ev_new) x;
  SELECT string_agg(format('%s %s %s %s', x.kind, x.agent, x.period, x.period_start), '; ' ORDER BY x)
    INTO unexpected FROM (SELECT * FROM ev_new EXCEPT ALL SELECT * FROM ev_expected()) x;
  SELECT count(*) INTO events FROM ev_new;
  SELECT count(*) INTO differences FROM leaderboard.verify('ev');
  INSERT INTO ev_seen SELECT coalesce(max(id), 0) FROM leaderboard.events;
  TRUNCATE ev_before;
  INSERT INTO ev_before SELECT * FROM ev_standings;
  DROP TABLE ev_new;
END $$;
CREATE TABLE ev_seen (id bigint);
INSERT INTO ev_seen VALUES (0);

-- 2. alter_board and rebuild change no standings row by a call, and emit nothing
SELECT count(*) FROM leaderboard.events;

-- 3. single-row inserts, each its own commit, through the direct apply
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (3, 1, '2026-10-05 09:00+00', true);
SELECT * FROM ev_check();
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (7, 1, '2026-10-06 09:00+00', true);
SELECT * FROM ev_check();
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (6, 0, '2026-10-07 09:00+00', false);
SELECT * FROM ev_check();
SELECT kind, agent, partition, period, period_start, old, new FROM leaderboard.events ORDER BY id;

-- 4. a new day: the first agents of its scopes are new leaders and enter the top 2; an
--    agent beating its best earlier day gets personal_best
INSERT INTO ev_calls (agent_id, team_id, started_at, converted)
VALUES (2, 0, '2026-10-08 09:00+00', true), (2, 0, '2026-10-08 09:30+00', true),
       (4, 0, '2026-10-08 10:00+00', false), (4, 0, '2026-10-08 10:30+00', true);
SELECT * FROM ev_check();

-- 5. several statements in one transaction: one event per net change, from where each
--    row stood before the transaction to where it ended
BEGIN;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (6, 0, '2026-10-08 11:00+00', true);
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (6, 0, '2026-10-08 11:30+00', true);
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (8, 0, '2026-10-08 11:00+00', true);
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (8, 0, '2026-10-08 12:00+00', true);
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (8, 0, '2026-10-08 12:30+00', true);
COMMIT;
SELECT * FROM ev_check();

-- 6. corrections: a call moved to another agent and team, calls deleted
UPDATE ev_calls SET agent_id = 5, team_id = 1 WHERE call_id IN (SELECT call_id FROM ev_calls WHERE agent_id = 8 ORDER BY call_id LIMIT 3);
SELECT * FROM ev_check();
DELETE FROM ev_calls WHERE agent_id = 2 AND started_at >= '2026-10-08';
SELECT * FROM ev_check();

-- 7. a batch larger than the direct apply takes, through the statements
SET leaderboard.report_apply = on;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted)
SELECT 1 + i % 30, i % 3, timestamptz '2026-10-09 08:00+00' + (i % 2) * interval '1 day', i % 4 <> 0
FROM generate_series(1, 400) i;
RESET leaderboard.report_apply;
SELECT * FROM ev_check();
SELECT kind, count(*) FROM leaderboard.events GROUP BY kind ORDER BY kind;

-- 8. rolled-back work emits nothing: a rolled-back transaction; a savepoint rolled back;
--    an apply run early in a savepoint that is then rolled back, applied again at commit
BEGIN;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (3, 1, '2026-10-08 09:00+00', true), (3, 1, '2026-10-08 09:10+00', true);
ROLLBACK;
SELECT * FROM ev_check();
BEGIN;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (5, 1, '2026-10-08 13:00+00', true);
SAVEPOINT s;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (3, 1, '2026-10-08 09:00+00', true), (3, 1, '2026-10-08 09:10+00', true);
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT * FROM ev_check();
BEGIN;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (1, 1, '2026-10-08 13:00+00', true), (1, 1, '2026-10-08 13:10+00', true);
SAVEPOINT s;
SET CONSTRAINTS ALL IMMEDIATE;
SELECT count(*) > 0 AS applied_early FROM leaderboard.events WHERE xid = pg_current_xact_id();
ROLLBACK TO SAVEPOINT s;
SELECT count(*) AS after_rollback FROM leaderboard.events WHERE xid = pg_current_xact_id();
COMMIT;
SELECT * FROM ev_check();
--    applied early and kept: the commit applies only what came after, no event twice
BEGIN;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (7, 0, '2026-10-08 14:00+00', true), (7, 0, '2026-10-08 14:10+00', true);
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (7, 0, '2026-10-08 14:20+00', true);
COMMIT;
SELECT * FROM ev_check();

-- 9. the direct apply records the rows it writes itself rather than through lb_events:
--    an owner's own row trigger on the standings still fires beside it; lb_events fires
--    in replica mode too (ENABLE ALWAYS); disabled by the owner, it is put back at once
--    (events stop only by alter_board(events => '{}'))
CREATE TABLE ev_audit (agent_id int, period text);
CREATE FUNCTION ev_audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.ev_audit VALUES (NEW.agent_id, NEW.period);
  RETURN NULL;
END $$;
CREATE TRIGGER ev_audit AFTER UPDATE ON ev_standings FOR EACH ROW
  WHEN (OLD.score IS DISTINCT FROM NEW.score) EXECUTE FUNCTION ev_audit_row();
SET leaderboard.report_apply = on;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (6, 0, '2026-10-07 10:00+00', true);
SELECT * FROM ev_check();
SELECT agent_id, period FROM ev_audit ORDER BY 1, 2;
SET session_replication_role = replica;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (2, 0, '2026-10-07 10:00+00', true);
RESET session_replication_role;
SELECT * FROM ev_check();
DROP TRIGGER ev_audit ON ev_standings;
ALTER TABLE ev_standings DISABLE TRIGGER lb_events;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (4, 0, '2026-10-07 10:00+00', true);
SELECT * FROM ev_check();
ALTER TABLE ev_standings ENABLE ALWAYS TRIGGER lb_events;
--    a row an owner's trigger deletes right after the apply inserted it came and went: it
--    announces nothing, through the direct apply and through the statements (on a board
--    of its own, which the deleted rows leave out of step with its calls)
CREATE TABLE evh_calls (agent_id int NOT NULL, started_at timestamptz NOT NULL, converted boolean NOT NULL);
INSERT INTO evh_calls VALUES (1, '2026-10-05 09:00+00', true), (2, '2026-10-05 09:00+00', false);
SELECT leaderboard.create_board(name => 'evh', source => 'evh_calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv'], scorecard => '{"metrics": [{"name": "conv", "stat": "rate"}]}',
  periods => ARRAY['month'], time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.alter_board('evh', events => '{"new_leader": true, "rank_climb": 1}');
CREATE FUNCTION evh_hide() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM public.evh_standings WHERE agent_id = 99;
  RETURN NULL;
END $$;
CREATE TRIGGER zz_hide AFTER INSERT ON evh_standings FOR EACH ROW WHEN (NEW.agent_id = 99) EXECUTE FUNCTION evh_hide();
INSERT INTO evh_calls VALUES (99, '2026-10-06 09:00+00', true);
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO evh_calls VALUES (99, '2026-10-06 09:10+00', true);
RESET leaderboard.direct_apply_max_groups;
SELECT count(*) AS events_of_99 FROM leaderboard.events WHERE board = 'evh' AND agent = '99';
SELECT leaderboard.drop_board('evh');
DROP TABLE evh_calls;
DROP FUNCTION evh_hide();
RESET leaderboard.report_apply;

-- 10. only some period kinds; rescoring emits nothing; {} turns events off
SELECT leaderboard.alter_board('ev', events => '{"new_leader": true, "tier_up": true, "periods": ["month"]}');
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (4, 1, '2026-11-02 09:00+00', true), (4, 1, '2026-11-02 09:10+00', true);
SELECT kind, agent, period, period_start FROM leaderboard.events WHERE id > (SELECT max(id) FROM ev_seen) ORDER BY id;
INSERT INTO ev_seen SELECT max(id) FROM leaderboard.events;
SELECT leaderboard.alter_board('ev', scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 20},
  {"name": "calls", "stat": "count", "weight": 80, "target": 10}], "min_rows": 2}') > 0 AS rescored;
SELECT leaderboard.rebuild('ev') > 0 AS rebuilt;
SELECT count(*) AS events_from_rescoring FROM leaderboard.events WHERE id > (SELECT max(id) FROM ev_seen);
SELECT leaderboard.alter_board('ev', events => '{}');
-- turned off, the events trigger stays, disabled: it records nothing, on either path
SELECT events, (SELECT string_agg(tgenabled::text, ',') FROM pg_trigger WHERE tgrelid = 'ev_standings'::regclass AND tgname = 'lb_events') AS trigger_mode
FROM leaderboard.boards WHERE name = 'ev';
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (3, 0, '2026-10-21 09:00+00', true), (3, 0, '2026-10-21 09:10+00', true);
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO ev_calls (agent_id, team_id, started_at, converted) VALUES (3, 0, '2026-10-21 09:20+00', true);
RESET leaderboard.direct_apply_max_groups;
SELECT count(*) AS events_when_off FROM leaderboard.events WHERE id > (SELECT max(id) FROM ev_seen);
-- and it stays disabled: ENABLE TRIGGER ALL on the standings (as pg_restore
-- --disable-triggers runs it) is put back for it, without a warning
ALTER TABLE ev_standings ENABLE TRIGGER ALL;
SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'ev_standings'::regclass AND tgname = 'lb_events';
-- tier events need a ladder: the ladder cannot go while they are set
SELECT leaderboard.alter_board('ev', events => '{"tier_up": true, "new_leader": true}');
SELECT leaderboard.alter_board('ev', drop_ladder => true);
SELECT leaderboard.alter_board('ev', events => '{"new_leader": true}');
SELECT leaderboard.alter_board('ev', drop_ladder => true) > 0 AS ladder_dropped;
SELECT leaderboard.alter_board('ev', events => '{"tier_down": true}');

-- 11. the NOTIFY payload: the board, the transaction, the count and the id range, no
--     event (every role may LISTEN; the events are read under the reader's rights)
SELECT leaderboard._events_payload('ev', '[{"id": 7, "xid": "812", "kind": "new_leader"}, {"id": 9, "xid": "812", "kind": "tier_up"}]');
SELECT length(p) < 8000 AS fits, p::jsonb - 'events' AS head, p::jsonb ? 'events' AS events_shown
FROM (SELECT leaderboard._events_payload('ev', jsonb_agg(jsonb_build_object('id', i, 'xid', '813', 'agent', repeat('x', 3000)))) AS p
      FROM generate_series(1, 9) i) x;

-- 12. the owner deletes events with delete_events: those written before a time, then the
--     rest; drop_board takes its events along
SELECT count(*) > 0 AS has_events FROM leaderboard.events WHERE board = 'ev';
SELECT leaderboard.delete_events('ev', '-infinity') AS deleted_before_any;
SELECT leaderboard.delete_events('ev', now() + interval '1 day') = (SELECT count(*) FROM leaderboard.events WHERE board = 'ev')
  AS deleted_all_before_tomorrow;
SELECT count(*) AS left FROM leaderboard.events WHERE board = 'ev';
SELECT leaderboard.delete_events('ev') AS deleted_again;
SELECT leaderboard.drop_board('ev');
SELECT count(*) FROM leaderboard.events WHERE board = 'ev';

-- a role writing events of its own board with ids of its choosing (OVERRIDING SYSTEM
-- VALUE, which INSERT allows) collides with no other board's: ids are unique per board
CREATE ROLE ev_squatter;
GRANT CREATE ON SCHEMA public TO ev_squatter;
CREATE TABLE ev_victim_calls (agent_id int NOT NULL, at timestamptz NOT NULL DEFAULT now(), ok boolean NOT NULL);
SELECT leaderboard.create_board(name => 'ev_victim', source => 'ev_victim_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['ok'], scorecard => '{"metrics": [{"name": "ok", "stat": "count"}]}', periods => ARRAY['month'],
  time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.alter_board('ev_victim', events => '{"new_leader": true}');
SET ROLE ev_squatter;
CREATE TABLE ev_own_calls (agent_id int NOT NULL, at timestamptz NOT NULL DEFAULT now(), ok boolean NOT NULL);
SELECT leaderboard.create_board(name => 'ev_own', source => 'ev_own_calls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['ok'], scorecard => '{"metrics": [{"name": "ok", "stat": "count"}]}', periods => ARRAY['month'],
  time_zone => 'UTC') IS NOT NULL AS created;
INSERT INTO leaderboard.events (id, board, kind, agent, partition, period, period_start) OVERRIDING SYSTEM VALUE
SELECT i, 'ev_own', 'new_leader', 'x', '{}', 'month', '2026-01-01' FROM generate_series(1, 30000) i;
-- nor another board's rows
INSERT INTO leaderboard.events (board, kind, agent, partition, period, period_start)
VALUES ('ev_victim', 'new_leader', 'x', '{}', 'month', '2026-01-01');
RESET ROLE;
INSERT INTO ev_victim_calls (agent_id, ok) VALUES (1, true);
SELECT kind, agent FROM leaderboard.events WHERE board = 'ev_victim';
SELECT count(*) AS ev_victim_rows FROM ev_victim_standings;
SELECT leaderboard.drop_board('ev_victim');
SET ROLE ev_squatter;
SELECT leaderboard.drop_board('ev_own');
DROP TABLE ev_own_calls;
RESET ROLE;
DROP TABLE ev_victim_calls;
REVOKE CREATE ON SCHEMA public FROM ev_squatter;
DROP ROLE ev_squatter;
