/*
 * board_capture.c: keeps live boards in step with their source tables.
 *
 * Two halves, so that concurrent writers can never deadlock because of a board:
 *
 *  1. Statement-level AFTER triggers on the source (INSERT, UPDATE, DELETE with transition
 *     tables, and TRUNCATE) fold the statement's rows into per-group partial results
 *     (period, period_start, partition values, agent, kpis) and keep them in
 *     per-transaction memory. They touch no shared standings row.
 *  2. At commit, a deferred constraint trigger on the sentinel table leaderboard.pending
 *     (one sentinel row per transaction) applies every touched board, boards in name order
 *     and scopes in key order: lock the scope header rows, upsert or recompute the
 *     standings rows, re-rank the scopes.
 *
 * INSERTed rows are folded as deltas. Rows removed by UPDATE or DELETE only mark their
 * (scope, agent) groups for recomputation from the source at commit, because min and max
 * cannot be subtracted. TRUNCATE marks the whole board for a rebuild.
 *
 * Both halves run as the board's owner in a restricted security context with a pinned
 * search_path; the firing trigger and table are checked against the catalog.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "board_capture.h"

/* What one transaction has captured for one board. */
typedef struct PendingBoard
{
	char	   *name;			/* board name (catalog key) */
	TupleDesc	tupdesc;		/* of captured groups: fold query's result */
	HeapTuple  *groups;			/* captured groups, in capture order */
	SubTransactionId *group_subxact;	/* subtransaction that captured each */
	int			ngroups;
	int			maxgroups;
	SubTransactionId truncated_in;	/* InvalidSubTransactionId: not truncated */
	struct PendingBoard *next;
} PendingBoard;

static PendingBoard *pending_boards = NULL;

/* Subtransaction that inserted this transaction's sentinel row, if any. */
static SubTransactionId sentinel_subxact = InvalidSubTransactionId;

static bool callbacks_registered = false;

/* The catalog facts the triggers need about one board. */
typedef struct BoardInfo
{
	Oid			source;
	Oid			owner;
	char	   *fold_insert_sql;	/* groups with kpis from lb_new */
	char	   *fold_keys_sql;	/* groups to recompute, from lb_old (and lb_new) */
	char	   *fold_keys_update_sql;
	char	   *apply_sql[BOARD_APPLY_STEPS];
	char	   *rebuild_sql;
} BoardInfo;

static void
board_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* the memory lived in TopTransactionContext and is gone with it */
			pending_boards = NULL;
			sentinel_subxact = InvalidSubTransactionId;
			break;
		default:
			break;
	}
}

/*
 * An aborted subtransaction takes back what it captured. Groups are appended in time
 * order and every subtransaction started after "subid" while it was open has a larger id,
 * so its groups are exactly the tail of each array with ids >= subid.
 */
static void
board_subxact_callback(SubXactEvent event, SubTransactionId subid,
					   SubTransactionId parent, void *arg)
{
	PendingBoard *pb;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	for (pb = pending_boards; pb != NULL; pb = pb->next)
	{
		while (pb->ngroups > 0 && pb->group_subxact[pb->ngroups - 1] >= subid)
			pb->ngroups--;
		if (pb->truncated_in != InvalidSubTransactionId && pb->truncated_in >= subid)
			pb->truncated_in = InvalidSubTransactionId;
	}
	if (sentinel_subxact != InvalidSubTransactionId && sentinel_subxact >= subid)
		sentinel_subxact = InvalidSubTransactionId;
}

static void
register_callbacks(void)
{
	if (callbacks_registered)
		return;
	RegisterXactCallback(board_xact_callback, NULL);
	RegisterSubXactCallback(board_subxact_callback, NULL);
	callbacks_registered = true;
}

static PendingBoard *
pending_board_for(const char *name)
{
	PendingBoard *pb;
	MemoryContext old;

	for (pb = pending_boards; pb != NULL; pb = pb->next)
		if (strcmp(pb->name, name) == 0)
			return pb;
	old = MemoryContextSwitchTo(TopTransactionContext);
	pb = palloc0(sizeof(PendingBoard));
	pb->name = pstrdup(name);
	pb->next = pending_boards;
	pending_boards = pb;
	MemoryContextSwitchTo(old);
	return pb;
}

