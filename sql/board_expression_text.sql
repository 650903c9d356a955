-- The text of a board's expressions, and the names it is given, cannot change the
-- statements it generates. Metrics and filters are stored and spliced as PostgreSQL
-- deparses them once checked (no comment survives, literals are quoted canonically), and
-- no placeholder is filled inside a name or a literal. Each board below is written to by
-- INSERT, COPY, UPDATE and DELETE, on the direct path and through the statements
-- (direct_apply_max_groups = 0), rebuilt, altered and read through rolling(): verify()
-- stays empty and every metric counts what its expression says.
CREATE TABLE ecalls (call_id int PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  at timestamptz NOT NULL, handle_seconds int NOT NULL, note text);
-- notes that look like comments and like every placeholder of the generated statements
CREATE VIEW enotes (note) AS
  SELECT unnest(ARRAY['{{rows}}', '{{k}}', '--x', '{{skip}}', 'plain', '{{agg}}', NULL, '{{p}}']);
INSERT INTO ecalls
SELECT i, 1 + i % 7, 1 + i % 2, timestamptz '2026-03-01 08:00+00' + (i % 9) * interval '1 day' + (i % 5) * interval '1 hour',
       30 + i * 13 % 400, (SELECT array_agg(note) FROM enotes)[1 + i % 8]
FROM generate_series(1, 240) i;

-- Metrics ending in a comment, or reading literals that spell placeholders and comments;
-- a metric named like a placeholder; a points ladder whose tiers are named like them.
SELECT leaderboard.create_board(name => 'etext', source => 'ecalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle_seconds -- AS aht',
                   'handle_seconds /* seconds */ + 0 AS h2',
                   'CASE WHEN note = ''{{rows}}'' THEN 1 ELSE 0 END AS rows_note',
                   'CASE WHEN note = ''{{k}}'' THEN 1 END AS k_note',
                   '(note = ''--x'')::int AS dash_note',
                   'CASE WHEN note IN (''{{agg}}'', ''{{p}}'') THEN 1 ELSE 0 END AS "{{k}}"'],
  scorecard => '{"metrics": [{"name": "rows_note", "stat": "sum", "weight": 2}, {"name": "dash_note", "stat": "sum"},
                             {"name": "{{k}}", "stat": "sum"}, {"name": "aht", "stat": "avg", "weight": 0}], "scale": 1}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'],
  ladder => 'Low: 0, "{{k}}": 0.25, "{{skip}}": 0.5, "{{prev}}": 1, "{{groups}}": 2.5, "{{scopes}}": 3.5',
  time_zone => 'UTC') IS NOT NULL AS created;
-- Filters ending in a comment or reading placeholder literals; a rank ladder named like them.
SELECT leaderboard.create_board(name => 'efilter', source => 'ecalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['1 AS calls', 'handle_seconds AS aht'],
  scorecard => '{"metrics": [{"name": "calls", "stat": "count"}, {"name": "aht", "stat": "sum", "weight": 0}], "scale": 1}',
  periods => ARRAY['day', 'month'], filter => 'note IS DISTINCT FROM ''{{skip}}'' AND note IS DISTINCT FROM ''{{rows}}'' --',
  ladder => '"{{scopes}}": top 2, "t.tier": top 50%, "{{groups}}": top 100%', rank_style => 'dense_rank',
  time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.create_board(name => 'eagg', source => 'ecalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle_seconds AS aht'],
  scorecard => '{"metrics": [{"name": "aht", "stat": "max"}], "scale": 1}',
  periods => ARRAY['day', 'month'], filter => '(note = ''{{agg}}'') IS NOT TRUE AND note <> ''--x'' -- not the dashes',
  rank_style => 'row_number', tie_break => ARRAY['aht'], time_zone => 'UTC') IS NOT NULL AS created;

-- Names that spell placeholders or the aliases the statements use.
CREATE TABLE "odd{{t}}" ("{{t}}" int NOT NULL, "{{rows}}" timestamptz NOT NULL, "zone (n.g. n.1)" text,
  "{{k}}" int NOT NULL, id int PRIMARY KEY);
