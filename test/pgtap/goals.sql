-- Goals and board calendars are written only through the API, and only by the board's
-- owner (or a superuser): another role cannot set or clear a goal, write leaderboard.goals
-- directly, call the internal writers for a board it does not own, or change a board's
-- calendar. The owner, no superuser, can do all of that; the writers take only rows
-- set_goal would write.
BEGIN;
SELECT plan(24);
SET LOCAL client_min_messages = warning;

CREATE ROLE lbg_owner;
CREATE ROLE lbg_other;
CREATE SCHEMA lbg AUTHORIZATION lbg_owner;
GRANT USAGE ON SCHEMA lbg TO lbg_other;

SET LOCAL ROLE lbg_owner;
CREATE TABLE lbg.calls (agent_id int NOT NULL, team_id int NOT NULL, at date NOT NULL);
INSERT INTO lbg.calls VALUES (1, 1, current_date), (2, 1, current_date);
SELECT lives_ok($$SELECT leaderboard.create_board(name => 'lbg_board', source => 'lbg.calls', agent => 'agent_id', at => 'at',
    metrics => ARRAY['1 AS calls'], periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC',
    scorecard => '{"metrics": [{"name": "calls", "stat": "count"}]}', calendar => 'Mon-Fri')$$,
  'a role owning its calls table (no superuser) creates a board with a calendar');
SELECT lives_ok($$SELECT leaderboard.set_goal('lbg_board', 'calls', 'count', 'day', 5)$$, 'the owner sets a goal');
SELECT lives_ok($$SELECT leaderboard.set_goal('lbg_board', 'calls', 'count', 'month', 50, partition => '{"team_id": 1}')$$,
  'the owner sets a partition goal');
SELECT lives_ok($$SELECT leaderboard.alter_board('lbg_board', calendar => 'Mon-Sat')$$, 'the owner changes the calendar');
SELECT throws_ok($$INSERT INTO leaderboard.goals (board, metric, stat, period, target) VALUES ('lbg_board', 'calls', 'count', 'day', 9)$$,
  '42501', NULL, 'not even the owner writes leaderboard.goals directly');
SELECT throws_ok($$SELECT leaderboard._goal_insert(jsonb_populate_record(g, '{"metric": "nope"}')) FROM leaderboard.goals g LIMIT 1$$,
  '22023', NULL, '_goal_insert refuses a goal set_goal would not write (unknown metric), even from the owner');
SELECT throws_ok($$SELECT leaderboard._goal_insert(jsonb_populate_record(g, '{"partition": {"team_id": "1"}, "target": 7}'))
                   FROM leaderboard.goals g WHERE partition IS NOT NULL$$,
  '22023', NULL, '_goal_insert refuses a partition not in set_goal''s canonical form');
SELECT lives_ok($$SELECT leaderboard._goal_insert(jsonb_populate_record(g, '{"target": 7}')) FROM leaderboard.goals g WHERE partition IS NOT NULL$$,
  'control: the owner''s _goal_insert of a goal as set_goal builds it is written');
RESET ROLE;
GRANT SELECT ON lbg.lbg_board_goals TO lbg_other;

SET LOCAL ROLE lbg_other;
SELECT ok((SELECT count(*) FROM leaderboard.goals WHERE board = 'lbg_board') = 3, 'another role reads the goals');
SELECT lives_ok($$SELECT * FROM lbg.lbg_board_goals$$, 'and a <board>_goals view it was granted');
SELECT throws_ok($$SELECT leaderboard.set_goal('lbg_board', 'calls', 'count', 'day', 1)$$, '42501',
  'must be owner of board "lbg_board"', 'another role cannot set a goal');
SELECT throws_ok($$SELECT leaderboard.clear_goal(min(id)) FROM leaderboard.goals$$, '42501',
  'must be owner of board "lbg_board"', 'another role cannot clear a goal by id');
SELECT throws_ok($$SELECT leaderboard.clear_goal('lbg_board', 'calls', 'count', 'day')$$, '42501',
  'must be owner of board "lbg_board"', 'another role cannot clear a ladder');
SELECT throws_ok($$INSERT INTO leaderboard.goals (board, metric, stat, period, target) VALUES ('lbg_board', 'calls', 'count', 'day', 1)$$,
  '42501', NULL, 'another role cannot insert into leaderboard.goals');
SELECT throws_ok($$UPDATE leaderboard.goals SET target = 1$$, '42501', NULL, 'another role cannot update leaderboard.goals');
SELECT throws_ok($$DELETE FROM leaderboard.goals$$, '42501', NULL, 'another role cannot delete from leaderboard.goals');
SELECT throws_ok($$SELECT leaderboard._goal_insert(g) FROM leaderboard.goals g LIMIT 1$$, '42501',
  'must be owner of board "lbg_board"', 'another role cannot call _goal_insert for the board');
SELECT throws_ok($$SELECT leaderboard._goals_delete(ARRAY(SELECT id FROM leaderboard.goals))$$, '42501',
  'must be owner of board "lbg_board"', 'another role cannot call _goals_delete for the board''s goals');
SELECT throws_ok($$SELECT leaderboard.alter_board('lbg_board', calendar => 'Mon-Sun')$$, '42501',
  'must be owner of board "lbg_board"', 'another role cannot change the board''s calendar');
SELECT throws_ok($$SELECT leaderboard._catalog_set_calendar('lbg_board', NULL)$$, '42501',
  'must be owner of board "lbg_board"', 'another role cannot call _catalog_set_calendar for the board');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM leaderboard.goals WHERE board = 'lbg_board'), 3, 'the goals are as the owner left them');
SELECT is((SELECT calendar::text FROM leaderboard.boards WHERE name = 'lbg_board'), 'Mon-Sat', 'and so is the calendar');

SET LOCAL ROLE lbg_owner;
SELECT is(leaderboard.clear_goal('lbg_board', 'calls', 'count', 'month', '{"team_id": 1}'), 2,
  'the owner clears a ladder of the partition');
SELECT lives_ok($$SELECT leaderboard.drop_board('lbg_board')$$, 'the owner drops the board');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
