-- Scorecards with effective dates: alter_board(board, scorecard => card, effective_from =>
-- day) scores the periods that start on or after day with card, until a later card takes
-- over; a period uses the card in force on the day it starts. Checked on every write
-- path (single-row direct apply, statements, large batch), alter_board, rebuild, verify,
-- <board>_explain and rolling(), against scores computed from the calls with the card
-- each period should use.
SET leaderboard.report_apply = on;
CREATE TABLE vcalls (call_id serial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  at timestamptz NOT NULL, converted boolean NOT NULL, aht int NOT NULL);
-- two cards that rank the same calls differently: A rewards conversion, B handle time
CREATE TABLE vcard (name text PRIMARY KEY, card jsonb NOT NULL);
INSERT INTO vcard VALUES
  ('A', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 3, "target": 1},
                      {"name": "aht", "stat": "avg", "weight": 1, "better": "lower", "range": [100, 500]}], "scale": 100}'),
  ('B', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 1, "target": 1},
                      {"name": "aht", "stat": "avg", "weight": 3, "better": "lower", "range": [100, 500]}], "scale": 100}'),
  ('C', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 1, "target": 1},
                      {"name": "aht", "stat": "avg", "weight": 0}], "scale": 10}');
-- Monday 2026-11-23 to Sunday 2026-12-06, 4 agents in 2 teams
INSERT INTO vcalls (agent_id, team_id, at, converted, aht)
SELECT a, a % 2, timestamptz '2026-11-23 09:00+00' + d * interval '1 day' + k * interval '7 minutes',
       (a * 7 + d * 3 + k) % (a + 2) = 0, 120 + (a * 53 + d * 17 + k * 29) % 300
FROM generate_series(1, 4) a, generate_series(0, 13) d, generate_series(1, 3) k;
SELECT leaderboard.create_board(name => 'vb', source => 'vcalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['converted AS conv', 'aht'], scorecard => (SELECT card FROM vcard WHERE name = 'A'),
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'],
  ladder => 'Low: 0, High: 50', time_zone => 'UTC');

-- The scores every standings row should have: from the calls, with the card in force on
-- the day its period starts (cards given as (card name, from) rows; NULL: the first).
CREATE TABLE vschedule (card text NOT NULL, effective_from date);
INSERT INTO vschedule VALUES ('A', NULL);
CREATE VIEW vexpected AS
SELECT p.period, p.period_start, c.team_id, c.agent_id,
       leaderboard._rank_precision(leaderboard.score(leaderboard.kpi_agg(c.converted, c.aht), k.card::text::leaderboard.scorecard)) AS score,
       min(s.card) AS card
FROM vcalls c
CROSS JOIN LATERAL (VALUES ('day', (c.at AT TIME ZONE 'UTC')::date),
                           ('week', date_trunc('week', c.at AT TIME ZONE 'UTC')::date),
                           ('month', date_trunc('month', c.at AT TIME ZONE 'UTC')::date)) p(period, period_start)
CROSS JOIN LATERAL (SELECT v.card FROM vschedule v WHERE coalesce(v.effective_from, '-infinity') <= p.period_start
                    ORDER BY v.effective_from DESC NULLS LAST LIMIT 1) s
JOIN vcard k ON k.name = s.card
GROUP BY 1, 2, 3, 4, k.card;
-- rows whose stored score is not the expected one (none when right), and verify()
CREATE FUNCTION vcheck() RETURNS TABLE (problem text, n bigint) LANGUAGE sql AS $$
  SELECT 'score differs', count(*) FROM vexpected e
    FULL JOIN vb_standings s USING (period, period_start, team_id, agent_id)
  WHERE s.score IS DISTINCT FROM e.score
  UNION ALL SELECT 'verify', count(*) FROM leaderboard.verify('vb')
$$;
SELECT * FROM vcheck();

-- B from Wednesday 2026-12-02: day rows from that day on, no week (the week started on
-- Monday) and no month (it started on the 1st)
SELECT leaderboard.alter_board('vb', scorecard => (SELECT card FROM vcard WHERE name = 'B'),
                               effective_from => '2026-12-02') > 0 AS rescored;