INSERT INTO "odd{{t}}"
SELECT 1 + i % 5, timestamptz '2026-03-01 08:00+00' + (i % 6) * interval '1 day', (ARRAY['a', 'b'])[1 + i % 2], i % 4, i
FROM generate_series(1, 60) i;
SELECT leaderboard.create_board(name => 'eodd', source => '"odd{{t}}"', agent => '{{t}}', at => '{{rows}}',
  metrics => ARRAY['"{{k}}" AS "{{skip}}"', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "{{skip}}", "stat": "sum"}, {"name": "calls", "stat": "count", "weight": 0}], "scale": 1}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['zone (n.g. n.1)'], rank_style => 'row_number',
  tie_break => ARRAY['calls'], ladder => '"{{p}}": 0, "{{k}}": 10', time_zone => 'UTC') IS NOT NULL AS created;

-- What the catalog keeps: the checked expressions as PostgreSQL prints them back.
SELECT b.name, m.o, m.e AS metric FROM leaderboard.boards b, unnest(b.metric_exprs) WITH ORDINALITY m(e, o) ORDER BY 1, 2;
SELECT name, filter FROM leaderboard.boards WHERE filter IS NOT NULL ORDER BY name;

-- Each metric counts what it says: its sums and counts over the month rows equal the same
-- expressions over the source rows its filter keeps.
CREATE VIEW emetrics AS
  SELECT 'etext' AS board, i, sum(leaderboard.kpi_sum(kpis, i)) AS stored_sum, sum(leaderboard.kpi_count(kpis, i)) AS stored_count
  FROM etext_standings, generate_series(1, 6) i WHERE period = 'month' GROUP BY i
  UNION ALL
  SELECT 'efilter', i, sum(leaderboard.kpi_sum(kpis, i)), sum(leaderboard.kpi_count(kpis, i))
  FROM efilter_standings, generate_series(1, 2) i WHERE period = 'month' GROUP BY i
  UNION ALL
  SELECT 'eagg', 1, max(leaderboard.kpi_max(kpis, 1)), sum(leaderboard.kpi_count(kpis, 1))
  FROM eagg_standings WHERE period = 'month'
  UNION ALL
  SELECT 'eodd', i, sum(leaderboard.kpi_sum(kpis, i)), sum(leaderboard.kpi_count(kpis, i))
  FROM eodd_standings, generate_series(1, 2) i WHERE period = 'month' GROUP BY i;
CREATE VIEW esource AS
  SELECT 'etext' AS board, x.i, x.s AS source_sum, x.c AS source_count
  FROM (SELECT sum(handle_seconds) s1, count(handle_seconds) c1,
               sum(CASE WHEN note = '{{rows}}' THEN 1 ELSE 0 END) s3, count(CASE WHEN note = '{{rows}}' THEN 1 ELSE 0 END) c3,
               sum(CASE WHEN note = '{{k}}' THEN 1 END) s4, count(CASE WHEN note = '{{k}}' THEN 1 END) c4,
               sum((note = '--x')::int) s5, count((note = '--x')::int) c5,
               sum(CASE WHEN note IN ('{{agg}}', '{{p}}') THEN 1 ELSE 0 END) s6, count(*) c6 FROM ecalls) a,
       LATERAL (VALUES (1, a.s1, a.c1), (2, a.s1, a.c1), (3, a.s3, a.c3), (4, a.s4, a.c4), (5, a.s5, a.c5), (6, a.s6, a.c6)) x(i, s, c)
  UNION ALL
  SELECT 'efilter', x.i, x.s, x.c
  FROM (SELECT count(*) n, sum(handle_seconds) h FROM ecalls
        WHERE note IS DISTINCT FROM '{{skip}}' AND note IS DISTINCT FROM '{{rows}}') a,
       LATERAL (VALUES (1, a.n, a.n), (2, a.h, a.n)) x(i, s, c)
  UNION ALL
  SELECT 'eagg', 1, max(handle_seconds), count(*) FROM ecalls WHERE (note = '{{agg}}') IS NOT TRUE AND note <> '--x'
  UNION ALL
  SELECT 'eodd', x.i, x.s, x.c
  FROM (SELECT sum("{{k}}") s, count(*) n FROM "odd{{t}}") a, LATERAL (VALUES (1, a.s, a.n), (2, a.n, a.n)) x(i, s, c);
CREATE VIEW echeck AS
  SELECT (SELECT count(*) FROM leaderboard.boards b, leaderboard.verify(b.name) v) AS differences,
         (SELECT count(*) FROM emetrics m FULL JOIN esource s USING (board, i)
          WHERE m.stored_sum IS DISTINCT FROM s.source_sum OR m.stored_count IS DISTINCT FROM s.source_count) AS miscounted,
         (SELECT count(*) FROM etext_standings) + (SELECT count(*) FROM efilter_standings)
         + (SELECT count(*) FROM eagg_standings) + (SELECT count(*) FROM eodd_standings) AS rows;
