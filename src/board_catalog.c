/*
 * board_catalog.c: the only writers of leaderboard.boards and leaderboard.goals.
 *
 * Nobody but the extension's owner may write the catalog directly: whoever writes a row
 * names the role the board's triggers run as, and the expressions they run. These
 * functions let create_board, alter_board and drop_board (which run as their caller)
 * write exactly the rows their caller is entitled to: a new row only with the caller as
 * owner, over a source and tables the caller owns, and only as create_board builds it; changes and deletions only of boards
 * whose owner the caller has the privileges of. The write itself runs as the catalog's
 * owner. Goals are written the same way: only goals of boards the caller owns, and only
 * as set_goal builds them.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "nodes/pg_list.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "board_pending.h"

static Oid
relation_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

static Oid
catalog_relid(void)
{
	return get_relname_relid("boards", get_namespace_oid("leaderboard", false));
}

static Oid
oid_field(HeapTupleHeader row, const char *field)
{
	bool		isnull;
	Datum		d = GetAttributeByName(row, field, &isnull);

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("board field \"%s\" must not be null", field)));
	return DatumGetObjectId(d);
}

static void
require_owns(Oid relid, Oid user)
{
	if (!pg_class_ownercheck(relid, user))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s", get_rel_name(relid))));
}

/* The owner of a board, read with the caller's privileges (the catalog is public). */
static Oid
board_owner_of(const char *name)
{
	Datum		arg = CStringGetTextDatum(name);
	Oid			argtype = TEXTOID;
	bool		isnull;
	Oid			owner;

	if (SPI_execute_with_args("SELECT owner::pg_catalog.oid FROM leaderboard.boards WHERE name OPERATOR(pg_catalog.=) $1",
							  1, &argtype, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("board \"%s\" does not exist", name)));
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
										   &isnull));
	return owner;
}

static void
require_board_owner(const char *name)
{
	if (!has_privs_of_role(GetUserId(), board_owner_of(name)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of board \"%s\"", name)));
}

/*
 * After a write of the catalog returning the owner of each row it wrote: an error unless
 * the caller has the privileges of each. The owner was checked before, by the board's
 * name, with the statement's snapshot; the write sees rows committed since (a board of
 * that name dropped and made again by another role), which this checks as written, so
 * that the error undoes the write.
 */
static void
require_owner_of_written(const char *name)
{
	uint64		i;
	bool		isnull;

	for (i = 0; i < SPI_processed; i++)
		if (!has_privs_of_role(GetUserId(),
							   DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull))))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("must be owner of board \"%s\"", name)));
}

/*
 * Raises 22023 unless scorecards are what alter_board makes of a card for the board: one
 * per period of the board, each the text of a card scoring the board's metrics in board
 * order, which aligning again leaves as it is.
 */
static void
require_aligned_cards(Datum board, Datum scorecards)
{
	Oid			argtypes[2] = {TEXTOID, JSONBOID};
	Datum		args[2] = {board, scorecards};
	bool		isnull;

	if (SPI_execute_with_args("SELECT pg_catalog.jsonb_typeof($2) OPERATOR(pg_catalog.=) 'object' AND "
							  "$2 OPERATOR(pg_catalog.=) leaderboard._board_cards("
							  "(SELECT pg_catalog.jsonb_object_agg(c.key, (c.value OPERATOR(pg_catalog.#>>) '{}')::pg_catalog.jsonb) "
							  "FROM pg_catalog.jsonb_each($2) c), periods, metric_names) "
							  "FROM leaderboard.boards WHERE name OPERATOR(pg_catalog.=) $1",
							  2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scorecards must be one per period of the board, aligned to its metrics"),
				 errhint("Change a board's scorecard with leaderboard.alter_board().")));
}

