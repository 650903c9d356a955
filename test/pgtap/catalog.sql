-- The board catalog is written only through the API, and only with rows the caller is
-- entitled to: a role that owns a table (no superuser) declares, alters and drops its own
-- boards; nobody writes a row naming another owner, or another role's source, or changes
-- or deletes another role's board.
BEGIN;
SELECT plan(20);
SET LOCAL client_min_messages = warning;

CREATE ROLE lbc_alice;
CREATE ROLE lbc_bob;
CREATE SCHEMA lbc AUTHORIZATION lbc_alice;
GRANT USAGE ON SCHEMA lbc TO lbc_bob;
GRANT CREATE ON SCHEMA lbc TO lbc_bob;

SET LOCAL ROLE lbc_alice;
CREATE TABLE lbc.calls (agent_id int NOT NULL, at date NOT NULL, won boolean NOT NULL);
INSERT INTO lbc.calls VALUES (1, '2026-10-05', true), (2, '2026-10-05', false);
SELECT lives_ok($$SELECT leaderboard.create_board(name => 'lbc_board', source => 'lbc.calls', agent => 'agent_id', at => 'at',
    metrics => ARRAY['won'], periods => ARRAY['all'], scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}')$$,
  'a role that owns its calls table (not a superuser) creates a board over it');
SELECT is((SELECT owner::text FROM leaderboard.boards WHERE name = 'lbc_board'), 'lbc_alice', 'the board is owned by its creator');
INSERT INTO lbc.calls VALUES (2, '2026-10-06', true);
SET CONSTRAINTS ALL IMMEDIATE;
SELECT is((SELECT count(*) FROM leaderboard.verify('lbc_board'))::int, 0, 'its board is maintained');
SELECT lives_ok($$SELECT leaderboard.alter_board('lbc_board', scorecard => '{"metrics": [{"name": "won", "stat": "count"}], "scale": 1}')$$,
  'the owner alters its board');
SELECT throws_ok($$INSERT INTO leaderboard.boards SELECT * FROM leaderboard.boards$$, '42501', NULL,
  'the catalog cannot be written directly');
-- events: the owner's, like the standings
SELECT lives_ok($$SELECT leaderboard.alter_board('lbc_board', events => '{"new_leader": true}')$$,
  'the owner sets the events its board emits');
INSERT INTO lbc.calls VALUES (3, '2026-10-06', true), (3, '2026-10-07', true);
SET CONSTRAINTS ALL IMMEDIATE;
SELECT is((SELECT count(*) FROM leaderboard.events WHERE board = 'lbc_board')::int, 1, 'the owner reads its board''s events');
RESET ROLE;
SET LOCAL ROLE lbc_bob;
SELECT is((SELECT count(*) FROM leaderboard.events WHERE board = 'lbc_board')::int, 0, 'another role sees none of them');
SELECT throws_ok($$INSERT INTO leaderboard.events (board, kind, agent, partition, period, period_start)
                   VALUES ('lbc_board', 'new_leader', '9', '{}', 'all', '-infinity')$$, '42501', NULL,
  'nor writes one');
SELECT throws_ok($$SELECT leaderboard._catalog_set_events('lbc_board', NULL)$$, '42501', 'must be owner of board "lbc_board"',
  'nor changes what the board emits');
SELECT throws_ok($$SELECT leaderboard.alter_board('lbc_board', events => '{}')$$, '42501', NULL,
  'not through alter_board either');
SELECT throws_ok($$SELECT leaderboard._catalog_set_card_versions('lbc_board', '[]')$$, '42501', 'must be owner of board "lbc_board"',
  'nor changes the cards that take effect later');
RESET ROLE;

SET LOCAL ROLE lbc_bob;
CREATE TABLE lbc.bob_calls (agent_id int NOT NULL, at date NOT NULL, won boolean NOT NULL);
SELECT throws_ok($$SELECT leaderboard._catalog_insert(b) FROM (SELECT (x.*)::leaderboard.boards AS b FROM leaderboard.boards x WHERE name = 'lbc_board') y$$,
  '42501', 'a board''s owner must be the role creating it', 'a row naming another owner is refused');
SELECT throws_ok($$
  SELECT leaderboard._catalog_insert(ROW(x.name || '_copy', x.source, 'lbc_bob'::regrole, x.agent_column, x.at_column, x.metric_names,
           x.metric_exprs, x.scorecards, x.periods, x.partition_by, x.filter, x.ladder, x.time_zone, x.rank_style, x.tie_break,
           'lbc.bob_calls'::regclass, 'lbc.bob_calls'::regclass, x.created_at, x.source_index, x.events, x.calendar,
           x.grace, x.retention, x.closed_before, x.starts, x.ends, x.card_versions)::leaderboard.boards)
  FROM leaderboard.boards x WHERE name = 'lbc_board'$$,
  '42501', 'must be owner of table calls', 'a row over another role''s source is refused');
SELECT throws_ok($$SELECT leaderboard._catalog_update('lbc_board', '{}', NULL)$$, '42501', 'must be owner of board "lbc_board"',
  'another role''s board cannot be changed');
SELECT throws_ok($$SELECT leaderboard._catalog_delete('lbc_board')$$, '42501', 'must be owner of board "lbc_board"',
  'another role''s board cannot be deleted');
RESET ROLE;

SET LOCAL ROLE lbc_alice;
-- the owner's own row, written again by hand, must be one create_board would write: no
-- events (alter_board sets them, checked), and no malformed ones a writer's apply would
-- then read
SELECT throws_ok($q$
  DO $do$ DECLARE r leaderboard.boards := leaderboard._board('lbc_board'); BEGIN
    PERFORM leaderboard._catalog_delete('lbc_board');
    r.events := '{"new_leader": true, "periods": [null]}';
    PERFORM leaderboard._catalog_insert(r);
  END $do$$q$, '22023', NULL, 'a hand-built row with events is refused');
SELECT is((SELECT events FROM leaderboard.boards WHERE name = 'lbc_board'), '{"new_leader": true}'::jsonb,
  'and the board is as it was');
SELECT lives_ok($$SELECT leaderboard.drop_board('lbc_board')$$, 'the owner drops its board');
SELECT is((SELECT count(*) FROM leaderboard.boards WHERE name = 'lbc_board')::int, 0, 'and its catalog row is gone');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
