#!/usr/bin/env bash
# Throwaway PostgreSQL cluster in a temporary directory on a free port; never touches a
# system cluster. Source it, then call:
#   pgtmp_start [extra postgres -c settings...]  exports PGHOST, PGPORT, PGUSER, PGDATABASE
#   pgtmp_stop                                   stops the cluster and removes its directory
# As root the server runs as the "postgres" user, as PostgreSQL refuses to run as root.
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PGBIN=$("$PG_CONFIG" --bindir)

pgtmp_as_server_user() { # from /, which the server user can always enter
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pgtmp_free_port() {
  local port
  for port in $(seq 54321 54421); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && [ ! -e "/tmp/.s.PGSQL.$port" ]; then
      echo "$port"; return 0
    fi
  done
  return 1
}

pgtmp_start() {
  PGTMP_DIR=$(mktemp -d /tmp/leaderboard-pg.XXXXXX)
  chmod 755 "$PGTMP_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$PGTMP_DIR"
  PGTMP_PORT=$(pgtmp_free_port)
  pgtmp_as_server_user "$PGBIN/initdb" -D "$PGTMP_DIR/data" -A trust -U postgres \
    --no-sync >/dev/null
  local opts="-p $PGTMP_PORT -k $PGTMP_DIR -c listen_addresses='' -c fsync=off"
  local s
  for s in "$@"; do opts="$opts -c $s"; done
  pgtmp_as_server_user "$PGBIN/pg_ctl" -D "$PGTMP_DIR/data" -l "$PGTMP_DIR/log" -w \
    -o "$opts" start >/dev/null
  export PGHOST=$PGTMP_DIR PGPORT=$PGTMP_PORT PGUSER=postgres PGDATABASE=postgres
  export PGTMP_DIR
}

pgtmp_stop() {
  [ -n "${PGTMP_DIR:-}" ] && [ -d "$PGTMP_DIR/data" ] || return 0
  pgtmp_as_server_user "$PGBIN/pg_ctl" -D "$PGTMP_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP_DIR"
}
