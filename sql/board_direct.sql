-- Single-row writers: a transaction touching one agent per scope is applied at commit by
-- index lookups and single-row writes instead of SQL statements. The stream below mixes
-- such transactions (new agents, new scopes, qualification gained and lost, tied scores,
-- a lower-is-better metric, a tier ladder with hold, a card per period kind) with ones
-- that take the SQL path (two agents in a scope, a correction), and checks the
-- standings against a from-scratch recomputation after each part.
CREATE TABLE dcalls (call_id serial PRIMARY KEY, agent_id int NOT NULL, team_id int,
  at timestamptz NOT NULL, handle int NOT NULL, won boolean NOT NULL);
CREATE TABLE dcards (period text PRIMARY KEY, card text NOT NULL);
INSERT INTO dcards VALUES
  ('day', '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}, {"name": "handle", "stat": "avg", "better": "lower", "range": [0, 600], "weight": 1}], "scale": 10, "min_rows": 2}'),
  ('month', '{"metrics": [{"name": "won", "stat": "rate", "weight": 3}, {"name": "handle", "stat": "avg", "better": "lower", "range": [0, 600], "weight": 1}], "scale": 100, "min_rows": 3}');
SELECT leaderboard.create_board(name => 'direct', source => 'dcalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won', 'handle'], periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'],
  scorecard => (SELECT jsonb_object_agg(period, card::jsonb) FROM dcards),
  ladder => 'Bronze: 0, Silver: 40, Gold: 70; hold 5', time_zone => 'UTC') IS NOT NULL AS created;

-- the standings recomputed from the calls; tiers with hold depend on the path taken, so
-- they are checked against bounds: at least the tier of the score, at most that of score + 5
CREATE VIEW direct_expected AS
  SELECT g.period, g.period_start, g.team_id, g.agent_id, g.calls, round(g.score::numeric, 9) AS score,
         g.qualified,
         CASE WHEN g.qualified THEN rank() OVER (PARTITION BY g.period, g.period_start, g.team_id, g.qualified
                                                 ORDER BY g.score DESC) END AS rank
  FROM (SELECT k.*, leaderboard.score(k.kpis, k.card) AS score, leaderboard.qualified(k.kpis, k.card) AS qualified
        FROM (SELECT p.period, date_trunc(p.period, c.at AT TIME ZONE 'UTC')::date AS period_start, c.team_id,
                     c.agent_id, count(*) AS calls, leaderboard.kpi_agg(c.won, c.handle) AS kpis,
                     min(d.card)::leaderboard.scorecard AS card
              FROM dcalls c CROSS JOIN unnest(ARRAY['day', 'month']) AS p(period)
              JOIN dcards d ON d.period = p.period
              GROUP BY 1, 2, 3, 4) k) g;
CREATE VIEW direct_stored AS
  SELECT period, period_start, team_id, agent_id, leaderboard.rows(kpis) AS calls,
         round(score::numeric, 9) AS score, qualified, rank
  FROM direct_standings;
CREATE VIEW direct_check AS
  SELECT (SELECT count(*) FROM leaderboard.verify('direct')) AS differences,
         (SELECT count(*) FROM (TABLE direct_stored EXCEPT ALL TABLE direct_expected) x) AS unexpected,
         (SELECT count(*) FROM (TABLE direct_expected EXCEPT ALL TABLE direct_stored) x) AS missing,
         (SELECT count(*) FROM direct_standings s
          WHERE s.tier IS DISTINCT FROM CASE WHEN s.qualified THEN s.tier END
             OR (s.qualified AND NOT coalesce(leaderboard.tier_level(s.score, 'Bronze: 0, Silver: 40, Gold: 70')
                   <= leaderboard.tier_level(s.tier, 'Bronze: 0, Silver: 40, Gold: 70')
                 AND leaderboard.tier_level(s.tier, 'Bronze: 0, Silver: 40, Gold: 70')
                   <= leaderboard.tier_level(s.score + 5, 'Bronze: 0, Silver: 40, Gold: 70'), false))) AS tiers_out_of_bounds;

