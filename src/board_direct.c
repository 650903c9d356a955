/*
 * board_direct.c: the commit-time apply of small transactions by direct table access.
 *
 * A single-row INSERT touches one row per period kind, in scopes and for an agent that
 * usually exist already. The SQL path (board_apply.c) spends most of such a commit
 * starting executors for five statements; this path does the same work with index
 * lookups and the executor's single-row update (the one logical replication uses, so the
 * tables' constraints, indexes and row triggers are all honoured), in the same order and
 * under the same locks:
 *
 *  1. find every touched scope row, then lock them in key order: under REPEATABLE READ a
 *     scope row changed after the snapshot raises 40001, as the SQL path's upsert does;
 *     under READ COMMITTED the newest version is locked. The lock is shared in a scope
 *     that stores no ranks when the transaction only adds to rows that exist
 *     (may_share_scope()); the agent's row is then locked in step 2;
 *  2. with a snapshot taken after the locks, read each touched agent's standings row, and
 *     work out its new kpis: corrections (rows an UPDATE or DELETE removed) are subtracted
 *     when kpis_subtract() can do it exactly (extremes no card reads may be forgotten);
 *     when it cannot, nothing is written and the SQL path recomputes those groups from
 *     the source;
 *  3. per scope: add the deltas, rescore, move the ranks of the qualified rows scoring
 *     between the agent's old and new score by one (rank() = 1 + the number of qualified
 *     rows scoring higher), write the agent's row with its new rank and tier, and bump
 *     the scope row's version (not under a shared lock).
 *
 * A scope whose ranks would pass board_stored_rank_limit stops storing them instead:
 * every rank of the scope becomes NULL and ranks_stored false on its scope row; from then
 * on no writer moves ranks there (the SQL statements skip such scopes too) and readers rank
 * from the score index. rebuild() stores them again.
 *
 * Reads use a snapshot whose command id hides this step's own writes (the executor's
 * Halloween protection); the command counter moves on at the end.
 *
 * A board that emits events records each standings row this writes, before and after, as
 * it writes it, instead of letting its events trigger fire (board_events.h).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/sortsupport.h"

#include "board_direct.h"
#include "board_events.h"
#include "board_settings.h"
#include "board_index.h"
#include "kpis.h"

/*
 * The metrics whose min or max the card reads. A board's cards are aligned to its
 * metrics: entry i scores metric i (leaderboard._align_card), as _exact_extremes() has it.
 */
static uint32
card_extremes(const Scorecard *card)
{
	uint32		bits = 0;
	int			i;

	for (i = 0; i < scorecard_nmetrics(card); i++)
	{
		ScorecardStat stat = (ScorecardStat) scorecard_entry(card, i)->stat;

		if (stat == SCORECARD_STAT_MIN || stat == SCORECARD_STAT_MAX)
			bits |= (uint32) 1 << i;
	}
	return bits;
}

DirectShape *
direct_shape_load(const char *name, MemoryContext cxt, bool fresh)
{
	Datum		arg = CStringGetTextDatum(name);
	Oid			argtype = TEXTOID;
	DirectShape *shape;
	MemoryContext old;
	uint64		i;
	bool		isnull;

	/*
	 * Every card with the day it takes effect: the first of each period kind, then the
	 * later ones (card_versions, read through to_jsonb so that a catalog of version 0.1,
	 * which has no such column, reads as having none).
	 */
	if (SPI_execute_with_args("SELECT b.standings::pg_catalog.oid, b.agent_column::pg_catalog.text, "
							  "b.ladder, c.period, c.card::leaderboard.scorecard, c.effective_from "
							  "FROM leaderboard.boards b, LATERAL ("
							  " SELECT e.key, '-infinity'::pg_catalog.date, e.value "
							  " FROM pg_catalog.jsonb_each_text(b.scorecards) e"
							  " UNION ALL"
							  " SELECT e.key, (v OPERATOR(pg_catalog.->>) 'from')::pg_catalog.date, e.value"
							  " FROM pg_catalog.jsonb_array_elements(COALESCE("
							  "  pg_catalog.to_jsonb(b) OPERATOR(pg_catalog.->) 'card_versions', '[]'::pg_catalog.jsonb)) v,"
							  "  pg_catalog.jsonb_each_text(v OPERATOR(pg_catalog.->) 'scorecards') e"
							  ") AS c(period, effective_from, card) "
							  "WHERE b.name = $1 AND b.rank_style = 'rank' "
							  "AND (b.ladder IS NULL OR leaderboard.ladder_kind(b.ladder) = 'points') "
							  "ORDER BY c.period, c.effective_from",
							  1, &argtype, &arg, NULL, !fresh, 0) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: could not read the shape of board \"%s\"", name);
	if (SPI_processed == 0)
		return NULL;

	old = MemoryContextSwitchTo(cxt);
	shape = palloc0(sizeof(DirectShape));
	strlcpy(shape->name, name, NAMEDATALEN);
	shape->ncards = SPI_processed;
	shape->card_period = palloc(sizeof(char *) * SPI_processed);
	shape->card_from = palloc(sizeof(DateADT) * SPI_processed);
	shape->card = palloc(sizeof(Scorecard *) * SPI_processed);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		if (i == 0)
		{
			Datum		ladder;

			shape->standings = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
			strlcpy(shape->agent_column, TextDatumGetCString(SPI_getbinval(tup, desc, 2, &isnull)),
					NAMEDATALEN);
			ladder = SPI_getbinval(tup, desc, 3, &isnull);
			shape->ladder = isnull ? NULL : (Ladder *) PG_DETOAST_DATUM_COPY(ladder);
		}
		shape->card_period[i] = TextDatumGetCString(SPI_getbinval(tup, desc, 4, &isnull));
		shape->card[i] = (Scorecard *) PG_DETOAST_DATUM_COPY(SPI_getbinval(tup, desc, 5, &isnull));
		shape->card_from[i] = DatumGetDateADT(SPI_getbinval(tup, desc, 6, &isnull));
		shape->exact_extremes |= card_extremes(shape->card[i]);
	}
	MemoryContextSwitchTo(old);
	return shape;
}

/* One scope the transaction touched, with its one agent's merged deltas. */
typedef struct DirectScope
{
	HeapTuple	group;			/* the scope's first captured group */
	Kpis	   *delta;			/* rows added by every group of the scope, merged, or NULL */
	Kpis	   *removed;		/* rows removed (corrections), merged, or NULL */
	bool		removes_added;	/* some removed rows may be among the added ones */
	Kpis	   *kpis;			/* the agent's kpis after the transaction */
	const Scorecard *card;		/* the card of the scope's period kind */
	int64		scope_id;
	ItemPointerData scope_tid;	/* the scope row version found, before it is locked */
	HeapTuple	scope_row;		/* the scope row version locked */
	bool		ranks_stored;	/* the scope stores ranks (false: too large, NULL) */
	bool		shared;			/* its scope row is share-locked (see may_share_scope()) */
	HeapTuple	row;			/* the agent's standings row, as read after the locks,
								 * or NULL: the agent is new in the scope (a shared
								 * scope's, found before them, until it is locked) */
} DirectScope;

