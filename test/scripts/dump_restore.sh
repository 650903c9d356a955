#!/usr/bin/env bash
# pg_dump and restore of a database with live boards: the restored boards have the same
# standings and keep working (new calls are ranked, verify() finds no difference).
# (a) a board on a plain table, with a calendar and goals, pg_dump -Fc and pg_restore;
# (b) two boards on a partitioned source (a sub-partitioned partition, one attached after
#     the boards, indexes and a primary key on the parent), restored four ways: pg_restore
#     of a -Fc dump, the same with --single-transaction, a plain-SQL dump replayed by
#     psql with ON_ERROR_STOP, and pg_restore --clean over one of those. Each restore must run without a single error, recreate each
#     board trigger once (the triggers of every table of the tree are counted), and the
#     restored boards must capture every later write exactly once: into a partition, into
#     a partition created or attached after the restore, and through the parent;
# (c) boards with closed periods, their winners, a closed campaign and goals, restored by a
#     parallel pg_restore (-j 2), which loads the extension's configuration tables side by
#     side: the catalog tables come back whole and the boards keep working.
# Runs against the cluster in PGHOST/PGPORT; exits non-zero on failure.
set -euo pipefail
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fail() { echo "$*"; exit 1; }
work=$(mktemp -d /tmp/leaderboard-dump.XXXXXX)
dbs="lb_dump_src lb_dump_dst lb_dump_data lb_dump_app lb_dump_app_data lb_psrc lb_prestore lb_prestore_1 lb_prestore_sql lb_closed_src lb_closed_j"
drop_dbs() { local d; for d in $dbs; do dropdb --if-exists "$d" 2>/dev/null || true; done; }
trap 'drop_dbs; rm -rf "$work"' EXIT
drop_dbs

# == (a) a board on a plain table
src=lb_dump_src dst=lb_dump_dst
createdb $src
q -d $src >/dev/null <<'SQL'
CREATE EXTENSION leaderboard;
CREATE TABLE calls (call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL);
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted)
SELECT 1 + i % 40, i % 4, timestamptz '2026-10-01 09:00+00' + (i % 20) * interval '1 day', 100 + i % 500, i % 3 = 0
FROM generate_series(1, 2000) i;
SELECT leaderboard.create_board(name => 'floor', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', 'call_id AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.5},
                             {"name": "aht", "stat": "avg", "better": "lower", "range": [100, 600]},
                             {"name": "calls", "stat": "count", "target": 50}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'],
  ladder => 'Bronze: 0, Silver: 50, Gold: 70', time_zone => 'UTC', calendar => 'Mon-Fri; holidays 2026-12-25');
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', t) FROM unnest(ARRAY[80, 100]) t;
SELECT leaderboard.set_goal('floor', 'conv', 'rate', 'day', 0.4, partition => '{"team_id": 2}', agent => '7');
SQL
goals_sql="SELECT string_agg(concat_ws(',', id, board, metric, stat, period, target, partition, agent, effective_from, effective_to), ';' ORDER BY id)
           || (SELECT ' calendar ' || calendar FROM leaderboard.boards WHERE name = 'floor') FROM leaderboard.goals"
