#!/usr/bin/env bash
# Fuzzes the text input of every type: thousands of random mutations of valid literals
# (deterministic: setseed) are cast to kpis, scorecard, ladder, calendar and streak. Every
# input must either parse, print and re-parse to the same text, or fail with a data
# exception (SQLSTATE class 22) or 54000 (too large) -- never another error, never a crash.
# Runs against the cluster in PGHOST/PGPORT; exits non-zero on failure.
set -euo pipefail
db=lb_fuzz
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
dropdb --if-exists $db 2>/dev/null; createdb $db
trap 'dropdb --if-exists $db 2>/dev/null' EXIT
q -d $db -c "CREATE EXTENSION leaderboard"
out=$(q -d $db <<'SQL'
CREATE FUNCTION pg_temp.mutate(s text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  alphabet text := ' 0123456789-.,:;=[]{}"%+eEinfINFNaN_abcdefghijklmnopqrstuvwxyzMonTueFri';
  r int := (random() * 5)::int;
  p int := 1 + (random() * greatest(length(s) - 1, 0))::int;
  c text := substr(alphabet, 1 + (random() * (length(alphabet) - 1))::int, 1);
BEGIN
  RETURN CASE r
    WHEN 0 THEN overlay(s placing c from p for 1)               -- replace a character
    WHEN 1 THEN overlay(s placing c from p for 0)               -- insert one
    WHEN 2 THEN overlay(s placing '' from p for 1)              -- delete one
    WHEN 3 THEN substr(s, 1, p)                                 -- truncate
    WHEN 4 THEN s || substr(s, p)                               -- duplicate a tail
    ELSE overlay(s placing repeat(c, 1 + (random() * 40)::int) from p for 0) END;
END $$;
CREATE TEMP TABLE seeds (typ text, lit text);
INSERT INTO seeds VALUES
  ('kpis', 'rows=12; int n=10 sum=42 min=1 max=9; float n=3 sum=4.5 min=0.5 max=2.5'),
  ('kpis', 'rows=3; int n=0 sum=0 min=0 max=0'),
  ('scorecard', '{"metrics": [{"name": "conv", "stat": "rate", "weight": 40, "target": 0.25}, {"name": "aht", "stat": "avg", "weight": 20, "better": "lower", "range": [180, 900], "max": 1200}, {"name": "csat", "stat": "avg", "range": [1, 5], "if_missing": "skip", "min_n": 3}], "scale": 100, "min_rows": 20}'),
  ('ladder', 'Bronze: 0, Silver: 60, Gold: 75, Platinum: 90; hold 5'),
  ('ladder', 'Gold: top 10%, Silver: top 30.5%, Bronze: top 100%'),
  ('ladder', 'Podium: top 3'),
  ('calendar', 'Mon-Fri; holidays 2026-12-25, 2027-01-01'),
  ('calendar', 'Sun-Thu'),
  ('streak', 'Mon-Fri: 2026-10-01..2026-10-06, 2026-10-09'),
  ('streak', 'Mon-Fri; holidays 2026-12-25: 2026-12-21..2026-12-31');
CREATE TEMP TABLE outcome (typ text, state text);
DO $$
DECLARE
  s record;
  v text;
  back text;
  i int;
BEGIN
  PERFORM setseed(0.5);
  FOR s IN SELECT * FROM seeds LOOP
    v := s.lit;
    FOR i IN 1 .. 4000 LOOP
      -- a random walk of mutations, restarted from the seed now and then
      IF random() < 0.2 THEN v := s.lit; END IF;
      v := pg_temp.mutate(v);
      BEGIN
        EXECUTE format('SELECT (%L::leaderboard.%I)::text', v, s.typ) INTO back;
        EXECUTE format('SELECT (%L::leaderboard.%I)::text = %L', back, s.typ, back) INTO STRICT back;
        INSERT INTO outcome VALUES (s.typ, CASE WHEN back = 'true' THEN 'ok' ELSE 'no round trip: ' || v END);
      EXCEPTION WHEN OTHERS THEN
        INSERT INTO outcome VALUES (s.typ, CASE WHEN SQLSTATE LIKE '22%' OR SQLSTATE = '54000' THEN 'rejected'
                                                ELSE 'unexpected ' || SQLSTATE || ': ' || SQLERRM || ' for ' || v END);
      END;
    END LOOP;
  END LOOP;
END $$;
SELECT string_agg(DISTINCT state, E'\n') FILTER (WHERE state NOT IN ('ok', 'rejected')) FROM outcome;
SELECT count(*) || ' inputs: ' || count(*) FILTER (WHERE state = 'ok') || ' parsed and round-tripped, '
       || count(*) FILTER (WHERE state = 'rejected') || ' rejected with a data exception' FROM outcome;
SQL
)
bad=$(echo "$out" | head -n -1)
if [ -n "$bad" ]; then echo "$bad"; exit 1; fi
echo "$out" | tail -1
