#!/usr/bin/env bash
# The wallboard example (examples/wallboard) in a real browser: its server LISTENs on channel
# leaderboard and pushes server-sent events; headless Chromium (Debian's chromium), driven
# through the DevTools protocol on a pipe, opens the page of team 1's month. Calls then move
# agents of team 1 (and of team 2, whose events the page must not show): after each commit the
# page's top 10 is the board's, in rank order, and its feed shows exactly the scope's events
# of leaderboard.events. A screenshot is kept as an artifact (its path is printed last).
# Runs against the cluster in PGHOST/PGPORT; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
db=lb_wallboard
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }
fail() { echo "$*"; exit 1; }
python=/usr/bin/python3
$python -c 'import psycopg2' 2>/dev/null || fail "python3-psycopg2 is missing (scripts/setup.sh installs it)"
command -v chromium >/dev/null || fail "chromium is missing (scripts/setup.sh installs it)"
work=$(mktemp -d /tmp/leaderboard-wallboard.XXXXXX)
shots=$(mktemp -d /tmp/leaderboard-wallboard-screenshot.XXXXXX)  # kept: the artifact
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  # the driver stops the browser; this is for a driver that could not (its process group)
  [ ! -s "$work/browser.pid" ] || kill -- "-$(cat "$work/browser.pid")" 2>/dev/null || true
  dropdb --if-exists "$db" 2>/dev/null || true
  rm -rf "$work"
  rmdir "$shots" 2>/dev/null || true  # no screenshot taken
}
trap cleanup EXIT

dropdb --if-exists "$db" 2>/dev/null || true
createdb "$db"
# team 1: agents 1-12, agent a converting 12 - a of 12 calls (agent 12 last, outside the top
# 10); team 2: agents 21-26
q >/dev/null <<'SQL'
CREATE EXTENSION leaderboard;
CREATE TABLE calls (call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
                    started_at timestamptz NOT NULL DEFAULT now(), converted boolean NOT NULL);
INSERT INTO calls (agent_id, team_id, converted)
SELECT a, 1, k <= 12 - a FROM generate_series(1, 12) a, generate_series(1, 12) k;
INSERT INTO calls (agent_id, team_id, converted)
SELECT a, 2, k <= 30 - a FROM generate_series(21, 26) a, generate_series(1, 12) k;
SELECT leaderboard.create_board(name => 'wall', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "weight": 100}], "min_rows": 2}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'],
  ladder => 'Bronze: 0, Silver: 40, Gold: 70', time_zone => 'UTC');
SELECT leaderboard.alter_board('wall', events => '{"tier_up": true, "new_leader": true,
  "entered_top_n": 3, "rank_climb": 1}');
SQL

PGDATABASE=$db $python examples/wallboard/server.py --board wall --period month --partition team_id=1 --port 0 \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do grep -q 'http://' "$work/server.log" && break; kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/server.log") || fail "the server did not start: $(cat "$work/server.log")"

cat >"$work/drive.py" <<'PY'
"""Drives headless Chromium through the DevTools protocol on a pipe (fds 3 and 4 of the
browser, messages ending in NUL) while calls are inserted; exits non-zero on a mismatch."""
import base64, fcntl, json, os, select, signal, subprocess, sys, time
import psycopg2

url, db, work, shot = sys.argv[1:]
signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
conn = psycopg2.connect(dbname=db)
conn.autocommit = True

class Browser:
    def __init__(self):
        cmd_r, self.cmd_w = os.pipe()
        self.reply_r, reply_w = os.pipe()
        def as_fds_3_4():  # in the child: copies above 3 and 4 first, as either may be taken
            r, w = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10), fcntl.fcntl(reply_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)
        self.proc = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--remote-debugging-pipe",
             "--user-data-dir=" + os.path.join(work, "profile"), "--window-size=1280,900",
             "--hide-scrollbars", "--no-first-run", "--mute-audio", "about:blank"],
            preexec_fn=as_fds_3_4, pass_fds=(3, 4), start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "browser.log"), "w"))
        with open(os.path.join(work, "browser.pid"), "w") as f:
            f.write(str(self.proc.pid))
        os.close(cmd_r)
        os.close(reply_w)
        self.buf, self.last_id = b"", 0

    def receive(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.reply_r], [], [], left)[0]:
                raise TimeoutError("the browser did not answer")
            chunk = os.read(self.reply_r, 1 << 20)
            if not chunk:
                raise RuntimeError("the browser exited")
            self.buf += chunk
        message, self.buf = self.buf.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, session=None, timeout=60, **params):
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.cmd_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:  # events and replies to nothing else come in between: skipped
            reply = self.receive(deadline)
            if reply.get("id") == self.last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
            self.proc.wait(10)
        except Exception:
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