goals_before=$(q -d $src -c "$goals_sql")
before=$(q -d $src -c "SELECT md5(string_agg(concat_ws(',', period, period_start, team_id, agent_id, kpis, score, qualified, rank, tier), ';' ORDER BY period, period_start, team_id, agent_id)) FROM floor_standings")
pg_dump -Fc -d $src -f "$work/plain.dump"
createdb $dst
pg_restore -d $dst --exit-on-error "$work/plain.dump"
after=$(q -d $dst -c "SELECT md5(string_agg(concat_ws(',', period, period_start, team_id, agent_id, kpis, score, qualified, rank, tier), ';' ORDER BY period, period_start, team_id, agent_id)) FROM floor_standings")
[ "$before" = "$after" ] || fail "standings differ after restore"
goals_after=$(q -d $dst -c "$goals_sql")
[ "$goals_before" = "$goals_after" ] || fail "goals or calendar differ after restore: $goals_before / $goals_after"
# the restored goals and their id sequence go on: a new goal gets the next id
next=$(q -d $dst -c "SELECT leaderboard.set_goal('floor', 'calls', 'count', 'month', 120)" \
           -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM leaderboard.goals")
[ "$next" = "4
1,2,3,4" ] || fail "set_goal after restore did not add the next goal: $next"
q -d $dst -c "SELECT count(*) FROM floor_goals" -c "SELECT count(*) FROM floor_streaks" >/dev/null
q -d $dst <<'SQL'
INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted)
SELECT 100 + i % 5, i % 4, timestamptz '2026-10-05 10:00+00', 150, true FROM generate_series(1, 50) i;
UPDATE calls SET team_id = 3 WHERE call_id % 11 = 0;
DELETE FROM calls WHERE call_id % 13 = 0;
SQL
diffs=$(q -d $dst -c "SELECT count(*) FROM leaderboard.verify('floor')")
new=$(q -d $dst -c "SELECT count(*) FROM floor_standings WHERE agent_id >= 100 AND rank IS NOT NULL")
[ "$diffs" = 0 ] || fail "verify found $diffs differences after restore"
[ "$new" -gt 0 ] || fail "new calls were not ranked after restore"
# over the database that holds the board: --clean drops every object first, the board's
# triggers before their table (the board puts each back, with a warning, until the table
# goes)
if ! pg_restore --clean --if-exists --single-transaction -d $src "$work/plain.dump" \
       >"$work/clean.out" 2>"$work/clean.err" || grep -q ERROR "$work/clean.err"; then
  cat "$work/clean.err"; fail "pg_restore --clean: the restore reported errors"
fi
cleaned=$(q -d $src -c "SELECT md5(string_agg(concat_ws(',', period, period_start, team_id, agent_id, kpis, score, qualified, rank, tier), ';' ORDER BY period, period_start, team_id, agent_id)) FROM floor_standings")
[ "$before" = "$cleaned" ] || fail "standings differ after pg_restore --clean"
q -d $src -c "INSERT INTO calls (agent_id, team_id, started_at, handle_seconds, converted) VALUES (200, 1, '2026-10-06 10:00+00', 150, true)" >/dev/null
diffs=$(q -d $src -c "SELECT count(*) FROM leaderboard.verify('floor')")
[ "$diffs" = 0 ] || fail "verify found $diffs differences after pg_restore --clean"
echo "plain table: standings, goals and calendar identical after restore, and after pg_restore --clean -1 over the board; restored board ranked $new new rows and took a new goal; verify: 0 differences"

# a data-only restore into a schema-only one, as doc/boards.md gives it: the extension's
# tables first (the boards' catalog must be there before any call comes, and pg_restore
# loads data in schema order), then every other table but the boards' standings and scopes,
# named by the restored catalog: the calls are written through the board's triggers, and
# the board counts them again, exactly
data_only_restore() { # $1 = dump, $2 = target database (made by a schema-only restore)
  pg_restore --data-only --exit-on-error -n leaderboard -d "$2" "$1"
  q -d "$2" -c "SELECT format('TABLE DATA %s %s ', n.nspname, c.relname)
                FROM leaderboard.boards b, unnest(ARRAY[b.standings, b.scopes]) t(rel)
                JOIN pg_class c ON c.oid = t.rel JOIN pg_namespace n ON n.oid = c.relnamespace" >"$work/boards.txt"
  pg_restore -l "$1" | grep -v -E ' (TABLE DATA|SEQUENCE SET) leaderboard ' | grep -v -F -f "$work/boards.txt" >"$work/data.list"
  pg_restore --data-only --exit-on-error -L "$work/data.list" -d "$2" "$1"
}
createdb lb_dump_data
pg_restore --schema-only --exit-on-error -d lb_dump_data "$work/plain.dump"
data_only_restore "$work/plain.dump" lb_dump_data
restored=$(q -d lb_dump_data -c "SELECT md5(string_agg(concat_ws(',', period, period_start, team_id, agent_id, kpis, score, qualified, rank, tier), ';' ORDER BY period, period_start, team_id, agent_id)) FROM floor_standings")
[ "$before" = "$restored" ] || fail "standings differ after a data-only restore without them"
diffs=$(q -d lb_dump_data -c "SELECT count(*) FROM leaderboard.verify('floor')")
[ "$diffs" = 0 ] || fail "verify found $diffs differences after a data-only restore"
goals_data=$(q -d lb_dump_data -c "$goals_sql")
[ "$goals_before" = "$goals_data" ] || fail "goals or calendar differ after a data-only restore: $goals_before / $goals_data"
echo "plain table, data-only restore without the standings and scopes: the board counted the calls again, standings and goals identical; verify: 0 differences"

# the same with the source in a schema that sorts before leaderboard (its data would come
# before the boards' catalog) and standings and scopes renamed (no longer <board>_standings)
createdb lb_dump_app
q -d lb_dump_app >/dev/null <<'SQL'
CREATE EXTENSION leaderboard;
CREATE SCHEMA app;
CREATE TABLE app.calls (call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int,
  started_at timestamptz NOT NULL, converted boolean NOT NULL);
INSERT INTO app.calls (agent_id, team_id, started_at, converted)
SELECT 1 + i % 7, i % 2, timestamptz '2026-10-01 09:00+00' + (i % 9) * interval '1 day', i % 3 = 0
FROM generate_series(1, 300) i;
SELECT leaderboard.create_board(name => 'desk', source => 'app.calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate"}, {"name": "calls", "stat": "count", "target": 40}]}',
  periods => ARRAY['day', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC');
ALTER TABLE app.desk_standings RENAME TO aaa_desk;
ALTER TABLE app.desk_scopes RENAME TO aab_desk;
SELECT leaderboard.alter_board('desk');
SQL
app_sql="SELECT md5(string_agg(concat_ws(',', period, period_start, team_id, agent_id, kpis, score, qualified, rank), ';' ORDER BY period, period_start, team_id, agent_id)) FROM app.aaa_desk"
app_before=$(q -d lb_dump_app -c "$app_sql")
pg_dump -Fc -d lb_dump_app -f "$work/app.dump"
createdb lb_dump_app_data
pg_restore --schema-only --exit-on-error -d lb_dump_app_data "$work/app.dump"
data_only_restore "$work/app.dump" lb_dump_app_data
app_after=$(q -d lb_dump_app_data -c "$app_sql")
[ "$app_before" = "$app_after" ] || fail "renamed standings of a source in schema app differ after a data-only restore"
[ "$(q -d lb_dump_app_data -c "SELECT count(*) FROM app.calls")" = 300 ] || fail "calls missing after a data-only restore"
diffs=$(q -d lb_dump_app_data -c "SELECT count(*) FROM leaderboard.verify('desk')")
[ "$diffs" = 0 ] || fail "verify found $diffs differences after a data-only restore of schema app"
echo "source in schema app, renamed standings: data-only restore counted the calls once, standings identical; verify: 0 differences"

# == (b) boards on a partitioned source
psrc=lb_psrc
createdb $psrc
q -d $psrc >/dev/null <<'SQL'
CREATE EXTENSION leaderboard;
CREATE TABLE pcalls (call_id bigserial, agent_id int NOT NULL, site text NOT NULL,
  started_at timestamptz NOT NULL, handle_seconds int NOT NULL, converted boolean NOT NULL,
  PRIMARY KEY (call_id, started_at, site)) PARTITION BY RANGE (started_at);
CREATE INDEX pcalls_site_at ON pcalls (site, started_at);
CREATE INDEX pcalls_agent ON pcalls (agent_id);
CREATE TABLE pcalls_2026_09 PARTITION OF pcalls FOR VALUES FROM ('2026-09-01 00:00+00') TO ('2026-10-01 00:00+00');
CREATE TABLE pcalls_2026_10 PARTITION OF pcalls FOR VALUES FROM ('2026-10-01 00:00+00') TO ('2026-11-01 00:00+00')
  PARTITION BY LIST (site);
CREATE TABLE pcalls_2026_10_east PARTITION OF pcalls_2026_10 FOR VALUES IN ('east');
CREATE TABLE pcalls_2026_10_rest PARTITION OF pcalls_2026_10 DEFAULT;
CREATE TABLE pcalls_2026_11 PARTITION OF pcalls FOR VALUES FROM ('2026-11-01 00:00+00') TO ('2026-12-01 00:00+00');
INSERT INTO pcalls (agent_id, site, started_at, handle_seconds, converted)
SELECT 1 + i % 40, (ARRAY['east', 'west', 'north'])[1 + i % 3],
       timestamptz '2026-09-10 09:00+00' + (i % 80) * interval '1 day' + (i % 7) * interval '1 hour',
       100 + i % 500, i % 3 = 0
FROM generate_series(1, 3000) i;
SELECT leaderboard.create_board(name => 'sites', source => 'pcalls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'handle_seconds AS aht', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.5},
                             {"name": "aht", "stat": "avg", "better": "lower", "range": [100, 600]},
                             {"name": "calls", "stat": "count", "target": 20}]}',
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['site'],
  ladder => 'Bronze: 0, Silver: 50, Gold: 70', time_zone => 'UTC');
SELECT leaderboard.create_board(name => 'pfloor', source => 'pcalls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', '1 AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate", "target": 0.5},
                             {"name": "calls", "stat": "count", "target": 50, "weight": 0}]}',
  periods => ARRAY['month', 'all'], time_zone => 'UTC');