INSERT INTO vschedule VALUES ('B', '2026-12-02');
SELECT * FROM vcheck();
SELECT period, min(period_start), max(period_start), count(*) FROM vb_explain WHERE card_from = '2026-12-02' GROUP BY 1;
SELECT period, count(*) FROM vb_explain WHERE card_from IS NULL GROUP BY 1 ORDER BY 1;
-- the explanation is the card's: its contributions add up to the stored score
SELECT count(*) AS explained_otherwise FROM vb_explain x
WHERE abs((SELECT sum((m ->> 'contribution')::float8) FROM jsonb_array_elements(x.explanation -> 'metrics') m) - x.score) > 1e-9;
SELECT board, period, effective_from, effective_to, scorecard -> 'metrics' -> 0 ->> 'weight' AS conv_weight
FROM leaderboard.scorecard_versions WHERE board = 'vb' ORDER BY period, effective_from NULLS FIRST;

-- Each write path scores a new call with the card of its period's start: one call (the
-- direct apply) on each side of the date, then a multi-row statement through the SQL
-- statements, then a batch large enough for the large-batch path.
INSERT INTO vcalls (agent_id, team_id, at, converted, aht) VALUES (1, 1, '2026-12-01 10:00+00', true, 450);
INSERT INTO vcalls (agent_id, team_id, at, converted, aht) VALUES (2, 0, '2026-12-03 10:00+00', false, 110);
SELECT * FROM vcheck();
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO vcalls (agent_id, team_id, at, converted, aht)
VALUES (3, 1, '2026-11-30 10:00+00', true, 480), (4, 0, '2026-12-05 11:00+00', true, 130);
SET leaderboard.small_batch_groups = 1;
INSERT INTO vcalls (agent_id, team_id, at, converted, aht)
SELECT 4 + a, a % 2, timestamptz '2026-11-28 08:00+00' + a * interval '9 hours', a % 3 = 0, 100 + a * 11
FROM generate_series(1, 30) a;
RESET leaderboard.small_batch_groups;
RESET leaderboard.direct_apply_max_groups;
SELECT * FROM vcheck();
-- corrections move calls across the date: subtract with one card, add with the other
UPDATE vcalls SET at = at + interval '3 days' WHERE call_id % 5 = 0;
DELETE FROM vcalls WHERE call_id % 7 = 0;
SELECT * FROM vcheck();

-- a second, later card, set before its day comes: nothing scores with it yet; then the
-- first date's card replaced by another (C), and the cards listed
SELECT leaderboard.alter_board('vb', scorecard => (SELECT card FROM vcard WHERE name = 'A'),
                               effective_from => '2027-01-01') AS rescored_by_future_card;
INSERT INTO vschedule VALUES ('A', '2027-01-01');
SELECT * FROM vcheck();
SELECT leaderboard.alter_board('vb', scorecard => (SELECT card FROM vcard WHERE name = 'C'),
                               effective_from => '2026-12-02') > 0 AS rescored;
UPDATE vschedule SET card = 'C' WHERE effective_from = '2026-12-02';
SELECT * FROM vcheck();
SELECT period, effective_from, effective_to, scorecard ->> 'scale' AS scale
FROM leaderboard.scorecard_versions WHERE board = 'vb' AND period = 'day' ORDER BY effective_from NULLS FIRST;
-- rebuild scores from the calls with the same cards
SELECT leaderboard.rebuild('vb') >= 0 AS rebuilt;
SELECT * FROM vcheck();
-- a rolling window uses the card in force on its first day: C for a window from the 2nd
SELECT count(*) AS rolling_rows,
       bool_and(r.score = leaderboard._rank_precision(leaderboard.score(r.kpis, (SELECT card::text FROM vcard WHERE name = 'C')::leaderboard.scorecard))) AS scored_with_c
FROM leaderboard.rolling('vb', 3, '2026-12-04') r;
SELECT bool_and(r.score = leaderboard._rank_precision(leaderboard.score(r.kpis, (SELECT card::text FROM vcard WHERE name = 'A')::leaderboard.scorecard))) AS scored_with_a
FROM leaderboard.rolling('vb', 3, '2026-12-02') r;
-- whatever the session's DateStyle (SQL, YMD cannot read its own dates back)
SET DateStyle = 'SQL, YMD';
SELECT count(*) AS rolling_rows FROM leaderboard.rolling('vb', 3, '2026-12-04') r;
RESET DateStyle;