/* The tables, indexes and executor state of one direct apply. */
typedef struct DirectApply
{
	DirectShape *shape;
	EState	   *estate;
	EPQState	epq;
	Relation	scopes;
	Relation	standings;
	ResultRelInfo *scopes_rri;
	ResultRelInfo *standings_rri;
	Relation	scope_key_index;	/* scopes (scope_key), unique */
	Relation	key_index;		/* standings (agent, period, period_start, scope_id) */
	Relation	score_index;	/* standings (scope_id, score, agent) */
	TupleTableSlot *scopes_slot;	/* scope rows as scanned and locked */
	TupleTableSlot *scopes_old;	/* a scope row version to update */
	TupleTableSlot *scopes_new;	/* its new version */
	TupleTableSlot *scan_slot;	/* standings rows as scanned */
	TupleTableSlot *old_slot;	/* a standings row version to update */
	TupleTableSlot *new_slot;	/* its new version */
	/* attribute numbers */
	AttrNumber	sc_id, sc_key, sc_version, sc_ranks_stored;
	AttrNumber	st_scope, st_period, st_period_start, st_agent, st_kpis, st_score, st_qualified, st_rank, st_tier,
				st_updated;
	bool		records_events; /* writes record the board's events (board_events.h) */
	bool		shares_unranked;	/* writers may share the rows of scopes without ranks */
	AttrNumber *group_cols;		/* the standings column of each captured group column (by
								 * name), for those after the scope key but the kpis */
	/* the key index's entries of new rows, written last (see defer_key_index()) */
	struct DeferredKeys *deferred;	/* or NULL */
} DirectApply;

/* Key index entries of new rows, and how to sort them by their agent. */
typedef struct DeferredKeys
{
	IndexInfo  *info;
	MemoryContext cxt;
	SortSupportData agent_order;
	struct DeferredKey *keys;
	int64		nkeys;
	int64		maxkeys;
} DeferredKeys;

typedef struct DeferredKey
{
	IndexTuple	itup;			/* the entry, with its heap tid */
	Datum		agent;			/* its first column, read from itup */
	bool		agent_null;
} DeferredKey;

static int
compare_groups_by_scope(const void *a, const void *b, void *arg)
{
	PendingBoard *pb = arg;

	return pending_compare_scope_keys(pb->groups[*(const int *) a], pb->groups[*(const int *) b],
									  pb->tupdesc);
}

/*
 * The card of a captured group's period (kind and start, its second and third columns):
 * of the kind's cards, the last to take effect on or before the day the period starts;
 * NULL when the kind has none.
 */
static const Scorecard *
card_of_group(DirectShape *shape, HeapTuple group, TupleDesc desc)
{
	bool		isnull;
	char	   *period = TextDatumGetCString(heap_getattr(group, 2, desc, &isnull));
	DateADT		start = DatumGetDateADT(heap_getattr(group, 3, desc, &isnull));
	const Scorecard *card = NULL;
	int			c;

	for (c = 0; c < shape->ncards; c++)
		if (strcmp(shape->card_period[c], period) == 0 && shape->card_from[c] <= start)
			card = shape->card[c];
	return card;
}

/*
 * The touched scopes in key order with their deltas merged, or NULL (*nscopes = 0) when
 * the direct apply does not fit: a group to recompute (without kpis and without the
 * deltas of a correction), a scope with groups of two agents, a period kind without a
 * card.
 */
static DirectScope *
collect_scopes(PendingBoard *pb, DirectShape *shape, int *nscopes)
{
	TupleDesc	desc = pb->tupdesc;
	int			agent_col = desc->natts - 1;
	int			kpis_col = desc->natts;
	Form_pg_attribute agent_att = TupleDescAttr(desc, agent_col - 1);
	int		   *sorted = palloc(sizeof(int) * pb->ngroups);
	DirectScope *scopes = palloc0(sizeof(DirectScope) * pb->ngroups);
	int			n = 0;
	int			i;
	bool		isnull;

	*nscopes = 0;
	for (i = 0; i < pb->ngroups; i++)
		sorted[i] = i;
	qsort_arg(sorted, pb->ngroups, sizeof(int), compare_groups_by_scope, pb);
	for (i = 0; i < pb->ngroups; i++)
	{
		HeapTuple	g = pb->groups[sorted[i]];
		PendingGroupInfo *info = &pb->group_info[sorted[i]];
		Datum		kd = heap_getattr(g, kpis_col, desc, &isnull);
		const Kpis *added = isnull ? info->added : DatumGetKpisP(kd);

		if (isnull && info->removed == NULL)
			return NULL;
		if (n > 0 && pending_compare_scope_keys(scopes[n - 1].group, g, desc) == 0)
		{
			bool		agent_null;

			if (!datumIsEqual(heap_getattr(scopes[n - 1].group, agent_col, desc, &agent_null),
							  heap_getattr(g, agent_col, desc, &isnull),
							  agent_att->attbyval, agent_att->attlen))
				return NULL;
			/* groups are in capture order: an earlier group's rows may be removed by this one */
			if (info->removes_added || (info->removed != NULL && scopes[n - 1].delta != NULL))
				scopes[n - 1].removes_added = true;
			kpis_absorb(&scopes[n - 1].delta, added, CurrentMemoryContext);
			kpis_absorb(&scopes[n - 1].removed, info->removed, CurrentMemoryContext);
		}
		else
		{
			scopes[n].group = g;
			kpis_absorb(&scopes[n].delta, added, CurrentMemoryContext);
			kpis_absorb(&scopes[n].removed, info->removed, CurrentMemoryContext);
			scopes[n].removes_added = info->removes_added;
			scopes[n].card = card_of_group(shape, g, desc);
			if (scopes[n].card == NULL)
				return NULL;
			n++;
		}
	}
	*nscopes = n;
	return scopes;
}

static bool agent_equal_by_bytes(Form_pg_attribute att);
static HeapTuple fetch_agent_row(DirectApply *da, const DirectScope *ds, TupleDesc groups);

static RangeTblEntry *
target_rte(Relation rel, Bitmapset *updated)
{
	RangeTblEntry *rte = makeNode(RangeTblEntry);

	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	rte->updatedCols = updated;
	return rte;
}

static Bitmapset *
columns_set(int n, const AttrNumber *atts)
{
	Bitmapset  *set = NULL;
	int			i;

	for (i = 0; i < n; i++)
		set = bms_add_member(set, atts[i] - FirstLowInvalidHeapAttributeNumber);
	return set;
}

/* Closes the indexes direct_begin() found (keeping their locks). */
static void
close_indexes(DirectApply *da)
{
	if (da->scope_key_index != NULL)
		index_close(da->scope_key_index, NoLock);
	if (da->key_index != NULL)
		index_close(da->key_index, NoLock);
	if (da->score_index != NULL)
		index_close(da->score_index, NoLock);
}

/*
 * Opens the tables, their indexes and a single-row executor; false (all closed) when the
 * tables are not shaped as create_board makes them.
 */
