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
#include "catalog/partition.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "board_statements.h"

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

/* The security context a board's maintenance runs in, and what it replaced. */
typedef struct OwnerContext
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
} OwnerContext;

/*
 * Becomes the board owner in a restricted security context with search_path and the
 * settings that shape text keys pinned. Every reference in the generated SQL is
 * schema-qualified anyway; the pinned path keeps functions the owner did not write out of
 * reach of name resolution. standard_conforming_strings is pinned because the statements
 * are parsed here, with the owner's metric and filter expressions in them: the writer's
 * setting would change what a backslash in the owner's string literals means.
 */
static void
owner_context_enter(OwnerContext *ctx, Oid owner)
{
	GetUserIdAndSecContext(&ctx->save_userid, &ctx->save_sec_context);
	SetUserIdAndSecContext(owner, ctx->save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	ctx->save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("DateStyle", "ISO, YMD",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("IntervalStyle", "postgres",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("TimeZone", "UTC",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("extra_float_digits", "1",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("bytea_output", "hex",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("standard_conforming_strings", "on",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	/* compiling these short statements costs more than it saves */
	(void) set_config_option("jit", "off",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

/*
 * Batches up to this many groups use the cached plans; they are planned for a handful of
 * rows, whatever the sizes seen when they were first prepared.
 */
#define BOARD_SMALL_BATCH 1000

/* Large batches group and sort their pending groups in memory rather than on disk. */
#define BOARD_LARGE_BATCH_WORK_MEM "256MB"

/* Planner settings for the cached small-batch plans (reset by owner_context_exit). */
static void
prefer_index_lookups(void)
{
	(void) set_config_option("enable_seqscan", "off",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("enable_hashjoin", "off",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("enable_mergejoin", "off",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

static void
owner_context_exit(OwnerContext *ctx)
{
	AtEOXact_GUC(false, ctx->save_nestlevel);
	SetUserIdAndSecContext(ctx->save_userid, ctx->save_sec_context);
}

/*
 * Pins search_path for what runs as the writing user (the catalog lookup, generating a
 * board's statements, the sentinel insert) until AtEOXact_GUC(false, <returned level>).
 * Resolved through the writer's own search_path, an operator of the catalog lookup could
 * be a function of the writer's, answering for the catalog.
 */
static int
writer_context_enter(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

/*
 * The board a trigger belongs to, or NULL. create_board names a board's triggers
 * lb_<board>_ins, _upd, _del and _trunc, one per event, and trigger names are unique per
 * table, so on the board's source only the board's own trigger has the name of the event
 * that fired it. Any other trigger calling this function there (one added by a role with
 * the TRIGGER privilege, say) would count the same rows twice. The row trigger that
 * captures replicated rows is lb_<board>_repl.
 */
static char *
board_name_from_trigger(const char *tgname, TriggerEvent event, bool replica_row)
{
	const char *suffix;
	size_t		len = strlen(tgname);
	size_t		suffix_len;

	if (replica_row)
		suffix = "_repl";
	else if (TRIGGER_FIRED_BY_INSERT(event))
		suffix = "_ins";
	else if (TRIGGER_FIRED_BY_UPDATE(event))
		suffix = "_upd";
	else if (TRIGGER_FIRED_BY_DELETE(event))
		suffix = "_del";
	else
		suffix = "_trunc";
	suffix_len = strlen(suffix);
	if (len <= 3 + suffix_len || strncmp(tgname, "lb_", 3) != 0 ||
		strcmp(tgname + len - suffix_len, suffix) != 0)
		return NULL;
	return pnstrdup(tgname + 3, len - 3 - suffix_len);
}

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
	static SPIPlanPtr plan = NULL;

	if (sentinel_subxact != InvalidSubTransactionId)
		return;
	/* an error below aborts the (sub)transaction, and the callbacks clear the mark */
	sentinel_subxact = GetCurrentSubTransactionId();
	if (plan == NULL)
	{
		plan = SPI_prepare("INSERT INTO leaderboard.pending DEFAULT VALUES", 0, NULL);
		if (plan == NULL)
			elog(ERROR, "leaderboard: could not prepare the sentinel insert");
		SPI_keepplan(plan);
	}
	if (SPI_execute_plan(plan, NULL, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "leaderboard: could not queue the commit-time apply");
}

/*
 * The statements a trigger firing on relation rel runs for board: the board's cached
 * ones, after checking that rel is the board's source or one of its partitions.
 */
static BoardStatements *
board_for_trigger(const char *board, Relation rel, const char *tgname)
{
	BoardStatements *bs = board_statements(board, false);

	if (bs->source != RelationGetRelid(rel) &&
		!list_member_oid(get_partition_ancestors(RelationGetRelid(rel)), bs->source))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("trigger \"%s\" on table \"%s\" does not belong to board \"%s\"",
						tgname, RelationGetRelationName(rel), board)));
	return bs;
}

/*
 * Folds the rows registered as lb_new / lb_old (rows of them) into the board's pending
 * groups, as the board owner, and queues the commit-time apply. Plans are cached only
 * for the source itself: a partition's rows may lie in another column order, and a
 * cached plan knows one.
 */
static void
fold_rows(BoardStatements *bs, PendingBoard *pb, BoardStatement fold, int64 rows,
		  Relation rel)
{
	OwnerContext ctx;
	int			rc;

	owner_context_enter(&ctx, bs->owner);
	if (rows <= BOARD_SMALL_BATCH)
		prefer_index_lookups();
	else
		(void) set_config_option("work_mem", BOARD_LARGE_BATCH_WORK_MEM,
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (rows <= BOARD_SMALL_BATCH && RelationGetRelid(rel) == bs->source)
		rc = board_statement_execute(bs, fold, true);
	else
		rc = SPI_execute(bs->sql[fold], true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: fold query of board \"%s\" failed", bs->name);
	if (SPI_processed > 0)
		capture_spi_result(pb);
	owner_context_exit(&ctx);
	if (pb->ngroups > 0)
		ensure_sentinel();
}

static BoardStatement
fold_for_event(TriggerEvent ev)
{
	if (TRIGGER_FIRED_BY_INSERT(ev))
		return BOARD_FOLD_INSERT;
	if (TRIGGER_FIRED_BY_UPDATE(ev))
		return BOARD_FOLD_UPDATE;
	return BOARD_FOLD_DELETE;
}

PG_FUNCTION_INFO_V1(board_capture);
/* Statement trigger on a board's source: returns NULL after capturing the statement. */
Datum
board_capture(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent ev;
	BoardStatements *bs;
	PendingBoard *pb;
	char	   *board;
	int64		rows;
	int			writer_nestlevel;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_capture() must be called as a trigger")));
	ev = trigdata->tg_event;
	if (!TRIGGER_FIRED_AFTER(ev) || !TRIGGER_FIRED_FOR_STATEMENT(ev))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_capture() must be an AFTER ... FOR EACH STATEMENT trigger")));

	board = board_name_from_trigger(trigdata->tg_trigger->tgname, ev, false);
	if (board == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("trigger \"%s\" on table \"%s\" is not a trigger of a leaderboard board",
						trigdata->tg_trigger->tgname,
						RelationGetRelationName(trigdata->tg_relation)),
				 errdetail("create_board names a board's triggers lb_<board>_ins, lb_<board>_upd, lb_<board>_del and lb_<board>_trunc, one per event."),
				 errhint("Drop the trigger.")));
	register_callbacks();

	SPI_connect();
	writer_nestlevel = writer_context_enter();
	bs = board_for_trigger(board, trigdata->tg_relation, trigdata->tg_trigger->tgname);
	pb = pending_board_for(board);

	if (TRIGGER_FIRED_BY_TRUNCATE(ev))
	{
		/* the commit-time rebuild reads the source as it is then */
		if (pb->truncated_in == InvalidSubTransactionId)
			pb->truncated_in = GetCurrentSubTransactionId();
		ensure_sentinel();
	}
	else
	{
		if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
			elog(ERROR, "leaderboard: could not register transition tables");
		rows = (trigdata->tg_newtable ? tuplestore_tuple_count(trigdata->tg_newtable) : 0) +
			(trigdata->tg_oldtable ? tuplestore_tuple_count(trigdata->tg_oldtable) : 0);
		fold_rows(bs, pb, fold_for_event(ev), rows, trigdata->tg_relation);
	}
	AtEOXact_GUC(false, writer_nestlevel);
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* Registers one row of rel as the ephemeral relation name (lb_new or lb_old). */
static void
register_row(const char *name, Relation rel, HeapTuple row)
{
	EphemeralNamedRelation enr = palloc0(sizeof(EphemeralNamedRelationData));
	Tuplestorestate *ts = tuplestore_begin_heap(false, false, work_mem);

	tuplestore_puttuple(ts, row);
	enr->md.name = pstrdup(name);
	enr->md.reliddesc = InvalidOid;
	enr->md.tupdesc = RelationGetDescr(rel);
	enr->md.enrtype = ENR_NAMED_TUPLESTORE;
	enr->md.enrtuples = 1;
	enr->reldata = ts;
	if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER)
		elog(ERROR, "leaderboard: could not register %s", name);
}

PG_FUNCTION_INFO_V1(board_capture_row);
/*
 * Row trigger lb_<board>_repl, enabled for replicas only: a logical-replication apply
 * worker fires row triggers only, so this captures replicated rows one by one, as the
 * statement triggers capture local statements. Returns NULL.
 */
Datum
board_capture_row(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent ev;
	BoardStatements *bs;
	PendingBoard *pb;
	char	   *board;
	int			writer_nestlevel;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_capture_row() must be called as a trigger")));
	ev = trigdata->tg_event;
	if (!TRIGGER_FIRED_AFTER(ev) || !TRIGGER_FIRED_FOR_ROW(ev) || TRIGGER_FIRED_BY_TRUNCATE(ev))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_capture_row() must be an AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW trigger")));
	board = board_name_from_trigger(trigdata->tg_trigger->tgname, ev, true);
	if (board == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("trigger \"%s\" on table \"%s\" is not a trigger of a leaderboard board",
						trigdata->tg_trigger->tgname,
						RelationGetRelationName(trigdata->tg_relation)),
				 errhint("Drop the trigger.")));
	register_callbacks();

	SPI_connect();
	writer_nestlevel = writer_context_enter();
	bs = board_for_trigger(board, trigdata->tg_relation, trigdata->tg_trigger->tgname);
	pb = pending_board_for(board);
	if (TRIGGER_FIRED_BY_INSERT(ev))
		register_row("lb_new", trigdata->tg_relation, trigdata->tg_trigtuple);
	else if (TRIGGER_FIRED_BY_UPDATE(ev))
	{
		register_row("lb_old", trigdata->tg_relation, trigdata->tg_trigtuple);
		register_row("lb_new", trigdata->tg_relation, trigdata->tg_newtuple);
	}
	else
		register_row("lb_old", trigdata->tg_relation, trigdata->tg_trigtuple);
	/* uncached: the rows may come from any partition, and rows are few */
	fold_rows(bs, pb, fold_for_event(ev), BOARD_SMALL_BATCH + 1, trigdata->tg_relation);
	AtEOXact_GUC(false, writer_nestlevel);
	SPI_finish();
	return PointerGetDatum(NULL);
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

/*
 * Whether any captured group carries kpis (an INSERT delta: with_kpis) or none (a group
 * to recompute), so that a statement with nothing to do is not run. The kpis are the
 * last column of a captured group.
 */
static bool
pending_has_kpis(PendingBoard *pb, bool with_kpis)
{
	int			i;

	for (i = 0; i < pb->ngroups; i++)
		if (heap_attisnull(pb->groups[i], pb->tupdesc->natts, pb->tupdesc) != with_kpis)
			return true;
	return false;
}

static int	cmp_scope_key(const void *a, const void *b, void *arg);

/*
 * Whether some scope has groups of more than one agent (those scopes are re-ranked in
 * full). The scope key is the first column of a captured group and the agent the one
 * before the kpis. Agents are compared by their bytes: two equal values with different
 * bytes count as two agents, which only costs a full re-rank.
 */
static bool
pending_scope_has_several_agents(PendingBoard *pb)
{
	int		   *order = palloc(sizeof(int) * pb->ngroups);
	Form_pg_attribute agent_att = TupleDescAttr(pb->tupdesc, pb->tupdesc->natts - 2);
	bool		several = false;
	int			i;

	for (i = 0; i < pb->ngroups; i++)
		order[i] = i;
	qsort_arg(order, pb->ngroups, sizeof(int), cmp_scope_key, pb);
	for (i = 1; i < pb->ngroups && !several; i++)
	{
		HeapTuple	prev = pb->groups[order[i - 1]];
		HeapTuple	cur = pb->groups[order[i]];
		bool		isnull;

		if (cmp_scope_key(&order[i - 1], &order[i], pb) != 0)
			continue;
		several = !datumIsEqual(heap_getattr(prev, pb->tupdesc->natts - 1, pb->tupdesc, &isnull),
								heap_getattr(cur, pb->tupdesc->natts - 1, pb->tupdesc, &isnull),
								agent_att->attbyval, agent_att->attlen);
	}
	pfree(order);
	return several;
}

static int
cmp_scope_key(const void *a, const void *b, void *arg)
{
	PendingBoard *pb = arg;
	bool		isnull;
	text	   *ka = DatumGetTextPP(heap_getattr(pb->groups[*(const int *) a], 1, pb->tupdesc, &isnull));
	text	   *kb = DatumGetTextPP(heap_getattr(pb->groups[*(const int *) b], 1, pb->tupdesc, &isnull));
	int			la = VARSIZE_ANY_EXHDR(ka);
	int			lb = VARSIZE_ANY_EXHDR(kb);
	int			c = memcmp(VARDATA_ANY(ka), VARDATA_ANY(kb), Min(la, lb));

	return c != 0 ? c : (la > lb) - (la < lb);
}

/*
 * Runs one commit-time statement: small batches use the cached plan, large ones are
 * planned for their size.
 */
static void
apply_step(BoardStatements *bs, BoardStatement step, bool small)
{
	int			rc = small ? board_statement_execute(bs, step, false) :
		SPI_execute(bs->sql[step], false, 0);

	if (rc < 0)
		elog(ERROR, "leaderboard: commit-time statement %d of board \"%s\" failed",
			 (int) step, bs->name);
}

/*
 * Registers the rows of the last SPI result as an ephemeral relation for what follows;
 * returns its tuplestore, for the caller to end once the relation is unregistered.
 */
static Tuplestorestate *
register_spi_result(const char *name)
{
	EphemeralNamedRelation enr = palloc0(sizeof(EphemeralNamedRelationData));
	Tuplestorestate *ts = tuplestore_begin_heap(false, false, work_mem);
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
		tuplestore_puttuple(ts, SPI_tuptable->vals[i]);
	enr->md.name = pstrdup(name);
	enr->md.reliddesc = InvalidOid;
	enr->md.tupdesc = CreateTupleDescCopy(SPI_tuptable->tupdesc);
	enr->md.enrtype = ENR_NAMED_TUPLESTORE;
	enr->md.enrtuples = SPI_processed;
	enr->reldata = ts;
	if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER)
		elog(ERROR, "leaderboard: could not register %s", name);
	return ts;
}

/* Applies one board's captured changes; runs inside an SPI connection. */
/*
 * Under REPEATABLE READ and SERIALIZABLE, raises 40001 when a transaction this one cannot
 * see changed the board's definition (alter_board): the statements read from this
 * transaction's snapshot would score with the old scorecard or ladder. Runs inside SPI.
 */
static void
check_board_unchanged(const char *name)
{
	static SPIPlanPtr plan = NULL;
	Datum		arg = CStringGetTextDatum(name);
	TransactionId seen = InvalidTransactionId;
	TransactionId latest = InvalidTransactionId;
	bool		isnull;

	if (plan == NULL)
	{
		Oid			argtype = TEXTOID;

		plan = SPI_prepare("SELECT xmin FROM leaderboard.boards WHERE name = $1", 1, &argtype);
		if (plan == NULL)
			elog(ERROR, "leaderboard: could not prepare the catalog check");
		SPI_keepplan(plan);
	}
	if (SPI_execute_snapshot(plan, &arg, NULL, GetTransactionSnapshot(), InvalidSnapshot,
							 true, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (SPI_processed == 1)
		seen = DatumGetTransactionId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (SPI_execute_snapshot(plan, &arg, NULL, GetLatestSnapshot(), InvalidSnapshot,
							 true, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (SPI_processed == 1)
		latest = DatumGetTransactionId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (!TransactionIdIsValid(seen) || seen != latest)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent change of board \"%s\"",
						name),
				 errdetail("The board's scorecard or ladder changed after this transaction's snapshot was taken."),
				 errhint("The transaction might succeed if retried.")));
}

static void
apply_board(PendingBoard *pb)
{
	BoardStatements *bs;
	OwnerContext ctx;
	bool		small;
	Tuplestorestate *pending;
	Tuplestorestate *before;

	/*
	 * The statements embed the scorecard and ladder: read them only once alter_board()
	 * and rebuild(), which hold the scopes table in EXCLUSIVE mode, can no longer change
	 * them before this transaction ends, and with a snapshot taken after that lock.
	 */
	bs = board_statements(pb->name, false);
	LockRelationOid(bs->scopes, RowExclusiveLock);
	bs = board_statements(pb->name, true);
	if (IsolationUsesXactSnapshot())
		check_board_unchanged(pb->name);

	owner_context_enter(&ctx, bs->owner);
	if (pb->truncated_in != InvalidSubTransactionId)
	{
		/* the rebuild reads the source as it is now, which includes every capture */
		if (SPI_execute(bs->sql[BOARD_REBUILD], false, 0) < 0)
			elog(ERROR, "leaderboard: rebuild of board \"%s\" after TRUNCATE failed", pb->name);
	}
	else if (pb->ngroups > 0)
	{
		EphemeralNamedRelation enr = palloc0(sizeof(EphemeralNamedRelationData));

		enr->md.name = "lb_pending";
		enr->md.reliddesc = InvalidOid;
		enr->md.tupdesc = pb->tupdesc;
		enr->md.enrtype = ENR_NAMED_TUPLESTORE;
		enr->md.enrtuples = pb->ngroups;
		pending = pending_tuplestore(pb);
		enr->reldata = pending;
		if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER)
			elog(ERROR, "leaderboard: could not register pending groups");

		/*
		 * Small batches (single-row writers) run cached plans made for few rows: index
		 * lookups by scope and agent, never a scan of the standings. Large batches (COPY)
		 * are planned afresh for their actual size.
		 */
		small = pb->ngroups <= BOARD_SMALL_BATCH;
		if (small)
			prefer_index_lookups();
		else
			(void) set_config_option("work_mem", BOARD_LARGE_BATCH_WORK_MEM,
									 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);

		/*
		 * Each step is its own statement so that, under READ COMMITTED, the reads after
		 * the scope locks see everything committed before the locks were granted.
		 */
		apply_step(bs, BOARD_LOCK_SCOPES, small);
		if (small && bs->sql[BOARD_BEFORE_MOVES] != NULL)
		{
			/* small batches re-rank the scopes where one agent moved incrementally */
			apply_step(bs, BOARD_BEFORE_MOVES, true);
			before = register_spi_result("lb_before");
			if (pending_has_kpis(pb, false))
				apply_step(bs, BOARD_RECOMPUTE, true);
			if (pending_has_kpis(pb, true))
				apply_step(bs, BOARD_ADD_DELTAS, true);
			if (pending_scope_has_several_agents(pb))
				apply_step(bs, BOARD_RERANK_MULTI, true);
			apply_step(bs, BOARD_RERANK_SINGLE, true);
			SPI_unregister_relation("lb_before");
			tuplestore_end(before);
		}
		else
		{
			apply_step(bs, BOARD_RECOMPUTE, small);
			apply_step(bs, BOARD_ADD_DELTAS, small);
			apply_step(bs, small ? BOARD_RERANK_MULTI : BOARD_RERANK, small);
		}
		SPI_unregister_relation("lb_pending");
		/* ending the tuplestores closes the temporary files of large ones */
		tuplestore_end(pending);
	}
	owner_context_exit(&ctx);
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
	int			writer_nestlevel;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		RelationGetRelid(trigdata->tg_relation) !=
		get_relname_relid("pending", get_namespace_oid("leaderboard", false)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_commit() must be the constraint trigger of leaderboard.pending")));

	/*
	 * The sentinel has done its job; a later change in this transaction queues another.
	 * After SET CONSTRAINTS ALL IMMEDIATE this runs within the command that inserted it,
	 * which cannot see its own row until the command counter moves on.
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

	/* boards in name order, like scopes in key order: no two writers wait in a cycle */
	qsort(sorted, n, sizeof(PendingBoard *), pending_board_cmp);

	/* what is applied now is no longer pending, even if more arrives later */
	pending_boards = NULL;

	SPI_connect();
	writer_nestlevel = writer_context_enter();
	for (i = 0; i < n; i++)
		apply_board(sorted[i]);
	AtEOXact_GUC(false, writer_nestlevel);
	SPI_finish();
	return PointerGetDatum(NULL);
}
