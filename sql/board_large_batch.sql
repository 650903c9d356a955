-- Large batches (over 1000 captured groups: COPY, bulk INSERT ... SELECT) are applied by
-- set-based statements: rows of the scopes the batch creates are inserted already
-- ranked (by C for rank() boards with no rank ladder, by a statement otherwise; scopes
-- with corrections in the batch go the way of existing ones), existing scopes get their
-- deltas added and are re-ranked in full (the NOTICEs of leaderboard.report_apply say which). Two boards
-- over one source (rank() with a points ladder; dense_rank() with a rank ladder) are
-- compared with a from-scratch recomputation after each batch: new scopes only, new and
-- existing scopes mixed, a new scope with deletes in the same transaction, and a batch
-- applied early (SET CONSTRAINTS) then added to before commit.
CREATE TABLE bcalls (call_id serial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  at timestamptz NOT NULL, won int NOT NULL, handle int NOT NULL);
SELECT leaderboard.create_board(name => 'big', source => 'bcalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won', 'handle'], periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 2}, {"name": "handle", "stat": "avg", "better": "lower", "range": [0, 900], "weight": 1}], "scale": 10, "min_rows": 3}',
  ladder => 'Bronze: 0, Silver: 15, Gold: 30', time_zone => 'UTC') IS NOT NULL AS created;
SELECT leaderboard.create_board(name => 'bigd', source => 'bcalls', agent => 'agent_id', at => 'at',
  metrics => ARRAY['won', 'handle'], periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'],
  scorecard => '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}, {"name": "handle", "stat": "count", "weight": 0}], "scale": 1, "min_rows": 2}',
  ladder => 'Gold: top 3, Silver: top 50%, Bronze: top 100%', rank_style => 'dense_rank', time_zone => 'UTC') IS NOT NULL AS created;

CREATE TABLE bcards (board text PRIMARY KEY, card leaderboard.scorecard, ladder leaderboard.ladder);
INSERT INTO bcards SELECT 'big', '{"metrics": [{"name": "won", "stat": "sum", "weight": 2}, {"name": "handle", "stat": "avg", "better": "lower", "range": [0, 900], "weight": 1}], "scale": 10, "min_rows": 3}', 'Bronze: 0, Silver: 15, Gold: 30';
INSERT INTO bcards SELECT 'bigd', '{"metrics": [{"name": "won", "stat": "sum", "weight": 1}, {"name": "handle", "stat": "count", "weight": 0}], "scale": 1, "min_rows": 2}', 'Gold: top 3, Silver: top 50%, Bronze: top 100%';
-- both boards from scratch: scores from kpi_agg over the calls at the 12 significant
-- digits boards store, rank() / dense_rank() over the qualified rows of each scope, tiers
-- from the ladder
CREATE VIEW big_expected AS
  SELECT e.board, e.period, e.period_start, e.team_id, e.agent_id, e.calls, round(e.score::numeric, 9) AS score, e.qualified,
         e.rank,
         CASE WHEN NOT e.qualified THEN NULL
              WHEN e.board = 'big' THEN leaderboard.tier(e.score, c.ladder)
              ELSE leaderboard.tier_by_rank(e.rank, count(*) FILTER (WHERE e.qualified) OVER (PARTITION BY e.board, e.period, e.period_start, e.team_id), c.ladder) END AS tier
  FROM (SELECT g.*, CASE WHEN g.qualified THEN
                      CASE g.board WHEN 'big' THEN rank() OVER w ELSE dense_rank() OVER w END END AS rank
        FROM (SELECT k.*, leaderboard._rank_precision(leaderboard.score(k.kpis, c.card)) AS score, leaderboard.qualified(k.kpis, c.card) AS qualified
              FROM (SELECT b.board, p.period, date_trunc(p.period, x.at AT TIME ZONE 'UTC')::date AS period_start,
                           x.team_id, x.agent_id, count(*) AS calls, leaderboard.kpi_agg(x.won, x.handle) AS kpis
                    FROM bcalls x
                    CROSS JOIN (VALUES ('big'), ('bigd')) b(board)
                    CROSS JOIN unnest(ARRAY['day', 'week', 'month']) p(period)
                    WHERE b.board = 'big' OR p.period <> 'week'
                    GROUP BY 1, 2, 3, 4, 5) k
              JOIN bcards c ON c.board = k.board) g
        WINDOW w AS (PARTITION BY g.board, g.period, g.period_start, g.team_id, g.qualified ORDER BY g.score DESC)) e
  JOIN bcards c ON c.board = e.board;