-- a partition attached once the boards exist, with rows (the boards are rebuilt at commit)
CREATE TABLE pcalls_2026_12 (LIKE pcalls INCLUDING DEFAULTS);
INSERT INTO pcalls_2026_12 (agent_id, site, started_at, handle_seconds, converted)
SELECT 1 + i % 40, (ARRAY['east', 'west'])[1 + i % 2], timestamptz '2026-12-01 08:00+00' + i * interval '1 hour', 200, i % 2 = 0
FROM generate_series(1, 300) i;
ALTER TABLE pcalls ATTACH PARTITION pcalls_2026_12 FOR VALUES FROM ('2026-12-01 00:00+00') TO ('2027-01-01 00:00+00');
UPDATE pcalls SET site = 'west' WHERE call_id % 17 = 0;
DELETE FROM pcalls WHERE call_id % 19 = 0;
SQL

standings() { # $1 = database: a digest of both boards' standings
  q -d "$1" -c "SELECT md5(string_agg(x, ';' ORDER BY x)) FROM (
    SELECT concat_ws(',', 's', period, period_start, site, agent_id, kpis, score, qualified, rank, tier) FROM sites_standings
    UNION ALL SELECT concat_ws(',', 'f', period, period_start, agent_id, kpis, score, qualified, rank, tier) FROM pfloor_standings) s(x)"
}
# Each table of the source's tree carries, per board, its four statement triggers (the
# TRUNCATE one enabled ALWAYS, the others in ordinary sessions) and one row trigger for
# replicas (on a partition, the clone of the source's). Prints every table that does not.
trigger_layout_sql=$(cat <<'SQL'
SELECT b.name, t.relid::regclass,
       string_agg(format('%s:%s%s', g.tgname, g.tgenabled, CASE WHEN g.tgparentid <> 0 THEN '(clone)' ELSE '' END), ' ' ORDER BY g.tgname)
FROM leaderboard.boards b
CROSS JOIN LATERAL pg_partition_tree(b.source) t
LEFT JOIN pg_trigger g ON g.tgrelid = t.relid
  AND g.tgfoid IN ('leaderboard._board_capture()'::regprocedure, 'leaderboard._board_capture_row()'::regprocedure)
  AND g.tgname LIKE 'lb\_' || b.name || '\_%'
GROUP BY b.name, t.relid, t.level
HAVING string_agg(format('%s:%s%s', g.tgname, g.tgenabled, CASE WHEN g.tgparentid <> 0 THEN '(clone)' ELSE '' END), ' ' ORDER BY g.tgname)
       IS DISTINCT FROM format('lb_%1$s_del:O lb_%1$s_ins:O lb_%1$s_repl:R%2$s lb_%1$s_trunc:A lb_%1$s_upd:O',
                               b.name, CASE WHEN t.level > 0 THEN '(clone)' ELSE '' END)
ORDER BY 1, 2
SQL
)
check_triggers() { # $1 = database, $2 = what happened
  local bad
  bad=$(q -d "$1" -c "$trigger_layout_sql")
  [ -z "$bad" ] || fail "$2: board triggers not exactly once on each table of the tree:
$bad"
}
check_verify() { # $1 = database, $2 = what happened
  local diffs
  diffs=$(q -d "$1" -c "SELECT (SELECT count(*) FROM leaderboard.verify('sites')) + (SELECT count(*) FROM leaderboard.verify('pfloor'))")
  [ "$diffs" = 0 ] || fail "$2: verify found $diffs differences"
}
check_triggers $psrc "the source database"
check_verify $psrc "the source database"
psrc_standings=$(standings $psrc)
pg_dump -Fc -d $psrc -f "$work/part.dump"
pg_dump -Fp -d $psrc -f "$work/part.sql"

