#!/usr/bin/env bash
# Installs what building and testing leaderboard needs on Debian bookworm, only what is
# missing: PostgreSQL 15 server and headers, a C toolchain, pgTAP, pg_prove, libfaketime
# (the clock-dates script test), psycopg2 (the events listener and wallboard script tests)
# and chromium (the wallboard script test).
# Needs root (or sudo) only when something is missing.
set -euo pipefail
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap \
         libtap-parser-sourcehandler-pgtap-perl build-essential bc faketime \
         python3-psycopg2 chromium; do
  have_pkg "$p" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}" >&2
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