static bool
direct_begin(DirectApply *da, BoardStatements *bs, DirectShape *shape, TupleDesc groups)
{
	Oid			kpis_type = TupleDescAttr(groups, groups->natts - 1)->atttypid;
	bool		fits;
	int			i;
	AttrNumber	keycols[4];
	AttrNumber	st_written[6];
	AttrNumber	sc_written[2];

	memset(da, 0, sizeof(DirectApply));
	da->shape = shape;
	da->scopes = table_open(bs->scopes, RowExclusiveLock);
	da->standings = table_open(shape->standings, RowExclusiveLock);
	da->sc_id = board_typed_column(da->scopes, "scope_id", INT8OID);
	da->sc_key = board_typed_column(da->scopes, "scope_key", TEXTOID);
	da->sc_version = board_typed_column(da->scopes, "version", INT8OID);
	da->sc_ranks_stored = board_typed_column(da->scopes, "ranks_stored", BOOLOID);
	da->st_scope = board_typed_column(da->standings, "scope_id", INT8OID);
	da->st_period = board_typed_column(da->standings, "period", TEXTOID);
	da->st_period_start = board_typed_column(da->standings, "period_start", DATEOID);
	da->st_agent = board_typed_column(da->standings, shape->agent_column,
									  TupleDescAttr(groups, groups->natts - 2)->atttypid);
	da->st_kpis = board_typed_column(da->standings, "kpis", kpis_type);
	da->st_score = board_typed_column(da->standings, "score", FLOAT8OID);
	da->st_qualified = board_typed_column(da->standings, "qualified", BOOLOID);
	da->st_rank = board_typed_column(da->standings, "rank", INT8OID);
	da->st_tier = board_typed_column(da->standings, "tier", TEXTOID);
	da->st_updated = board_typed_column(da->standings, "updated_at", TIMESTAMPTZOID);

	/* tables altered by their owner take the SQL path, which reports what does not fit */
	fits = da->scopes->rd_rel->relkind == RELKIND_RELATION &&
		da->standings->rd_rel->relkind == RELKIND_RELATION &&
		da->sc_id && da->sc_key && da->sc_version && da->sc_ranks_stored &&
		da->st_scope && da->st_period && da->st_period_start && da->st_agent && da->st_kpis &&
		da->st_score && da->st_qualified && da->st_rank && da->st_tier && da->st_updated;
	/* the captured groups' period, period_start, partition and agent columns */
	for (i = 1; fits && i < groups->natts - 1; i++)
		fits = board_typed_column(da->standings, NameStr(TupleDescAttr(groups, i)->attname),
								  TupleDescAttr(groups, i)->atttypid) != InvalidAttrNumber;
	if (fits)
	{
		keycols[0] = da->sc_key;
		da->scope_key_index = board_index_on(da->scopes, 1, keycols, true, RowExclusiveLock);
		keycols[0] = da->st_agent;
		keycols[1] = da->st_period;
		keycols[2] = da->st_period_start;
		keycols[3] = da->st_scope;
		da->key_index = board_index_on(da->standings, 4, keycols, true, RowExclusiveLock);
		keycols[0] = da->st_scope;
		keycols[1] = da->st_score;
		keycols[2] = da->st_agent;
		da->score_index = board_index_on(da->standings, 3, keycols, false, RowExclusiveLock);
		fits = da->scope_key_index && da->key_index && da->score_index;
	}
	if (!fits)
	{
		close_indexes(da);
		table_close(da->standings, NoLock);
		table_close(da->scopes, NoLock);
		return false;
	}

	da->group_cols = palloc0(sizeof(AttrNumber) * groups->natts);
	for (i = 2; i < groups->natts; i++)
		da->group_cols[i - 1] = board_column(da->standings,
											 NameStr(TupleDescAttr(groups, i - 1)->attname));
	da->estate = CreateExecutorState();
	sc_written[0] = da->sc_version;
	sc_written[1] = da->sc_ranks_stored;
	st_written[0] = da->st_kpis;
	st_written[1] = da->st_score;
	st_written[2] = da->st_qualified;
	st_written[3] = da->st_rank;
	st_written[4] = da->st_tier;
	st_written[5] = da->st_updated;
	ExecInitRangeTable(da->estate,
					   list_make2(target_rte(da->scopes, columns_set(2, sc_written)),
								  target_rte(da->standings, columns_set(6, st_written))));
	da->scopes_rri = makeNode(ResultRelInfo);
	InitResultRelInfo(da->scopes_rri, da->scopes, 1, NULL, 0);
	da->standings_rri = makeNode(ResultRelInfo);
	InitResultRelInfo(da->standings_rri, da->standings, 2, NULL, 0);
	da->records_events = board_events_take_trigger(da->standings_rri);
	/*
	 * Only the apply at commit shares, which the commit fires outside any portal: one run
	 * early (SET CONSTRAINTS ALL IMMEDIATE) keeps its locks while its transaction goes on
	 * writing, and two such transactions sharing a scope would deadlock as soon as each
	 * locks it exclusively (a correction, a new agent).
	 */
	da->shares_unranked = ActivePortal == NULL &&
		(bs->events_kinds & (BOARD_EVENT_NEW_LEADER | BOARD_EVENT_ENTERED_TOP_N | BOARD_EVENT_RANK_CLIMB)) == 0 &&
		agent_equal_by_bytes(TupleDescAttr(RelationGetDescr(da->standings), da->st_agent - 1));
	da->estate->es_output_cid = GetCurrentCommandId(true);
	ExecOpenIndices(da->scopes_rri, false);
	ExecOpenIndices(da->standings_rri, false);

	da->scopes_slot = table_slot_create(da->scopes, &da->estate->es_tupleTable);
	da->scopes_old = ExecInitExtraTupleSlot(da->estate, RelationGetDescr(da->scopes), &TTSOpsHeapTuple);
	da->scopes_new = ExecInitExtraTupleSlot(da->estate, RelationGetDescr(da->scopes), &TTSOpsHeapTuple);
	da->scan_slot = table_slot_create(da->standings, &da->estate->es_tupleTable);
	da->old_slot = ExecInitExtraTupleSlot(da->estate, RelationGetDescr(da->standings), &TTSOpsHeapTuple);
	da->new_slot = ExecInitExtraTupleSlot(da->estate, RelationGetDescr(da->standings), &TTSOpsHeapTuple);
	EvalPlanQualInit(&da->epq, da->estate, NULL, NIL, -1);
	AfterTriggerBeginQuery();
	return true;
}

static void
direct_end(DirectApply *da)
{
	AfterTriggerEndQuery(da->estate);
	/* closes the relations that firing AFTER row triggers (the owner's own) opened */
	ExecCloseResultRelations(da->estate);
	EvalPlanQualEnd(&da->epq);
	close_indexes(da);
	ExecCloseIndices(da->scopes_rri);
	ExecCloseIndices(da->standings_rri);
	ExecResetTupleTable(da->estate->es_tupleTable, false);
	FreeExecutorState(da->estate);
	table_close(da->standings, NoLock);
	table_close(da->scopes, NoLock);
}

/* Writes tuple over the row version in old (whose tid it keeps). */
static void
update_row(DirectApply *da, ResultRelInfo *rri, TupleTableSlot *old, HeapTuple tuple)
{
	TupleTableSlot *slot = rri == da->scopes_rri ? da->scopes_new : da->new_slot;

	ExecStoreHeapTuple(tuple, slot, false);
	EvalPlanQualSetSlot(&da->epq, slot);
	ExecSimpleRelationUpdate(rri, da->estate, &da->epq, old, slot);
	ExecClearTuple(slot);
}

/*
 * Whether the writer may share the lock of a scope row (found as scope_row, unlocked) with
 * other writers of the scope: the scope stores no ranks, so a writer changes no row but its
 * agent's own; the transaction only adds calls, so that row cannot go; the row is
 * there (visible now); and the board announces no rank events, which read the other
 * agents' rows as of the commit. Writers of different agents of a scope grown past
 * leaderboard.stored_rank_limit then apply side by side; those of one agent take turns on
 * its row's lock (lock_agent_row()). Every other writer locks the scope row exclusively,
 * which waits for the sharers and makes them wait.
 */
static bool
may_share_scope(DirectApply *da, DirectScope *ds, TupleTableSlot *scope_row, TupleDesc groups)
{
	bool		isnull;

	if (!da->shares_unranked ||
		DatumGetBool(slot_getattr(scope_row, da->sc_ranks_stored, &isnull)))
		return false;
	ds->scope_id = DatumGetInt64(slot_getattr(scope_row, da->sc_id, &isnull));
	ds->row = fetch_agent_row(da, ds, groups);
	return ds->row != NULL;
}

/*
 * Locks the newest version of the row at tid in mode, into slot: READ COMMITTED waits for
 * a writer of it and follows its update; REPEATABLE READ gets 40001 when the row changed
 * after the snapshot. False when a writer deleted it (READ COMMITTED).
 */