SELECT * FROM echeck;

-- Single rows: the direct apply.
INSERT INTO ecalls VALUES (1001, 3, 1, '2026-03-04 10:00+00', 77, '{{rows}}');
INSERT INTO ecalls VALUES (1002, 9, 2, '2026-03-20 10:00+00', 500, '--x');
UPDATE ecalls SET note = '{{skip}}', handle_seconds = 401 WHERE call_id = 5;
UPDATE ecalls SET note = '{{agg}}' WHERE call_id = 17;
DELETE FROM ecalls WHERE call_id = 8;
INSERT INTO "odd{{t}}" VALUES (2, '2026-03-02 11:00+00', 'b', 9, 1001);
UPDATE "odd{{t}}" SET "{{k}}" = 7 WHERE id = 3;
DELETE FROM "odd{{t}}" WHERE id = 4;
SELECT * FROM echeck;
COPY ecalls FROM STDIN;
1003	4	1	2026-03-05 09:00:00+00	61	{{k}}
1004	12	2	2026-03-06 09:00:00+00	62	{{skip}}
1005	4	1	2026-03-07 09:00:00+00	63	\N
\.
SELECT * FROM echeck;

-- The same through the statements.
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO ecalls SELECT 2000 + i, 1 + i % 11, 1 + i % 2, timestamptz '2026-03-10 08:00+00' + (i % 4) * interval '1 day',
  40 + i, (SELECT array_agg(note) FROM enotes)[1 + i % 8] FROM generate_series(1, 80) i;
UPDATE ecalls SET note = CASE WHEN note = '{{rows}}' THEN '{{skip}}' ELSE '{{rows}}' END, handle_seconds = handle_seconds + 1
WHERE call_id % 6 = 0;
UPDATE ecalls SET agent_id = agent_id + 1, at = at + interval '1 day' WHERE call_id % 10 = 3;
DELETE FROM ecalls WHERE call_id % 9 = 0;
COPY ecalls FROM STDIN;
3001	2	1	2026-03-11 09:00:00+00	81	{{p}}
3002	2	1	2026-03-11 10:00:00+00	82	--x
3003	5	2	2026-03-12 09:00:00+00	83	{{agg}}
\.
INSERT INTO "odd{{t}}" SELECT 1 + i % 6, timestamptz '2026-03-03 08:00+00' + (i % 3) * interval '1 day', (ARRAY['a', 'b', NULL])[1 + i % 3], i % 5, 2000 + i
FROM generate_series(1, 30) i;
UPDATE "odd{{t}}" SET "{{k}}" = "{{k}}" + 2 WHERE id % 3 = 0;
DELETE FROM "odd{{t}}" WHERE id % 7 = 0;
RESET leaderboard.direct_apply_max_groups;
SELECT * FROM echeck;

-- The ladders' tiers, named like placeholders, are the ones the scores and ranks reach.
CREATE VIEW etiers AS
  SELECT 'etext' AS board, s.period, s.tier, count(*) AS rows,
         count(*) FILTER (WHERE s.tier IS DISTINCT FROM leaderboard.tier(s.score, b.ladder)) AS wrong
  FROM etext_standings s, leaderboard.boards b WHERE b.name = 'etext' AND s.qualified GROUP BY 1, 2, 3
  UNION ALL
  SELECT 'efilter', period, tier, count(*), NULL FROM efilter_standings WHERE qualified GROUP BY 1, 2, 3
  UNION ALL
  SELECT 'eodd', s.period, s.tier, count(*),
         count(*) FILTER (WHERE s.tier IS DISTINCT FROM leaderboard.tier(s.score, b.ladder))
  FROM eodd_standings s, leaderboard.boards b WHERE b.name = 'eodd' AND s.qualified GROUP BY 1, 2, 3;
SELECT * FROM etiers ORDER BY 1, 2, 3;

-- rebuild, alter_board and rolling()
SELECT leaderboard.rebuild(b.name) > 0 AS rebuilt FROM leaderboard.boards b ORDER BY b.name;
SELECT * FROM echeck;
SELECT leaderboard.alter_board('etext', scorecard => '{"metrics": [{"name": "rows_note", "stat": "sum"}, {"name": "{{k}}", "stat": "sum", "weight": 3},
                                                                   {"name": "k_note", "stat": "sum"}], "scale": 1}') >= 0 AS altered;
