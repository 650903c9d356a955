/*
 * board_apply.c: the commit-time half of live boards.
 *
 * A deferred constraint trigger on leaderboard.pending (one sentinel row per writing
 * transaction, see board_pending.c) applies what the transaction captured, board by board
 * in name order: take ROW EXCLUSIVE on the board's scopes table (waits for rebuild and
 * alter_board), read the board's statements with a fresh snapshot, lock the touched scope
 * rows in key order, recompute the groups UPDATE and DELETE touched, add the INSERT
 * deltas, and re-rank: incrementally where one agent moved in a scope, in full elsewhere.
 * Every step is a statement of its own, so that under READ COMMITTED the reads after the
 * scope locks see everything committed before them.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "executor/executor.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "board_constraints.h"
#include "board_context.h"
#include "board_direct.h"
#include "board_events.h"
#include "board_pending.h"
#include "board_settings.h"
#include "board_statements.h"
#include "kpis.h"

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

		CHECK_FOR_INTERRUPTS();
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

	return pending_compare_scope_keys(pb->groups[*(const int *) a], pb->groups[*(const int *) b],
									  pb->tupdesc);
}

/*
 * Registers lb_corrections: for each (scope, agent) the transaction corrected (an UPDATE
 * or DELETE removed rows), one row with the group's columns, everything the transaction
 * added there (kpis, NULL when nothing) and everything it removed (a last column,
 * "removed"). Boards that apply corrections as deltas read it instead of recomputing
 * from the source (see _board_statements()); the others leave it unread. Groups captured
 * in several pieces (a savepoint's early apply given back) are merged here.
 */
static Tuplestorestate *
register_corrections(PendingBoard *pb)
{
	TupleDesc	gdesc = pb->tupdesc;
	int			natts = gdesc->natts;
	TupleDesc	desc = CreateTemplateTupleDesc(natts + 1);
	PendingGroupKey *order;
	HeapTuple  *rows = palloc(sizeof(HeapTuple) * pb->ngroups);
	Datum	   *values = palloc(sizeof(Datum) * (natts + 1));
	bool	   *nulls = palloc(sizeof(bool) * (natts + 1));
	int			nrows = 0;
	int			i;
	int			j;

	for (i = 1; i <= natts; i++)
		TupleDescCopyEntry(desc, i, gdesc, i);
	TupleDescInitEntry(desc, natts + 1, "removed", TupleDescAttr(gdesc, natts - 1)->atttypid, -1, 0);
	/* most large batches (COPY) correct nothing: no need to sort them */
	for (i = 0; i < pb->ngroups && pb->group_info[i].removed == NULL; i++)
		;
	if (i == pb->ngroups)
		return register_rows("lb_corrections", desc, rows, 0);
	order = pending_groups_sorted(pb);
	for (i = 0; i < pb->ngroups; i = j)
	{
		Kpis	   *added = NULL;
		Kpis	   *removed = NULL;

		CHECK_FOR_INTERRUPTS();
		for (j = i; j < pb->ngroups && (j == i || (pending_same_scope(&order[i], &order[j]) &&
												 pending_compare_agents(&order[i], &order[j]) == 0)); j++)
		{
			PendingGroupInfo *info = &pb->group_info[order[j].index];
			bool		isnull;
			Datum		k = heap_getattr(pb->groups[order[j].index], natts, gdesc, &isnull);

			kpis_absorb(&added, isnull ? info->added : DatumGetKpisP(k), CurrentMemoryContext);
			kpis_absorb(&removed, info->removed, CurrentMemoryContext);
		}
		if (removed == NULL)
			continue;
		heap_deform_tuple(pb->groups[order[i].index], gdesc, values, nulls);
		values[natts - 1] = PointerGetDatum(added);
		nulls[natts - 1] = added == NULL;
		values[natts] = PointerGetDatum(removed);
		nulls[natts] = false;
		rows[nrows++] = heap_form_tuple(desc, values, nulls);
	}
	pfree(order);
	return register_rows("lb_corrections", desc, rows, nrows);
}

/*
 * How many of the scope rows lock_scopes just returned existed before (their version went
 * up; a scope it inserted has version 0).
 */