static bool
lock_row(Relation rel, ItemPointer tid, TupleTableSlot *slot, LockTupleMode mode)
{
	TM_FailureData tmfd;
	TM_Result	res;

	res = table_tuple_lock(rel, tid, GetActiveSnapshot(), slot, GetCurrentCommandId(false), mode,
						   LockWaitBlock,
						   IsolationUsesXactSnapshot() ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
						   &tmfd);
	switch (res)
	{
		case TM_Ok:
			return true;
		case TM_Updated:
		case TM_Deleted:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update")));
			/* READ COMMITTED followed the update chain: only a deletion ends here */
			return false;
		default:
			elog(ERROR, "leaderboard: unexpected result %d locking a row of \"%s\"", (int) res,
				 RelationGetRelationName(rel));
	}
	return false;				/* keep the compiler quiet */
}

/*
 * Finds the scope row of the scope's key, and whether to share its lock; false when there
 * is none (visible), for the SQL path to insert it. Every scope is found before any is
 * locked, so that a transaction the SQL path applies holds no shared scope lock it would
 * then have to upgrade (two such transactions would deadlock).
 */
static bool
find_scope(DirectApply *da, DirectScope *ds, TupleDesc groups)
{
	ScanKeyData skey;
	IndexScanDesc scan;
	bool		found;
	bool		isnull;

	board_index_key(&skey, da->scope_key_index, 1, 0, BTEqualStrategyNumber,
					heap_getattr(ds->group, 1, groups, &isnull));
	scan = index_beginscan(da->scopes, da->scope_key_index, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &skey, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, da->scopes_slot);
	index_endscan(scan);
	if (found)
	{
		ds->scope_tid = da->scopes_slot->tts_tid;
		ds->shared = may_share_scope(da, ds, da->scopes_slot, groups);
	}
	ExecClearTuple(da->scopes_slot);
	return found;
}

/*
 * Locks the scope row found, in the mode find_scope() chose, and keeps a copy of the
 * version locked (its version is bumped in apply_scope, unless the lock is shared); false
 * when it is gone, for the SQL path.
 */
static bool
lock_scope(DirectApply *da, DirectScope *ds)
{
	bool		isnull;

	if (!lock_row(da->scopes, &ds->scope_tid, da->scopes_slot,
				  ds->shared ? LockTupleShare : LockTupleNoKeyExclusive))
		return false;

	ds->scope_row = ExecCopySlotHeapTuple(da->scopes_slot);
	ds->scope_id = DatumGetInt64(slot_getattr(da->scopes_slot, da->sc_id, &isnull));
	ds->ranks_stored = DatumGetBool(slot_getattr(da->scopes_slot, da->sc_ranks_stored, &isnull));
	/*
	 * Only rebuild() and alter_board() store a scope's ranks again, under an EXCLUSIVE lock
	 * on the scopes that this apply's RowExclusiveLock, taken before its snapshots, waits for
	 */
	if (ds->shared && ds->ranks_stored)
		elog(ERROR, "leaderboard: scope %lld of board \"%s\" began storing ranks while a writer shared it",
			 (long long) ds->scope_id, da->shape->name);
	ExecClearTuple(da->scopes_slot);
	return true;
}

/*
 * Writes the locked scope row's next version: version + 1 (a REPEATABLE READ writer that
 * saw the old one gets 40001), and whether the scope still stores ranks.
 */
static void
bump_scope(DirectApply *da, DirectScope *ds)
{
	TupleDesc	desc = RelationGetDescr(da->scopes);
	Datum	   *values = palloc0(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc0(sizeof(bool) * desc->natts);
	bool	   *replace = palloc0(sizeof(bool) * desc->natts);
	bool		isnull;

	values[da->sc_version - 1] =
		Int64GetDatum(DatumGetInt64(heap_getattr(ds->scope_row, da->sc_version, desc, &isnull)) + 1);
	values[da->sc_ranks_stored - 1] = BoolGetDatum(ds->ranks_stored);
	replace[da->sc_version - 1] = replace[da->sc_ranks_stored - 1] = true;
	ExecStoreHeapTuple(ds->scope_row, da->scopes_old, false);
	update_row(da, da->scopes_rri, da->scopes_old,
			   heap_modify_tuple(ds->scope_row, desc, values, nulls, replace));
	ExecClearTuple(da->scopes_old);
}

/*
 * The scope's agent's standings row, as a copy, or NULL: looked up by the key (agent,
 * period, period_start, scope_id), the last three from the scope's captured group.
 */
static HeapTuple
fetch_agent_row(DirectApply *da, const DirectScope *ds, TupleDesc groups)
{
	ScanKeyData skey[4];
	IndexScanDesc scan;
	HeapTuple	row = NULL;
	bool		isnull;

	board_index_key(&skey[0], da->key_index, 1, 0, BTEqualStrategyNumber,
					heap_getattr(ds->group, groups->natts - 1, groups, &isnull));
	board_index_key(&skey[1], da->key_index, 2, 0, BTEqualStrategyNumber,
					heap_getattr(ds->group, 2, groups, &isnull));
	board_index_key(&skey[2], da->key_index, 3, 0, BTEqualStrategyNumber,
					heap_getattr(ds->group, 3, groups, &isnull));
	board_index_key(&skey[3], da->key_index, 4, 0, BTEqualStrategyNumber,
					Int64GetDatum(ds->scope_id));
	scan = index_beginscan(da->standings, da->key_index, GetActiveSnapshot(), 4, 0);
	index_rescan(scan, skey, 4, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, da->scan_slot))
		row = ExecCopySlotHeapTuple(da->scan_slot);
	index_endscan(scan);
	ExecClearTuple(da->scan_slot);
	return row;
}

/*
 * Locks the newest version of *row (READ COMMITTED waits for a writer of it and follows its
 * update) and replaces *row by a copy of it; false when that writer deleted it. REPEATABLE
 * READ gets 40001 when the row changed after its snapshot.
 */
static bool
lock_newest_version(DirectApply *da, HeapTuple *row)
{
	bool		locked = lock_row(da->standings, &(*row)->t_self, da->scan_slot, LockTupleNoKeyExclusive);

	if (locked)
		*row = ExecCopySlotHeapTuple(da->scan_slot);
	ExecClearTuple(da->scan_slot);
	return locked;
}

/*
 * The lock the writers sharing a scope take before they insert a row of one agent there
 * (lock_agent_row()): a transaction-level lock in the advisory space, with a fourth key
 * no SQL-level advisory lock uses, on the standings, the scope and a hash of the agent. A
 * hash collision only makes two such inserters take turns.
 */
#define BOARD_INSERTION_LOCK_SPACE 0x4C42

static void
lock_agent_insertion(DirectApply *da, const DirectScope *ds, TupleDesc groups)
{
	Form_pg_attribute agent_att = TupleDescAttr(groups, groups->natts - 2);
	bool		isnull;
	Datum		agent = heap_getattr(ds->group, groups->natts - 1, groups, &isnull);
	uint32		h = hash_combine(hash_bytes_uint32((uint32) ds->scope_id),
								 hash_bytes_uint32((uint32) (ds->scope_id >> 32)));
	LOCKTAG		tag;

	if (!isnull)
		h = hash_combine(h, datum_image_hash(agent, agent_att->attbyval, agent_att->attlen));
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, RelationGetRelid(da->standings), h,
						 BOARD_INSERTION_LOCK_SPACE);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/*
 * The agent's row in a scope whose lock the writer shares (may_share_scope()), locked,
 * newest version: another writer of the agent may have changed it since this apply's
 * snapshot. NULL when it is gone: a correction, which locks the scope exclusively, took the
 * agent's last call out of the scope after find_scope() saw the row. Each writer that finds
 * it gone then takes the agent's insertion lock and reads again with a new snapshot, so
 * that only the first of them inserts it and the others update what it inserted.
 *
 * The lock starts from the version may_share_scope() found, not from a second lookup: that
 * version was visible to the snapshot the scopes were found with, which the apply keeps
 * registered to its end, holding this backend's xmin at or below its; so
 * pruning cannot have removed the version or reused its line pointer, and its update chain
 * leads to the newest one (READ COMMITTED) as a lookup with a newer snapshot would.
 */