SELECT leaderboard.alter_board('etext', ladder => 'Low: 0, "{{prev}}": 0.5, "{{k}}": 2') >= 0 AS altered;
SELECT leaderboard.alter_board('efilter', ladder => '"{{groups}}": top 1, "{{prev}}": top 100%') >= 0 AS altered;
SELECT leaderboard.alter_board('eodd', scorecard => '{"metrics": [{"name": "{{skip}}", "stat": "avg"}, {"name": "calls", "stat": "count"}], "scale": 1}') >= 0 AS altered;
SELECT * FROM echeck;
SELECT * FROM etiers ORDER BY 1, 2, 3;
SELECT (SELECT sum(leaderboard.kpi_sum(r.kpis, 6)) FROM leaderboard.rolling('etext', 31, '2026-03-31') r)
       = (SELECT sum(CASE WHEN note IN ('{{agg}}', '{{p}}') THEN 1 ELSE 0 END) FROM ecalls) AS rolling_counts;
SELECT (SELECT sum(leaderboard.rows(r.kpis)) FROM leaderboard.rolling('efilter', 31, '2026-03-31') r)
       = (SELECT count(*) FROM ecalls WHERE note IS DISTINCT FROM '{{skip}}' AND note IS DISTINCT FROM '{{rows}}') AS rolling_counts;
SELECT partition, agent, rank FROM leaderboard.rolling('eodd', 3, '2026-03-04') WHERE rank <= 2 ORDER BY 1, 3, 2;

-- What is not one expression is refused, not cut short.
\set SHOW_CONTEXT never
SELECT leaderboard.create_board(name => 'ebad', source => 'ecalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle_seconds ORDER BY 1 AS aht'], scorecard => '{"metrics": [{"name": "aht", "stat": "sum"}]}');
SELECT leaderboard.create_board(name => 'ebad', source => 'ecalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['handle_seconds LIMIT 0 AS aht'], scorecard => '{"metrics": [{"name": "aht", "stat": "sum"}]}');
SELECT leaderboard.create_board(name => 'ebad', source => 'ecalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['1 AS calls'], scorecard => '{"metrics": [{"name": "calls", "stat": "count"}]}',
  filter => 'note = ''x'' AS kept');
SELECT leaderboard.create_board(name => 'ebad', source => 'ecalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['1 AS calls'], scorecard => '{"metrics": [{"name": "calls", "stat": "count"}]}',
  filter => 'true; DELETE FROM ecalls');
\set SHOW_CONTEXT errors
SELECT count(*) AS boards FROM leaderboard.boards;

DROP VIEW echeck, emetrics, esource, etiers, enotes;
SELECT leaderboard.drop_board(b.name) FROM leaderboard.boards b ORDER BY b.name;
DROP TABLE ecalls, "odd{{t}}";

-- Nor can a writer's session settings change what the owner's expressions mean: an array
-- literal's NULL (array_nulls) and an xml value's binary encoding (xmlbinary) are read as
-- the owner's statements read them, whoever writes
CREATE TABLE xcalls (agent_id int NOT NULL, at timestamptz NOT NULL, b bytea NOT NULL DEFAULT '\x0102');
SELECT leaderboard.create_board(name => 'xset', source => 'xcalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY[$$cardinality(array_remove('{a,NULL}'::text[], NULL::text)) AS k$$,
                   $$length(xmlserialize(content xmlelement(name a, b) AS text)) AS x$$],
  scorecard => '{"metrics": [{"name": "k", "stat": "sum"}], "scale": 1}', periods => ARRAY['all'], time_zone => 'UTC') IS NOT NULL AS created;
SET array_nulls = off;
SET xmlbinary = hex;
INSERT INTO xcalls (agent_id, at) VALUES (1, '2026-10-05');
SET leaderboard.direct_apply_max_groups = 0;
INSERT INTO xcalls (agent_id, at) VALUES (2, '2026-10-05');
RESET leaderboard.direct_apply_max_groups;
RESET array_nulls;
RESET xmlbinary;
INSERT INTO xcalls (agent_id, at) VALUES (3, '2026-10-05');
SELECT agent_id, leaderboard.kpi_sum(kpis, 1) AS k, leaderboard.kpi_sum(kpis, 2) AS x FROM xset_standings ORDER BY 1;
SELECT count(*) AS differences FROM leaderboard.verify('xset');
SELECT leaderboard.drop_board('xset');
DROP TABLE xcalls;
