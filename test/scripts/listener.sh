#!/usr/bin/env bash
# A real client receives a board's events: a listener written with psycopg2 (Debian's
# python3-psycopg2) LISTENs on channel leaderboard while four pgbench writers insert calls
# into one scope, a quarter of their transactions rolled back. Then every committed
# transaction that wrote events sent exactly one notification, whose board, xid, count and
# id range are exactly those of its rows of leaderboard.events, and no event (every role may
# LISTEN; the payload as leaderboard._events_payload() makes it); no notification came from a
# rolled-back transaction; and the board equals a recomputation (verify()).
# Runs against the cluster in PGHOST/PGPORT; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d lb_listener "$@"; }
fail() { echo "$*"; exit 1; }
python=/usr/bin/python3
$python -c 'import psycopg2' 2>/dev/null || fail "python3-psycopg2 is missing (scripts/setup.sh installs it)"
work=$(mktemp -d /tmp/leaderboard-listener.XXXXXX)
chmod 755 "$work"
listener_pid=""
cleanup() { [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null; dropdb --if-exists lb_listener 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dropdb --if-exists lb_listener 2>/dev/null || true
createdb lb_listener
q >/dev/null <<'SQL'
CREATE EXTENSION leaderboard;
CREATE TABLE calls (call_id bigserial PRIMARY KEY, agent_id int NOT NULL,
                    started_at timestamptz NOT NULL DEFAULT '2026-10-05 12:00+00', converted boolean NOT NULL);
INSERT INTO calls (agent_id, converted) SELECT 1 + i % 20, i % 3 = 0 FROM generate_series(1, 200) i;
SELECT leaderboard.create_board(name => 'lsn', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 100}], "min_rows": 3}',
  periods => ARRAY['day', 'month'], ladder => 'Bronze: 0, Silver: 30, Gold: 45', time_zone => 'UTC');
SELECT leaderboard.alter_board('lsn', events => '{"tier_up": true, "tier_down": true, "new_leader": true,
  "entered_top_n": 3, "rank_climb": 1}');
CREATE TABLE received (payload jsonb NOT NULL);
SQL

# the listener: one JSON payload a line, until the writers' end is announced on another
# channel (notifications arrive in commit order, so every earlier one came before it)
cat >"$work/listen.py" <<'PY'
import select, sys, psycopg2
conn = psycopg2.connect(dbname="lb_listener")
conn.autocommit = True
cur = conn.cursor()
cur.execute("LISTEN leaderboard; LISTEN lb_listener_done")
print("listening", file=sys.stderr, flush=True)
with open(sys.argv[1], "w") as out:
    while True:
        if select.select([conn], [], [], 60) == ([], [], []):
            sys.exit("no notification for 60 s")
        conn.poll()
        while conn.notifies:
            n = conn.notifies.pop(0)
            if n.channel == "lb_listener_done":
                sys.exit(0)
            out.write(n.payload + "\n")
            out.flush()
PY
$python "$work/listen.py" "$work/payloads" 2>"$work/listener.err" &
listener_pid=$!
for _ in $(seq 50); do grep -q listening "$work/listener.err" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$work/listener.err" || fail "the listener did not start: $(cat "$work/listener.err")"

cat >"$work/commit.pgbench" <<'PGB'
\set a random(1, 24)
INSERT INTO calls (agent_id, converted) VALUES (:a, random() < 0.4);
PGB
cat >"$work/rollback.pgbench" <<'PGB'
\set a random(1, 24)
BEGIN;
INSERT INTO calls (agent_id, converted) VALUES (:a, true), (:a, true), (:a, true);
ROLLBACK;
PGB
pgbench -n -d lb_listener -c 4 -j 2 -T 5 -f "$work/commit.pgbench@3" -f "$work/rollback.pgbench@1" >"$work/pgbench.out" 2>&1 \
  || { cat "$work/pgbench.out"; fail "pgbench failed"; }
q -c "NOTIFY lb_listener_done"
wait "$listener_pid" || fail "the listener failed: $(cat "$work/listener.err")"
listener_pid=""

q -c "\\copy received (payload) FROM '$work/payloads' WITH (FORMAT text)"
result=$(q <<'SQL'
WITH tx AS (
  SELECT xid, count(*) AS n, min(id) AS first_id, max(id) AS last_id,
         (jsonb_agg(jsonb_build_object('id', id, 'kind', kind, 'agent', agent, 'old', old, 'new', new) ORDER BY id)) AS rows,
         -- the payload the events statement sends, from the rows it returns (id .. new)
         leaderboard._events_payload('lsn', jsonb_agg(to_jsonb(e) - 'board' - 'at' ORDER BY id))::jsonb AS payload
  FROM leaderboard.events e WHERE board = 'lsn' GROUP BY xid),
got AS (
  SELECT payload, (payload ->> 'count')::bigint AS n, (payload ->> 'first_id')::bigint AS first_id,
         (payload ->> 'last_id')::bigint AS last_id, payload -> 'events' AS shown, payload ->> 'board' AS board
  FROM received)
SELECT (SELECT count(*) FROM tx) AS transactions,
       (SELECT sum(n) FROM tx) AS events,
       (SELECT count(*) FROM got) AS notifications,
       -- a committed transaction's events without exactly one matching notification
       (SELECT count(*) FROM tx WHERE (SELECT count(*) FROM got g WHERE g.board = 'lsn' AND g.n = tx.n
                                       AND g.first_id = tx.first_id AND g.last_id = tx.last_id) <> 1) AS unannounced,
       -- a notification matching no committed transaction's events
       (SELECT count(*) FROM got g WHERE NOT EXISTS (SELECT 1 FROM tx WHERE g.n = tx.n
                                       AND g.first_id = tx.first_id AND g.last_id = tx.last_id)) AS stray,
       -- a payload other than the board, the count and the range of ids of the
       -- transaction's rows (no event: every role may LISTEN)
       (SELECT count(*) FROM got g JOIN tx ON g.first_id = tx.first_id
        WHERE g.payload <> tx.payload OR g.shown IS NOT NULL
           OR g.payload <> jsonb_build_object('board', 'lsn', 'xid', tx.xid::text, 'count', tx.n, 'first_id', tx.first_id, 'last_id', tx.last_id)) AS wrong_contents,
       (SELECT count(*) FROM leaderboard.verify('lsn')) AS differences
SQL
)
IFS='|' read -r transactions events notifications unannounced stray wrong differences <<<"$result"
echo "transactions with events $transactions, events $events, notifications $notifications; unannounced $unannounced, stray $stray, wrong contents $wrong, verify differences $differences"
[ "$transactions" -gt 10 ] || fail "too few transactions wrote events to test anything"
[ "$notifications" = "$transactions" ] && [ "$unannounced" = 0 ] && [ "$stray" = 0 ] && [ "$wrong" = 0 ] \
  && [ "$differences" = 0 ] || fail "the notifications do not match the events table"
grep -q 'number of failed transactions: 0' "$work/pgbench.out" || { cat "$work/pgbench.out"; fail "pgbench transactions failed"; }
echo "listener: $notifications notifications for $transactions committed transactions ($events events), none stray"