/* Appends the rows of the last SPI result to the board's captured groups. */
static void
capture_spi_result(PendingBoard *pb)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	SubTransactionId subid = GetCurrentSubTransactionId();
	uint64		i;

	if (pb->tupdesc == NULL)
		pb->tupdesc = CreateTupleDescCopy(SPI_tuptable->tupdesc);
	for (i = 0; i < SPI_processed; i++)
	{
		if (pb->ngroups == pb->maxgroups)
		{
			pb->maxgroups = Max(64, pb->maxgroups * 2);
			if (pb->groups == NULL)
			{
				pb->groups = palloc(sizeof(HeapTuple) * pb->maxgroups);
				pb->group_subxact = palloc(sizeof(SubTransactionId) * pb->maxgroups);
			}
			else
			{
				pb->groups = repalloc_huge(pb->groups, sizeof(HeapTuple) * pb->maxgroups);
				pb->group_subxact = repalloc_huge(pb->group_subxact,
												  sizeof(SubTransactionId) * pb->maxgroups);
			}
		}
		pb->groups[pb->ngroups] = heap_copytuple(SPI_tuptable->vals[i]);
		pb->group_subxact[pb->ngroups] = subid;
		pb->ngroups++;
	}
	MemoryContextSwitchTo(old);
}

/* Runs fn(arg) as the board owner, restricted, with search_path pinned. */
static void
run_as_owner(Oid owner, void (*fn) (void *), void *arg)
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	fn(arg);
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

static char *
spi_text(HeapTuple tup, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * Reads a board's definition and generated statements from the catalog. Runs inside
 * SPI; the strings are allocated in the caller's (upper) context. With fresh, the read
 * takes a new snapshot (under READ COMMITTED: sees every change committed so far).
 */
static void
board_info_load(const char *name, BoardInfo *info, bool fresh)
{
	Datum		arg = CStringGetTextDatum(name);
	Oid			argtype = TEXTOID;
	HeapTuple	tup;
	bool		isnull;
	int			i;

	if (SPI_execute_with_args("SELECT b.source::oid, b.owner::oid, s.* "
							  "FROM leaderboard.boards b, "
							  "LATERAL leaderboard._board_statements(b.name) s "
							  "WHERE b.name = $1",
							  1, &argtype, &arg, NULL, !fresh, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("board \"%s\" does not exist", name)));
	tup = SPI_tuptable->vals[0];
	info->source = DatumGetObjectId(SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &isnull));
	info->owner = DatumGetObjectId(SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &isnull));
	{
		MemoryContext old = MemoryContextSwitchTo(SPI_tuptable->tuptabcxt->parent);

		info->fold_insert_sql = spi_text(tup, 3);
		info->fold_keys_sql = spi_text(tup, 4);
		info->fold_keys_update_sql = spi_text(tup, 5);
		for (i = 0; i < BOARD_APPLY_STEPS; i++)
			info->apply_sql[i] = spi_text(tup, 6 + i);
		info->rebuild_sql = spi_text(tup, 6 + BOARD_APPLY_STEPS);
		MemoryContextSwitchTo(old);
	}
}

/* The board a trigger belongs to, from its name "lb_<board>_<event>". */
static char *
board_name_from_trigger(const char *tgname)
{
	const char *start;
	const char *end;

	if (strncmp(tgname, "lb_", 3) != 0 || (end = strrchr(tgname, '_')) == NULL ||
		end <= tgname + 3)
		return NULL;
	start = tgname + 3;
	return pnstrdup(start, end - start);
}

typedef struct CaptureCall
{
	TriggerData *trigdata;
	char	   *board;
} CaptureCall;

/*
 * Queues this transaction's commit-time apply, once. This runs as the writing user, not
 * the board owner: PostgreSQL refuses to queue deferred triggers from a security-restricted
 * operation. Everyone may insert sentinel rows; a stray one only runs an empty apply.
 *
 * After SET CONSTRAINTS ALL IMMEDIATE the apply trigger fires as soon as the sentinel
 * INSERT ends, inside this function: so the statement's groups must be captured before,
 * and the sentinel marked as queued before, for board_commit() to find the groups and to
 * clear the mark (the next statement then queues a new sentinel).
 */
static void
ensure_sentinel(void)
{
	if (sentinel_subxact != InvalidSubTransactionId)
		return;
	/* an error below aborts the (sub)transaction, and the callbacks clear the mark */
	sentinel_subxact = GetCurrentSubTransactionId();
	SPI_connect();
	if (SPI_execute("INSERT INTO leaderboard.pending DEFAULT VALUES", false, 0) !=
		SPI_OK_INSERT)
		elog(ERROR, "leaderboard: could not queue the commit-time apply");
	SPI_finish();
}