/* Runs one catalog statement as the catalog's owner. */
static void
write_catalog(const char *sql, int nargs, Oid *argtypes, Datum *args, const char *nulls,
			  int expected)
{
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(relation_owner(catalog_relid()),
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	if (SPI_execute_with_args(sql, nargs, argtypes, args, nulls, false, 0) != expected)
		elog(ERROR, "leaderboard: catalog write failed");
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * Keeps the board's row from being deleted until this transaction ends, as a foreign key
 * to it would (a concurrent drop_board() that commits first leaves no row: 42704).
 */
static void
lock_board_row(Datum board)
{
	Oid			argtype = TEXTOID;

	write_catalog("SELECT FROM leaderboard.boards WHERE name OPERATOR(pg_catalog.=) $1 FOR KEY SHARE",
				  1, &argtype, &board, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("board \"%s\" does not exist", TextDatumGetCString(board))));
}

PG_FUNCTION_INFO_V1(board_catalog_insert);
/* Inserts a new board row owned by the caller; returns void. */
Datum
board_catalog_insert(PG_FUNCTION_ARGS)
{
	HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(0);
	Oid			user = GetUserId();
	Oid			rowtype = get_fn_expr_argtype(fcinfo->flinfo, 0);
	Datum		arg = PointerGetDatum(row);

	if (oid_field(row, "owner") != user)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("a board's owner must be the role creating it")));
	require_owns(oid_field(row, "source"), user);
	require_owns(oid_field(row, "standings"), user);
	require_owns(oid_field(row, "scopes"), user);

	SPI_connect();
	/* the rest of the row as create_board builds it (checked as the caller) */
	if (SPI_execute_with_args("SELECT leaderboard._check_board_row($1)", 1, &rowtype, &arg,
							  NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog row check failed");
	write_catalog("INSERT INTO leaderboard.boards SELECT ($1).*", 1, &rowtype, &arg, NULL,
				  SPI_OK_INSERT);
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(board_catalog_update);
/*
 * Replaces a board's scorecards and ladder, and records the source index alter_board
 * created (when it is an (agent, at) index of the source); returns void.
 */
Datum
board_catalog_update(PG_FUNCTION_ARGS)
{
	char	   *name;
	Oid			argtypes[4] = {TEXTOID, JSONBOID, TEXTOID, NAMEOID};
	Datum		args[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a board name is needed")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a board needs a scorecard")));
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = PG_ARGISNULL(2) ? (Datum) 0 : PG_GETARG_DATUM(2);
	if (PG_ARGISNULL(2))
		nulls[2] = 'n';
	args[3] = PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3);
	if (PG_ARGISNULL(3))
		nulls[3] = 'n';
	SPI_connect();
	require_board_owner(name);
	require_aligned_cards(args[0], args[1]);
	write_catalog("UPDATE leaderboard.boards SET scorecards = $2, ladder = $3::leaderboard.ladder, "
				  "source_index = CASE WHEN $4 OPERATOR(pg_catalog.=) ANY "
				  "(leaderboard._agent_at_indexes(source, agent_column, at_column)) "
				  "THEN $4 ELSE source_index END "
				  "WHERE name OPERATOR(pg_catalog.=) $1 RETURNING owner", 4, argtypes, args, nulls, SPI_OK_UPDATE_RETURNING);
	require_owner_of_written(name);
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(board_catalog_close);
/*
 * Sets a board's close settings (grace, retention) and closed periods (closed_before),
 * and records the periods closed and their winners (arrays of leaderboard.closed_periods
 * and leaderboard.period_winners rows), once leaderboard._check_close() accepts them for
 * a board the caller owns; returns void. The board's row is written first: under
 * REPEATABLE READ a concurrent close, or any change of the board, raises 40001 there.
 */