static HeapTuple
lock_agent_row(DirectApply *da, const DirectScope *ds, TupleDesc groups)
{
	HeapTuple	row = ds->row;

	if (row != NULL && lock_newest_version(da, &row))
		return row;
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent delete")));
	lock_agent_insertion(da, ds, groups);
	PushActiveSnapshot(GetLatestSnapshot());
	UpdateActiveSnapshotCommandId();
	row = fetch_agent_row(da, ds, groups);
	/* only a correction deletes the row, and it waits for this writer's scope lock */
	if (row != NULL && !lock_newest_version(da, &row))
		elog(ERROR, "leaderboard: a standings row of board \"%s\" went while its scope was locked",
			 da->shape->name);
	PopActiveSnapshot();
	return row;
}

static void
update_standings_row(DirectApply *da, HeapTuple oldrow, HeapTuple newrow)
{
	ExecStoreHeapTuple(oldrow, da->old_slot, false);
	update_row(da, da->standings_rri, da->old_slot, newrow);
	ExecClearTuple(da->old_slot);
	if (da->records_events)
		board_events_record(da->standings, oldrow, newrow);
}

static void defer_key(DirectApply *da);

static void
insert_standings_row(DirectApply *da, HeapTuple row)
{
	ExecStoreHeapTuple(row, da->new_slot, false);
	ExecSimpleRelationInsert(da->standings_rri, da->estate, da->new_slot);
	if (da->deferred != NULL)
		defer_key(da);
	ExecClearTuple(da->new_slot);
	if (da->records_events)
		board_events_record(da->standings, NULL, row);
}

/* Rows whose rank a change moves by one, read before any is written. */
typedef struct RankMoves
{
	HeapTuple  *rows;
	int			n;
	int			max;
} RankMoves;

/*
 * Finds each other qualified row of the scope whose rank moves by one when the agent's
 * score goes from o to n (-infinity: not qualified): those scoring in [min(o, n),
 * max(o, n)). Returns the agent's new rank: from its old rank and the rows it passed, or,
 * without an old rank, 1 + the qualified rows scoring higher.
 */
static int64
find_rank_moves(DirectApply *da, int64 scope_id, Datum agent, double o, double n, bool had_rank,
				int64 old_rank, RankMoves *moves)
{
	double		lo = Min(o, n);
	double		hi = Max(o, n);
	ScanKeyData skey[3];
	int			nkeys = 2;
	IndexScanDesc scan;
	Form_pg_attribute agent_att = TupleDescAttr(RelationGetDescr(da->standings), da->st_agent - 1);
	int64		passed = 0;
	int64		above = 0;

	memset(moves, 0, sizeof(RankMoves));
	/* without an old rank, every row scoring above n is counted: scan up to the top */
	board_index_key(&skey[0], da->score_index, 1, 0, BTEqualStrategyNumber, Int64GetDatum(scope_id));
	board_index_key(&skey[1], da->score_index, 2, 0, BTGreaterEqualStrategyNumber, Float8GetDatum(lo));
	if (had_rank)
		board_index_key(&skey[nkeys++], da->score_index, 2, 0, BTLessEqualStrategyNumber, Float8GetDatum(hi));
	scan = index_beginscan(da->standings, da->score_index, GetActiveSnapshot(), nkeys, 0);
	index_rescan(scan, skey, nkeys, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, da->scan_slot))
	{
		bool		isnull;
		double		s;

		CHECK_FOR_INTERRUPTS();
		if (!DatumGetBool(slot_getattr(da->scan_slot, da->st_qualified, &isnull)) ||
			datumIsEqual(slot_getattr(da->scan_slot, da->st_agent, &isnull), agent,
						 agent_att->attbyval, agent_att->attlen))
			continue;
		s = DatumGetFloat8(slot_getattr(da->scan_slot, da->st_score, &isnull));
		if (s > n)
			above++;
		if (n >= o ? (s > o && s <= n) : (s > n && s <= o))
			passed++;
		if ((n > s) == (o > s))
			continue;
		if (moves->n == moves->max)
		{
			moves->max = Max(16, moves->max * 2);
			moves->rows = moves->rows == NULL ? palloc(sizeof(HeapTuple) * moves->max) :
				repalloc(moves->rows, sizeof(HeapTuple) * moves->max);
		}
		moves->rows[moves->n++] = ExecCopySlotHeapTuple(da->scan_slot);
	}
	index_endscan(scan);
	ExecClearTuple(da->scan_slot);

	if (!had_rank)
		return 1 + above;
	return n >= o ? old_rank - passed : old_rank + passed;
}

/* Writes the rank moves find_rank_moves() found for the agent's move from o to n. */
static void
apply_rank_moves(DirectApply *da, RankMoves *moves, double o, double n)
{
	TupleDesc	desc = RelationGetDescr(da->standings);
	int			i;

	for (i = 0; i < moves->n; i++)
	{
		bool		rank_null;
		bool		isnull;
		int64		rank = DatumGetInt64(heap_getattr(moves->rows[i], da->st_rank, desc, &rank_null));
		double		s = DatumGetFloat8(heap_getattr(moves->rows[i], da->st_score, desc, &isnull));

		CHECK_FOR_INTERRUPTS();
		if (rank_null)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("standings of board \"%s\" hold a qualified row without a rank",
							da->shape->name),
					 errhint("Run leaderboard.rebuild('%s') to recompute the standings.",
							 da->shape->name)));
		rank += (n > s) - (o > s);
		update_standings_row(da, moves->rows[i], board_with_column(desc, moves->rows[i], da->st_rank,
															 Int64GetDatum(rank), false));
	}
}

/*
 * Stops storing ranks in a scope grown past board_stored_rank_limit: every rank but the
 * agent's (written next by the caller) becomes NULL, and readers rank from the score index.
 */
static void
drop_scope_ranks(DirectApply *da, int64 scope_id, Datum agent)
{
	TupleDesc	desc = RelationGetDescr(da->standings);
	Form_pg_attribute agent_att = TupleDescAttr(desc, da->st_agent - 1);
	ScanKeyData skey;
	IndexScanDesc scan;
	List	   *rows = NIL;
	ListCell   *lc;

	board_index_key(&skey, da->score_index, 1, 0, BTEqualStrategyNumber, Int64GetDatum(scope_id));
	scan = index_beginscan(da->standings, da->score_index, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &skey, 1, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, da->scan_slot))
	{
		bool		isnull;

		CHECK_FOR_INTERRUPTS();
		(void) slot_getattr(da->scan_slot, da->st_rank, &isnull);
		if (!isnull && !datumIsEqual(slot_getattr(da->scan_slot, da->st_agent, &isnull), agent,
									 agent_att->attbyval, agent_att->attlen))
			rows = lappend(rows, ExecCopySlotHeapTuple(da->scan_slot));
	}
	index_endscan(scan);
	ExecClearTuple(da->scan_slot);
	foreach(lc, rows)
		update_standings_row(da, lfirst(lc),
							 board_with_column(desc, lfirst(lc), da->st_rank, (Datum) 0, true));
}

/*
 * The standings row of a scope's new agent, with no score yet: the scope id and the
 * captured group's period, period_start, partition and agent columns (named as in the
 * standings), empty kpis and an unqualified score; apply_scope() fills in the rest.
 */
