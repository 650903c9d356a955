#!/usr/bin/env bash
# Runs every test of leaderboard against a throwaway cluster: pg_regress (sql/, expected/),
# isolation specs (test/specs/, test/expected/), pgTAP (test/pgtap/*.sql via pg_prove) and
# script tests (test/scripts/*.sh, e.g. pg_dump and restore).
# Installs what is missing, builds with -Werror and installs first. Ends with the line
# "N passed, N failed" (one count per regression test, isolation spec, pgTAP file and script) and
# exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/leaderboard-test.XXXXXX)
bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
. scripts/pgtmp.sh

sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
if ! { make -s clean && make -s -j2 && $sudo make -s install; } >"$work/build.log" 2>&1; then
  cat "$work/build.log"; echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

pgtmp_start
trap 'pgtmp_stop; rm -rf "$work"' EXIT
pgxs=$(dirname "$("$PG_CONFIG" --pgxs)")/..
bindir=$("$PG_CONFIG" --bindir)
passed=0 failed=0
tally() { # $1 = runner output file, $2 = runner exit status
  local p f
  p=$(grep -Ec '\.\.\. ok|^ok [0-9]+ ' "$1")
  f=$(grep -Ec '\.\.\. FAILED|^not ok [0-9]+ |\.\.\. failed' "$1")
  # a runner that fails without naming a failed test still fails the run
  [ "$2" != 0 ] && [ "$f" = 0 ] && f=1
  passed=$((passed + p)); failed=$((failed + f))
}

regress_tests=$(ls sql/*.sql 2>/dev/null | sed 's|sql/||; s|\.sql$||' | sort)
if [ -n "$regress_tests" ]; then
  echo "== pg_regress"
  "$pgxs/test/regress/pg_regress" --inputdir=. --bindir="$bindir" \
    --host="$PGHOST" --port="$PGPORT" --user=postgres --dbname=contrib_regression \
    --load-extension=leaderboard $regress_tests 2>&1 | tee "$work/regress.out"
  tally "$work/regress.out" "${PIPESTATUS[0]}"
  [ -s regression.diffs ] && { head -c 20000 regression.diffs; echo; }
fi

iso_tests=$(ls test/specs/*.spec 2>/dev/null | sed 's|test/specs/||; s|\.spec$||' | sort)
if [ -n "$iso_tests" ]; then
  echo "== isolation"
  "$pgxs/test/isolation/pg_isolation_regress" --inputdir=test --outputdir=test \
    --bindir="$bindir" --host="$PGHOST" --port="$PGPORT" --user=postgres \
    --dbname=isolation_regression --load-extension=leaderboard $iso_tests 2>&1 \
    | tee "$work/isolation.out"
  tally "$work/isolation.out" "${PIPESTATUS[0]}"
  [ -s test/regression.diffs ] && { head -c 20000 test/regression.diffs; echo; }
fi

tap_tests=$(ls test/pgtap/*.sql 2>/dev/null | sort)
if [ -n "$tap_tests" ]; then
  echo "== pgTAP"
  psql -X -q -c "CREATE DATABASE tap" >/dev/null
  psql -X -q -d tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION leaderboard" >/dev/null
  for t in $tap_tests; do
    if pg_prove -d tap "$t" >"$work/tap.out" 2>&1; then
      echo "$t ... ok"; passed=$((passed + 1))
    else
      cat "$work/tap.out"; echo "$t ... FAILED"; failed=$((failed + 1))
    fi
  done
fi

script_tests=$(ls test/scripts/*.sh 2>/dev/null | sort)
if [ -n "$script_tests" ]; then
  echo "== script tests"
  for t in $script_tests; do
    if PATH="$bindir:$PATH" bash "$t" >"$work/script.out" 2>&1; then
      echo "$t ... ok ($(tail -1 "$work/script.out"))"; passed=$((passed + 1))
    else
      cat "$work/script.out"; echo "$t ... FAILED"; failed=$((failed + 1))
    fi
  done
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