Datum
board_catalog_close(PG_FUNCTION_ARGS)
{
	char	   *name;
	Oid			argtypes[6];
	Datum		args[6];
	char		nulls[6];
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a board name is needed")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	for (i = 0; i < 6; i++)
	{
		argtypes[i] = get_fn_expr_argtype(fcinfo->flinfo, i);
		args[i] = PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
		nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
	}
	SPI_connect();
	require_board_owner(name);
	/* checked as the caller */
	if (SPI_execute_with_args("SELECT leaderboard._check_close($1, $2, $3, $4, $5, $6)", 6,
							  argtypes, args, nulls, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: close check failed");
	write_catalog("UPDATE leaderboard.boards SET grace = $2, retention = $3, closed_before = $4 "
				  "WHERE name OPERATOR(pg_catalog.=) $1 RETURNING owner", 6, argtypes, args, nulls, SPI_OK_UPDATE_RETURNING);
	require_owner_of_written(name);
	write_catalog("INSERT INTO leaderboard.closed_periods SELECT * FROM pg_catalog.unnest($5)",
				  6, argtypes, args, nulls, SPI_OK_INSERT);
	write_catalog("INSERT INTO leaderboard.period_winners SELECT * FROM pg_catalog.unnest($6)",
				  6, argtypes, args, nulls, SPI_OK_INSERT);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * Deletes what refers to the board by name beside its catalog row (no foreign key: see
 * leaderboard.closed_periods): its winners, closed periods and goals.
 */
static void
delete_board_rows(const char *name, Datum arg)
{
	Oid			argtype = TEXTOID;

	write_catalog("DELETE FROM leaderboard.period_winners WHERE board OPERATOR(pg_catalog.=) $1", 1,
				  &argtype, &arg, NULL, SPI_OK_DELETE);
	write_catalog("DELETE FROM leaderboard.closed_periods WHERE board OPERATOR(pg_catalog.=) $1", 1,
				  &argtype, &arg, NULL, SPI_OK_DELETE);
	write_catalog("DELETE FROM leaderboard.goals WHERE board OPERATOR(pg_catalog.=) $1", 1,
				  &argtype, &arg, NULL, SPI_OK_DELETE);
	/* under REPEATABLE READ a goal committed after the snapshot is out of sight: 40001 */
	if (IsolationUsesXactSnapshot())
	{
		if (SPI_execute_snapshot(SPI_prepare("SELECT FROM leaderboard.goals WHERE board OPERATOR(pg_catalog.=) $1",
											 1, &argtype),
								 &arg, NULL, GetLatestSnapshot(), InvalidSnapshot, true, false, 1) != SPI_OK_SELECT)
			elog(ERROR, "leaderboard: goal lookup failed");
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to a concurrent goal of board \"%s\"", name),
					 errhint("The transaction might succeed if retried.")));
	}
}

PG_FUNCTION_INFO_V1(board_catalog_delete);
/* Deletes a board's row; returns void. */
Datum
board_catalog_delete(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			argtype = TEXTOID;
	Datum		arg = PG_GETARG_DATUM(0);

	SPI_connect();
	require_board_owner(name);
	/*
	 * The board's row first: its delete waits for a set_goal() holding it (FOR KEY SHARE)
	 * to end, so that the goal it adds is there to delete next. Then what refers to the
	 * board by name (no foreign key: see leaderboard.closed_periods).
	 */
	write_catalog("DELETE FROM leaderboard.boards WHERE name OPERATOR(pg_catalog.=) $1 RETURNING owner", 1,
				  &argtype, &arg, NULL, SPI_OK_DELETE_RETURNING);
	require_owner_of_written(name);
	/* a database still at 0.1 (the library serves its SQL until the update) has none of these */
	if (OidIsValid(get_relname_relid("goals", get_namespace_oid("leaderboard", false))))
		delete_board_rows(name, arg);
	/* what this transaction captured for it has no board to go to at commit */
	pending_source_read(name, true);
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(board_source_read);
/*
 * _source_read(board): the board's standings were just recomputed from its whole source in
 * this transaction (rebuild()), so the commit rebuilds it rather than applying again what
 * the transaction captured before; returns void.
 */
Datum
board_source_read(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));

	SPI_connect();
	require_board_owner(name);
	pending_source_read(name, false);
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(board_captured);
/*
 * _captured(board): whether this transaction wrote calls (or truncated the source) that
 * the board has not applied yet; close_periods applies them before it freezes periods.
 */
Datum
board_captured(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(pending_board_captured(text_to_cstring(PG_GETARG_TEXT_PP(0))));
}

/*
 * The arguments of a setter of one catalog column: the board's name (never NULL) and the
 * column's new value, NULL to clear it; the caller connects to SPI.
 */
static char *
setter_args(FunctionCallInfo fcinfo, Datum *args, char *nulls)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("board name must not be null")));
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	nulls[0] = ' ';
	nulls[1] = PG_ARGISNULL(1) ? 'n' : ' ';
	return TextDatumGetCString(args[0]);
}