STATE = """JSON.stringify({
  status: document.getElementById("status").dataset.state,
  top: [...document.querySelectorAll("#top tr")].map(tr => [Number(tr.dataset.rank), tr.dataset.agent]),
  feed: [...document.querySelectorAll("#feed li")].map(li => [Number(li.dataset.id), li.dataset.kind, li.dataset.agent])})"""

def board_top():
    with conn.cursor() as cur:
        cur.execute("SELECT rank, agent_id::text AS agent_key FROM wall_current WHERE period = 'month' AND team_id = 1"
                    " AND rank IS NOT NULL ORDER BY rank, agent_id LIMIT 10")
        return [list(r) for r in cur.fetchall()]

def scope_events():
    with conn.cursor() as cur:
        cur.execute("SELECT id, kind, agent FROM leaderboard.events WHERE board = 'wall' AND period = 'month'"
                    " AND partition ->> 'team_id' = '1' ORDER BY id")
        return [list(r) for r in cur.fetchall()]

def insert(sql):
    with conn.cursor() as cur:
        cur.execute(sql)

def wait_for(what, expected_top, expected_feed, timeout=45):
    deadline = time.monotonic() + timeout
    state = None
    while True:
        value = browser.call("Runtime.evaluate", session, expression=STATE, returnByValue=True)["result"].get("value")
        state = json.loads(value) if value else None  # None: the page is not loaded yet
        if state and state["status"] == "live" and state["top"] == expected_top \
                and sorted(state["feed"]) == expected_feed:
            return
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}:\n page  {state}\n board {expected_top}\n events {expected_feed}")
        time.sleep(0.2)

def screenshot():
    png = browser.call("Page.captureScreenshot", session, timeout=20, format="png")["data"]
    with open(shot, "wb") as f:
        f.write(base64.b64decode(png))

browser = Browser()
try:
    target = browser.call("Target.createTarget", url=url)["targetId"]
    session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    top = board_top()
    assert "12" not in [a for _, a in top], top
    wait_for("the first top 10", top, [])

    # team 2's new leader first: its events are not team 1's and must not show
    insert("INSERT INTO calls (agent_id, team_id, converted) SELECT 26, 2, true FROM generate_series(1, 50)")
    insert("INSERT INTO calls (agent_id, team_id, converted) SELECT 12, 1, true FROM generate_series(1, 200)")
    top, events = board_top(), scope_events()
    kinds = {(k, a) for _, k, a in events}
    assert top[0] == [1, "12"] and {("new_leader", "12"), ("tier_up", "12")} <= kinds, (top, events)
    wait_for("agent 12 taking the lead", top, events)

    insert("INSERT INTO calls (agent_id, team_id, converted) SELECT 8, 1, true FROM generate_series(1, 30)")
    top, events = board_top(), scope_events()
    assert ("tier_up", "8") in {(k, a) for _, k, a in events}, events
    wait_for("agent 8 climbing", top, events)

    time.sleep(1.5)  # lets the newest event's pop animation end before the screenshot
    screenshot()
    print(f"the page re-ranked twice and showed the {len(events)} events of its scope")
except BaseException:
    try:  # the page as it was when the test failed
        screenshot()
        print(f"screenshot of the failure: {shot}")
    except Exception:
        pass
    raise
finally:
    browser.close()
PY
$python "$work/drive.py" "$url" "$db" "$work" "$shots/wallboard.png" >"$work/drive.out" 2>&1 || {
  cat "$work/drive.out"; echo "--- server log"; cat "$work/server.log"
  echo "--- browser log (last lines)"; grep -v dbus "$work/browser.log" | tail -20; fail "the wallboard test failed"; }
kill -0 "$server_pid" 2>/dev/null || fail "the server died: $(cat "$work/server.log")"
echo "wallboard: $(cat "$work/drive.out"); screenshot $shots/wallboard.png"
