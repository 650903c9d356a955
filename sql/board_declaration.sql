-- What create_board refuses, or reads as a PostgreSQL user means it, beyond the argument
-- errors of board_api: time zones, sources a board cannot outlive, the agent as a
-- partition, tie-breaks on metrics the card does not score, and metrics that are quoted
-- columns.
SET search_path = public, leaderboard;
\set SHOW_CONTEXT never
CREATE TABLE decl_calls (call_id bigint PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, "CSAT" smallint, "Won" boolean NOT NULL);
INSERT INTO decl_calls VALUES
  (1, 1, 1, '2026-10-05 20:00+00', 100, 5, true), (2, 2, 1, '2026-10-05 21:00+00', 200, 4, false),
  (3, 3, 1, '2026-10-05 22:00+00', 150, 3, true), (4, 1, 1, '2026-10-06 01:00+00', 400, 5, true);

-- Time zones are named zones only. PostgreSQL reads '+05:30' in the POSIX sense, 5:30
-- behind UTC: 20:00 UTC would be filed under 14:30 that day instead of 01:30 the next.
SELECT '2026-10-05 20:00+00'::timestamptz AT TIME ZONE '+05:30' AS posix_reading;
SELECT create_board('decl_tz', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', time_zone => '+05:30');
SELECT create_board('decl_tz', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', time_zone => 'UTC+5');
-- an abbreviation is not a zone: IST is Israel's in PostgreSQL's default abbreviations
SELECT create_board('decl_tz', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', time_zone => 'IST');
-- nor a zone named like one: PostgreSQL reads CET (and EST, ...) as the abbreviation's fixed
-- offset first, without daylight saving time, and EST as +10 under the Australia set
SELECT create_board('decl_tz', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', time_zone => 'CET');
SELECT create_board('decl_tz', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', time_zone => 'est');
SET timezone_abbreviations = 'Australia';
SELECT create_board('decl_tz', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', time_zone => 'EST');
RESET timezone_abbreviations;
SELECT timezone('CET', timestamptz '2026-07-01 22:30+00') AS cet_abbreviation,
       timezone('Europe/Berlin', timestamptz '2026-07-01 22:30+00') AS berlin;
-- the zero-offset names mean UTC either way and are accepted
SELECT create_board('decl_utc', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', time_zone => 'Zulu') IS NOT NULL AS created;
SELECT drop_board('decl_utc');
SELECT create_board('decl_tz', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', time_zone => 'Moon/Tranquility');
-- named zones, in any letter case, are accepted: the 20:00 UTC call is on the 6th in Kolkata
SELECT create_board('decl_tz', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', periods => ARRAY['day'],
  time_zone => 'asia/kolkata') IS NOT NULL AS created;
SELECT period_start, agent_id, rows(kpis) AS calls FROM decl_tz_standings ORDER BY 1, 2;
SELECT drop_board('decl_tz');

-- Temporary and unlogged sources are refused (0A000): a temporary table goes with its
-- session and its board would outlive it; crash recovery empties an unlogged table
-- without firing its triggers. Nothing is left behind.
CREATE TEMP TABLE decl_temp (LIKE decl_calls);
SELECT create_board('decl_temp', 'decl_temp', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', time_zone => 'UTC');
CREATE UNLOGGED TABLE decl_unlogged (LIKE decl_calls);
SELECT create_board('decl_unlogged', 'decl_unlogged', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', time_zone => 'UTC');
SELECT count(*) AS boards FROM leaderboard.boards;
SELECT count(*) AS left_behind FROM pg_class WHERE relname LIKE 'decl_temp_%' OR relname LIKE 'decl_unlogged_%';

-- The agent column is not a partition (22023), and no partition column is listed twice.
SELECT create_board('decl_part', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', partition_by => ARRAY['team_id', 'agent_id'],
  time_zone => 'UTC');
SELECT create_board('decl_part', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds AS aht'],
  '{"metrics": [{"name": "aht", "stat": "avg", "weight": 1}]}', partition_by => ARRAY['team_id', 'team_id'],
  time_zone => 'UTC');

-- A tie-break metric must be in the card (in every card of a board with one per period):
-- ties are broken by its stat there. A metric listed with weight 0 orders ties without
-- being scored.
SELECT create_board('decl_ties', 'decl_calls', 'agent_id', 'started_at', ARRAY['1 AS calls', 'handle_seconds AS aht'],
  '{"metrics": [{"name": "calls", "stat": "count", "weight": 1}], "scale": 1}',
  rank_style => 'row_number', tie_break => ARRAY['aht'], time_zone => 'UTC');
SELECT create_board('decl_ties', 'decl_calls', 'agent_id', 'started_at', ARRAY['1 AS calls', 'handle_seconds AS aht'],
  '{"day": {"metrics": [{"name": "calls", "stat": "count", "weight": 1}, {"name": "aht", "stat": "avg", "better": "lower", "range": [0, 600], "weight": 0}], "scale": 1},
    "week": {"metrics": [{"name": "calls", "stat": "count", "weight": 1}], "scale": 1}}',
  periods => ARRAY['day', 'week'], rank_style => 'row_number', tie_break => ARRAY['aht'], time_zone => 'UTC');
-- and order it alike in every card: one ORDER BY ranks every period kind, so cards giving
-- it another stat or direction per period are refused
SELECT create_board('decl_ties', 'decl_calls', 'agent_id', 'started_at', ARRAY['1 AS calls', 'handle_seconds AS aht'],
  '{"day": {"metrics": [{"name": "calls", "stat": "count", "weight": 1}, {"name": "aht", "stat": "avg", "better": "lower", "range": [0, 600], "weight": 0}], "scale": 1},
    "week": {"metrics": [{"name": "calls", "stat": "count", "weight": 1}, {"name": "aht", "stat": "avg", "weight": 0}], "scale": 1}}',
  periods => ARRAY['day', 'week'], rank_style => 'row_number', tie_break => ARRAY['aht'], time_zone => 'UTC');
SELECT create_board('decl_ties', 'decl_calls', 'agent_id', 'started_at', ARRAY['1 AS calls', 'handle_seconds AS aht'],
  '{"day": {"metrics": [{"name": "calls", "stat": "count", "weight": 1}, {"name": "aht", "stat": "avg", "better": "lower", "range": [0, 600], "weight": 0}], "scale": 1},
    "week": {"metrics": [{"name": "calls", "stat": "count", "weight": 1}, {"name": "aht", "stat": "max", "better": "lower", "range": [0, 600], "weight": 0}], "scale": 1}}',
  periods => ARRAY['day', 'week'], rank_style => 'row_number', tie_break => ARRAY['aht'], time_zone => 'UTC');
SELECT create_board('decl_ties', 'decl_calls', 'agent_id', 'started_at', ARRAY['1 AS calls', 'handle_seconds AS aht'],
  '{"metrics": [{"name": "calls", "stat": "count", "weight": 1}, {"name": "aht", "stat": "avg", "better": "lower", "range": [0, 600], "weight": 0}], "scale": 1}',
  periods => ARRAY['all'], rank_style => 'row_number', tie_break => ARRAY['aht'], time_zone => 'UTC') IS NOT NULL AS created;
-- agents 2 and 3 made one call each: agent 3's shorter handle time (150 s against 200 s)
-- puts it first, ahead of the agent key order
SELECT agent_id, score, kpi_avg(kpis, 2) AS aht, rank FROM decl_ties_standings ORDER BY rank;
-- alter_board keeps the rule: a card dropping the tie-break metric is refused
SELECT alter_board('decl_ties', scorecard => '{"metrics": [{"name": "calls", "stat": "count", "weight": 1}], "scale": 1}');
SELECT count(*) AS differences FROM verify('decl_ties');
SELECT drop_board('decl_ties');

-- A metric that is a plain column is named after it, written as SQL names columns: a
-- quoted identifier keeps its case, an unquoted one is folded to lower case.
SELECT create_board('decl_quoted', 'decl_calls', 'agent_id', 'started_at', ARRAY['"CSAT"', 'Handle_Seconds', ' "Won" '],
  '{"metrics": [{"name": "CSAT", "stat": "avg", "weight": 1}, {"name": "handle_seconds", "stat": "avg", "weight": 1}, {"name": "Won", "stat": "rate", "weight": 1}]}',
  periods => ARRAY['all'], time_zone => 'UTC') IS NOT NULL AS created;
SELECT metric_names, metric_exprs FROM leaderboard.boards WHERE name = 'decl_quoted';
SELECT count(*) AS differences FROM verify('decl_quoted');
-- anything else still needs a name
SELECT create_board('decl_named', 'decl_calls', 'agent_id', 'started_at', ARRAY['"csat"'],
  '{"metrics": [{"name": "csat", "stat": "avg", "weight": 1}]}', time_zone => 'UTC');
SELECT create_board('decl_named', 'decl_calls', 'agent_id', 'started_at', ARRAY['decl_calls.handle_seconds'],
  '{"metrics": [{"name": "handle_seconds", "stat": "avg", "weight": 1}]}', time_zone => 'UTC');
SELECT create_board('decl_named', 'decl_calls', 'agent_id', 'started_at', ARRAY['handle_seconds * 2'],
  '{"metrics": [{"name": "handle_seconds", "stat": "avg", "weight": 1}]}', time_zone => 'UTC');
SELECT drop_board('decl_quoted');

-- The agent and partition columns cannot take a name the board's own tables, views and
-- statements give a column of theirs (42939), nor one starting with lb_; a source column
-- named like the fold's own ones is refused too (42701). Names next to those work, and a
-- partition column called agent is verified like any other.
CREATE TABLE decl_names (agent int NOT NULL, progress int, lb_team int, at timestamptz NOT NULL DEFAULT now(), won int NOT NULL);
INSERT INTO decl_names (agent, progress, lb_team, won) SELECT i % 4, i % 2, i % 2, i % 3 FROM generate_series(1, 20) i;
\set VERBOSITY terse
SELECT create_board('decl_rsv', 'decl_names', 'agent', 'at', ARRAY['won'],
  '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}]}', partition_by => ARRAY['progress']);
\set VERBOSITY sqlstate
SELECT create_board('decl_rsv', 'decl_names', 'progress', 'at', ARRAY['won'],
  '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}]}');
SELECT create_board('decl_rsv', 'decl_names', 'agent', 'at', ARRAY['won'],
  '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}]}', partition_by => ARRAY['lb_team']);
ALTER TABLE decl_names ADD COLUMN lb_day date;
SELECT create_board('decl_rsv', 'decl_names', 'agent', 'at', ARRAY['won'],
  '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}]}');
\set VERBOSITY default
ALTER TABLE decl_names DROP COLUMN lb_day;
CREATE TABLE decl_agent_part (agent_id int NOT NULL, agent int, at timestamptz NOT NULL DEFAULT now(), won int NOT NULL);
INSERT INTO decl_agent_part (agent_id, agent, won) SELECT i % 4, i % 2, i % 3 FROM generate_series(1, 20) i;
SELECT create_board('decl_agent_part', 'decl_agent_part', 'agent_id', 'at', ARRAY['won'],
  '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}]}', partition_by => ARRAY['agent'], periods => ARRAY['all'],
  time_zone => 'UTC') IS NOT NULL AS created;
UPDATE decl_agent_part SET won = won + 1 WHERE agent_id = 1;
SELECT count(*) AS differences FROM verify('decl_agent_part');
-- a partition column named like no column of the board's but like the goals view's
-- internal ones (ids) works, goals and all
CREATE TABLE decl_ids (agent_id int NOT NULL, ids int, at timestamptz NOT NULL DEFAULT now(), won int NOT NULL);
INSERT INTO decl_ids (agent_id, ids, won) SELECT i % 4, i % 2, i % 3 FROM generate_series(1, 20) i;
SELECT create_board('decl_ids', 'decl_ids', 'agent_id', 'at', ARRAY['won'],
  '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}]}', partition_by => ARRAY['ids'], periods => ARRAY['all'],
  time_zone => 'UTC') IS NOT NULL AS created;
SELECT set_goal('decl_ids', 'won', 'sum', 'all', 5) IS NOT NULL AS goal_set;
SELECT ids, agent_id, actual, target FROM decl_ids_goals ORDER BY 1, 2;
SELECT drop_board('decl_ids');
DROP TABLE decl_ids;
-- nor may such a column come later, added or renamed to (42701); verify() still reads it
\set VERBOSITY sqlstate
ALTER TABLE decl_agent_part ADD COLUMN lb_local timestamp;
ALTER TABLE decl_agent_part ADD COLUMN spare int;
ALTER TABLE decl_agent_part RENAME COLUMN spare TO lb_kind;
\set VERBOSITY default
ALTER TABLE decl_agent_part ADD COLUMN lb_spare int;
SELECT count(*) AS differences FROM verify('decl_agent_part');
-- verify names the partition column agent in its partition, and the agent apart
UPDATE decl_agent_part_standings SET score = score + 1 WHERE agent_id = 2;
SELECT problem, partition, agent FROM verify('decl_agent_part') ORDER BY 2;
SELECT drop_board('decl_agent_part');
DROP TABLE decl_names, decl_agent_part;