static uint64
count_existing_scopes(void)
{
	uint64		n = 0;
	uint64		i;
	bool		isnull;

	for (i = 0; i < SPI_processed; i++)
		if (DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull)) > 0)
			n++;
	return n;
}

/*
 * Runs one commit-time statement: small batches use the cached plan, large ones are
 * planned for their size.
 */
static void
apply_step(BoardStatements *bs, BoardStatement step, bool small)
{
	int			rc;

	if (step == BOARD_RECOMPUTE)
		require_source_unfiltered(bs->source, bs->name);
	rc = small ? board_statement_execute(bs, step, false) : SPI_execute(bs->sql[step], false, 0);

	if (rc < 0)
		elog(ERROR, "leaderboard: commit-time statement %d of board \"%s\" failed",
			 (int) step, bs->name);
}

/* Orders new scopes by key bytes, the order captured groups sort in. */
static int
compare_new_scopes(const void *a, const void *b)
{
	const NewScope *sa = a;
	const NewScope *sb = b;

	return pending_compare_bytes(VARDATA_ANY(sa->key), VARSIZE_ANY_EXHDR(sa->key),
								 VARDATA_ANY(sb->key), VARSIZE_ANY_EXHDR(sb->key));
}

/*
 * The scopes lock_scopes just created (version 0), with their ids, sorted by key; NULL
 * when its result does not name them (the statement of an extension not yet updated).
 */
static NewScope *
new_scopes_locked(int *nnew)
{
	NewScope   *scopes;
	uint64		i;
	bool		isnull;

	*nnew = 0;
	if (SPI_tuptable->tupdesc->natts < 3)
		return NULL;
	scopes = palloc(sizeof(NewScope) * Max(SPI_processed, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];

		if (DatumGetInt64(SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull)) != 0)
			continue;
		scopes[*nnew].key = DatumGetTextPP(SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull));
		scopes[*nnew].id = DatumGetInt64(SPI_getbinval(t, SPI_tuptable->tupdesc, 3, &isnull));
		(*nnew)++;
	}
	qsort(scopes, *nnew, sizeof(NewScope), compare_new_scopes);
	return scopes;
}

/*
 * The groups of pb whose periods are still open, as a copy of pb sharing its tuples (pb
 * itself when none is closed): a closed period is frozen, whatever later writes to its
 * calls. pb is left whole, as an aborted subtransaction gives its groups back to pending.
 */
static PendingBoard *
open_groups(PendingBoard *pb, BoardStatements *bs, PendingBoard *copy)
{
	int			i;

	for (i = 0; i < BOARD_CLOSING_KINDS && bs->closed_before[i] == DATEVAL_NOBEGIN; i++)
		;
	if (i == BOARD_CLOSING_KINDS)
		return pb;
	*copy = *pb;
	copy->groups = palloc(sizeof(HeapTuple) * Max(pb->ngroups, 1));
	copy->group_info = palloc(sizeof(PendingGroupInfo) * Max(pb->ngroups, 1));
	copy->ngroups = 0;
	for (i = 0; i < pb->ngroups; i++)
	{
		bool		isnull;
		Datum		period = heap_getattr(pb->groups[i], 2, pb->tupdesc, &isnull);
		Datum		start = heap_getattr(pb->groups[i], 3, pb->tupdesc, &isnull);

		if (board_period_closed(bs, DatumGetTextPP(period), DatumGetDateADT(start)))
			continue;
		copy->groups[copy->ngroups] = pb->groups[i];
		copy->group_info[copy->ngroups++] = pb->group_info[i];
	}
	return copy;
}

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
				 errdetail("The board was changed by alter_board() after this transaction's snapshot was taken."),
				 errhint("The transaction might succeed if retried.")));
}

/*
 * Small batches (single-row writers) run cached plans made for few rows: index lookups
 * by scope and agent, never a scan of the standings. Each step is its own statement so
 * that, under READ COMMITTED, the reads after the scope locks see everything committed
 * before the locks were granted.
 */
