#!/usr/bin/env bash
# A backend killed with SIGKILL leaves every board exact. On its own throwaway cluster, with
# a team board (partition_by team_id) and a floor-wide board over one calls table, a writer
# is killed (a) in the middle of a large COPY, (b) inside the commit-time apply of a
# single-row INSERT and (c) inside the apply of a 5000-row INSERT. For (b) and (c) another
# session holds a row lock on one of the team board's scope rows, so the committing
# transaction waits on it inside its COMMIT (checked in pg_stat_activity and pg_locks
# before the kill), after it has already written the floor board's standings. After each
# kill the postmaster reinitializes (crash recovery); then none of the killed rows are in
# the source, verify() is empty for both boards, the standings equal those of boards
# created afresh over the same rows, and later inserts, updates and deletes keep verify()
# empty. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/pgtmp.sh
pgtmp_start
work=$(mktemp -d /tmp/leaderboard-crash.XXXXXX)
trap 'pgtmp_stop; rm -rf "$work"' EXIT
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fail() { echo "crash_recovery: $*"; tail -20 "$PGTMP_DIR/log"; exit 1; }

board_sql() { # $1 = name, $2 = partition_by array literal
  cat <<SQL
SELECT leaderboard.create_board(name => '$1', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'csat', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.5},
                             {"name": "aht", "stat": "avg", "better": "lower", "range": [100, 600]},
                             {"name": "csat", "stat": "max", "target": 5},
                             {"name": "calls", "stat": "count", "target": 20}]}',
  periods => ARRAY['day', 'week', 'month'], partition_by => $2,
  ladder => 'Bronze: 0, Silver: 50, Gold: 70', time_zone => 'UTC');
SQL
}

q >/dev/null <<SQL
CREATE EXTENSION leaderboard;
CREATE TABLE calls (call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL, csat smallint);
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted, csat)
SELECT 1 + i % 40, i % 4, timestamptz '2026-10-01 09:00+00' + (i % 19) * interval '1 day', 100 + i % 500,
       i % 3 = 0, CASE WHEN i % 4 = 0 THEN 1 + i % 5 END
FROM generate_series(1, 20000) i;
$(board_sql floor "ARRAY[]::text[]")
$(board_sql team "ARRAY['team_id']")
SQL

crashes=0
# Kills backend $1 with SIGKILL and waits until the postmaster has reinitialized and
# accepts connections again.
kill_and_recover() {
  local i
  kill -9 "$1"
  crashes=$((crashes + 1))
  for i in $(seq 1 300); do
    [ "$(grep -c 'all server processes terminated; reinitializing' "$PGTMP_DIR/log")" -ge $crashes ] && break
    sleep 0.1
  done
  for i in $(seq 1 300); do
    [ "$(q -c "SELECT NOT pg_is_in_recovery()" 2>/dev/null)" = t ] && return 0
    sleep 0.1
  done
  fail "the server did not come back after the kill"
}

# a digest of a board's standings (without its scope ids and timestamps, and without the
# kpis' min and max: a board forgets extremes no card reads, which verify() allows, where a
# board created afresh knows them all)
standings() {
  q -c "SELECT md5(coalesce(string_agg(concat_ws(',', period, period_start, ${2:-} agent_id,
           regexp_replace(kpis::text, ' min=[^ ;]+ max=[^ ;]+', '', 'g'), score, qualified, rank, tier), ';'
           ORDER BY period, period_start, ${2:-} agent_id), '')) FROM $1_standings"
}

# verify() empty for both boards and their standings equal those of fresh boards
check_boards() { # $1 = what happened
  local d a b
  d=$(q -c "SELECT (SELECT count(*) FROM leaderboard.verify('floor')) + (SELECT count(*) FROM leaderboard.verify('team'))")
  [ "$d" = 0 ] || fail "$1: verify() found $d differences"
  q >/dev/null <<SQL
$(board_sql fresh_floor "ARRAY[]::text[]")
$(board_sql fresh_team "ARRAY['team_id']")
SQL
  a=$(standings floor) b=$(standings fresh_floor)
  [ -n "$a" ] && [ "$a" = "$b" ] || fail "$1: floor standings differ from a recomputation"
  a=$(standings team team_id,) b=$(standings fresh_team team_id,)
  [ -n "$a" ] && [ "$a" = "$b" ] || fail "$1: team standings differ from a recomputation"
  q -c "SELECT leaderboard.drop_board('fresh_floor')" -c "SELECT leaderboard.drop_board('fresh_team')" >/dev/null
}

later_writes() { # $1 = what happened before
  q >/dev/null <<'SQL'
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted, csat)
VALUES (7, 3, '2026-10-05 11:00+00', 120, true, 5), (41, 0, '2026-10-06 11:00+00', 300, false, NULL);
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted, csat)
SELECT 1 + i % 45, i % 5, timestamptz '2026-10-02 10:00+00' + (i % 9) * interval '1 day', 150 + i % 300, i % 2 = 0, 1 + i % 5
FROM generate_series(1, 500) i;
UPDATE calls SET team_id = (team_id + 1) % 4 WHERE call_id % 97 = 0;
UPDATE calls SET csat = NULL WHERE call_id % 89 = 0;
DELETE FROM calls WHERE call_id % 101 = 0;
SQL
  check_boards "writes after $1"
}