-- 300 one-row transactions: 12 agents in 2 teams (and a NULL team) over three days of
-- two months; handle times of 100, 200 or 300 s make many tied scores
SELECT format('INSERT INTO dcalls (agent_id, team_id, at, handle, won) VALUES (%s, %L, %L, %s, %L)',
              1 + (i * 7) % 12, CASE WHEN i % 13 = 0 THEN NULL ELSE 1 + (i * 5) % 2 END,
              timestamptz '2026-01-30 09:00+00' + ((i * 11) % 3) * interval '1 day' + (i % 7) * interval '1 hour',
              100 * (1 + (i * 13 + i / 5) % 3), (i * 3) % 5 < 2)
FROM generate_series(1, 300) i ORDER BY i \gexec
SELECT * FROM direct_check;
SELECT count(*) > 0 AS some_unqualified, count(*) FILTER (WHERE qualified) > 0 AS some_qualified,
       count(*) > count(DISTINCT (scope_id, rank)) AS some_ties
FROM direct_standings;

-- the path a transaction takes shows in the NOTICE of its commit-time apply: a
-- call of an agent already in its day and month scopes is applied directly; calls of two
-- agents in one scope by statements
SELECT agent_id, team_id, period_start FROM direct_standings
WHERE period = 'day' AND agent_id IN (4, 10) AND team_id = 2 AND period_start = '2026-01-30'
ORDER BY agent_id;
SET leaderboard.report_apply = on;
INSERT INTO dcalls (agent_id, team_id, at, handle, won) VALUES (4, 2, '2026-01-30 09:30+00', 200, true);
INSERT INTO dcalls (agent_id, team_id, at, handle, won) VALUES (4, 2, '2026-01-30 09:40+00', 200, true),
  (10, 2, '2026-01-30 09:40+00', 100, false);
RESET leaderboard.report_apply;
SELECT * FROM direct_check;

-- one agent's two statements in one transaction (deltas merged), one rolled back to a
-- savepoint, and a transaction of two agents in one scope
BEGIN;
INSERT INTO dcalls (agent_id, team_id, at, handle, won) VALUES (3, 1, '2026-01-30 10:00+00', 100, true);
SAVEPOINT s;
INSERT INTO dcalls (agent_id, team_id, at, handle, won) VALUES (3, 1, '2026-01-30 11:00+00', 600, false);
ROLLBACK TO SAVEPOINT s;
INSERT INTO dcalls (agent_id, team_id, at, handle, won) VALUES (3, 1, '2026-01-30 12:00+00', 100, true);
COMMIT;
INSERT INTO dcalls (agent_id, team_id, at, handle, won) VALUES (4, 2, '2026-01-31 10:00+00', 100, true),
  (5, 2, '2026-01-31 10:00+00', 300, false);
SELECT * FROM direct_check;

-- losing qualification: a correction (SQL path) leaves agent 6 one call on 2026-01-31,
-- then single-row writers qualify the agent again
DELETE FROM dcalls WHERE call_id IN (SELECT call_id FROM dcalls WHERE agent_id = 6 AND at::date = '2026-01-31' ORDER BY call_id OFFSET 1);
SELECT * FROM direct_check;
INSERT INTO dcalls (agent_id, team_id, at, handle, won) VALUES (6, 1, '2026-01-31 13:00+00', 100, true);
INSERT INTO dcalls (agent_id, team_id, at, handle, won) VALUES (6, 2, '2026-01-31 13:00+00', 100, true);
SELECT * FROM direct_check;

-- a REPEATABLE READ writer is applied the same way
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO dcalls (agent_id, team_id, at, handle, won) VALUES (7, 1, '2026-02-01 10:00+00', 200, true);
COMMIT;
SELECT * FROM direct_check;

DROP VIEW direct_check, direct_stored, direct_expected;
SELECT leaderboard.drop_board('direct');
DROP TABLE dcalls, dcards;
