#!/usr/bin/env bash
# Runs the regression tests and the isolation specs against a throwaway server running
# under valgrind's memcheck, then reports every invalid read or write, use of
# uninitialised memory or other memcheck error whose stack (or the stack of the
# allocation it names) passes through leaderboard.so. Slow (half an hour or more on two
# cores): not part of scripts/test.sh.
#
#   PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config test/valgrind.sh
#
# Environment: PG_CONFIG; VALGRIND_REGRESS (regression tests to run, default every
# sql/*.sql), VALGRIND_ISOLATION (specs, default every test/specs/*.spec; empty for none).
# Builds and installs first, as scripts/test.sh does. The server runs niced. Suppressions:
# test/valgrind.supp (PostgreSQL's own). Debian's PostgreSQL is not built with
# USE_VALGRIND, so palloc'd chunks are not marked: an overrun into the next chunk of a
# memory context block, or a read of a pfree'd chunk, is not seen; reads of uninitialised
# palloc memory are seen only while the block is fresh from malloc.
# Prints the errors found and a summary line; exits non-zero when one passes through
# leaderboard.so or a server process crashed. Regression differences are reported but do
# not fail the run (timing under valgrind differs); the logs are kept in the printed
# directory.
set -uo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
. scripts/pgtmp.sh
bindir=$PGBIN
pgxs=$(dirname "$("$PG_CONFIG" --pgxs)")/..
regress=${VALGRIND_REGRESS-$(ls sql/*.sql | sed 's|sql/||; s|\.sql$||' | sort)}
isolation=${VALGRIND_ISOLATION-$(ls test/specs/*.spec | sed 's|test/specs/||; s|\.spec$||' | sort)}

sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
work=$(mktemp -d /tmp/leaderboard-valgrind.XXXXXX)
chmod 755 "$work"
if ! { make -s clean && make -s -j2 && $sudo make -s install; } >"$work/build.log" 2>&1; then
  cat "$work/build.log"; echo "build failed"; exit 1
fi

mkdir "$work/vg"
cp test/valgrind.supp "$work/"
[ "$(id -u)" = 0 ] && chown postgres "$work" "$work/vg"
cat >"$work/postgres" <<EOF
#!/bin/sh
exec nice -n 10 valgrind --quiet --trace-children=yes --leak-check=no --gen-suppressions=all \
  --suppressions=$work/valgrind.supp --track-origins=yes --num-callers=30 --error-limit=no \
  --log-file=$work/vg/%p.log "$bindir/postgres" "\$@"
EOF
chmod 755 "$work/postgres"

port=$(pgtmp_free_port)
pgtmp_as_server_user "$bindir/initdb" -D "$work/data" -A trust -U postgres --no-sync >/dev/null
started=$(date -u '+%Y-%m-%d %H:%M UTC')
t0=$(date +%s)
pgtmp_as_server_user "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 900 -p "$work/postgres" \
  -o "-p $port -k $work -c listen_addresses='' -c fsync=off -c autovacuum=off" start >/dev/null \
  || { cat "$work/server.log"; echo "the server did not start under valgrind"; exit 1; }
stop() { pgtmp_as_server_user "$bindir/pg_ctl" -D "$work/data" -m fast -w -t 900 stop >/dev/null 2>&1; }
trap stop EXIT
export PGHOST=$work PGPORT=$port PGUSER=postgres PGDATABASE=postgres

summary=""
if [ -n "$regress" ]; then
  "$pgxs/test/regress/pg_regress" --inputdir=. --outputdir="$work/regress" --bindir="$bindir" \
    --host="$PGHOST" --port="$PGPORT" --user=postgres --dbname=contrib_regression \
    --load-extension=leaderboard $regress >"$work/regress.out" 2>&1
  summary="regression tests: $(grep -c '\.\.\. ok' "$work/regress.out") ok, $(grep -Ec '\.\.\. (FAILED|failed)' "$work/regress.out") differing"
fi
if [ -n "$isolation" ]; then
  "$pgxs/test/isolation/pg_isolation_regress" --inputdir=test --outputdir="$work/isolation" \
    --bindir="$bindir" --host="$PGHOST" --port="$PGPORT" --user=postgres \
    --dbname=isolation_regression --load-extension=leaderboard $isolation >"$work/isolation.out" 2>&1
  summary="$summary; isolation specs: $(grep -c '\.\.\. ok' "$work/isolation.out") ok, $(grep -Ec '\.\.\. (FAILED|failed)' "$work/isolation.out") differing"
fi
stop
trap - EXIT
minutes=$(( ($(date +%s) - t0 + 59) / 60 ))

# An error block starts with a memcheck error line and ends at the next empty line; it is
# ours when a frame is in leaderboard.so or in one of its source files.
ours="leaderboard\\.so|\\(($(cd src && ls *.c | sed 's/\.c$//' | paste -sd'|'))\\.c:[0-9]+\\)"
kinds='^(Invalid (read|write|free)|Conditional jump or move depends on uninitialised|Use of uninitialised value|Syscall param .* uninitialised|Source and destination overlap|Mismatched free|Argument .* of function .* has a fishy)'
scan() {
  awk -v ours="$ours" -v kinds="$kinds" '
    { line = $0; sub(/^==[0-9]+== ?/, "", line) }
    block == "" && line ~ kinds { block = FILENAME ":\n" line "\n"; next }
    block != "" && line == "" { n++; if (block ~ ours) { printf "%s\n", block; m++ } block = ""; next }
    block != "" { block = block line "\n" }
    END { printf "%d %d\n", n, m > "/dev/stderr" }' "$work"/vg/*.log
}
counts=$(scan 2>&1 >"$work/ours.txt")
read -r total mine <<<"$counts"
cat "$work/ours.txt"
crashes=$(grep -c 'terminated by signal' "$work/server.log")
echo "valgrind run of $started, $minutes min: $summary; memcheck errors: $mine through leaderboard.so, $((total - mine)) elsewhere; server processes crashed: $crashes; logs in $work"
[ "$mine" = 0 ] && [ "$crashes" = 0 ]