static void
capture_as_owner(void *arg)
{
	CaptureCall *call = arg;
	TriggerData *trigdata = call->trigdata;
	TriggerEvent ev = trigdata->tg_event;
	BoardInfo	info;
	PendingBoard *pb;
	const char *sql;
	MemoryContext caller = CurrentMemoryContext;

	SPI_connect();
	MemoryContextSwitchTo(caller);
	board_info_load(call->board, &info, false);

	if (info.source != RelationGetRelid(trigdata->tg_relation))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("trigger \"%s\" on table \"%s\" does not belong to board \"%s\"",
						trigdata->tg_trigger->tgname,
						RelationGetRelationName(trigdata->tg_relation), call->board)));
	if (GetUserId() != info.owner)
		elog(ERROR, "leaderboard: board trigger is not running as the board owner");

	pb = pending_board_for(call->board);
	if (TRIGGER_FIRED_BY_TRUNCATE(ev))
	{
		if (pb->truncated_in == InvalidSubTransactionId)
			pb->truncated_in = GetCurrentSubTransactionId();
		SPI_finish();
		return;
	}

	if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "leaderboard: could not register transition tables");
	if (TRIGGER_FIRED_BY_INSERT(ev))
		sql = info.fold_insert_sql;
	else if (TRIGGER_FIRED_BY_UPDATE(ev))
		sql = info.fold_keys_update_sql;
	else
		sql = info.fold_keys_sql;

	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: fold query failed");
	if (SPI_processed > 0)
		capture_spi_result(pb);
	SPI_finish();
}

PG_FUNCTION_INFO_V1(board_capture);
/* Statement trigger on a board's source: returns NULL after capturing the statement. */
Datum
board_capture(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	CaptureCall call;
	char	   *board;
	Oid			owner;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_capture() must be called as a trigger")));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_capture() must be an AFTER ... FOR EACH STATEMENT trigger")));

	board = board_name_from_trigger(trigdata->tg_trigger->tgname);
	if (board == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" is not a leaderboard board trigger",
						trigdata->tg_trigger->tgname)));
	register_callbacks();

	owner = board_owner(board);
	call.trigdata = trigdata;
	call.board = board;
	run_as_owner(owner, capture_as_owner, &call);
	ensure_sentinel();
	return PointerGetDatum(NULL);
}

/*
 * The owner of a board, read from the catalog. The catalog is readable by everyone; only
 * the extension's functions write it.
 */
Oid
board_owner(const char *board)
{
	Datum		arg = CStringGetTextDatum(board);
	Oid			argtype = TEXTOID;
	bool		isnull;
	Oid			owner;

	SPI_connect();
	if (SPI_execute_with_args("SELECT owner::oid FROM leaderboard.boards WHERE name = $1",
							  1, &argtype, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("board \"%s\" does not exist", board),
				 errhint("A leaderboard trigger is left over from a dropped board; drop the trigger.")));
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
										   &isnull));
	SPI_finish();
	return owner;
}

/* Copies a board's captured groups into a tuplestore for the apply statements. */
static Tuplestorestate *
pending_tuplestore(PendingBoard *pb)
{
	Tuplestorestate *ts = tuplestore_begin_heap(false, false, work_mem);
	int			i;

	for (i = 0; i < pb->ngroups; i++)
		tuplestore_puttuple(ts, pb->groups[i]);
	return ts;
}

typedef struct ApplyCall
{
	PendingBoard *pb;
} ApplyCall;

/*
 * Waits for rebuild() and alter_board() of the board, which hold its scopes table in
 * EXCLUSIVE mode, and keeps them out until this transaction ends. Runs inside SPI.
 */
static void
lock_board_scopes(const char *name)
{
	Datum		arg = CStringGetTextDatum(name);
	Oid			argtype = TEXTOID;
	bool		isnull;

	if (SPI_execute_with_args("SELECT scopes::oid FROM leaderboard.boards WHERE name = $1",
							  1, &argtype, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("board \"%s\" does not exist", name)));
	LockRelationOid(DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 1, &isnull)),
					RowExclusiveLock);
}

/*
 * Under REPEATABLE READ and SERIALIZABLE, raises 40001 when a transaction this one cannot
 * see changed the board's definition (alter_board): the statements read from this
 * transaction's snapshot would score with the old scorecard or ladder. Runs inside SPI.
 */
