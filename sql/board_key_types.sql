-- Agent and partition columns of any type with default btree and hash operator classes:
-- uuid, numeric, boolean, inet, text. Every DML path (multi-row INSERT, COPY, UPDATE,
-- DELETE, a new scope) keeps each board equal to a from-scratch recomputation.
CREATE TABLE kt_calls (
  call_id bigserial PRIMARY KEY, agent_uuid uuid, agent_num numeric, agent_text text,
  team_uuid uuid, on_site boolean, site inet, at timestamptz NOT NULL, h int NOT NULL,
  conv boolean NOT NULL);
INSERT INTO kt_calls (agent_uuid, agent_num, agent_text, team_uuid, on_site, site, at, h, conv)
SELECT ('00000000-0000-0000-0000-' || lpad((i % 7)::text, 12, '0'))::uuid, (i % 7) / 2.0, 'agent ' || i % 7,
       ('10000000-0000-0000-0000-' || lpad((i % 2)::text, 12, '0'))::uuid, i % 3 = 0,
       ('10.0.' || i % 2 || '.1')::inet, timestamptz '2026-10-05 08:00+00' + (i % 3) * interval '1 day',
       100 + (i * 37) % 500, i % 3 = 0
FROM generate_series(1, 60) i;
SELECT leaderboard.create_board(name => 'kt_uuid', source => 'kt_calls', agent => 'agent_uuid', at => 'at',
  metrics => ARRAY['h', 'conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "h", "stat": "avg", "weight": 1, "better": "lower", "range": [100, 600]},
    {"name": "conv", "stat": "rate", "weight": 1}, {"name": "calls", "stat": "count", "weight": 1, "target": 20}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_uuid', 'on_site'], time_zone => 'UTC');
SELECT leaderboard.create_board(name => 'kt_num', source => 'kt_calls', agent => 'agent_num', at => 'at',
  metrics => ARRAY['h', 'conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "h", "stat": "avg", "weight": 1, "better": "lower", "range": [100, 600]},
    {"name": "conv", "stat": "rate", "weight": 1}, {"name": "calls", "stat": "count", "weight": 1, "target": 20}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['site'], time_zone => 'UTC');
SELECT leaderboard.create_board(name => 'kt_text', source => 'kt_calls', agent => 'agent_text', at => 'at',
  metrics => ARRAY['h', 'conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "h", "stat": "avg", "weight": 1, "better": "lower", "range": [100, 600]},
    {"name": "conv", "stat": "rate", "weight": 1}, {"name": "calls", "stat": "count", "weight": 1, "target": 20}]}',
  periods => ARRAY['week'], time_zone => 'UTC');

-- verify()'s differences per board, and the calls each board counts in its coarsest period
CREATE VIEW kt_check AS
SELECT (SELECT count(*) FROM leaderboard.verify('kt_uuid')) AS uuid_differences,
       (SELECT count(*) FROM leaderboard.verify('kt_num')) AS num_differences,
       (SELECT count(*) FROM leaderboard.verify('kt_text')) AS text_differences,
       (SELECT sum(leaderboard.rows(kpis)) FROM kt_uuid_standings WHERE period = 'month') AS uuid_calls,
       (SELECT sum(leaderboard.rows(kpis)) FROM kt_num_standings WHERE period = 'month') AS num_calls,
       (SELECT sum(leaderboard.rows(kpis)) FROM kt_text_standings) AS text_calls,
       (SELECT count(*) FROM kt_calls) AS source_calls;
SELECT * FROM kt_check;

-- one row: one agent in each scope (the incremental re-rank)
INSERT INTO kt_calls (agent_uuid, agent_num, agent_text, team_uuid, on_site, site, at, h, conv)
VALUES ('00000000-0000-0000-0000-000000000001', 0.5, 'agent 1', '10000000-0000-0000-0000-000000000001',
        true, '10.0.1.1', '2026-10-05 09:00+00', 150, true);
SELECT * FROM kt_check;
-- several rows, one of them opening new scopes (a new team, site and day)
INSERT INTO kt_calls (agent_uuid, agent_num, agent_text, team_uuid, on_site, site, at, h, conv)
VALUES ('00000000-0000-0000-0000-000000000002', 1, 'agent 2', '10000000-0000-0000-0000-000000000001',
        false, '10.0.1.1', '2026-10-06 09:00+00', 250, false),
       ('00000000-0000-0000-0000-000000000003', 1.5, 'agent 3', '10000000-0000-0000-0000-000000000009',
        NULL, '10.0.9.1', '2026-10-09 09:00+00', 350, true);
SELECT * FROM kt_check;
COPY kt_calls (agent_uuid, agent_num, agent_text, team_uuid, on_site, site, at, h, conv) FROM stdin;
00000000-0000-0000-0000-000000000004	2	agent 4	10000000-0000-0000-0000-000000000000	t	10.0.0.1	2026-10-05 10:00:00+00	200	t
00000000-0000-0000-0000-000000000005	2.5	agent 5	10000000-0000-0000-0000-000000000000	f	10.0.0.1	2026-10-07 10:00:00+00	450	f
\.
SELECT * FROM kt_check;
-- corrections: a metric, a move to another agent, to another partition
UPDATE kt_calls SET h = h + 1 WHERE call_id % 5 = 0;
UPDATE kt_calls SET agent_uuid = '00000000-0000-0000-0000-000000000006', agent_num = 3, agent_text = 'agent 6'
WHERE call_id % 7 = 1;
UPDATE kt_calls SET team_uuid = '10000000-0000-0000-0000-000000000001', on_site = NOT on_site, site = '10.0.1.1'
WHERE call_id % 11 = 2;
SELECT * FROM kt_check;
DELETE FROM kt_calls WHERE call_id % 6 = 0;
SELECT * FROM kt_check;
DELETE FROM kt_calls WHERE call_id = 61;
SELECT * FROM kt_check;

-- the triggers name a scope with the same text as create_board and rebuild() do, for
-- partition values whose cast to text differs from their output (boolean 'true', inet
-- '10.0.1.1/32', char(n) without its padding, quotes and backslashes): a new call in an
-- existing scope finds its scope row, and no scope exists twice
CREATE TABLE kt_odd (agent int NOT NULL, at timestamptz NOT NULL, flag boolean, site inet,
  code char(4), label text, h int NOT NULL);
INSERT INTO kt_odd VALUES (1, '2026-10-05 08:00+00', true, '10.0.1.1', 'ab', $$it's a\b$$, 100),
                          (2, '2026-10-05 08:00+00', NULL, NULL, NULL, NULL, 200);
SELECT leaderboard.create_board(name => 'kt_odd', source => 'kt_odd', agent => 'agent', at => 'at',
  metrics => ARRAY['h'], scorecard => '{"metrics": [{"name": "h", "stat": "sum"}]}',
  periods => ARRAY['day', 'all'], partition_by => ARRAY['flag', 'site', 'code', 'label'], time_zone => 'UTC');
INSERT INTO kt_odd VALUES (3, '2026-10-05 09:00+00', true, '10.0.1.1', 'ab', $$it's a\b$$, 300),
                          (4, '2026-10-05 09:00+00', NULL, NULL, NULL, NULL, 400);
INSERT INTO kt_odd VALUES (5, '2026-10-05 10:00+00', true, '10.0.1.1', 'ab', $$it's a\b$$, 500);
SELECT scope_key, (SELECT count(*) FROM kt_odd_standings s WHERE s.scope_id = sc.scope_id) AS agents
FROM kt_odd_scopes sc ORDER BY scope_key;
SELECT count(*) AS differences FROM leaderboard.verify('kt_odd');
SELECT leaderboard.drop_board('kt_odd');
DROP TABLE kt_odd;

DROP VIEW kt_check;
SELECT leaderboard.drop_board('kt_uuid'), leaderboard.drop_board('kt_num'), leaderboard.drop_board('kt_text');
DROP TABLE kt_calls;

-- a type PostgreSQL has no = for, though it has default operator classes (a domain over an
-- enum: its values compare only once cast to the enum), is refused with a clear error
CREATE TYPE kt_team AS ENUM ('red', 'blue');
CREATE DOMAIN kt_team_d AS kt_team;
CREATE TABLE kt_dom (agent int NOT NULL, at timestamptz NOT NULL, team kt_team_d, h int NOT NULL);
\set SHOW_CONTEXT never
SELECT leaderboard.create_board(name => 'kt_dom', source => 'kt_dom', agent => 'agent', at => 'at',
  metrics => ARRAY['h'], scorecard => '{"metrics": [{"name": "h", "stat": "sum"}]}',
  periods => ARRAY['day'], partition_by => ARRAY['team'], time_zone => 'UTC');
\set SHOW_CONTEXT errors
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS boards FROM leaderboard.boards WHERE name = 'kt_dom';
DROP TABLE kt_dom;
DROP DOMAIN kt_team_d;
DROP TYPE kt_team;

-- array-typed agent and partition columns: every DML path, and writers of one scope that
-- the statements re-rank one agent at a time (an agent {1,2} is one agent, not two)
CREATE TABLE kt_arr (id serial PRIMARY KEY, agent int[], team text[], at timestamptz NOT NULL,
                     n int NOT NULL);
SELECT leaderboard.create_board(name => 'kt_arr', source => 'kt_arr', agent => 'agent', at => 'at',
  metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}',
  periods => ARRAY['day', 'all'], partition_by => ARRAY['team'], time_zone => 'UTC');
INSERT INTO kt_arr (agent, team, at, n) VALUES ('{1,2}', '{x}', '2026-10-05 09:00+00', 3);
INSERT INTO kt_arr (agent, team, at, n) VALUES ('{1,2}', '{x}', '2026-10-05 09:00+00', 4),
  ('{3}', '{x}', '2026-10-05 09:00+00', 5), ('{1}', '{y}', '2026-10-05 09:00+00', 1),
  ('{2,1}', '{x,y}', '2026-10-05 09:00+00', 2);
BEGIN;
INSERT INTO kt_arr (agent, team, at, n) VALUES ('{4}', '{x}', '2026-10-05 10:00+00', 9);
INSERT INTO kt_arr (agent, team, at, n) VALUES ('{4}', '{x}', '2026-10-05 10:00+00', 1);
COMMIT;
UPDATE kt_arr SET n = n + 1 WHERE agent = '{1,2}';
UPDATE kt_arr SET agent = '{9}' WHERE agent = '{3}';
DELETE FROM kt_arr WHERE agent = '{1}';
COPY kt_arr (agent, team, at, n) FROM stdin;
{5,5}	{z}	2026-10-05 11:00+00	2
{5,5}	\N	2026-10-05 11:00+00	6
\.
SELECT period, team, agent, leaderboard.rows(kpis) AS calls, score, rank
FROM kt_arr_standings ORDER BY period, team, rank, agent;
SELECT count(*) AS differences FROM leaderboard.verify('kt_arr');
SELECT leaderboard.drop_board('kt_arr');
DROP TABLE kt_arr;

-- a nondeterministic collation makes values of other bytes equal (Bob, bob), which a board
-- would count apart while GROUP BY and verify() count them as one: refused, also through a
-- domain; a generated column with a deterministic collation can stand in
CREATE COLLATION kt_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE DOMAIN kt_ci_text AS text COLLATE kt_ci;
CREATE TABLE kt_coll (agent text COLLATE kt_ci NOT NULL, team kt_ci_text, at timestamptz NOT NULL,
                      n int NOT NULL, agent_key text COLLATE "C" GENERATED ALWAYS AS (lower(agent)) STORED);
\set SHOW_CONTEXT never
SELECT leaderboard.create_board(name => 'kt_coll', source => 'kt_coll', agent => 'agent', at => 'at',
  metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}', periods => ARRAY['day']);
\echo :LAST_ERROR_SQLSTATE
SELECT leaderboard.create_board(name => 'kt_coll', source => 'kt_coll', agent => 'agent_key', at => 'at',
  metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}', periods => ARRAY['day'],
  partition_by => ARRAY['team']);
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
SELECT leaderboard.create_board(name => 'kt_coll', source => 'kt_coll', agent => 'agent_key', at => 'at',
  metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}', periods => ARRAY['day'],
  time_zone => 'UTC');
INSERT INTO kt_coll (agent, team, at, n) VALUES ('Bob', 'A', '2026-10-05 09:00+00', 1), ('bob', 'a', '2026-10-05 09:00+00', 2),
  ('BOB', 'A', '2026-10-05 10:00+00', 4), ('Ann', 'a', '2026-10-05 10:00+00', 8);
SELECT agent_key, leaderboard.kpi_sum(kpis, 1) AS n FROM kt_coll_standings ORDER BY 1;
SELECT count(*) AS differences FROM leaderboard.verify('kt_coll');
SELECT leaderboard.drop_board('kt_coll');
DROP TABLE kt_coll;
DROP DOMAIN kt_ci_text;
DROP COLLATION kt_ci;

-- a scope is named by its partition values' text: a type whose equal values can have other
-- text forms (numeric 1.0 and 1.00, float8 0 and -0, interval '1 day' and '24:00:00', jsonb
-- numbers, citext 'North' and 'north': every type whose btree operator class does not say
-- equal values are identical), itself or in a domain, array, range or composite, is
-- refused as a partition column (it split one value's calls over scopes); as the agent
-- it is fine
CREATE EXTENSION citext;
CREATE TYPE kt_pair AS (a int, b numeric);
CREATE DOMAIN kt_nums AS numeric[];
CREATE DOMAIN kt_teams AS citext[];
-- a nondeterministic collation inside a composite or a range makes 'North' and 'north'
-- equal there too; and bpchar's blanks, which its own text form drops, stay in an array's
CREATE COLLATION kt_nd (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TYPE kt_ndpair AS (name text COLLATE kt_nd, n int);
CREATE TYPE kt_ndrange AS RANGE (subtype = text, collation = kt_nd);
CREATE TABLE kt_forms (agent numeric NOT NULL, at timestamptz NOT NULL, n int NOT NULL, num numeric,
  f8 float8, iv interval, js jsonb, cash money, pair kt_pair, nums kt_nums, nr nummultirange, ok int[], okr int4range,
  ci citext, cis kt_teams, ndpair kt_ndpair, ndrange kt_ndrange, tags bpchar[],
  num_key text GENERATED ALWAYS AS (trim_scale(num)::text) STORED);
\set SHOW_CONTEXT never
SELECT leaderboard.create_board(name => 'kt_forms', source => 'kt_forms', agent => 'agent', at => 'at',
  metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}', periods => ARRAY['day'],
  partition_by => ARRAY[c]) FROM unnest(ARRAY['num', 'f8', 'iv', 'js', 'pair', 'nums', 'nr']) c;
\echo :LAST_ERROR_SQLSTATE
DO $$
DECLARE
  c text;
BEGIN
  FOREACH c IN ARRAY ARRAY['num', 'f8', 'iv', 'js', 'cash', 'pair', 'nums', 'nr', 'ci', 'cis', 'ndpair', 'ndrange', 'tags'] LOOP
    BEGIN
      PERFORM leaderboard.create_board(name => 'kt_forms', source => 'kt_forms', agent => 'agent', at => 'at',
        metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}', periods => ARRAY['day'],
        partition_by => ARRAY[c]);
      RAISE NOTICE 'partition column %: created', c;
    EXCEPTION WHEN feature_not_supported THEN
      RAISE NOTICE 'partition column %: %', c, SQLERRM;
    END;
  END LOOP;
END $$;
\set SHOW_CONTEXT errors
SELECT leaderboard.create_board(name => 'kt_forms', source => 'kt_forms', agent => 'agent', at => 'at',
  metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}', periods => ARRAY['day'],
  partition_by => ARRAY['num_key', 'ok', 'okr'], time_zone => 'UTC');
INSERT INTO kt_forms (agent, at, n, num, ok, okr) VALUES (1.0, '2026-10-05 09:00+00', 1, 1.0, '{1}', '[1,3)'),
  (1.00, '2026-10-05 09:00+00', 2, 1.00, '{1}', '[1,2]'), (1, '2026-10-05 09:00+00', 4, 1, '{1}', '[1,3)');
SELECT scope_key, agent, leaderboard.kpi_sum(kpis, 1) AS n FROM kt_forms_standings JOIN kt_forms_scopes USING (scope_id);
SELECT count(*) AS differences FROM leaderboard.verify('kt_forms');
SELECT leaderboard.drop_board('kt_forms');
DROP TABLE kt_forms;
DROP DOMAIN kt_nums;
DROP DOMAIN kt_teams;
DROP TYPE kt_pair;
DROP TYPE kt_ndpair;
DROP TYPE kt_ndrange;
DROP COLLATION kt_nd;
-- which base types are so, by their btree operator class
SELECT t AS type, leaderboard._equal_means_identical(t) AS equal_means_identical
FROM unnest(ARRAY['int4', 'text', 'uuid', 'date', 'timestamptz', 'bool', 'bytea', 'money', 'numeric',
  'float8', 'interval', 'jsonb', 'citext', 'point']::regtype[]) t;
-- an oid of no type says nothing
SELECT leaderboard._equal_means_identical(0::regtype) AS no_type, leaderboard._equal_means_identical(123456789::regtype) AS unknown_oid;
-- a citext agent is one agent whatever its case, as its equality says
CREATE TABLE kt_ci (agent citext NOT NULL, at timestamptz NOT NULL, n int NOT NULL);
INSERT INTO kt_ci VALUES ('Ann', '2026-10-05 09:00+00', 1), ('ann', '2026-10-05 10:00+00', 2), ('Bob', '2026-10-05 09:00+00', 4);
SELECT leaderboard.create_board(name => 'kt_ci', source => 'kt_ci', agent => 'agent', at => 'at',
  metrics => ARRAY['n'], scorecard => '{"metrics": [{"name": "n", "stat": "sum"}]}', periods => ARRAY['day'],
  time_zone => 'UTC') IS NOT NULL AS created;
INSERT INTO kt_ci VALUES ('ANN', '2026-10-05 11:00+00', 8);
SELECT lower(agent::text) AS agent, leaderboard.kpi_sum(kpis, 1) AS n, rank FROM kt_ci_standings ORDER BY 1;
SELECT count(*) AS differences FROM leaderboard.verify('kt_ci');
SELECT leaderboard.drop_board('kt_ci');
DROP TABLE kt_ci;
DROP EXTENSION citext;

-- a metric of a domain type is read as the domain's base type, through domains over
-- domains, as kpi_agg reads it; a domain over a type kpi_agg does not take is refused
CREATE DOMAIN kt_secs AS int CHECK (VALUE >= 0);
CREATE DOMAIN kt_secs2 AS kt_secs;
CREATE DOMAIN kt_word AS text;
CREATE TABLE kt_dommetric (agent int NOT NULL, at timestamptz NOT NULL, h kt_secs, hh kt_secs2, w kt_word);
SELECT leaderboard.create_board(name => 'kt_dommetric', source => 'kt_dommetric', agent => 'agent', at => 'at',
  metrics => ARRAY['h', 'hh'], periods => ARRAY['day'], time_zone => 'UTC',
  scorecard => '{"metrics": [{"name": "h", "stat": "sum"}, {"name": "hh", "stat": "avg"}]}') IS NOT NULL AS created;
INSERT INTO kt_dommetric VALUES (1, '2026-10-05 09:00+00', 5, 7), (2, '2026-10-05 09:00+00', 3, 1);
UPDATE kt_dommetric SET h = h + 1;
DELETE FROM kt_dommetric WHERE agent = 2;
SELECT agent, leaderboard.kpi_sum(kpis, 1) AS h, leaderboard.kpi_avg(kpis, 2) AS hh FROM kt_dommetric_standings;
SELECT count(*) AS differences FROM leaderboard.verify('kt_dommetric');
\set SHOW_CONTEXT never
SELECT leaderboard.create_board(name => 'kt_dommetric_w', source => 'kt_dommetric', agent => 'agent', at => 'at',
  metrics => ARRAY['w'], periods => ARRAY['day'], scorecard => '{"metrics": [{"name": "w", "stat": "count"}]}');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
SELECT leaderboard.drop_board('kt_dommetric');
DROP TABLE kt_dommetric;
DROP DOMAIN kt_secs2;
DROP DOMAIN kt_secs;
DROP DOMAIN kt_word;

-- a time column of a domain over timestamptz, timestamp or date reads as its base type:
-- cut into periods in the board's zone (the fold, the recomputations, a campaign window)
CREATE DOMAIN kt_when AS timestamptz NOT NULL;
CREATE DOMAIN kt_day AS date CHECK (VALUE > '2000-01-01');
CREATE TABLE kt_domtime (id serial, agent int NOT NULL, at kt_when, ok boolean NOT NULL);
CREATE TABLE kt_domday (id serial, agent int NOT NULL, at kt_day, ok boolean NOT NULL);
INSERT INTO kt_domtime (agent, at, ok)
SELECT g % 7, '2026-05-01 23:30+00'::timestamptz + g * interval '17 minutes', g % 3 = 0 FROM generate_series(1, 300) g;
INSERT INTO kt_domday (agent, at, ok) SELECT g % 7, '2026-05-01'::date + g % 40, g % 3 = 0 FROM generate_series(1, 300) g;
SELECT leaderboard.create_board(name => t, source => t::regclass, agent => 'agent', at => 'at', metrics => ARRAY['ok'],
  scorecard => '{"metrics": [{"name": "ok", "stat": "rate"}]}', periods => ARRAY['day', 'week', 'month'],
  time_zone => 'America/New_York') AS standings
FROM unnest(ARRAY['kt_domtime', 'kt_domday']) t;
SELECT leaderboard.create_campaign(name => 'kt_domtime_c', source => 'kt_domtime', agent => 'agent', at => 'at',
  metrics => ARRAY['ok'], scorecard => '{"metrics": [{"name": "ok", "stat": "rate"}]}',
  starts => '2026-05-02', ends => '2026-05-05', time_zone => 'UTC') AS campaign;
INSERT INTO kt_domtime (agent, at, ok)
SELECT g % 9, '2026-05-03 03:30+00'::timestamptz + g * interval '7 minutes', g % 2 = 0 FROM generate_series(1, 100) g;
INSERT INTO kt_domday (agent, at, ok) SELECT g % 9, '2026-05-03'::date + g % 20, g % 2 = 0 FROM generate_series(1, 100) g;
UPDATE kt_domtime SET at = at + interval '13 hours' WHERE id % 5 = 0;
UPDATE kt_domday SET at = at + 3 WHERE id % 5 = 0;
DELETE FROM kt_domtime WHERE id % 11 = 0;
DELETE FROM kt_domday WHERE id % 11 = 0;
SELECT b, (SELECT count(*) FROM leaderboard.verify(b)) AS differences
FROM unnest(ARRAY['kt_domtime', 'kt_domday', 'kt_domtime_c']) b;
-- the New York days of the calls, counted from the table
SELECT (SELECT count(*) FROM kt_domtime_standings WHERE period = 'day') AS day_rows,
       (SELECT count(DISTINCT (agent, (at AT TIME ZONE 'America/New_York')::date)) FROM kt_domtime) AS expected_day_rows;
SELECT leaderboard.drop_board(b) FROM unnest(ARRAY['kt_domtime_c', 'kt_domtime', 'kt_domday']) b;
DROP TABLE kt_domtime, kt_domday;
DROP DOMAIN kt_when;
DROP DOMAIN kt_day;