static void
apply_small_batch(PendingBoard *pb, BoardStatements *bs)
{
	Tuplestorestate *pending;
	Tuplestorestate *corrections;
	Tuplestorestate *before;

	pending = register_rows("lb_pending", pb->tupdesc, pb->groups, pb->ngroups);
	corrections = register_corrections(pb);
	prefer_index_lookups();
	apply_step(bs, BOARD_LOCK_SCOPES, true);
	if (bs->sql[BOARD_BEFORE_MOVES] != NULL)
	{
		/* the scopes where one agent moved are re-ranked incrementally */
		apply_step(bs, BOARD_BEFORE_MOVES, true);
		before = register_rows("lb_before", SPI_tuptable->tupdesc, SPI_tuptable->vals,
							   SPI_processed);
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
		apply_step(bs, BOARD_RECOMPUTE, true);
		apply_step(bs, BOARD_ADD_DELTAS, true);
		apply_step(bs, BOARD_RERANK_MULTI, true);
	}
	SPI_unregister_relation("lb_pending");
	SPI_unregister_relation("lb_corrections");
	/* ending the tuplestores closes the temporary files of large ones */
	tuplestore_end(pending);
	tuplestore_end(corrections);
}

/*
 * Locks (creating the missing ones) the scopes of a large batch, whose groups are in
 * order: lock_scopes reads one group a scope, so that it sorts as many rows as there are
 * scopes, not groups. Returns how many of them existed before, and in *new_scopes the
 * ones it created (NULL when its result does not name them).
 */
static uint64
lock_large_batch_scopes(PendingBoard *pb, BoardStatements *bs, const PendingGroupKey *order,
						NewScope **new_scopes, int *nnew)
{
	HeapTuple  *firsts = palloc(sizeof(HeapTuple) * pb->ngroups);
	int			nscopes = 0;
	Tuplestorestate *scopes;
	uint64		existing;
	int			i;

	for (i = 0; i < pb->ngroups; i++)
		if (i == 0 || !pending_same_scope(&order[i - 1], &order[i]))
			firsts[nscopes++] = pb->groups[order[i].index];
	scopes = register_rows("lb_pending", pb->tupdesc, firsts, nscopes);
	apply_step(bs, BOARD_LOCK_SCOPES, false);
	existing = count_existing_scopes();
	*new_scopes = new_scopes_locked(nnew);
	SPI_unregister_relation("lb_pending");
	tuplestore_end(scopes);
	pfree(firsts);
	return existing;
}

/*
 * Large batches (COPY) are planned afresh for their actual size. They mostly fill
 * scopes they create: those rows are written once, ranked; only the scopes that existed
 * are added to and re-ranked, by statements over all the groups.
 */
static void
apply_large_batch(PendingBoard *pb, BoardStatements *bs)
{
	PendingGroupKey *order = pending_groups_sorted(pb);
	NewScope   *new_scopes;
	int			nnew;
	uint64		existing_scopes;
	int			written;

	allow_large_batch_memory();
	existing_scopes = lock_large_batch_scopes(pb, bs, order, &new_scopes, &nnew);
	/* no new scope (lock_scopes said so): nothing to insert */
	written = new_scopes == NULL ? -1 : nnew == 0 ? 0 :
		board_insert_new_direct(pb, bs, order, new_scopes, nnew);
	pfree(order);
	if (written >= 0 && nnew > 0)
		ereport(board_report_apply ? NOTICE : DEBUG1,
				(errmsg("board \"%s\": the rows of %d new scopes written directly",
						pb->name, written)));
	if (written < 0 || existing_scopes > 0 || pending_has_kpis(pb, false))
	{
		Tuplestorestate *pending = register_rows("lb_pending", pb->tupdesc, pb->groups,
												 pb->ngroups);
		Tuplestorestate *corrections = register_corrections(pb);

		if (written < 0)
			apply_step(bs, BOARD_INSERT_NEW, false);
		if (existing_scopes > 0 || pending_has_kpis(pb, false))
		{
			apply_step(bs, BOARD_RECOMPUTE, false);
			apply_step(bs, BOARD_ADD_DELTAS_LARGE, false);
			apply_step(bs, BOARD_RERANK, false);
		}
		SPI_unregister_relation("lb_pending");
		SPI_unregister_relation("lb_corrections");
		tuplestore_end(pending);
		tuplestore_end(corrections);
	}
}