static void
new_agent_values(DirectApply *da, int64 scope_id, Kpis *delta, const Datum *group,
				 const bool *group_nulls, int group_natts, Datum *values, bool *nulls)
{
	TupleDesc	desc = RelationGetDescr(da->standings);
	int			i;

	memset(values, 0, sizeof(Datum) * desc->natts);
	memset(nulls, true, sizeof(bool) * desc->natts);
	values[da->st_scope - 1] = Int64GetDatum(scope_id);
	nulls[da->st_scope - 1] = false;
	/* the group's columns after the scope key, but for the kpis */
	for (i = 2; i < group_natts; i++)
	{
		AttrNumber	att = da->group_cols[i - 1];

		values[att - 1] = group[i - 1];
		nulls[att - 1] = group_nulls[i - 1];
	}
	/* replaced by apply_scope() */
	values[da->st_kpis - 1] = PointerGetDatum(delta);
	nulls[da->st_kpis - 1] = false;
	values[da->st_score - 1] = Float8GetDatum(0);
	nulls[da->st_score - 1] = false;
	values[da->st_qualified - 1] = BoolGetDatum(false);
	nulls[da->st_qualified - 1] = false;
	values[da->st_updated - 1] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	nulls[da->st_updated - 1] = false;
}

static HeapTuple
new_agent_row(DirectApply *da, DirectScope *ds, PendingBoard *pb)
{
	TupleDesc	desc = RelationGetDescr(da->standings);
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	Datum	   *group = palloc(sizeof(Datum) * pb->tupdesc->natts);
	bool	   *group_nulls = palloc(sizeof(bool) * pb->tupdesc->natts);
	HeapTuple	row;

	heap_deform_tuple(ds->group, pb->tupdesc, group, group_nulls);
	new_agent_values(da, ds->scope_id, ds->delta, group, group_nulls, pb->tupdesc->natts,
					 values, nulls);
	row = heap_form_tuple(desc, values, nulls);
	pfree(values);
	pfree(nulls);
	pfree(group);
	pfree(group_nulls);
	return row;
}

/*
 * Adds the scope's deltas to its agent's row (a new row for a new agent), rescores,
 * re-ranks and writes it.
 */
static void
apply_scope(DirectApply *da, DirectScope *ds, PendingBoard *pb)
{
	TupleDesc	desc = RelationGetDescr(da->standings);
	Ladder	   *ladder = da->shape->ladder;
	bool		is_new = ds->row == NULL;
	HeapTuple	row = is_new ? new_agent_row(da, ds, pb) : ds->row;
	Datum	   *values = palloc0(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc0(sizeof(bool) * desc->natts);
	bool	   *replace = palloc0(sizeof(bool) * desc->natts);
	bool		isnull;
	bool		old_qualified;
	bool		new_qualified;
	bool		had_rank;
	int64		old_rank;
	double		old_score;
	double		new_score;
	Kpis	   *kpis;
	Datum		agent;
	HeapTuple	newrow;
	bool		gone;

	kpis = ds->kpis;
	/* stored, and compared with the other stored scores, at the board's precision */
	new_score = scorecard_rank_precision(scorecard_score(ds->card, kpis, NULL, &new_qualified));
	/* a row that goes moves the ranks below it as an unqualified one would */
	gone = kpis->rows == 0;
	if (gone)
		new_qualified = false;
	old_score = DatumGetFloat8(heap_getattr(row, da->st_score, desc, &isnull));
	old_qualified = DatumGetBool(heap_getattr(row, da->st_qualified, desc, &isnull));
	old_rank = DatumGetInt64(heap_getattr(row, da->st_rank, desc, &isnull));
	had_rank = old_qualified && !isnull;
	/*
	 * The agent as its standings row holds it: the scans below skip that row by comparing
	 * bytes, and an equal value captured with other bytes (numeric 0.5 and 0.50) would
	 * not match it.
	 */
	agent = heap_getattr(row, da->st_agent, desc, &isnull);

	values[da->st_kpis - 1] = PointerGetDatum(kpis);
	values[da->st_score - 1] = Float8GetDatum(new_score);
	values[da->st_qualified - 1] = BoolGetDatum(new_qualified);
	values[da->st_updated - 1] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	replace[da->st_kpis - 1] = replace[da->st_score - 1] = replace[da->st_qualified - 1] =
		replace[da->st_updated - 1] = replace[da->st_rank - 1] = true;

	if (ladder != NULL)
	{
		Datum		old_tier = heap_getattr(row, da->st_tier, desc, &isnull);
		int			previous = 0;
		int			level = 0;

		if (!isnull)
		{
			char	   *name = TextDatumGetCString(old_tier);

			previous = ladder_level_of_name(ladder, name);
			if (previous < 0)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("standings of board \"%s\" hold tier \"%s\", which is not in its ladder",
								da->shape->name, name),
						 errdetail("The board's ladder is: %s.", ladder_to_cstring(ladder)),
						 errhint("Run leaderboard.rebuild('%s') to recompute the standings.",
								 da->shape->name)));
		}
		if (new_qualified)
			level = ladder_level_for_score(ladder, new_score, previous);
		replace[da->st_tier - 1] = true;
		nulls[da->st_tier - 1] = level == 0;
		if (level > 0)
			values[da->st_tier - 1] = CStringGetTextDatum(ladder_tier_name(ladder, level));
	}

	/* no rank when unqualified, or in a scope that stores no ranks (all NULL there) */
	nulls[da->st_rank - 1] = true;
	if (ds->ranks_stored && (new_qualified || old_qualified))
	{
		double		o = old_qualified ? old_score : -get_float8_infinity();
		double		n = new_qualified ? new_score : -get_float8_infinity();
		RankMoves	moves;
		int64		rank = find_rank_moves(da, ds->scope_id, agent, o, n, had_rank, old_rank, &moves);

		if (rank > board_stored_rank_limit || (had_rank && old_rank > board_stored_rank_limit))
		{
			drop_scope_ranks(da, ds->scope_id, agent);
			ds->ranks_stored = false;
		}
		else
		{
			apply_rank_moves(da, &moves, o, n);
			nulls[da->st_rank - 1] = !new_qualified;
			values[da->st_rank - 1] = Int64GetDatum(rank);
		}
	}

	if (gone)
	{
		/* the agent has no call left in the scope: its row goes */
		ExecStoreHeapTuple(row, da->old_slot, false);
		ExecSimpleRelationDelete(da->standings_rri, da->estate, &da->epq, da->old_slot);
		ExecClearTuple(da->old_slot);
		if (da->records_events)
			board_events_record(da->standings, row, NULL);
		bump_scope(da, ds);
		return;
	}
	newrow = heap_modify_tuple(row, desc, values, nulls, replace);
	if (is_new)
		insert_standings_row(da, newrow);
	else
		update_standings_row(da, row, newrow);
	/* sharers leave the scope row as it is: its lock and the agent's row order them */
	if (!ds->shared)
		bump_scope(da, ds);
}

/*
 * The scope's agent's kpis once the transaction's deltas are in, or NULL when this apply
 * cannot know them without reading the calls: a correction that kpis_subtract() cannot
 * take out exactly. The statements then recompute from the source. Kpis of no rows mean
 * the agent's row goes. The rows removed are taken out of the
 * stored ones, and the rows added merged in after, which lets an added value hold a
 * removed extreme; unless rows were removed after rows were added (an UPDATE of a row
 * inserted earlier in the transaction), when the removed ones may be among the added:
 * then the added go in first.
 */