-- a card without effective_from is the card of every period: the later ones go
SELECT leaderboard.alter_board('vb', scorecard => (SELECT card FROM vcard WHERE name = 'B')) > 0 AS rescored;
DELETE FROM vschedule;
INSERT INTO vschedule VALUES ('B', NULL);
SELECT * FROM vcheck();
SELECT card_versions FROM leaderboard.boards WHERE name = 'vb';
SELECT count(*) FROM vb_explain WHERE card_from IS NOT NULL;

-- what an effective date cannot be
\set VERBOSITY default
SELECT leaderboard.alter_board('vb', effective_from => '2026-12-10');
SELECT leaderboard.alter_board('vb', scorecard => (SELECT card FROM vcard WHERE name = 'A'), effective_from => 'infinity');
SELECT leaderboard.alter_board('vb', scorecard => (SELECT card FROM vcard WHERE name = 'A'), effective_from => '-infinity');
-- a card for a period the board does not have, through effective_from too
SELECT leaderboard.alter_board('vb', scorecard => '{"year": {"metrics": [{"name": "conv", "stat": "rate", "weight": 1}]}}', effective_from => '2026-12-10');
SELECT card_versions FROM leaderboard.boards WHERE name = 'vb';
-- closed periods keep the scores they closed with
SELECT leaderboard.alter_board('vb', grace => '0 days');
SELECT leaderboard.close_periods('vb') > 0 AS closed;
\set VERBOSITY terse
SELECT leaderboard.alter_board('vb', scorecard => (SELECT card FROM vcard WHERE name = 'A'), effective_from => '2026-11-30');
\set VERBOSITY default
SELECT leaderboard.alter_board('vb', scorecard => (SELECT card FROM vcard WHERE name = 'A'),
                               effective_from => (SELECT max(value::date) FROM jsonb_each_text(
                                                    (SELECT closed_before FROM leaderboard.boards WHERE name = 'vb')))) >= 0 AS accepted;
-- what counts is the periods a card would score: on a month board closed through last
-- month, a card from the middle of last month scores this month on (accepted); from the
-- first of last month it would score that closed month (refused, from the 2nd on accepted)
CREATE TABLE vmonth (agent_id int, at timestamptz, converted boolean);
INSERT INTO vmonth SELECT 1 + i % 3, date_trunc('month', now()) - interval '40 days' + i * interval '1 hour', i % 2 = 0
FROM generate_series(1, 60) i;
SELECT leaderboard.create_board(name => 'vm', source => 'vmonth', agent => 'agent_id', at => 'at',
  metrics => ARRAY['converted'], periods => ARRAY['month'], time_zone => 'UTC', grace => '0',
  scorecard => '{"metrics": [{"name": "converted", "stat": "rate"}]}') IS NOT NULL AS created;
SELECT leaderboard.close_periods('vm') > 0 AS closed;
SELECT leaderboard.alter_board('vm', scorecard => '{"metrics": [{"name": "converted", "stat": "count"}], "scale": 1}',
  effective_from => (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '15 days')::date) >= 0 AS accepted;
