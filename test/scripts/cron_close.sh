#!/usr/bin/env bash
# close_periods run by pg_cron: a throwaway cluster preloading pg_cron (Debian package
# postgresql-15-cron, installed when missing), a board whose calls are in ended months, and
# a job running SELECT leaderboard.close_periods('b') every minute. Passes once the job has
# succeeded (cron.job_run_details) and the months are recorded as closed, within about two
# minutes (pg_cron 1.4 schedules by the minute).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
if ! have_pkg postgresql-15-cron; then
  echo "installing: postgresql-15-cron" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql-15-cron >/dev/null
fi
# a PostgreSQL 15 installed elsewhere (PG_CONFIG) loads the package's files from its own
# directories
libdir=$("$PG_CONFIG" --pkglibdir); extdir=$("$PG_CONFIG" --sharedir)/extension
if [ ! -e "$libdir/pg_cron.so" ]; then
  $sudo cp /usr/lib/postgresql/15/lib/pg_cron.so "$libdir/"
  $sudo cp /usr/share/postgresql/15/extension/pg_cron* "$extdir/"
fi

. scripts/pgtmp.sh
pgtmp_start shared_preload_libraries=pg_cron cron.database_name=postgres cron.use_background_workers=on
trap pgtmp_stop EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
q <<'SQL'
CREATE EXTENSION pg_cron;
CREATE EXTENSION leaderboard;
CREATE TABLE calls (agent_id int NOT NULL, started_at timestamptz NOT NULL, converted boolean NOT NULL);
INSERT INTO calls SELECT 1 + i % 3, timestamptz '2024-01-01 09:00 UTC' + (i % 50) * interval '1 day', i % 2 = 0
FROM generate_series(1, 150) i;
SELECT leaderboard.create_board(name => 'b', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv'], scorecard => '{"metrics": [{"name": "conv", "stat": "rate"}]}',
  periods => ARRAY['month', 'all'], time_zone => 'UTC');
SELECT cron.schedule('close b', '* * * * *', $$SELECT leaderboard.close_periods('b')$$);
SQL
for _ in $(seq 1 75); do
  ok=$(q -c "SELECT count(*) FROM cron.job_run_details WHERE status = 'succeeded' AND command LIKE '%close_periods%'")
  [ "$ok" -gt 0 ] && break
  sleep 2
done
[ "$ok" -gt 0 ] || { q -c "SELECT status, return_message FROM cron.job_run_details"; echo "the job did not succeed in time"; exit 1; }
closed=$(q -c "SELECT string_agg(period_start::text, ',' ORDER BY period_start) FROM leaderboard.closed_periods WHERE board = 'b' AND period = 'month'")
[ "$closed" = "2024-01-01,2024-02-01" ] || { echo "closed months: $closed"; exit 1; }
winners=$(q -c "SELECT count(*) FROM leaderboard.period_winners WHERE board = 'b'")
[ "$winners" -gt 0 ] || { echo "no winners recorded"; exit 1; }
echo "pg_cron closed months $closed with $winners winners"