static Kpis *
new_kpis(DirectApply *da, DirectScope *ds)
{
	bool		isnull;
	Kpis	   *kpis;

	if (ds->row == NULL)
	{
		if (ds->delta == NULL || (ds->removed != NULL && !ds->removes_added))
			return NULL;
		kpis = kpis_copy(ds->delta);
	}
	else
	{
		kpis = kpis_copy(DatumGetKpisP(heap_getattr(ds->row, da->st_kpis,
													RelationGetDescr(da->standings), &isnull)));
		if (ds->delta != NULL && (ds->removed == NULL || ds->removes_added))
			kpis_merge_into(kpis, ds->delta);
	}
	if (ds->removed != NULL)
	{
		if (ds->removes_added || ds->row == NULL)
		{
			if (!kpis_subtract(kpis, ds->removed, NULL, da->shape->exact_extremes))
				return NULL;
		}
		else
		{
			if (!kpis_subtract(kpis, ds->removed, ds->delta, da->shape->exact_extremes))
				return NULL;
			if (ds->delta != NULL)
				kpis_merge_into(kpis, ds->delta);
		}
	}
	/* no rows left: the agent's row goes (there is none to remove for a new agent) */
	return kpis->rows > 0 || ds->row != NULL ? kpis : NULL;
}

/*
 * Pushes the snapshot this apply reads with: the transaction's under REPEATABLE READ, a
 * new one under READ COMMITTED; its command id hides this apply's own writes.
 */
static void
push_read_snapshot(DirectApply *da)
{
	PushCopiedSnapshot(IsolationUsesXactSnapshot() ? GetTransactionSnapshot() : GetLatestSnapshot());
	UpdateActiveSnapshotCommandId();
	da->estate->es_snapshot = GetActiveSnapshot();
}

bool
board_apply_direct(PendingBoard *pb, BoardStatements *bs)
{
	DirectShape *shape = bs->direct;
	MemoryContext cxt;
	MemoryContext old;
	DirectScope *scopes;
	DirectApply da;
	int			nscopes;
	int			i;
	bool		done = false;
	Snapshot	found_with;		/* the snapshot the scopes were found with */

	if (shape == NULL || pb->ngroups == 0 || pb->ngroups > board_direct_max_groups)
		return false;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "leaderboard direct apply",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	scopes = collect_scopes(pb, shape, &nscopes);
	if (nscopes > 0 && direct_begin(&da, bs, shape, pb->tupdesc))
	{
		/*
		 * 1: scope rows in key order, newest versions (READ COMMITTED). Scopes are shared
		 * only when the transaction only adds calls: then, once they are locked, nothing
		 * sends it to the SQL path.
		 */
		for (i = 0; i < nscopes; i++)
			da.shares_unranked &= scopes[i].removed == NULL;
		push_read_snapshot(&da);
		found_with = RegisterSnapshot(GetActiveSnapshot());
		done = true;
		for (i = 0; i < nscopes && done; i++)
			done = find_scope(&da, &scopes[i], pb->tupdesc);
		for (i = 0; i < nscopes && done; i++)
			done = lock_scope(&da, &scopes[i]);
		PopActiveSnapshot();

		/* 2: the agents' rows, as committed before the locks were granted; 3: the changes */
		if (done)
		{
			push_read_snapshot(&da);
			for (i = 0; i < nscopes; i++)
			{
				scopes[i].row = scopes[i].shared ? lock_agent_row(&da, &scopes[i], pb->tupdesc) :
					fetch_agent_row(&da, &scopes[i], pb->tupdesc);
				/*
				 * Under REPEATABLE READ the row read with the transaction's snapshot may be
				 * older than one a sharer of the scope wrote since (sharers leave the scope
				 * row as it is): locking it raises 40001 then, as an update would not
				 */
				if (!scopes[i].shared && scopes[i].row != NULL && IsolationUsesXactSnapshot())
					(void) lock_newest_version(&da, &scopes[i].row);
			}
			for (i = 0; i < nscopes && done; i++)
				done = (scopes[i].kpis = new_kpis(&da, &scopes[i])) != NULL;
			for (i = 0; i < nscopes && done; i++)
				apply_scope(&da, &scopes[i], pb);
			PopActiveSnapshot();
		}
		UnregisterSnapshot(found_with);
		direct_end(&da);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	CommandCounterIncrement();
	return done;
}

/* ---- rows of new scopes ---- */

/* One agent's row of a new scope, before it is written. */
typedef struct NewRow
{
	Datum	   *group_values;	/* the agent's first captured group, deformed */
	bool	   *group_nulls;
	Kpis	   *kpis;			/* its groups' kpis, merged: the group's own until a
								 * second group is merged into a copy */
	bool		copied;
	double		score;
	bool		qualified;
} NewRow;

/*
 * Whether two agents of the column's type are equal exactly when their bytes are, as
 * heap_form_tuple() stores them: then one sort by bytes brings an agent's groups together
 * (numeric 0.5 and 0.50 are one agent with two forms; such types take the statement).
 */
static bool
agent_equal_by_bytes(Form_pg_attribute att)
{
	switch (getBaseType(att->atttypid))
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case UUIDOID:
			return true;
		case TEXTOID:
		case VARCHAROID:
			return get_collation_isdeterministic(att->attcollation);
		default:
			return false;
	}
}

/* Rank order: qualified rows first, by score, best first. */
static int
compare_new_rows(const void *a, const void *b)
{
	const NewRow *ra = a;
	const NewRow *rb = b;

	if (ra->qualified != rb->qualified)
		return ra->qualified ? -1 : 1;
	return ra->score > rb->score ? -1 : ra->score < rb->score ? 1 : 0;
}


/*
 * Writes one new scope's rows: order[from .. to) are its groups, sorted by agent;
 * returns false when a correction is among them (the statements handle that scope).
 */
static bool
insert_scope_rows(DirectApply *da, PendingBoard *pb, const PendingGroupKey *order, int from, int to,
				  int64 scope_id)
{
	TupleDesc	gdesc = pb->tupdesc;
	TupleDesc	desc = RelationGetDescr(da->standings);
	NewRow	   *rows = palloc(sizeof(NewRow) * (to - from));
	const Scorecard *card = card_of_group(da->shape, pb->groups[order[from].index], gdesc);
	int			nrows = 0;
	int			i;
	int64		rank = 0;
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	/* each tier's name as text, made once a scope */
	Datum	   *tiers = palloc0(sizeof(Datum) * (da->shape->ladder != NULL ?
												 ladder_tier_count(da->shape->ladder) + 1 : 1));

	if (card == NULL)
		elog(ERROR, "leaderboard: board has no scorecard for a captured period");
	for (i = from; i < to; i++)
	{
		HeapTuple	g = pb->groups[order[i].index];
		Datum	   *group = palloc(sizeof(Datum) * gdesc->natts);
		bool	   *group_nulls = palloc(sizeof(bool) * gdesc->natts);

		/* one pass over the group: its columns lie after the scope key's varlena */
		heap_deform_tuple(g, gdesc, group, group_nulls);
		if (group_nulls[gdesc->natts - 1])
			return false;
		if (i > from && pending_compare_agents(&order[i - 1], &order[i]) == 0)
		{
			if (!rows[nrows - 1].copied)
				rows[nrows - 1].kpis = kpis_copy(rows[nrows - 1].kpis);
			rows[nrows - 1].copied = true;
			kpis_merge_into(rows[nrows - 1].kpis, DatumGetKpisP(group[gdesc->natts - 1]));
			continue;
		}
		rows[nrows].group_values = group;
		rows[nrows].group_nulls = group_nulls;
		rows[nrows].kpis = DatumGetKpisP(group[gdesc->natts - 1]);
		rows[nrows].copied = false;
		nrows++;
	}
	for (i = 0; i < nrows; i++)
		rows[i].score = scorecard_rank_precision(scorecard_score(card, rows[i].kpis, NULL,
																 &rows[i].qualified));
	qsort(rows, nrows, sizeof(NewRow), compare_new_rows);

	for (i = 0; i < nrows; i++)
	{
		int			level = 0;
		HeapTuple	row;

		CHECK_FOR_INTERRUPTS();
		/* rank(): a score equal to the one before shares its rank */
		if (rows[i].qualified && (i == 0 || rows[i].score != rows[i - 1].score))
			rank = i + 1;
		if (rows[i].qualified && da->shape->ladder != NULL)
			level = ladder_level_for_score(da->shape->ladder, rows[i].score, 0);
		new_agent_values(da, scope_id, rows[i].kpis, rows[i].group_values, rows[i].group_nulls,
						 gdesc->natts, values, nulls);
		values[da->st_score - 1] = Float8GetDatum(rows[i].score);
		values[da->st_qualified - 1] = BoolGetDatum(rows[i].qualified);
		values[da->st_rank - 1] = Int64GetDatum(rank);
		nulls[da->st_rank - 1] = !rows[i].qualified;
		if (level > 0 && tiers[level] == (Datum) 0)
			tiers[level] = CStringGetTextDatum(ladder_tier_name(da->shape->ladder, level));
		nulls[da->st_tier - 1] = level == 0;
		values[da->st_tier - 1] = tiers[level];
		row = heap_form_tuple(desc, values, nulls);
		insert_standings_row(da, row);
		heap_freetuple(row);
	}
	return true;
}