# $1 = database, $2 = how it was restored: the restored boards equal the dumped ones and
# count every later write once.
check_restored() {
  local db=$1 how=$2 got
  check_triggers "$db" "$how"
  [ "$(standings "$db")" = "$psrc_standings" ] || fail "$how: standings differ after restore"
  check_verify "$db" "$how"
  q -d "$db" >/dev/null <<'SQL'
-- into a leaf partition (of a sub-partitioned one) directly, and through the parent
INSERT INTO pcalls_2026_10_east (agent_id, site, started_at, handle_seconds, converted)
SELECT 900, 'east', timestamptz '2026-10-20 10:00+00' + i * interval '1 minute', 150, true FROM generate_series(1, 7) i;
INSERT INTO pcalls (agent_id, site, started_at, handle_seconds, converted)
SELECT 902, 'west', timestamptz '2026-11-20 10:00+00' + i * interval '1 minute', 150, true FROM generate_series(1, 3) i;
-- a partition created after the restore, written directly; one attached with rows
CREATE TABLE pcalls_2027_01 PARTITION OF pcalls FOR VALUES FROM ('2027-01-01 00:00+00') TO ('2027-02-01 00:00+00');
INSERT INTO pcalls_2027_01 (agent_id, site, started_at, handle_seconds, converted)
SELECT 901, 'north', timestamptz '2027-01-05 10:00+00' + i * interval '1 minute', 150, false FROM generate_series(1, 5) i;
CREATE TABLE pcalls_2027_02 (LIKE pcalls INCLUDING DEFAULTS);
INSERT INTO pcalls_2027_02 (agent_id, site, started_at, handle_seconds, converted)
SELECT 903, 'east', timestamptz '2027-02-05 10:00+00' + i * interval '1 minute', 150, true FROM generate_series(1, 4) i;
ALTER TABLE pcalls ATTACH PARTITION pcalls_2027_02 FOR VALUES FROM ('2027-02-01 00:00+00') TO ('2027-03-01 00:00+00');
INSERT INTO pcalls_2027_02 (agent_id, site, started_at, handle_seconds, converted)
VALUES (903, 'east', '2027-02-06 10:00+00', 150, true);
UPDATE pcalls SET handle_seconds = handle_seconds + 1 WHERE call_id % 23 = 0;
DELETE FROM pcalls WHERE call_id % 29 = 0 AND agent_id < 900;
SQL
  check_triggers "$db" "$how, after a partition was created and one attached"
  got=$(q -d "$db" -c "SELECT string_agg(format('%s:%s:%s', agent_id, b, n), ' ' ORDER BY agent_id, b) FROM (
    SELECT agent_id, 'sites' AS b, sum(leaderboard.rows(kpis)) AS n FROM sites_standings WHERE period = 'month' AND agent_id >= 900 GROUP BY agent_id
    UNION ALL SELECT agent_id, 'pfloor', sum(leaderboard.rows(kpis)) FROM pfloor_standings WHERE period = 'month' AND agent_id >= 900 GROUP BY agent_id) x")
  [ "$got" = "900:pfloor:7 900:sites:7 901:pfloor:5 901:sites:5 902:pfloor:3 902:sites:3 903:pfloor:5 903:sites:5" ] \
    || fail "$how: new calls not counted exactly once: $got"
  check_verify "$db" "$how, after writes"
}