/* Applies pb's captured groups, directly when it can, else by statements. */
static void
apply_groups(PendingBoard *pb, BoardStatements *bs)
{
	if (board_apply_direct(pb, bs))
		ereport(board_report_apply ? NOTICE : DEBUG1,
				(errmsg("board \"%s\": %d captured groups applied directly",
						pb->name, pb->ngroups)));
	else
	{
		ereport(board_report_apply ? NOTICE : DEBUG1,
				(errmsg("board \"%s\": %d captured groups applied by statements",
						pb->name, pb->ngroups)));
		board_events_require_trigger(pb->name);
		if (pb->ngroups <= board_small_batch_groups)
			apply_small_batch(pb, bs);
		else
			apply_large_batch(pb, bs);
	}
}

/* Whether a board of the name is in the catalog, as this transaction sees it now. */
static bool
board_exists(const char *name)
{
	Oid			argtype = TEXTOID;
	Datum		arg = CStringGetTextDatum(name);

	if (SPI_execute_with_args("SELECT 1 FROM leaderboard.boards WHERE name OPERATOR(pg_catalog.=) $1",
							  1, &argtype, &arg, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: could not read the catalog of boards");
	return SPI_processed > 0;
}

/*
 * Under REPEATABLE READ or SERIALIZABLE the commit-time rebuild reads and deletes the
 * standings with the transaction's snapshot: rows a writer committed after it (a new
 * scope, say, or an agent's row a writer sharing a large scope inserted again) would
 * survive a rebuild that does not see them. A row of the board's table (scopes, then
 * standings) that this snapshot does not see as the latest does (new, or changed since)
 * means such a writer: 40001, as any conflicting writer gets. Called under an EXCLUSIVE
 * lock on the scopes table, which waits for applies in progress.
 */
static void
require_rows_unchanged(Oid relid, const char *name)
{
	Relation	rel = table_open(relid, AccessShareLock);
	Snapshot	latest;
	Snapshot	mine;
	TableScanDesc scan;
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	bool		unseen = false;

	/* the transaction's snapshot, seeing what this transaction wrote (an early apply) */
	mine = register_own_writes_snapshot();
	latest = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, latest, 0, NULL);

	while (!unseen && table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		unseen = !table_tuple_satisfies_snapshot(rel, slot, mine);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(latest);
	UnregisterSnapshot(mine);
	table_close(rel, AccessShareLock);
	if (unseen)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update of board \"%s\"", name),
				 errdetail("A writer committed standings of the board after this transaction's snapshot was taken, which its rebuild from the source cannot see."),
				 errhint("The transaction might succeed if retried.")));
}

/*
 * The statements of the board whose changes were captured, read before its scopes table
 * is locked, to lock it; NULL when there is nothing to apply them to (said so when
 * report). The statements embed the scorecard and ladder: the apply reads them again only
 * once alter_board() and rebuild(), which hold the scopes table in EXCLUSIVE mode, can no
 * longer change them before this transaction ends, and with a snapshot taken after that
 * lock.
 */
static BoardStatements *
board_to_apply(PendingBoard *captured, bool report)
{
	BoardStatements *bs;

	/*
	 * Dropped by this transaction after it captured changes for it: nothing is left to
	 * apply them to, unless a board of the same name was created since, which the
	 * rebuild drop_board() asked for then reads from the source.
	 */
	if (captured->dropped_in != InvalidSubTransactionId && !board_exists(captured->name))
	{
		if (report)
			ereport(board_report_apply ? NOTICE : DEBUG1,
					(errmsg("board \"%s\": dropped, its captured changes are discarded", captured->name)));
		return NULL;
	}
	bs = board_statements(captured->name, false);
	/*
	 * Its tables dropped by this transaction, and the board with them next (pg_restore
	 * --clean drops the standings first, then the partitions of the source, whose drop
	 * asks for a rebuild): there is nothing left to apply to.
	 */
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(bs->standings)) ||
		!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(bs->scopes)))
	{
		if (report)
			ereport(board_report_apply ? NOTICE : DEBUG1,
					(errmsg("board \"%s\": its standings or scopes table is gone, nothing is applied",
							captured->name)));
		return NULL;
	}
	return bs;
}

