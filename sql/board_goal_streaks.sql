-- <board>_streaks: per agent and partition, runs of working days on which the agent met
-- its daily goal (the lowest rung of the daily ladder in force that day, most specific
-- audience first), counted in the board's calendar. Past runs are hand-checked; the run
-- alive today is compared with a day-by-day walk back from today. One transaction, so
-- that "today" stays one day even when the run crosses midnight; the commit-time apply of
-- the writes is run where they are made.
SET TimeZone = 'UTC';
BEGIN;
CREATE TABLE tickets (agent_id int NOT NULL, team text NOT NULL, at timestamp NOT NULL);
-- March 2020: Monday 2 to Friday 13; Monday 9 is a holiday. n tickets on a day.
INSERT INTO tickets
SELECT a, t, d + interval '10 hours'
FROM (VALUES
  -- agent 1: met (3 or more) Mon 2, Tue 3, Wed 4; 1 on Thu 5; met Fri 6, Sat 7 (not a
  -- working day), none on Sun 8 and the holiday, met Tue 10 to Fri 13
  (1, 'a', date '2020-03-02', 3), (1, 'a', '2020-03-03', 4), (1, 'a', '2020-03-04', 3), (1, 'a', '2020-03-05', 1),
  (1, 'a', '2020-03-06', 3), (1, 'a', '2020-03-07', 5), (1, 'a', '2020-03-10', 3), (1, 'a', '2020-03-11', 3),
  (1, 'a', '2020-03-12', 3), (1, 'a', '2020-03-13', 3),
  -- agent 2: its own goal of 2 a day, met Mon 2 and Tue 3
  (2, 'a', '2020-03-02', 2), (2, 'a', '2020-03-03', 2), (2, 'a', '2020-03-04', 1),
  -- agent 3 in team b: the team's goal of 1 a day holds until Tue 3; on Wed 4 everyone's 3
  (3, 'b', '2020-03-02', 1), (3, 'b', '2020-03-03', 1), (3, 'b', '2020-03-04', 1)) x(a, t, d, n)
CROSS JOIN LATERAL generate_series(1, x.n);
SELECT leaderboard.create_board(name => 'desk', source => 'tickets', agent => 'agent_id', at => 'at',
  metrics => ARRAY['1 AS tickets'], scorecard => '{"metrics": [{"name": "tickets", "stat": "count"}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team'], time_zone => 'UTC',
  calendar => 'Mon-Fri; holidays 2020-03-09') IS NOT NULL AS created;
-- no daily goal yet: no streaks (a month goal does not make one)
SELECT leaderboard.set_goal('desk', 'tickets', 'count', 'month', 40) IS NOT NULL AS set;
SELECT count(*) AS streak_rows FROM desk_streaks;
SELECT leaderboard.set_goal('desk', 'tickets', 'count', 'day', 3) IS NOT NULL AS set;
SELECT leaderboard.set_goal('desk', 'tickets', 'count', 'day', 2, agent => '2') IS NOT NULL AS set;
SELECT leaderboard.set_goal('desk', 'tickets', 'count', 'day', 1, partition => '{"team": "b"}',
                            effective_to => '2020-03-03') IS NOT NULL AS set;
-- agent 1: runs Mon 2 - Wed 4 (3) and Fri 6, Tue 10 - Fri 13 (5: the weekend and the
-- holiday neither break nor extend it; Saturday's tickets do not count); 8 met days.
-- agent 2: Mon 2 - Tue 3 under its own goal. agent 3: Mon 2 - Tue 3 under its team's.
-- Nothing is current today, years later.
SELECT team, agent_id, metric, stat, longest_streak, longest_start, current_streak, met_days, streak
FROM desk_streaks ORDER BY team, agent_id;
-- a higher rung does not change what a met day is: the lowest rung of the ladder
SELECT leaderboard.set_goal('desk', 'tickets', 'count', 'day', 4) IS NOT NULL AS set;
SELECT agent_id, longest_streak, met_days FROM desk_streaks WHERE agent_id = 1;
-- without a calendar every day works: agent 1's runs are Mon 2 - Wed 4, Fri 6 - Sat 7,
-- Tue 10 - Fri 13 (the empty Sunday and Monday break them)
SELECT leaderboard.alter_board('desk', drop_calendar => true);
SELECT agent_id, longest_streak, longest_start, met_days FROM desk_streaks WHERE agent_id = 1;
SELECT leaderboard.alter_board('desk', calendar => 'Mon-Fri; holidays 2020-03-09');

-- the run alive today: agent 9 made 3 tickets on each of the last nine days but one
-- (four days ago, 1 ticket), and today 3 or 0 by the test below
INSERT INTO tickets
SELECT 9, 'a', (now()::date - k) + interval '9 hours'
FROM generate_series(1, 8) k CROSS JOIN generate_series(1, CASE WHEN k = 4 THEN 1 ELSE 3 END);
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
-- the run as a walk back from today over the calendar's working days: today counts when
-- met, and is skipped when it is not (today is not over)
CREATE FUNCTION walked_run(agent int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  d date := now()::date;
  n int := 0;
  met boolean;
BEGIN
  LOOP
    met := (SELECT count(*) >= 3 FROM tickets t WHERE t.agent_id = agent AND t.at::date = d);
    IF extract(isodow FROM d) > 5 OR d = '2020-03-09' THEN
      NULL;
    ELSIF met THEN
      n := n + 1;
    ELSIF d <> now()::date THEN
      RETURN n;
    END IF;
    d := d - 1;
  END LOOP;
END $$;
SELECT current_streak = walked_run(9) AS current_right, current_streak > 0 AS alive
FROM desk_streaks WHERE agent_id = 9;
INSERT INTO tickets SELECT 9, 'a', now()::date + interval '8 hours' FROM generate_series(1, 3);
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT current_streak = walked_run(9) AS current_right_with_today FROM desk_streaks WHERE agent_id = 9;
-- an unmet day today does not end the run either
SELECT leaderboard.set_goal('desk', 'tickets', 'count', 'day', 100, agent => '9', effective_from => now()::date)
  IS NOT NULL AS set;
SELECT current_streak = walked_run(9) - (extract(isodow FROM now()::date) < 6)::int AS today_unmet_right
FROM desk_streaks WHERE agent_id = 9;

-- a call of a mistyped year, more than 100 years before the others (the streak type's
-- span): counted in the standings, in no streak, and the view still reads for everyone
INSERT INTO tickets VALUES (1, 'a', timestamp '1920-03-02 10:00') , (1, 'a', '1920-03-02 10:05'), (1, 'a', '1920-03-02 10:10');
SET CONSTRAINTS ALL IMMEDIATE;
SELECT count(*) AS rows_of_1920 FROM desk_standings WHERE period_start = '1920-03-02';
SELECT agent_id, longest_streak, met_days FROM desk_streaks WHERE agent_id = 1;
SELECT count(*) AS streak_rows FROM desk_streaks;

SELECT leaderboard.drop_board('desk');
SELECT to_regclass('desk_streaks') AS streaks_view;
COMMIT;