/*
 * New scopes' rows are written scope by scope, which is the order of the (scope_id,
 * score, agent) index, but the key leads with the agent: each row's key entry would land
 * on a leaf page of its own, away from the last one, and most of the cost of writing a
 * new row went to fetching those pages. So the executor leaves the key index out (it is
 * moved past the last index it inserts into) and the entries are inserted at the end,
 * sorted by agent, so that consecutive entries share their leaf pages (an agent's few
 * entries lie together, in whatever order). Only a plain, immediately checked key is
 * deferred: its uniqueness is checked as each entry goes in.
 */
static void
defer_key_index(DirectApply *da)
{
	ResultRelInfo *rri = da->standings_rri;
	int			last = rri->ri_NumIndices - 1;
	DeferredKeys *dk;
	int			i;

	for (i = 0; i <= last && RelationGetRelid(rri->ri_IndexRelationDescs[i]) !=
		 RelationGetRelid(da->key_index); i++)
		;
	if (i > last || !da->key_index->rd_index->indimmediate ||
		rri->ri_IndexRelationInfo[i]->ii_Expressions != NIL ||
		rri->ri_IndexRelationInfo[i]->ii_Predicate != NIL)
		return;
	dk = palloc0(sizeof(DeferredKeys));
	dk->info = rri->ri_IndexRelationInfo[i];
	rri->ri_IndexRelationDescs[i] = rri->ri_IndexRelationDescs[last];
	rri->ri_IndexRelationInfo[i] = rri->ri_IndexRelationInfo[last];
	rri->ri_IndexRelationDescs[last] = da->key_index;
	rri->ri_IndexRelationInfo[last] = dk->info;
	rri->ri_NumIndices = last;
	dk->cxt = AllocSetContextCreate(CurrentMemoryContext, "leaderboard deferred keys",
									ALLOCSET_DEFAULT_SIZES);
	dk->agent_order.ssup_cxt = CurrentMemoryContext;
	dk->agent_order.ssup_collation = da->key_index->rd_indcollation[0];
	dk->agent_order.ssup_nulls_first = false;
	dk->agent_order.ssup_attno = 1;
	PrepareSortSupportFromIndexRel(da->key_index, BTLessStrategyNumber, &dk->agent_order);
	dk->maxkeys = 1024;
	dk->keys = MemoryContextAllocHuge(dk->cxt, sizeof(DeferredKey) * dk->maxkeys);
	da->deferred = dk;
}

/* Keeps the key index entry of the row just inserted from da->new_slot. */
static void
defer_key(DirectApply *da)
{
	DeferredKeys *dk = da->deferred;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	DeferredKey *key;
	MemoryContext old;

	FormIndexDatum(dk->info, da->new_slot, da->estate, values, isnull);
	if (dk->nkeys == dk->maxkeys)
	{
		dk->maxkeys *= 2;
		dk->keys = repalloc_huge(dk->keys, sizeof(DeferredKey) * dk->maxkeys);
	}
	key = &dk->keys[dk->nkeys++];
	old = MemoryContextSwitchTo(dk->cxt);
	key->itup = index_form_tuple(RelationGetDescr(da->key_index), values, isnull);
	MemoryContextSwitchTo(old);
	key->itup->t_tid = da->new_slot->tts_tid;
	key->agent = index_getattr(key->itup, 1, RelationGetDescr(da->key_index), &key->agent_null);
}

static int
compare_deferred_keys(const void *a, const void *b, void *arg)
{
	const DeferredKey *ka = a;
	const DeferredKey *kb = b;

	return ApplySortComparator(ka->agent, ka->agent_null, kb->agent, kb->agent_null,
							   (SortSupport) arg);
}

/* Inserts the deferred key entries by agent and gives the executor its index back. */
static void
insert_deferred_keys(DirectApply *da)
{
	DeferredKeys *dk = da->deferred;
	TupleDesc	desc = RelationGetDescr(da->key_index);
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	int64		i;

	if (dk == NULL)
		return;
	qsort_arg(dk->keys, dk->nkeys, sizeof(DeferredKey), compare_deferred_keys, &dk->agent_order);
	for (i = 0; i < dk->nkeys; i++)
	{
		IndexTuple	itup = dk->keys[i].itup;

		CHECK_FOR_INTERRUPTS();
		index_deform_tuple(itup, desc, values, isnull);
		index_insert(da->key_index, values, isnull, &itup->t_tid, da->standings,
					 dk->info->ii_Unique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO, false, dk->info);
	}
	MemoryContextDelete(dk->cxt);
	da->deferred = NULL;
	da->standings_rri->ri_NumIndices++;
}

int
board_insert_new_direct(PendingBoard *pb, BoardStatements *bs, const PendingGroupKey *order,
						NewScope *new_scopes, int nnew)
{
	DirectShape *shape = bs->direct;
	DirectApply da;
	MemoryContext cxt;
	MemoryContext row_cxt;
	MemoryContext old;
	int			i;
	int			s = 0;
	int			written = 0;

	if (shape == NULL || !agent_equal_by_bytes(TupleDescAttr(pb->tupdesc, pb->tupdesc->natts - 2)))
		return -1;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "leaderboard new scopes",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	if (!direct_begin(&da, bs, shape, pb->tupdesc))
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		return -1;
	}
	row_cxt = AllocSetContextCreate(cxt, "leaderboard new scope rows", ALLOCSET_DEFAULT_SIZES);
	push_read_snapshot(&da);
	defer_key_index(&da);
	/* groups and new scopes are both in key order: walk them side by side */
	for (i = 0; i < pb->ngroups;)
	{
		int			end = i + 1;
		int			c = 1;

		while (end < pb->ngroups && pending_same_scope(&order[i], &order[end]))
			end++;
		while (s < nnew && (c = pending_compare_bytes(order[i].scope, order[i].scope_len,
													  VARDATA_ANY(new_scopes[s].key),
													  VARSIZE_ANY_EXHDR(new_scopes[s].key))) > 0)
			s++;
		if (s < nnew && c == 0)
		{
			MemoryContextSwitchTo(row_cxt);
			if (insert_scope_rows(&da, pb, order, i, end, new_scopes[s].id))
				written++;
			MemoryContextSwitchTo(cxt);
			MemoryContextReset(row_cxt);
		}
		i = end;
	}
	insert_deferred_keys(&da);
	PopActiveSnapshot();
	direct_end(&da);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	CommandCounterIncrement();
	return written;
}