# each restore must run without an error: pg_restore continues past one and reports it,
# psql stops at the first with ON_ERROR_STOP; both exit non-zero and write it to stderr
restore() { # $1 = database, $2 = label, then the command to run
  local db=$1 how=$2
  shift 2
  createdb "$db"
  if ! "$@" >"$work/restore.out" 2>"$work/restore.err" || grep -q . "$work/restore.err"; then
    cat "$work/restore.err"; fail "$how: the restore reported errors ($(grep -c 'ERROR' "$work/restore.err") errors)"
  fi
  check_restored "$db" "$how"
}
restore lb_prestore "pg_restore" pg_restore -d lb_prestore "$work/part.dump"
restore lb_prestore_1 "pg_restore --single-transaction" pg_restore --single-transaction -d lb_prestore_1 "$work/part.dump"
restore lb_prestore_sql "psql of a plain-SQL dump" psql -X -q -v ON_ERROR_STOP=1 -d lb_prestore_sql -f "$work/part.sql"
# --clean over a database holding the boards: it drops their standings before the
# partitions, whose drop asks for a rebuild of a board with no tables left. PostgreSQL's
# own --clean cannot drop the primary keys the partitions inherit from the parent's (it
# reports each and drops them with their tables): those errors are not the boards'.
pg_restore --clean --if-exists -d lb_prestore "$work/part.dump" >"$work/restore.out" 2>"$work/restore.err" || true
if grep ERROR "$work/restore.err" | grep -qv 'cannot drop inherited constraint'; then
  cat "$work/restore.err"; fail "pg_restore --clean: the restore reported errors of the boards"