DO $$
BEGIN
  PERFORM leaderboard.alter_board('vm', scorecard => '{"metrics": [{"name": "converted", "stat": "count"}], "scale": 1}',
    effective_from => (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month')::date);
EXCEPTION WHEN object_not_in_prerequisite_state THEN
  RAISE NOTICE 'refused (%)', SQLSTATE;
END $$;
SELECT leaderboard.alter_board('vm', scorecard => '{"metrics": [{"name": "converted", "stat": "count"}], "scale": 1}',
  effective_from => (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month' + interval '1 day')::date) >= 0 AS accepted;
SELECT count(*) AS differences FROM leaderboard.verify('vm');
SELECT leaderboard.drop_board('vm');
-- the same for quarters (whose length is not an interval unit): a card from inside the
-- last closed quarter scores the current quarter on
SELECT leaderboard.create_board(name => 'vq', source => 'vmonth', agent => 'agent_id', at => 'at',
  metrics => ARRAY['converted'], periods => ARRAY['quarter'], time_zone => 'UTC', grace => '0',
  scorecard => '{"metrics": [{"name": "converted", "stat": "rate"}]}') IS NOT NULL AS created;
INSERT INTO vmonth VALUES (1, date_trunc('quarter', now()) - interval '100 days', true);
SELECT leaderboard.close_periods('vq') > 0 AS closed;
SELECT leaderboard.alter_board('vq', scorecard => '{"metrics": [{"name": "converted", "stat": "count"}], "scale": 1}',
  effective_from => (date_trunc('quarter', now() AT TIME ZONE 'UTC') - interval '10 days')::date) >= 0 AS accepted;
DO $$
BEGIN
  PERFORM leaderboard.alter_board('vq', scorecard => '{"metrics": [{"name": "converted", "stat": "count"}], "scale": 1}',
    effective_from => (date_trunc('quarter', now() AT TIME ZONE 'UTC') - interval '3 months')::date);
EXCEPTION WHEN object_not_in_prerequisite_state THEN
  RAISE NOTICE 'refused (%)', SQLSTATE;
END $$;
SELECT count(*) AS differences FROM leaderboard.verify('vq');
SELECT leaderboard.drop_board('vq');
DROP TABLE vmonth;
-- a campaign's one period, all, starts before any date
CREATE TABLE vcamp_src (agent_id int, at timestamptz, converted boolean, aht int);
SELECT leaderboard.create_campaign(name => 'vcamp', source => 'vcamp_src', agent => 'agent_id', at => 'at',
  metrics => ARRAY['converted AS conv', 'aht'], scorecard => (SELECT card FROM vcard WHERE name = 'A'),
  starts => '2026-12-01 00:00+00', ends => '2026-12-31 00:00+00', time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.alter_board('vcamp', scorecard => (SELECT card FROM vcard WHERE name = 'B'), effective_from => '2026-12-10');

SELECT jsonb_array_length(card_versions) AS later_cards FROM leaderboard.boards WHERE name = 'vb';
\set VERBOSITY terse
-- The catalog writer takes only what alter_board makes: an array of {"from", "scorecards"}
-- by ascending date, each aligned to the board's metrics.
SELECT leaderboard._catalog_set_card_versions('vb', NULL);
SELECT leaderboard._catalog_set_card_versions('vb', '{}');
SELECT leaderboard._catalog_set_card_versions('vb', '[{"from": "2027-01-01"}]');
SELECT leaderboard._catalog_set_card_versions('vb', '[{"from": "next week", "scorecards": {}}]');
SELECT leaderboard._catalog_set_card_versions('vb', '[{"from": 20270101, "scorecards": {}}]');
SELECT leaderboard._catalog_set_card_versions('vb',
  jsonb_build_array(jsonb_build_object('from', '2027-02-01', 'scorecards', b.scorecards),
                    jsonb_build_object('from', '2027-01-01', 'scorecards', b.scorecards)))
FROM leaderboard.boards b WHERE b.name = 'vb';
SELECT leaderboard._catalog_set_card_versions('vb',
  jsonb_build_array(jsonb_build_object('from', '2027-01-01', 'scorecards', b.scorecards - 'day')))
FROM leaderboard.boards b WHERE b.name = 'vb';
SELECT leaderboard._catalog_set_card_versions('vb', '[{"from": "2027-01-01", "scorecards": {"day": "{}", "week": "{}", "month": "{}"}}]');
SELECT leaderboard._catalog_set_card_versions('nosuch', '[]');
\set VERBOSITY default
SELECT jsonb_array_length(card_versions) AS later_cards FROM leaderboard.boards WHERE name = 'vb';
-- and only for the board's owner
CREATE ROLE vcard_other;
SET ROLE vcard_other;
SELECT leaderboard._catalog_set_card_versions('vb', '[]');
RESET ROLE;
DROP ROLE vcard_other;

SELECT leaderboard.drop_board('vcamp');
SELECT leaderboard.drop_board('vb');

-- A row_number board orders ties by each tie_break metric's stat and direction in its
-- first card, whatever card scored the period: a later card may weigh the metric
-- differently, not order it otherwise.
CREATE TABLE tcalls (agent int, at timestamptz, v int, h int);
INSERT INTO tcalls VALUES (1, '2026-12-02 10:00+00', 1, 100), (2, '2026-12-02 10:00+00', 1, 200);
SELECT leaderboard.create_board(name => 'tb', source => 'tcalls', agent => 'agent', at => 'at', metrics => ARRAY['v', 'h'],
  scorecard => '{"metrics": [{"name": "v", "stat": "sum", "weight": 1, "target": 10},
                             {"name": "h", "stat": "avg", "weight": 0, "better": "lower", "range": [0, 1000]}]}',
  periods => ARRAY['day'], rank_style => 'row_number', tie_break => ARRAY['h'], time_zone => 'UTC') IS NOT NULL AS created;
\set VERBOSITY terse
SELECT leaderboard.alter_board('tb', scorecard => '{"metrics": [{"name": "v", "stat": "sum", "weight": 1, "target": 10},
  {"name": "h", "stat": "avg", "weight": 0, "better": "higher", "range": [0, 1000]}]}', effective_from => '2026-01-01');
SELECT leaderboard.alter_board('tb', scorecard => '{"metrics": [{"name": "v", "stat": "sum", "weight": 1, "target": 10},
  {"name": "h", "stat": "max", "weight": 0, "better": "lower", "range": [0, 1000]}]}', effective_from => '2026-01-01');
\set VERBOSITY default
SELECT leaderboard.alter_board('tb', scorecard => '{"metrics": [{"name": "v", "stat": "sum", "weight": 2, "target": 10},
  {"name": "h", "stat": "avg", "weight": 0, "better": "lower", "range": [0, 1000]}]}', effective_from => '2026-01-01') >= 0 AS accepted;
