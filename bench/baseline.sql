-- The hand-written baseline a live board is measured against (bench/board.sh): what a DBA
-- writes by hand for ranked standings over the calls table of bench/schema.sql, without
-- the extension. Load it after bench/schema.sql; it creates:
--   score_of(...)              a five-metric score, 0-100, in plain SQL
--   standings_ranked           day, week and month rows per (team, agent), scored and ranked
--   standings_ranked_trg()     a statement trigger over the transition table "new_rows":
--                              upserts the rows' groups, rescores them and re-ranks the
--                              touched scopes with a window function. It takes no locks, so
--                              concurrent writers can deadlock; it handles INSERT only.
--   hand_ranked_tables(month)  builds the hand-indexed ranked tables the board's reads are
--                              compared with, from the calls of the month starting at
--                              "month": st (per team; indexed on (team_id, rank) and
--                              agent_id) and st_floor (every agent; indexed on rank and
--                              agent_id), each with score, rank and tier.
-- Attach the trigger with
--   CREATE TRIGGER t AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows
--     FOR EACH STATEMENT EXECUTE FUNCTION standings_ranked_trg();
DROP TABLE IF EXISTS standings_ranked;
CREATE TABLE standings_ranked (
  period text, period_start date, team_id int, agent_id int,
  n bigint, conv bigint, handle_sum bigint, csat_sum bigint, csat_n bigint, fcr bigint,
  score float8, rank int,
  PRIMARY KEY (period, period_start, team_id, agent_id)) WITH (fillfactor = 80);
CREATE INDEX ON standings_ranked (period, period_start, team_id, score DESC);

CREATE OR REPLACE FUNCTION score_of(n bigint, conv bigint, h bigint, cs bigint, cn bigint, f bigint) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
  SELECT 100 * (3*least(conv::float8/n/0.25, 1) + 2*greatest(0, least(1, (600 - h::float8/n)/420))
              + 2*CASE WHEN cn > 0 THEN (cs::float8/cn - 1)/4 ELSE 0 END + f::float8/n + least(n/200.0, 1)) / 9 $$;

CREATE OR REPLACE FUNCTION standings_ranked_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO standings_ranked AS s
  SELECT p, date_trunc(p, started_at AT TIME ZONE 'UTC')::date, team_id, agent_id,
         count(*), sum(converted::int), sum(handle_seconds), coalesce(sum(csat), 0), count(csat), sum(resolved_first::int),
         score_of(count(*), sum(converted::int), sum(handle_seconds), coalesce(sum(csat), 0), count(csat), sum(resolved_first::int)), NULL
  FROM new_rows CROSS JOIN (VALUES ('day'), ('week'), ('month')) v(p) GROUP BY 1, 2, 3, 4
  ON CONFLICT (period, period_start, team_id, agent_id) DO UPDATE SET
     n = s.n + EXCLUDED.n, conv = s.conv + EXCLUDED.conv, handle_sum = s.handle_sum + EXCLUDED.handle_sum,
     csat_sum = s.csat_sum + EXCLUDED.csat_sum, csat_n = s.csat_n + EXCLUDED.csat_n, fcr = s.fcr + EXCLUDED.fcr,
     score = score_of(s.n + EXCLUDED.n, s.conv + EXCLUDED.conv, s.handle_sum + EXCLUDED.handle_sum,
                      s.csat_sum + EXCLUDED.csat_sum, s.csat_n + EXCLUDED.csat_n, s.fcr + EXCLUDED.fcr);
  UPDATE standings_ranked s SET rank = r.rk
  FROM (SELECT period, period_start, team_id, agent_id, rank() OVER (PARTITION BY period, period_start, team_id ORDER BY score DESC) AS rk
        FROM standings_ranked
        WHERE (period, period_start, team_id) IN (SELECT DISTINCT p, date_trunc(p, started_at AT TIME ZONE 'UTC')::date, team_id
                                                   FROM new_rows CROSS JOIN (VALUES ('day'), ('week'), ('month')) v(p))) r
  WHERE (s.period, s.period_start, s.team_id, s.agent_id) = (r.period, r.period_start, r.team_id, r.agent_id) AND s.rank IS DISTINCT FROM r.rk;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hand_ranked_tables(month date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := month::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (month + interval '1 month') AT TIME ZONE 'UTC';
BEGIN
  DROP TABLE IF EXISTS st, st_floor;
  CREATE TABLE st AS
  SELECT team_id, agent_id, score, rank() OVER (PARTITION BY team_id ORDER BY score DESC)::int AS rank,
         CASE WHEN score >= 90 THEN 'Platinum' WHEN score >= 75 THEN 'Gold' WHEN score >= 60 THEN 'Silver' ELSE 'Bronze' END AS tier
  FROM (SELECT team_id, agent_id,
               score_of(count(*), sum(converted::int), sum(handle_seconds), coalesce(sum(csat), 0), count(csat), sum(resolved_first::int)) AS score
        FROM calls WHERE started_at >= lo AND started_at < hi GROUP BY 1, 2) s;
  CREATE INDEX ON st (team_id, rank);
  CREATE INDEX ON st (agent_id);
  CREATE TABLE st_floor AS
  SELECT agent_id, score, rank() OVER (ORDER BY score DESC)::int AS rank,
         CASE WHEN score >= 90 THEN 'Platinum' WHEN score >= 75 THEN 'Gold' WHEN score >= 60 THEN 'Silver' ELSE 'Bronze' END AS tier
  FROM (SELECT agent_id,
               score_of(count(*), sum(converted::int), sum(handle_seconds), coalesce(sum(csat), 0), count(csat), sum(resolved_first::int)) AS score
        FROM calls WHERE started_at >= lo AND started_at < hi GROUP BY 1) s;
  CREATE INDEX ON st_floor (rank);
  CREATE INDEX ON st_floor (agent_id);
  ANALYZE st;
  ANALYZE st_floor;
END $$;