wait_for() { # $1 = SQL returning true when the condition holds, $2 = what is awaited
  local i
  for i in $(seq 1 300); do
    [ "$(q -c "$1")" = t ] && return 0
    sleep 0.1
  done
  fail "timed out waiting for $2"
}

# (a) mid-COPY: 3M generated rows streamed into COPY, killed once 200k are in
rows_before=$(q -c "SELECT count(*) FROM calls")
awk 'BEGIN { for (i = 0; i < 3000000; i++)
  printf "%d,%d,2026-10-%02d 10:%02d:00+00,%d,%s,%d\n", 1 + i % 300, i % 6, 1 + i % 28, i % 60, 90 + i % 700, (i % 5 == 0 ? "t" : "f"), 1 + i % 5 }' \
  | PGAPPNAME=crash_copy q -c "COPY calls (agent_id, team_id, started_at, handle_seconds, converted, csat) FROM STDIN CSV" \
  >"$work/copy.out" 2>&1 &
copy_job=$!
wait_for "SELECT EXISTS (SELECT FROM pg_stat_progress_copy c JOIN pg_stat_activity a USING (pid)
            WHERE a.application_name = 'crash_copy' AND c.tuples_processed >= 200000)" "the COPY"
copy_pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'crash_copy'")
copied=$(q -c "SELECT tuples_processed FROM pg_stat_progress_copy WHERE pid = $copy_pid")
[ "$copied" -lt 3000000 ] || fail "the COPY was not killed in the middle"
kill_and_recover "$copy_pid"
wait $copy_job && fail "the killed COPY succeeded"
[ "$(q -c "SELECT count(*) FROM calls")" = "$rows_before" ] || fail "rows of the killed COPY are in the source"
check_boards "a COPY killed after $copied rows"
later_writes "the killed COPY"

# (b), (c): a transaction killed while its COMMIT waits for a team scope row. The lock
# holder's row is the day scope of team 3 on 2026-10-05, which both transactions touch.
kill_in_apply() { # $1 = SQL of the transaction, $2 = what it is
  local lock_job apply_job apply_pid waiting
  rows_before=$(q -c "SELECT count(*) FROM calls")
  printf '%s\n' "BEGIN;" \
    "SELECT 1 FROM team_scopes WHERE period = 'day' AND period_start = '2026-10-05' AND team_id = 3 FOR UPDATE;" \
    "SELECT pg_sleep(120);" | PGAPPNAME=crash_lock q >/dev/null 2>&1 &
  lock_job=$!
  wait_for "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'crash_lock' AND query LIKE 'SELECT pg_sleep%')" \
    "the scope row lock"
  printf '%s\n' "BEGIN;" "$1" "COMMIT;" | PGAPPNAME=crash_apply q >"$work/apply.out" 2>&1 &
  apply_job=$!
  wait_for "SELECT EXISTS (SELECT FROM pg_stat_activity a JOIN pg_locks l USING (pid)
              WHERE a.application_name = 'crash_apply' AND a.query ILIKE 'COMMIT%' AND a.wait_event_type = 'Lock'
                AND NOT l.granted)" "$2 to wait inside its COMMIT"
  apply_pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'crash_apply'")
  # it waits for the lock holder's transaction, holding what it wrote of the floor board
  waiting=$(q -c "SELECT l.locktype || ' ' || a.wait_event || ' ' || (l.transactionid = h.backend_xid)
                  FROM pg_locks l JOIN pg_stat_activity a USING (pid), pg_stat_activity h
                  WHERE l.pid = $apply_pid AND NOT l.granted AND h.application_name = 'crash_lock'")
  [ "$waiting" = "transactionid transactionid true" ] || fail "$2 waits on something else: $waiting"
  [ "$(q -c "SELECT count(*) > 0 FROM pg_locks l WHERE l.pid = $apply_pid AND l.mode = 'RowExclusiveLock'
               AND l.relation = 'floor_standings'::regclass")" = t ] || fail "$2 did not apply the floor board first"
  kill_and_recover "$apply_pid"
  wait $apply_job && fail "the killed $2 committed"
  wait $lock_job || true
  [ "$(q -c "SELECT count(*) FROM calls")" = "$rows_before" ] || fail "rows of the killed $2 are in the source"
  check_boards "$2 killed in its apply"
  later_writes "the $2 killed in its apply"
}
kill_in_apply "INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted, csat)
  VALUES (3, 3, '2026-10-05 12:00+00', 140, true, 4);" "single-row INSERT"
kill_in_apply "INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted, csat)
  SELECT 1 + i % 60, i % 4, timestamptz '2026-10-01 13:00+00' + (i % 11) * interval '1 day', 200 + i % 400, i % 4 = 0, 1 + i % 5
  FROM generate_series(1, 5000) i;" "5000-row INSERT"

[ "$(grep -c 'terminated by signal 9: Killed' "$PGTMP_DIR/log")" = 3 ] || fail "expected three killed backends in the log"
echo "3 backends killed (COPY after $copied rows; single-row and 5000-row INSERT inside their apply): $crashes crash recoveries, verify() empty and standings equal to fresh boards after each and after later writes"