SELECT agent, rank, card_from FROM tb_explain ORDER BY rank;
SELECT count(*) AS differences FROM leaderboard.verify('tb');
-- a card new to the board may not take effect on a closed day, even through the writer
SELECT leaderboard.alter_board('tb', grace => '0 days');
SELECT leaderboard.close_periods('tb') > 0 AS closed;
\set VERBOSITY terse
SELECT leaderboard._catalog_set_card_versions('tb', b.card_versions || jsonb_build_array(
         jsonb_build_object('from', '2026-06-01', 'scorecards', b.scorecards)))
FROM leaderboard.boards b WHERE b.name = 'tb';
\set VERBOSITY default
-- the cards it has keep (they took effect before the close)
SELECT leaderboard._catalog_set_card_versions('tb', b.card_versions) FROM leaderboard.boards b WHERE b.name = 'tb';
SELECT leaderboard.drop_board('tb');
DROP TABLE tcalls;

-- A card without effective_from on a board with closed periods is the card of its open
-- periods: each kind's closed periods (days, weeks and months closed at different dates)
-- keep the card they closed with, and are explained with it.
CREATE TABLE kcalls (agent int NOT NULL, at timestamptz NOT NULL, conv boolean NOT NULL);
INSERT INTO kcalls SELECT 1 + i % 3, timestamptz '2026-10-01 10:00+00' + (i % 50) * interval '1 day', i % 4 = 0
FROM generate_series(1, 300) i;
INSERT INTO kcalls SELECT 1 + i % 3, now(), i % 2 = 0 FROM generate_series(1, 6) i;
CREATE TABLE kcard (name text, card jsonb);
INSERT INTO kcard VALUES
  ('A', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 1}, {"name": "calls", "stat": "count", "weight": 1, "target": 10}]}'),
  ('B', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 3}, {"name": "calls", "stat": "count", "weight": 1, "target": 10}]}'),
  ('C', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 0}, {"name": "calls", "stat": "count", "weight": 1, "target": 20}]}');
SELECT leaderboard.create_board(name => 'kb', source => 'kcalls', agent => 'agent', at => 'at',
  metrics => ARRAY['conv', '1 AS calls'], scorecard => (SELECT card FROM kcard WHERE name = 'A'),
  periods => ARRAY['day', 'week', 'month'], time_zone => 'UTC', grace => '0 days') IS NOT NULL AS created;