static void
check_board_unchanged(const char *name)
{
	Datum		arg = CStringGetTextDatum(name);
	Oid			argtype = TEXTOID;
	SPIPlanPtr	plan;
	char	   *seen = NULL;
	char	   *latest = NULL;

	plan = SPI_prepare("SELECT xmin::text FROM leaderboard.boards WHERE name = $1", 1, &argtype);
	if (plan == NULL)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (SPI_execute_snapshot(plan, &arg, NULL, GetTransactionSnapshot(), InvalidSnapshot,
							 true, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (SPI_processed == 1)
		seen = spi_text(SPI_tuptable->vals[0], 1);
	if (SPI_execute_snapshot(plan, &arg, NULL, GetLatestSnapshot(), InvalidSnapshot,
							 true, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (SPI_processed == 1)
		latest = spi_text(SPI_tuptable->vals[0], 1);
	if (seen == NULL || latest == NULL || strcmp(seen, latest) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent change of board \"%s\"",
						name),
				 errdetail("The board's scorecard or ladder changed after this transaction's snapshot was taken."),
				 errhint("The transaction might succeed if retried.")));
}

static void
apply_as_owner(void *arg)
{
	PendingBoard *pb = ((ApplyCall *) arg)->pb;
	BoardInfo	info;
	MemoryContext caller = CurrentMemoryContext;
	int			i;

	SPI_connect();
	MemoryContextSwitchTo(caller);

	/*
	 * The statements embed the scorecard and ladder: read them only once alter_board()
	 * can no longer change them before this transaction ends.
	 */
	lock_board_scopes(pb->name);
	board_info_load(pb->name, &info, true);
	if (IsolationUsesXactSnapshot())
		check_board_unchanged(pb->name);
	if (GetUserId() != info.owner)
		elog(ERROR, "leaderboard: board apply is not running as the board owner");

	if (pb->truncated_in != InvalidSubTransactionId)
	{
		/* the rebuild reads the source as it is now, which includes every capture */
		if (SPI_execute(info.rebuild_sql, false, 0) < 0)
			elog(ERROR, "leaderboard: rebuild after TRUNCATE failed");
	}
	else if (pb->ngroups > 0)
	{
		EphemeralNamedRelation enr = palloc0(sizeof(EphemeralNamedRelationData));

		enr->md.name = "lb_pending";
		enr->md.reliddesc = InvalidOid;
		enr->md.tupdesc = pb->tupdesc;
		enr->md.enrtype = ENR_NAMED_TUPLESTORE;
		enr->md.enrtuples = pb->ngroups;
		enr->reldata = pending_tuplestore(pb);
		if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER)
			elog(ERROR, "leaderboard: could not register pending groups");

		/*
		 * Each step is its own statement so that, under READ COMMITTED, the reads after
		 * the scope locks see everything committed before the locks were granted.
		 */
		for (i = 0; i < BOARD_APPLY_STEPS; i++)
		{
			if (info.apply_sql[i] == NULL)
				continue;
			if (SPI_execute(info.apply_sql[i], false, 0) < 0)
				elog(ERROR, "leaderboard: apply step %d of board \"%s\" failed", i + 1,
					 pb->name);
		}
	}
	SPI_finish();
}

static int
pending_board_cmp(const void *a, const void *b)
{
	return strcmp((*(PendingBoard *const *) a)->name, (*(PendingBoard *const *) b)->name);
}

PG_FUNCTION_INFO_V1(board_commit);
/* Deferred constraint trigger on leaderboard.pending: applies captured changes, returns NULL. */
Datum
board_commit(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	PendingBoard **sorted;
	PendingBoard *pb;
	int			n = 0;
	int			i;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		RelationGetRelid(trigdata->tg_relation) !=
		get_relname_relid("pending", get_namespace_oid("leaderboard", false)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_commit() must be the constraint trigger of leaderboard.pending")));

	/*
	 * The sentinel has done its job; a later change in this transaction queues another.
	 * When the trigger fires immediately (SET CONSTRAINTS ALL IMMEDIATE), it fires at the
	 * end of the very command that inserted the row, which that command cannot delete yet.
	 */
	CommandCounterIncrement();
	simple_heap_delete(trigdata->tg_relation, &trigdata->tg_trigtuple->t_self);
	sentinel_subxact = InvalidSubTransactionId;

	for (pb = pending_boards; pb != NULL; pb = pb->next)
		n++;
	if (n == 0)
		return PointerGetDatum(NULL);
	sorted = palloc(sizeof(PendingBoard *) * n);
	n = 0;
	for (pb = pending_boards; pb != NULL; pb = pb->next)
		sorted[n++] = pb;
	qsort(sorted, n, sizeof(PendingBoard *), pending_board_cmp);

	/* what is applied now is no longer pending, even if more arrives later */
	pending_boards = NULL;

	for (i = 0; i < n; i++)
	{
		ApplyCall	call;

		call.pb = sorted[i];
		run_as_owner(board_owner(sorted[i]->name), apply_as_owner, &call);
	}
	return PointerGetDatum(NULL);
}