CREATE VIEW big_stored AS
  SELECT 'big' AS board, period, period_start, team_id, agent_id, leaderboard.rows(kpis) AS calls,
         round(score::numeric, 9) AS score, qualified, rank, tier FROM big_standings
  UNION ALL
  SELECT 'bigd', period, period_start, team_id, agent_id, leaderboard.rows(kpis),
         round(score::numeric, 9), qualified, rank, tier FROM bigd_standings;
CREATE VIEW big_check AS
  SELECT (SELECT count(*) FROM leaderboard.verify('big')) + (SELECT count(*) FROM leaderboard.verify('bigd')) AS differences,
         (SELECT count(*) FROM (TABLE big_stored EXCEPT ALL TABLE big_expected) x) AS unexpected,
         (SELECT count(*) FROM (TABLE big_expected EXCEPT ALL TABLE big_stored) x) AS missing,
         (SELECT count(*) FROM big_stored) AS rows;

-- 1. 120 agents x 2 teams over 14 days of March 2026 in one statement: every scope is new
SET leaderboard.report_apply = on;
INSERT INTO bcalls (agent_id, team_id, at, won, handle)
SELECT 1 + i % 120, 1 + (i / 120) % 2, timestamptz '2026-03-01 08:00+00' + (i % 14) * interval '1 day' + (i % 5) * interval '1 hour',
       (i * 7) % 3, 60 * (1 + (i * 11) % 12)
FROM generate_series(0, 4199) i;
RESET leaderboard.report_apply;
SELECT * FROM big_check;

-- 2. the same days again plus 6 new ones: existing and new scopes in one batch
INSERT INTO bcalls (agent_id, team_id, at, won, handle)
SELECT 1 + i % 120, 1 + (i / 120) % 2, timestamptz '2026-03-10 09:00+00' + (i % 10) * interval '1 day',
       (i * 5) % 3, 60 * (1 + (i * 13) % 12)
FROM generate_series(0, 2999) i;
SELECT * FROM big_check;

-- 3. new April scopes, and some of those rows deleted and moved in the same transaction
--    (applied as a large batch: the scopes with deletes and moves are not written as new)
SET leaderboard.report_apply = on;
SET leaderboard.small_batch_groups = 100;
BEGIN;
INSERT INTO bcalls (agent_id, team_id, at, won, handle)
SELECT 1 + i % 120, 1 + (i / 120) % 2, timestamptz '2026-04-01 08:00+00' + (i % 20) * interval '1 day',
       (i * 3) % 3, 60 * (1 + (i * 7) % 12)
FROM generate_series(0, 2999) i;
DELETE FROM bcalls WHERE at >= '2026-04-03' AND at < '2026-04-04' AND agent_id % 2 = 1;
UPDATE bcalls SET team_id = 3 - team_id WHERE at >= '2026-04-05' AND at < '2026-04-06' AND agent_id % 5 = 0;
COMMIT;
RESET leaderboard.report_apply;
RESET leaderboard.small_batch_groups;
SELECT * FROM big_check;

-- 4. a batch applied early, then more rows for the scopes it created, in one transaction
BEGIN;
INSERT INTO bcalls (agent_id, team_id, at, won, handle)
SELECT 1 + i % 120, 1 + (i / 120) % 2, timestamptz '2026-05-01 08:00+00' + (i % 20) * interval '1 day', i % 2, 300
FROM generate_series(0, 2999) i;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
INSERT INTO bcalls (agent_id, team_id, at, won, handle)
SELECT 1 + i % 120, 1 + (i / 120) % 2, timestamptz '2026-05-01 10:00+00' + (i % 25) * interval '1 day', (i + 1) % 2, 200
FROM generate_series(0, 2999) i;
COMMIT;
SELECT * FROM big_check;

DROP VIEW big_check, big_stored, big_expected;
SELECT leaderboard.drop_board('big');
SELECT leaderboard.drop_board('bigd');
DROP TABLE bcalls, bcards;