SELECT leaderboard.alter_board('kb', scorecard => (SELECT card FROM kcard WHERE name = 'B'), effective_from => '2026-10-15') > 0 AS rescored;
SELECT leaderboard.close_periods('kb') > 0 AS closed;
CREATE TEMP TABLE kb_closed AS SELECT period, period_start, agent, score FROM kb_standings s
WHERE period_start < (SELECT (closed_before ->> s.period)::date FROM leaderboard.boards WHERE name = 'kb');
SELECT leaderboard.alter_board('kb', scorecard => (SELECT card FROM kcard WHERE name = 'C')) > 0 AS rescored;
-- the cards each kind had, in order: closed periods keep A and B, open ones take C
SELECT v.period, string_agg(k.name, ',' ORDER BY v.effective_from NULLS FIRST) AS cards
FROM leaderboard.scorecard_versions v
JOIN kcard k ON (leaderboard._board_cards(k.card, ARRAY['day', 'week', 'month'], ARRAY['conv', 'calls']) ->> v.period)::jsonb = v.scorecard
WHERE v.board = 'kb' GROUP BY v.period ORDER BY v.period;
-- closed rows keep their scores; every row is explained with the card that scored it,
-- whose contributions add up to its score
SELECT count(*) AS closed_rows_rescored FROM kb_closed c JOIN kb_standings s USING (period, period_start, agent)
WHERE s.score <> c.score;
SELECT e.period, k.name AS card, bool_and(c.agent IS NOT NULL) AS closed,
       bool_and(abs((SELECT sum((m ->> 'contribution')::float8) FROM jsonb_array_elements(e.explanation -> 'metrics') m) - e.score) < 1e-9) AS adds_up,
       bool_and((SELECT (m ->> 'weight')::float8 FROM jsonb_array_elements(e.explanation -> 'metrics') m WHERE m ->> 'name' = 'conv')
                = (SELECT (m ->> 'weight')::float8 FROM jsonb_array_elements(k.card -> 'metrics') m WHERE m ->> 'name' = 'conv')) AS its_card
FROM kb_explain e
LEFT JOIN kb_closed c ON (c.period, c.period_start, c.agent) = (e.period, e.period_start, e.agent)
JOIN kcard k ON k.name = CASE WHEN e.card_from IS NULL THEN 'A' WHEN e.card_from = '2026-10-15' THEN 'B' ELSE 'C' END
GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS differences FROM leaderboard.verify('kb');
-- a campaign that has closed keeps its card
CREATE TABLE kcamp_src (agent int NOT NULL, at timestamptz NOT NULL, conv boolean NOT NULL);
INSERT INTO kcamp_src VALUES (1, '2026-10-02 10:00+00', true), (2, '2026-10-03 10:00+00', false);
SELECT leaderboard.create_campaign(name => 'kcamp', source => 'kcamp_src', agent => 'agent', at => 'at',
  metrics => ARRAY['conv', '1 AS calls'], scorecard => (SELECT card FROM kcard WHERE name = 'A'),
  starts => '2026-10-01 00:00+00', ends => '2026-10-08 00:00+00', time_zone => 'UTC', grace => '0 days') IS NOT NULL AS created;
SELECT leaderboard.close_periods('kcamp') > 0 AS closed;
\set VERBOSITY terse
SELECT leaderboard.alter_board('kcamp', scorecard => (SELECT card FROM kcard WHERE name = 'C'));
\set VERBOSITY default
SELECT leaderboard.drop_board('kcamp');
SELECT leaderboard.drop_board('kb');
DROP TABLE kcalls, kcard, kcamp_src;

-- the period all starts before any date: a card taking effect on a date scores the other
-- kinds' periods from then, never all's, and scorecard_versions lists none for it
CREATE TABLE av_calls (agent int NOT NULL, at timestamptz NOT NULL, won int NOT NULL);
INSERT INTO av_calls VALUES (1, '2024-05-01 10:00+00', 2), (2, '2024-05-02 10:00+00', 1);
SELECT leaderboard.create_board(name => 'av', source => 'av_calls', agent => 'agent', at => 'at', metrics => ARRAY['won'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 1}', periods => ARRAY['day', 'all'],
  time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.alter_board('av', scorecard => '{"metrics": [{"name": "won", "stat": "sum"}], "scale": 10}',
  effective_from => '2024-05-02') AS rescored;
SELECT period, effective_from, effective_to, scorecard ->> 'scale' AS scale
FROM leaderboard.scorecard_versions WHERE board = 'av' ORDER BY period, effective_from NULLS FIRST;
SELECT period, period_start, agent, score FROM av_standings ORDER BY period, period_start, agent;
SELECT leaderboard.drop_board('av');
DROP TABLE av_calls;