/* Applies one board's captured changes; runs inside an SPI connection. */
static void
apply_board(PendingBoard *captured)
{
	PendingBoard open_copy;
	PendingBoard *pb;
	BoardStatements *bs = board_to_apply(captured, true);
	OwnerContext ctx;

	if (bs == NULL)
		return;
	LockRelationOid(bs->scopes, RowExclusiveLock);
	bs = board_statements(captured->name, true);
	if (IsolationUsesXactSnapshot())
		check_board_unchanged(captured->name);
	/* close_periods() holds the scopes table in EXCLUSIVE mode too: bs knows its closes */
	pb = open_groups(captured, bs, &open_copy);

	owner_context_enter(&ctx, bs->owner);
	if (pb->truncated_in != InvalidSubTransactionId)
	{
		/*
		 * TRUNCATE, or a partition that left or joined the source: the rebuild reads the
		 * source as it is now, which includes every capture
		 */
		ereport(board_report_apply ? NOTICE : DEBUG1,
				(errmsg("board \"%s\": rebuilt from its source", pb->name)));
		require_source_unfiltered(bs->source, bs->name);
		/*
		 * As rebuild() does: writers in the middle of their apply finish first, and those
		 * that come next wait, so that none holds a scope the rebuild rewrites (ATTACH
		 * PARTITION, unlike TRUNCATE, does not keep writers of the source out, and the
		 * rebuild's writes against theirs deadlocked)
		 */
		LockRelationOid(bs->scopes, ExclusiveLock);
		if (IsolationUsesXactSnapshot())
		{
			require_rows_unchanged(bs->scopes, bs->name);
			require_rows_unchanged(bs->standings, bs->name);
		}
		if (SPI_execute(bs->sql[BOARD_REBUILD], false, 0) < 0)
			elog(ERROR, "leaderboard: commit-time rebuild of board \"%s\" failed", pb->name);
	}
	else if (pb->ngroups > 0)
	{
		board_events_start(bs);
		apply_groups(pb, bs);
		board_events_finish(bs);
	}
	owner_context_exit(&ctx);
}

/*
 * Locks the scopes table of each board to apply, in the order they are applied, before
 * any is applied: a scopes table held in EXCLUSIVE mode (by an alter_board() or rebuild()
 * of a transaction that then writes calls of another of these boards) is then waited for
 * while this transaction holds no scope row that one may wait for at its own commit.
 */
static void
lock_scopes_tables(PendingBoard **sorted, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		BoardStatements *bs = board_to_apply(sorted[i], false);

		if (bs != NULL)
			LockRelationOid(bs->scopes, RowExclusiveLock);
	}
}

PG_FUNCTION_INFO_V1(board_commit);
/* Deferred constraint trigger on leaderboard.pending: applies captured changes, returns NULL. */
Datum
board_commit(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	PendingBoard **sorted;
	int			n;
	int			i;
	int			writer_nestlevel;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		RelationGetRelid(trigdata->tg_relation) != pending_table_oid())
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

	/*
	 * Fired inside the capture that queued it (SET CONSTRAINTS ALL IMMEDIATE), or by a SET
	 * CONSTRAINTS ALL IMMEDIATE run inside another statement (by a trigger, a function, a
	 * DO block): captures of a statement still running may be yet to come, and a group
	 * recomputed (or a board rebuilt) from the source now would count their rows, then
	 * count them again as they arrive. The sentinel goes back to firing at commit for the
	 * rest of the transaction (or at the next SET CONSTRAINTS ALL IMMEDIATE run as a
	 * statement of its own, between statements), and a new one is queued.
	 */
	if (pending_sentinel_fired_early() || board_apply_may_precede_captures())
	{
		SPI_connect();
		pending_defer_to_commit();
		SPI_finish();
		return PointerGetDatum(NULL);
	}

	/*
	 * Boards in name order, like scopes in key order: no two writers wait in a cycle.
	 * What is applied now is no longer pending, even if more arrives later.
	 */
	sorted = pending_boards_take(&n);
	if (n == 0)
		return PointerGetDatum(NULL);

	SPI_connect();
	writer_nestlevel = writer_context_enter();
	if (n > 1)
		lock_scopes_tables(sorted, n);
	for (i = 0; i < n; i++)
		apply_board(sorted[i]);
	AtEOXact_GUC(false, writer_nestlevel);
	SPI_finish();
	pfree(sorted);
	pending_boards_applied();
	return PointerGetDatum(NULL);
}