PG_FUNCTION_INFO_V1(board_catalog_set_calendar);
/* Sets a board's working-day calendar, or removes it when NULL; returns void. */
Datum
board_catalog_set_calendar(PG_FUNCTION_ARGS)
{
	Oid			argtypes[2] = {TEXTOID, get_fn_expr_argtype(fcinfo->flinfo, 1)};
	Datum		args[2];
	char		nulls[2];
	char	   *name = setter_args(fcinfo, args, nulls);

	SPI_connect();
	require_board_owner(name);
	write_catalog("UPDATE leaderboard.boards SET calendar = $2 WHERE name OPERATOR(pg_catalog.=) $1 RETURNING owner",
				  2, argtypes, args, nulls, SPI_OK_UPDATE_RETURNING);
	require_owner_of_written(name);
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(board_catalog_set_window);
/*
 * Sets the window (starts, ends) of a campaign the caller owns, once
 * leaderboard._check_window() accepts it; returns void.
 */
Datum
board_catalog_set_window(PG_FUNCTION_ARGS)
{
	Oid			argtypes[3] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		args[3];

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a campaign's board, starts and ends must not be null")));
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = PG_GETARG_DATUM(2);
	SPI_connect();
	require_board_owner(TextDatumGetCString(args[0]));
	if (SPI_execute_with_args("SELECT leaderboard._check_window($1, $2, $3)", 3, argtypes, args,
							  NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: campaign window check failed");
	write_catalog("UPDATE leaderboard.boards SET starts = $2, ends = $3 WHERE name OPERATOR(pg_catalog.=) $1 RETURNING owner",
				  3, argtypes, args, NULL, SPI_OK_UPDATE_RETURNING);
	require_owner_of_written(TextDatumGetCString(args[0]));
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(board_goal_insert);
/* Inserts a goal of a board the caller owns, as set_goal builds it; returns its id. */
Datum
board_goal_insert(PG_FUNCTION_ARGS)
{
	HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(0);
	Oid			rowtype = get_fn_expr_argtype(fcinfo->flinfo, 0);
	Datum		arg = PointerGetDatum(row);
	bool		isnull;
	Datum		board = GetAttributeByName(row, "board", &isnull);
	int64		id;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a goal needs a board")));
	SPI_connect();
	require_board_owner(TextDatumGetCString(board));
	lock_board_row(board);
	/* the rest of the row as set_goal builds it (checked as the caller) */
	if (SPI_execute_with_args("SELECT leaderboard._check_goal($1)", 1, &rowtype, &arg, NULL,
							  true, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: goal check failed");
	write_catalog("INSERT INTO leaderboard.goals (board, metric, stat, period, target, partition, agent, "
				  "effective_from, effective_to) SELECT ($1).board, ($1).metric, ($1).stat, ($1).period, "
				  "($1).target, ($1).partition, ($1).agent, ($1).effective_from, ($1).effective_to "
				  "RETURNING id", 1, &rowtype, &arg, NULL, SPI_OK_INSERT_RETURNING);
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	PG_RETURN_INT64(id);
}

/*
 * An error unless the caller owns each board named in the first column of the last SPI
 * result (the names are copied first: each check runs a query of its own).
 */
static void
require_owner_of_boards_found(void)
{
	List	   *boards = NIL;
	ListCell   *lc;
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
		boards = lappend(boards, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	foreach(lc, boards)
		require_board_owner((char *) lfirst(lc));
}

PG_FUNCTION_INFO_V1(board_goals_delete);
/* Deletes the given goals, all of boards the caller owns; returns how many it deleted. */
Datum
board_goals_delete(PG_FUNCTION_ARGS)
{
	Datum		ids = PG_GETARG_DATUM(0);
	Oid			argtype = INT8ARRAYOID;
	uint64		deleted;

	SPI_connect();
	if (SPI_execute_with_args("SELECT DISTINCT board FROM leaderboard.goals "
							  "WHERE id OPERATOR(pg_catalog.=) ANY ($1) ORDER BY 1",
							  1, &argtype, &ids, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: goal lookup failed");
	require_owner_of_boards_found();
	/* and the goals deleted, which may include some committed since: each its board's */
	write_catalog("DELETE FROM leaderboard.goals WHERE id OPERATOR(pg_catalog.=) ANY ($1) RETURNING board",
				  1, &argtype, &ids, NULL, SPI_OK_DELETE_RETURNING);
	deleted = SPI_processed;
	require_owner_of_boards_found();
	SPI_finish();
	PG_RETURN_INT64((int64) deleted);
}

PG_FUNCTION_INFO_V1(board_events_delete);
/*
 * leaderboard.delete_events(board, before): deletes the events of a board the caller owns
 * written before the given time (all of them when it is NULL); returns how many. Owners
 * have no DELETE on leaderboard.events: in PostgreSQL 15 that privilege lets a role lock
 * the table in any mode, and every role may own a board, so any role could hold it ACCESS
 * EXCLUSIVE and stall the commits of every board with events.
 */
Datum
board_events_delete(PG_FUNCTION_ARGS)
{
	Oid			argtypes[2] = {TEXTOID, TIMESTAMPTZOID};
	Datum		args[2];
	char		nulls[2];
	char	   *name = setter_args(fcinfo, args, nulls);
	uint64		deleted;

	SPI_connect();
	require_board_owner(name);
	write_catalog("DELETE FROM leaderboard.events WHERE board OPERATOR(pg_catalog.=) $1 "
				  "AND ($2 IS NULL OR at OPERATOR(pg_catalog.<) $2)",
				  2, argtypes, args, nulls, SPI_OK_DELETE);
	deleted = SPI_processed;
	SPI_finish();
	PG_RETURN_INT64((int64) deleted);
}

PG_FUNCTION_INFO_V1(board_catalog_set_events);
/*
 * leaderboard._catalog_set_events(board, events): replaces the events a board the caller
 * owns emits (NULL: none), after leaderboard._events_config() accepted them.
 */
Datum
board_catalog_set_events(PG_FUNCTION_ARGS)
{
	Oid			argtypes[2] = {TEXTOID, JSONBOID};
	Datum		args[2];
	char		nulls[2];
	char	   *name = setter_args(fcinfo, args, nulls);

	SPI_connect();
	require_board_owner(name);
	if (!PG_ARGISNULL(1) &&
		SPI_execute_with_args("SELECT leaderboard._events_config(b, $2) FROM leaderboard.boards b "
							  "WHERE b.name OPERATOR(pg_catalog.=) $1",
							  2, argtypes, args, nulls, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog lookup failed");
	write_catalog("UPDATE leaderboard.boards SET events = $2 WHERE name OPERATOR(pg_catalog.=) $1 RETURNING owner",
				  2, argtypes, args, nulls, SPI_OK_UPDATE_RETURNING);
	require_owner_of_written(name);
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(board_catalog_set_card_versions);
/*
 * leaderboard._catalog_set_card_versions(board, versions): replaces the scorecards that
 * take effect later of a board the caller owns, once leaderboard._check_card_versions()
 * accepts them as alter_board makes them; returns void.
 */
Datum
board_catalog_set_card_versions(PG_FUNCTION_ARGS)
{
	Oid			argtypes[2] = {TEXTOID, JSONBOID};
	Datum		args[2];
	char		nulls[2];
	char	   *name = setter_args(fcinfo, args, nulls);

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a board's later scorecards must not be null"),
				 errhint("A board without cards taking effect later has an empty array.")));
	SPI_connect();
	require_board_owner(name);
	/* checked as the caller */
	if (SPI_execute_with_args("SELECT leaderboard._check_card_versions($1, $2)", 2, argtypes, args,
							  nulls, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: scorecard check failed");
	write_catalog("UPDATE leaderboard.boards SET card_versions = $2 WHERE name OPERATOR(pg_catalog.=) $1 RETURNING owner",
				  2, argtypes, args, nulls, SPI_OK_UPDATE_RETURNING);
	require_owner_of_written(name);
	SPI_finish();
	PG_RETURN_VOID();
}
