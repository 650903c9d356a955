-- leaderboard demo: a call log, a live team board, calls streaming in, one explanation,
-- goals with pace, daily-goal streaks, events arriving by NOTIFY, last month's badges.
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS leaderboard;

-- 60 agents in 6 teams, calls from the start of this month up to now; deterministic
-- but for the dates
CREATE TABLE calls (
  call_id        bigserial PRIMARY KEY,
  agent_id       int         NOT NULL,
  team_id        int         NOT NULL,
  started_at     timestamptz NOT NULL,
  talk_seconds   int         NOT NULL,
  handle_seconds int         NOT NULL,
  converted      boolean     NOT NULL,
  csat           smallint,
  resolved_first boolean     NOT NULL,
  is_test_call   boolean     NOT NULL DEFAULT false);
SELECT setseed(0.42) \g /dev/null
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
SELECT a, 1 + a % 6, date_trunc('month', now()) + random() * (now() - date_trunc('month', now())),
       t, t + (random() * 120)::int, random() < 0.10 + (a % 7) * 0.025,
       CASE WHEN random() < 0.3 THEN 1 + (random() * 4)::int END, random() < 0.7
FROM (SELECT 1 + (random() * 59)::int AS a, 30 + (random() * 600)::int AS t FROM generate_series(1, 20000)) s;
-- and last month's calls, whose standings close_periods freezes below
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
SELECT a, 1 + a % 6, date_trunc('month', now()) - interval '1 month' + random() * interval '27 days',
       t, t + (random() * 120)::int, random() < 0.10 + (a % 5) * 0.03,
       CASE WHEN random() < 0.3 THEN 1 + (random() * 4)::int END, random() < 0.7
FROM (SELECT 1 + (random() * 59)::int AS a, 30 + (random() * 600)::int AS t FROM generate_series(1, 20000)) s;

\echo
\echo '== the board: composite score per agent, per team, per day/week/month, with tiers'
SELECT leaderboard.create_board(
  name => 'floor', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'csat', 'resolved_first AS fcr', '1 AS calls'],
  scorecard => '{"metrics": [
     {"name": "conv",  "stat": "rate",  "weight": 30, "target": 0.25},
     {"name": "aht",   "stat": "avg",   "weight": 20, "better": "lower", "range": [180, 900], "max": 1200},
     {"name": "csat",  "stat": "avg",   "weight": 20, "range": [1, 5], "if_missing": "skip", "min_n": 3},
     {"name": "fcr",   "stat": "rate",  "weight": 10, "target": 0.8},
     {"name": "calls", "stat": "count", "weight": 20, "target": 400, "cap": 1.2}],
   "scale": 100, "min_rows": 20}',
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'],
  filter => 'NOT is_test_call', ladder => 'Bronze: 0, Silver: 55, Gold: 65, Platinum: 75; hold 2',
  time_zone => 'UTC') AS standings_table;

\echo
\echo '== team 3, this month: top 5'
SELECT rank, agent_id, round(score::numeric, 1) AS score, tier, leaderboard.rows(kpis) AS calls
FROM floor_current WHERE period = 'month' AND team_id = 3 AND rank <= 5 ORDER BY rank;

\echo
\echo '== goals: 40 calls a day, a conversion ladder for the month; a Mon-Fri calendar for the pace'
SELECT leaderboard.alter_board('floor', calendar => 'Mon-Fri') AS calendar_set;
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'day', 40) AS daily_goal;
SELECT count(leaderboard.set_goal('floor', 'conv', 'rate', 'month', t)) AS monthly_rungs
FROM unnest(ARRAY[0.15, 0.20, 0.25]) t;
-- pace counts working days: on a weekend nothing has elapsed yet, and it is empty
SELECT agent_id, period, target, round(actual, 3) AS actual, round(progress, 2) AS progress, round(pace, 3) AS pace, on_track
FROM floor_goals WHERE agent_id = 45 ORDER BY period, metric;

\echo
\echo '== events: this session listens; each commit that moves team 4 announces it'
SELECT leaderboard.alter_board('floor', events => '{"tier_up": true, "new_leader": true, "rank_climb": 2, "goal_met": true}') AS events_set;
LISTEN leaderboard;

