#!/usr/bin/env bash
# The regression tests that read the clock (current periods, "today", rolling windows)
# give their expected output on any date: each runs on throwaway clusters whose clock
# libfaketime sets to a Sunday, a Monday just after midnight UTC (still Sunday in New
# York), New Year's Day, the last minutes of a month, the morning of a DST change and a
# Monday that starts a month. Then one transaction crosses midnight at a month's end at a
# known point (clock_crossing.sql), not wherever a run happens to be at midnight, whose
# output would then depend on the machine's speed. Exits non-zero when any differs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
faketime_lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[ -n "$faketime_lib" ] || { echo "libfaketime is missing (Debian package faketime)"; exit 1; }
pgxs=$(dirname "$("$PG_CONFIG" --pgxs)")/..
bindir=$("$PG_CONFIG" --bindir)
tests=$(cd "$repo/sql" && grep -lE "now\(\)|current_date|current_timestamp|localtimestamp" *.sql | sed 's/\.sql$//' | sort)
out=$(mktemp -d /tmp/leaderboard-dates.XXXXXX)
chmod 755 "$out"
# libfaketime keeps a semaphore and a shared memory segment in /dev/shm named after the
# process that made them, and a process that exits without its destructor (as server
# processes do) leaves them behind. A later process of another user that gets the same pid
# cannot make its own and dies ("sem_open failed ... Permission denied"), so those of
# processes no longer running go before every cluster starts.
faketime_clean() {
  local f pid
  for f in /dev/shm/sem.faketime_sem_* /dev/shm/faketime_shm_*; do
    [ -e "$f" ] || continue
    pid=${f##*_}
    kill -0 "$pid" 2>/dev/null || rm -f "$f" 2>/dev/null || true
  done
}
trap 'rm -rf "$out"; faketime_clean' EXIT
failed=0
for at in "2026-12-06 12:00:00" "2026-12-07 00:30:00" "2027-01-01 03:00:00" \
          "2027-02-28 23:50:00" "2027-03-14 06:59:00" "2027-03-01 15:00:00"; do
  faketime_clean
  dir="$out/${at// /_}"
  mkdir -p "$dir"
  chmod 777 "$dir"
  # the server and its clients see the faked clock; the cluster is this run's own
  if ! LD_PRELOAD=$faketime_lib FAKETIME="@$at" bash -c '
      set -euo pipefail
      . "$1/scripts/pgtmp.sh"
      pgtmp_start
      trap pgtmp_stop EXIT
      psql -X -At -c "SELECT now()"
      cd "$1"
      "$2/test/regress/pg_regress" --inputdir=. --outputdir="$3" --bindir="$4" \
        --host="$PGHOST" --port="$PGPORT" --user=postgres --dbname=contrib_regression \
        --load-extension=leaderboard $5' _ "$repo" "$pgxs" "$dir" "$bindir" "$tests" >"$dir/run.log" 2>&1; then
    cat "$dir/run.log"
    [ -s "$dir/regression.diffs" ] && head -c 8000 "$dir/regression.diffs"
    echo "clock at $at: FAILED"
    failed=$((failed + 1))
  else
    echo "clock at $at ($(sed -n 1p "$dir/run.log")): $(grep -c '\.\.\. ok' "$dir/run.log") tests ok"
  fi
done

# the clock file, which every server process reads on each clock call, moves at one point
faketime_clean
clock="$out/clock"
echo "@2027-02-28 23:59:50" >"$clock"
chmod 666 "$clock"
if LD_PRELOAD=$faketime_lib FAKETIME_TIMESTAMP_FILE=$clock FAKETIME_NO_CACHE=1 bash -c '
    set -euo pipefail
    . "$1/scripts/pgtmp.sh"
    pgtmp_start
    trap pgtmp_stop EXIT
    psql -X -q -At -v ON_ERROR_STOP=1 -f "$1/test/scripts/clock_crossing.sql"' _ "$repo" \
    >"$out/crossing.out" 2>&1 &&
   diff -u "$repo/test/scripts/clock_crossing.expected" "$out/crossing.out"; then
  echo "a transaction across midnight at a month's end: ok"
else
  cat "$out/crossing.out"
  echo "a transaction across midnight at a month's end: FAILED"
  failed=$((failed + 1))
fi
echo "$(echo "$tests" | wc -w) clock-reading tests on 6 dates and a transaction across midnight, $failed failed"
[ "$failed" = 0 ]
