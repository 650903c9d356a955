#!/usr/bin/python3
"""A live wallboard for one scope of a leaderboard board.

Serves index.html and an event stream (/stream, server-sent events). One database
connection LISTENs on channel leaderboard; on each notification of the board it reads the
scope's fresh top 10 and pushes it, with the notification's events of the scope, to every
open page. Python standard library and psycopg2 only. See README.md.
"""
import argparse
import json
import os
import queue
import select
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
from psycopg2 import sql

HERE = os.path.dirname(os.path.abspath(__file__))
KEEPALIVE_SECONDS = 15  # a comment line this often keeps proxies from closing the stream


class Scope:
    """The board's scope shown: a period kind and the partition values."""

    def __init__(self, conn, board, period, partition):
        with conn.cursor() as cur:
            cur.execute(
                "SELECT n.nspname, b.agent_column, b.partition_by::text[], b.periods"
                " FROM leaderboard.boards b JOIN pg_catalog.pg_class c ON c.oid = b.standings"
                " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE b.name = %s",
                (board,))
            row = cur.fetchone()
        if row is None:
            sys.exit(f"no board named {board!r}")
        schema, agent, partition_by, periods = row
        if period not in periods:
            sys.exit(f"board {board!r} has no period {period!r} (it has {', '.join(periods)})")
        if sorted(partition) != sorted(partition_by):
            wanted = " ".join(f"--partition {c}=VALUE" for c in partition_by) or "no --partition"
            sys.exit(f"board {board!r} is partitioned by ({', '.join(partition_by)}): give {wanted}")
        self.board, self.period, self.partition = board, period, partition
        # the scope's top 10, ranks as the board ranks them (unqualified rows have none)
        self.top_query = sql.SQL(
            "SELECT rank, {agent}::text AS agent_key, score, tier, period_start::text FROM {view}"
            " WHERE period = %s{where} AND rank IS NOT NULL ORDER BY rank, {agent} LIMIT 10").format(
                agent=sql.Identifier(agent),
                view=sql.Identifier(schema, board + "_current"),
                where=sql.SQL("").join(sql.SQL(" AND {} = %s").format(sql.Identifier(c))
                                       for c in partition))
        self.top_params = [period] + list(partition.values())

    def top(self, conn):
        with conn.cursor() as cur:
            cur.execute(self.top_query, self.top_params)
            return [{"rank": r, "agent": a, "score": s, "tier": t, "period_start": p}
                    for r, a, s, t, p in cur.fetchall()]

    def events(self, conn, payload, period_start):
        """The notification's events of this scope's current period, oldest first."""
        # NOTIFY names the transaction and the range of ids (another commit's events may lie
        # between them); the events are read by both (row-level security
        # shows them to the board's owner, or a role reads a view the owner grants)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_catalog.to_jsonb(e) - 'board' - 'at' - 'xid' FROM leaderboard.events e"
                " WHERE board = %s AND xid = %s::pg_catalog.xid8 AND id >= %s AND id <= %s ORDER BY id",
                (self.board, payload["xid"], payload["first_id"], payload["last_id"]))
            events = [r[0] for r in cur.fetchall()]
        return [e for e in events
                if e["period"] == self.period and e["period_start"] == period_start
                and all(as_text(e["partition"].get(c)) == v for c, v in self.partition.items())]

    def describe(self):
        return {"board": self.board, "period": self.period, "partition": self.partition}


def as_text(value):
    """A partition value from an event's JSON, spelled as PostgreSQL prints it as text."""
    return value if isinstance(value, str) else json.dumps(value)


class Hub:
    """The open pages: each has a queue of messages; a new page gets the latest state."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clients = set()
        self.latest = None

    def join(self):
        q = queue.Queue(maxsize=100)
        with self.lock:
            self.clients.add(q)
            if self.latest is not None:
                q.put(self.latest)
        return q

    def leave(self, q):
        with self.lock:
            self.clients.discard(q)

    def publish(self, message, events):
        data = json.dumps(dict(message, events=events))
        with self.lock:
            self.latest = json.dumps(dict(message, events=[]))
            for q in list(self.clients):
                try:
                    q.put_nowait(data)
                except queue.Full:  # a page that stopped reading: drop it, it reconnects
                    self.clients.discard(q)


def make_handler(hub):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path in ("/", "/index.html"):
                with open(os.path.join(HERE, "index.html"), "rb") as f:
                    body = f.read()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif self.path == "/stream":
                self.stream()
            else:
                self.send_error(404)

        def stream(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            q = hub.join()
            try:
                self.wfile.write(b"retry: 2000\n\n")
                while True:
                    try:
                        data = q.get(timeout=KEEPALIVE_SECONDS)
                        self.wfile.write(f"data: {data}\n\n".encode())
                    except queue.Empty:
                        self.wfile.write(b": keepalive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                hub.leave(q)

        def log_message(self, format, *args):  # the stream requests would flood the log
            pass

    return Handler


def listen(conn, scope, hub, refresh):
    """Relays the board's notifications; also re-reads the top 10 every `refresh` seconds,
    as calls that cause no event (a score change without a rank or tier event) notify nothing."""
    with conn.cursor() as cur:
        cur.execute("LISTEN leaderboard")
    last, payloads = None, []
    while True:
        top = scope.top(conn)
        period_start = top[0]["period_start"] if top else None
        events = [e for p in payloads for e in scope.events(conn, p, period_start)]
        if events or top != last:
            hub.publish({"scope": scope.describe(), "top": top}, events)
            last = top
        select.select([conn], [], [], refresh)
        conn.poll()
        payloads = [json.loads(n.payload) for n in conn.notifies]
        payloads = [p for p in payloads if p["board"] == scope.board]
        conn.notifies.clear()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog="The database is named by PGHOST, PGPORT, PGDATABASE, PGUSER, ...")
    ap.add_argument("--board", required=True)
    ap.add_argument("--period", default="day", help="the period kind shown (default day)")
    ap.add_argument("--partition", action="append", default=[], metavar="COLUMN=VALUE",
                    help="the scope's value of each partition column of the board")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080, help="0: any free port (printed)")
    ap.add_argument("--refresh", type=float, default=30, metavar="SECONDS")
    args = ap.parse_args()
    partition = dict(p.split("=", 1) for p in args.partition if "=" in p)
    if len(partition) != len(args.partition):
        ap.error("--partition takes COLUMN=VALUE")

    conn = psycopg2.connect("")
    conn.autocommit = True
    scope = Scope(conn, args.board, args.period, partition)
    hub = Hub()
    httpd = ThreadingHTTPServer((args.host, args.port), make_handler(hub))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(f"wallboard of {args.board} on http://{args.host}:{httpd.server_address[1]}/", flush=True)
    listen(conn, scope, hub, args.refresh)


if __name__ == "__main__":
    main()