fi
check_restored lb_prestore "pg_restore --clean over the restored database"
echo "partitioned source: pg_restore, pg_restore -1, psql and pg_restore --clean restored without error, standings identical, triggers once per table, later writes counted once; verify: 0 differences"

# == (c) closed periods, winners and goals through a parallel restore
createdb lb_closed_src
q -d lb_closed_src >/dev/null <<'SQL'
CREATE EXTENSION leaderboard;
CREATE TABLE calls (call_id bigserial PRIMARY KEY, agent_id int NOT NULL, team_id int NOT NULL,
  started_at timestamptz NOT NULL, converted boolean NOT NULL);
-- many days of many teams: closing writes far more winners than closed periods
INSERT INTO calls (agent_id, team_id, started_at, converted)
SELECT 1 + i % 200, i % 20, timestamptz '2026-09-01 09:00+00' + (i % 60) * interval '1 day', i % 3 = 0
FROM generate_series(1, 24000) i;
SELECT leaderboard.create_board(name => 'floor', source => 'calls', agent => 'agent_id', at => 'started_at',
  metrics => ARRAY['converted AS conv', 'call_id AS calls'],
  scorecard => '{"metrics": [{"name": "conv", "stat": "rate"}, {"name": "calls", "stat": "count", "target": 50}]}',
  periods => ARRAY['day', 'week', 'month'], partition_by => ARRAY['team_id'], time_zone => 'UTC');
SELECT leaderboard.set_goal('floor', 'calls', 'count', 'day', t) FROM unnest(ARRAY[5, 8]) t;
SELECT leaderboard.create_campaign(name => 'sprint', board => 'floor',
  scorecard => '{"metrics": [{"name": "conv", "stat": "sum"}], "scale": 1}',
  starts => '2026-09-07 00:00+00', ends => '2026-09-14 00:00+00', grace => '1 day');
SELECT leaderboard.close_periods('floor') > 0, leaderboard.close_periods('sprint') > 0;
SQL
catalog_sql="SELECT (SELECT count(*) FROM leaderboard.boards) || ' ' || (SELECT count(*) FROM leaderboard.closed_periods)
  || ' ' || (SELECT count(*) FROM leaderboard.period_winners) || ' ' || (SELECT count(*) FROM leaderboard.goals)
  || ' ' || (SELECT md5(string_agg(concat_ws(',', board, period, period_start, partition, agent, score, tier), ';'
                 ORDER BY board, period, period_start, partition::text, agent)) FROM leaderboard.period_winners)"
closed_before=$(q -d lb_closed_src -c "$catalog_sql")
pg_dump -Fc -d lb_closed_src -f "$work/closed.dump"
createdb lb_closed_j
if ! pg_restore -j 2 -d lb_closed_j "$work/closed.dump" >"$work/closed.out" 2>"$work/closed.err" \
     || grep -q . "$work/closed.err"; then
  cat "$work/closed.err"; fail "pg_restore -j 2: the restore reported errors"
fi
closed_after=$(q -d lb_closed_j -c "$catalog_sql")
[ "$closed_before" = "$closed_after" ] || fail "catalog tables differ after pg_restore -j 2: $closed_before / $closed_after"
q -d lb_closed_j -c "INSERT INTO calls (agent_id, team_id, started_at, converted) VALUES (5, 5, now(), true)" >/dev/null
diffs=$(q -d lb_closed_j -c "SELECT count(*) FROM leaderboard.verify('floor')")
[ "$diffs" = 0 ] || fail "verify found $diffs differences after pg_restore -j 2"
q -d lb_closed_j -c "SELECT leaderboard.drop_board('sprint')" -c "SELECT leaderboard.drop_board('floor')" >/dev/null
left=$(q -d lb_closed_j -c "SELECT (SELECT count(*) FROM leaderboard.closed_periods) + (SELECT count(*) FROM leaderboard.period_winners) + (SELECT count(*) FROM leaderboard.goals)")
[ "$left" = 0 ] || fail "drop_board left $left rows of closed periods, winners or goals"
echo "closed periods: pg_restore -j 2 restored boards, closed periods, winners and goals without error ($closed_after); verify: 0 differences; drop_board took their rows along"