\echo '== calls stream in: agent 45 of team 4 has a great hour; team 4 re-ranks at each commit'
SELECT rank, agent_id, round(score::numeric, 1) AS score, tier
FROM floor_current WHERE period = 'month' AND team_id = 4 AND rank <= 5 ORDER BY rank;
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first)
SELECT 45, 4, now() - g * interval '1 minute', 200, 240, true, 5, true FROM generate_series(1, 40) g;
\echo '-- after 40 converted calls by agent 45:'
SELECT rank, agent_id, round(score::numeric, 1) AS score, tier
FROM floor_current WHERE period = 'month' AND team_id = 4 AND rank <= 5 ORDER BY rank;
\echo '-- a test call is not counted (filter), and a wrongly logged call is corrected:'
INSERT INTO calls (agent_id, team_id, started_at, talk_seconds, handle_seconds, converted, csat, resolved_first, is_test_call)
VALUES (45, 4, now(), 10, 10, true, 5, true, true);
UPDATE calls SET agent_id = 46, team_id = 5 WHERE call_id = (SELECT max(call_id) FROM calls WHERE agent_id = 45 AND NOT is_test_call);
SELECT agent_id, leaderboard.rows(kpis) AS calls_this_month, rank FROM floor_current
WHERE period = 'month' AND agent_id IN (45, 46) ORDER BY agent_id;

\echo '-- the events those commits wrote:'
SELECT kind, agent, period, old, new - 'goal_id' AS new FROM leaderboard.events WHERE board = 'floor' ORDER BY id LIMIT 8;
UNLISTEN leaderboard;

\echo
\echo '== around agent 45 this month (two above, two below)'
SELECT rank, agent_id, round(score::numeric, 1) AS score, tier FROM floor_around(45, 'month', 2);

\echo
\echo '== why agent 45 scores what it scores this month'
SELECT m ->> 'name' AS metric, m ->> 'stat' AS stat, round((m ->> 'value')::numeric, 3) AS value,
       round((m ->> 'normalized')::numeric, 3) AS normalized, m ->> 'weight' AS weight,
       round((m ->> 'contribution')::numeric, 2) AS contribution
FROM floor_explain e, jsonb_array_elements(e.explanation -> 'metrics') m
WHERE e.period = 'month' AND e.agent_id = 45
  AND e.period_start = date_trunc('month', now() AT TIME ZONE 'UTC')::date;
SELECT round(score::numeric, 2) AS total, qualified FROM floor_current WHERE period = 'month' AND agent_id = 45;

\echo
\echo '== tiers this month across the floor'
SELECT tier, count(*) AS agents FROM floor_current WHERE period = 'month' AND qualified
GROUP BY tier ORDER BY min(score);

\echo
\echo '== streaks in team 4: working days in a row (Mon-Fri) on which the daily goal of 40 calls was met'
SELECT agent_id, longest_streak, longest_start, current_streak, met_days
FROM floor_streaks WHERE team_id = 4 ORDER BY longest_streak DESC, agent_id LIMIT 5;

\echo
\echo '== the next tier for the top 5 of team 3 this month'
SELECT agent_id, round(score::numeric, 1) AS score, tier,
       leaderboard.next_tier(score, 'Bronze: 0, Silver: 55, Gold: 65, Platinum: 75') AS next_tier,
       round(leaderboard.to_next_tier(score, 'Bronze: 0, Silver: 55, Gold: 65, Platinum: 75')::numeric, 1) AS points_to_go,
       round(leaderboard.tier_progress(score, 'Bronze: 0, Silver: 55, Gold: 65, Platinum: 75')::numeric, 2) AS progress
FROM floor_current WHERE period = 'month' AND team_id = 3 AND rank <= 5 ORDER BY rank;

\echo
\echo '== last month closes (its grace of a day has passed): ranks freeze, winners are recorded'
SELECT leaderboard.close_periods('floor') AS scopes_closed;
SELECT badge, team_id, agent_id, round(score::numeric, 1) AS score
FROM floor_badges WHERE period = 'month' AND team_id IN (3, 4) ORDER BY team_id, badge, agent_id;

\echo
\echo '== the board is exact: verify() recomputes from scratch and lists differences (none)'
SELECT count(*) AS differences FROM leaderboard.verify('floor');
