#!/usr/bin/env bash
# The leaderboard demo: installs what is missing, builds and installs the extension, starts a
# throwaway cluster, loads a sample call log, and shows live standings changing as calls
# arrive. The cluster is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
make -s -j2 >/dev/null && $sudo make -s install >/dev/null
. scripts/pgtmp.sh
pgtmp_start
trap pgtmp_stop EXIT
psql -X -q -f scripts/demo.sql
