#!/usr/bin/env bash
# Runs every ```sql block of README.md and doc/*.md, so no documented example goes stale.
# Each page runs in order, in one psql session, in a database of its own with the extension
# created: a page's examples make their own tables and data. A block fails the run when any
# statement in it fails, except:
#   <!-- fails: 22P02 42501 -->   on the line before a block: the block shows errors; it must
#                                 raise at least one, and only with the SQLSTATEs listed
#   <!-- not run: reason -->      on the line before a block: skipped, for the reason given
# Runs against the cluster in PGHOST/PGPORT; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/leaderboard-doc.XXXXXX)
db=lb_doc_examples
trap 'rm -rf "$work"; dropdb --if-exists $db >/dev/null 2>&1 || true' EXIT

# Writes the psql script of page $1: each block preceded by a marker on stderr (\warn), so
# that errors, which psql also writes to stderr, can be told apart block by block.
extract() {
  awk -v page="$1" '
    function marker(kind, extra) { printf "\\warn @@%s %s:%d%s\n", kind, page, start, extra }
    /^<!-- *fails:/      { expect = $0; sub(/^<!-- *fails: */, "", expect); sub(/ *-->.*$/, "", expect); next }
    /^<!-- *not run:/    { skip = 1; next }
    /^```sql[ \t]*$/ && !inblock {
      inblock = 1; start = NR + 1; blocks++
      if (skip) { skipped++ } else if (expect != "") {
        marker("expect", " " expect); print "\\set ON_ERROR_STOP 0"
      } else {
        marker("block", "")
      }
      next
    }
    /^```/ && inblock {
      if (!skip && expect != "") { print "\\set ON_ERROR_STOP 1"; print "\\warn @@end" }
      inblock = 0; skip = 0; expect = ""; next
    }
    inblock && !skip { print; next }
    !inblock && NF   { skip = 0; expect = "" }
    END { printf "\\warn @@done %d blocks, %d skipped\n", blocks, skipped }
  ' "$1"
}

# Reads a page's stderr: no error outside "fails" blocks, and in each of those at least one
# error, every one with a listed SQLSTATE.
check() {
  awk '
    /^@@block /  { where = $2; expect = ""; next }
    /^@@expect / { where = $2; expect = " " substr($0, index($0, $3)) " "; errors = 0; next }
    /^@@end/     { if (errors == 0) { print where ": the block shows no error"; bad = 1 } expect = ""; next }
    /^@@done /   { done = $0; next }
    /ERROR:  [0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]:/ {
      code = $0; sub(/^.*ERROR:  /, "", code); code = substr(code, 1, 5)
      if (expect == "") { print where ": " $0; bad = 1 }
      else if (index(expect, " " code " ") == 0) { print where ": unexpected " $0; bad = 1 }
      else errors++
      next
    }
    END { if (done == "") { print "the page did not run to its end"; bad = 1 } exit bad }
  ' "$1"
}

# roles an example creates are dropped after its page, with the page's database
roles() { psql -X -At -d postgres -c "SELECT quote_ident(rolname) FROM pg_roles ORDER BY 1"; }
roles_before=$(roles)
drop_new_roles() {
  dropdb --if-exists $db >/dev/null 2>&1
  comm -13 <(echo "$roles_before") <(roles) | while read -r r; do
    psql -X -q -d postgres -c "DROP ROLE $r" >/dev/null
  done
}

pages=0 blocks=0 failed=0
for page in README.md doc/*.md; do
  [ -f "$page" ] || continue
  { echo '\set VERBOSITY verbose'; extract "$page"; } >"$work/page.sql"
  createdb $db
  # a page that shows CREATE EXTENSION runs it itself
  grep -qi '^CREATE EXTENSION leaderboard' "$work/page.sql" ||
    psql -X -q -d $db -c "CREATE EXTENSION leaderboard" >/dev/null
  set +e
  psql -X -q -d $db -v ON_ERROR_STOP=1 -f "$work/page.sql" >/dev/null 2>"$work/page.err"
  rc=$?
  set -e
  if check "$work/page.err" >"$work/page.check" && [ $rc = 0 ]; then
    n=$(sed -n 's/^@@done \([0-9]*\) blocks.*/\1/p' "$work/page.err")
    echo "$page ... ok ($(sed -n 's/^@@done //p' "$work/page.err"))"
    blocks=$((blocks + n))
  else
    echo "$page ... FAILED (psql exit $rc)"
    cat "$work/page.check"
    grep -v '^@@' "$work/page.err" | head -20
    failed=$((failed + 1))
  fi
  pages=$((pages + 1))
  drop_new_roles
done
[ "$failed" = 0 ] || { echo "$failed of $pages pages failed"; exit 1; }
echo "$pages pages, $blocks sql blocks run, 0 failed"
