/*
 * board_pending.c: what a transaction has captured for its boards, until commit.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "board_pending.h"

static PendingBoard *pending_boards = NULL;

/*
 * Boards taken by a commit-time apply that ran inside a subtransaction (after SET
 * CONSTRAINTS ALL IMMEDIATE), kept until that subtransaction can no longer roll back the
 * apply: if it aborts, the rollback undoes the apply's writes, so the groups go back to
 * pending, and the sentinel event it fired is fired again at commit.
 */
static PendingBoard *applied_boards = NULL;

/* Subtransaction that inserted this transaction's sentinel row, if any. */
static SubTransactionId sentinel_subxact = InvalidSubTransactionId;

static bool callbacks_registered = false;

/* ensure_sentinel() is inserting the sentinel row (see pending_sentinel_fired_early()) */
static bool inserting_sentinel = false;

static void pending_append(PendingBoard *pb, HeapTuple group, const PendingGroupInfo *info,
						   TupleDesc desc);

/* The board's pending state in this transaction, or NULL. */
static PendingBoard *
pending_board_named(const char *name)
{
	PendingBoard *pb;

	for (pb = pending_boards; pb != NULL; pb = pb->next)
		if (strcmp(pb->name, name) == 0)
			return pb;
	return NULL;
}

/* Frees captured group i of pb, with its deltas. */
static void
group_free(PendingBoard *pb, int i)
{
	heap_freetuple(pb->groups[i]);
	if (pb->group_info[i].added != NULL)
		pfree(pb->group_info[i].added);
	if (pb->group_info[i].removed != NULL)
		pfree(pb->group_info[i].removed);
}

static void
pending_board_free(PendingBoard *pb)
{
	int			i;

	for (i = 0; i < pb->ngroups; i++)
		group_free(pb, i);
	if (pb->groups != NULL)
	{
		pfree(pb->groups);
		pfree(pb->group_info);
	}
	for (i = 0; i < pb->nlevels; i++)
		fold_level_free(pb->levels[i]);
	if (pb->levels != NULL)
	{
		pfree(pb->levels);
		pfree(pb->level_subxact);
	}
	if (pb->tupdesc != NULL)
		FreeTupleDesc(pb->tupdesc);
	pfree(pb->name);
	pfree(pb);
}

/*
 * A transaction about to commit has applied everything it captured: the apply runs as a
 * deferred trigger, and PostgreSQL fires every deferred trigger before this point. Groups
 * still pending here mean the apply did not run (its trigger disabled, say): fail rather
 * than commit calls the board does not count.
 */
static void
check_nothing_pending(void)
{
	PendingBoard *pb;

	for (pb = pending_boards; pb != NULL; pb = pb->next)
		if (pending_has_captures(pb))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("changes captured for board \"%s\" were not applied", pb->name),
					 errhint("Check that trigger \"apply_at_commit\" on table \"leaderboard.pending\" is enabled.")));
}

static void
board_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			check_nothing_pending();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* the memory lived in TopTransactionContext and is gone with it */
			pending_boards = NULL;
			applied_boards = NULL;
			sentinel_subxact = InvalidSubTransactionId;
			break;
		default:
			break;
	}
}

/*
 * Drops what subtransaction subid and its children captured for pb. Groups and levels
 * are appended in time order and every subtransaction started after subid while it was
 * open has a larger id, so what they captured is exactly the tail with ids >= subid.
 */
static void
drop_captures_since(PendingBoard *pb, SubTransactionId subid)
{
	while (pb->ngroups > 0 && pb->group_info[pb->ngroups - 1].subxact >= subid)
		group_free(pb, --pb->ngroups);
	while (pb->nlevels > 0 && pb->level_subxact[pb->nlevels - 1] >= subid)
		fold_level_free(pb->levels[--pb->nlevels]);
	if (pb->truncated_in != InvalidSubTransactionId && pb->truncated_in >= subid)
		pb->truncated_in = InvalidSubTransactionId;
	if (pb->dropped_in != InvalidSubTransactionId && pb->dropped_in >= subid)
		pb->dropped_in = InvalidSubTransactionId;
}

/*
 * Puts a board whose apply was rolled back back among the pending ones. Its groups were
 * captured before the apply took them, so before anything pending now: they go first.
 */
static void
return_to_pending(PendingBoard *restored)
{
	PendingBoard *pb;
	MemoryContext old;
	int			i;

	restored->applied_in = InvalidSubTransactionId;
	pb = pending_board_named(restored->name);
	if (pb == NULL)
	{
		restored->next = pending_boards;
		pending_boards = restored;
		return;
	}
	old = MemoryContextSwitchTo(TopTransactionContext);
	for (i = 0; i < restored->ngroups; i++)
		pending_append(pb, restored->groups[i], &restored->group_info[i], restored->tupdesc);
	MemoryContextSwitchTo(old);
	/* appended last, they now go first */
	if (restored->ngroups > 0 && pb->ngroups > restored->ngroups)
	{
		int			nold = pb->ngroups - restored->ngroups;
		HeapTuple  *groups = palloc(sizeof(HeapTuple) * pb->ngroups);
		PendingGroupInfo *infos = palloc(sizeof(PendingGroupInfo) * pb->ngroups);

		memcpy(groups, pb->groups + nold, sizeof(HeapTuple) * restored->ngroups);
		memcpy(groups + restored->ngroups, pb->groups, sizeof(HeapTuple) * nold);
		memcpy(infos, pb->group_info + nold, sizeof(PendingGroupInfo) * restored->ngroups);
		memcpy(infos + restored->ngroups, pb->group_info, sizeof(PendingGroupInfo) * nold);
		memcpy(pb->groups, groups, sizeof(HeapTuple) * pb->ngroups);
		memcpy(pb->group_info, infos, sizeof(PendingGroupInfo) * pb->ngroups);
		pfree(groups);
		pfree(infos);
	}
	if (restored->truncated_in != InvalidSubTransactionId &&
		(pb->truncated_in == InvalidSubTransactionId || restored->truncated_in < pb->truncated_in))
		pb->truncated_in = restored->truncated_in;
	if (restored->dropped_in != InvalidSubTransactionId &&
		(pb->dropped_in == InvalidSubTransactionId || restored->dropped_in < pb->dropped_in))
		pb->dropped_in = restored->dropped_in;
	/* the tuples moved; only the arrays and the header are freed */
	restored->ngroups = 0;
	pending_board_free(restored);
}

/*
 * A committed subtransaction's groups become its parent's: merged into the parent's
 * level, or, when the parent captured nothing itself, the level is relabelled.
 */
static void
hand_level_to_parent(PendingBoard *pb, SubTransactionId subid, SubTransactionId parent)
{
	int			top = pb->nlevels - 1;

	if (top < 0 || pb->level_subxact[top] != subid)
		return;
	if (top > 0 && pb->level_subxact[top - 1] == parent)
	{
		fold_level_merge(pb->levels[top - 1], pb->levels[top]);
		fold_level_free(pb->levels[top]);
		pb->nlevels--;
	}
	else
		pb->level_subxact[top] = parent;
}

/*
 * An aborted subtransaction takes back what it captured, and gives back to pending what
 * an apply inside it took (the rollback undid that apply's writes). A committed one hands
 * what was applied inside it to its parent; once that is the top transaction, only the
 * whole transaction's abort could undo the apply, so its groups are freed.
 */
static void
board_subxact_callback(SubXactEvent event, SubTransactionId subid,
					   SubTransactionId parent, void *arg)
{
	PendingBoard *pb;
	PendingBoard **link;

	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		for (pb = pending_boards; pb != NULL; pb = pb->next)
			drop_captures_since(pb, subid);
		link = &applied_boards;
		while ((pb = *link) != NULL)
		{
			if (pb->applied_in < subid)
			{
				link = &pb->next;
				continue;
			}
			*link = pb->next;
			drop_captures_since(pb, subid);
			return_to_pending(pb);
		}
		if (sentinel_subxact != InvalidSubTransactionId && sentinel_subxact >= subid)
			sentinel_subxact = InvalidSubTransactionId;
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		for (pb = pending_boards; pb != NULL; pb = pb->next)
			hand_level_to_parent(pb, subid, parent);
		link = &applied_boards;
		while ((pb = *link) != NULL)
		{
			if (pb->applied_in < subid)
			{
				link = &pb->next;
				continue;
			}
			if (parent != TopSubTransactionId)
			{
				pb->applied_in = parent;
				link = &pb->next;
				continue;
			}
			*link = pb->next;
			pending_board_free(pb);
		}
	}
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

int
pending_compare_bytes(const char *a, int la, const char *b, int lb)
{
	int			c = memcmp(a, b, Min(la, lb));

	return c != 0 ? c : (la > lb) - (la < lb);
}

int
pending_compare_scope_keys(HeapTuple a, HeapTuple b, TupleDesc desc)
{
	bool		isnull;
	text	   *ka = DatumGetTextPP(heap_getattr(a, 1, desc, &isnull));
	text	   *kb = DatumGetTextPP(heap_getattr(b, 1, desc, &isnull));

	return pending_compare_bytes(VARDATA_ANY(ka), VARSIZE_ANY_EXHDR(ka),
								 VARDATA_ANY(kb), VARSIZE_ANY_EXHDR(kb));
}

int
pending_compare_agents(const PendingGroupKey *a, const PendingGroupKey *b)
{
	if (a->agent == NULL)
		return memcmp(&a->agent_datum, &b->agent_datum, sizeof(Datum));
	return pending_compare_bytes(a->agent, a->agent_len, b->agent, b->agent_len);
}

bool
pending_same_scope(const PendingGroupKey *a, const PendingGroupKey *b)
{
	return a->scope_rank == b->scope_rank;
}

/*
 * The distinct scope keys of a board's groups: a transaction's many groups name few
 * scopes, so they are sorted once, and the groups then by each scope's rank among them.
 */
typedef struct ScopeBytes
{
	const char *data;
	int			len;
} ScopeBytes;

typedef struct ScopeEntry
{
	ScopeBytes	key;
	uint32		hash;
	char		status;			/* simplehash's */
	uint32		index;			/* in the array of distinct scopes */
} ScopeEntry;

#define SH_PREFIX scopes
#define SH_ELEMENT_TYPE ScopeEntry
#define SH_KEY_TYPE ScopeBytes
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k).data, (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).data, (b).data, (a).len) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

static int
compare_scope_bytes(const void *a, const void *b)
{
	const ScopeBytes *sa = *(const ScopeBytes *const *) a;
	const ScopeBytes *sb = *(const ScopeBytes *const *) b;

	return pending_compare_bytes(sa->data, sa->len, sb->data, sb->len);
}

/* Sets each key's scope_rank: the rank of its scope's bytes among the keys' scopes. */
static void
rank_scopes(PendingGroupKey *keys, int n)
{
	scopes_hash *tab = scopes_create(CurrentMemoryContext, 256, NULL);
	ScopeBytes *distinct = palloc(sizeof(ScopeBytes) * Max(n, 1));
	ScopeBytes **sorted;
	uint32	   *rank;
	uint32		ndistinct = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		ScopeBytes	k = {keys[i].scope, keys[i].scope_len};
		bool		found;
		ScopeEntry *e = scopes_insert(tab, k, &found);

		if (!found)
		{
			distinct[ndistinct] = k;
			e->index = ndistinct++;
		}
		keys[i].scope_rank = e->index;
	}
	sorted = palloc(sizeof(ScopeBytes *) * Max(ndistinct, 1));
	for (i = 0; i < ndistinct; i++)
		sorted[i] = &distinct[i];
	qsort(sorted, ndistinct, sizeof(ScopeBytes *), compare_scope_bytes);
	rank = palloc(sizeof(uint32) * Max(ndistinct, 1));
	for (i = 0; i < ndistinct; i++)
		rank[sorted[i] - distinct] = i;
	for (i = 0; i < n; i++)
		keys[i].scope_rank = rank[keys[i].scope_rank];
	pfree(rank);
	pfree(sorted);
	pfree(distinct);
	scopes_destroy(tab);
}

static int
compare_group_keys(const void *a, const void *b)
{
	const PendingGroupKey *ka = a;
	const PendingGroupKey *kb = b;

	if (ka->scope_rank != kb->scope_rank)
		return ka->scope_rank < kb->scope_rank ? -1 : 1;
	return pending_compare_agents(ka, kb);
}

PendingGroupKey *
pending_groups_sorted(PendingBoard *pb)
{
	TupleDesc	desc = pb->tupdesc;
	Form_pg_attribute att = TupleDescAttr(desc, desc->natts - 2);
	PendingGroupKey *keys = palloc(sizeof(PendingGroupKey) * Max(pb->ngroups, 1));
	int			i;

	for (i = 0; i < pb->ngroups; i++)
	{
		bool		isnull;
		text	   *scope = DatumGetTextPP(heap_getattr(pb->groups[i], 1, desc, &isnull));
		Datum		agent = heap_getattr(pb->groups[i], desc->natts - 1, desc, &isnull);

		keys[i].scope = VARDATA_ANY(scope);
		keys[i].scope_len = VARSIZE_ANY_EXHDR(scope);
		keys[i].agent_datum = agent;
		keys[i].index = i;
		keys[i].agent = att->attbyval ? NULL : DatumGetPointer(agent);
		keys[i].agent_len = att->attbyval ? 0 : datumGetSize(agent, false, att->attlen);
	}
	rank_scopes(keys, pb->ngroups);
	qsort(keys, pb->ngroups, sizeof(PendingGroupKey), compare_group_keys);
	return keys;
}

PendingBoard *
pending_board_for(const char *name)
{
	PendingBoard *pb;
	MemoryContext old;

	register_callbacks();

	pb = pending_board_named(name);
	if (pb != NULL)
		return pb;
	old = MemoryContextSwitchTo(TopTransactionContext);
	pb = palloc0(sizeof(PendingBoard));
	pb->name = pstrdup(name);
	pb->next = pending_boards;
	pending_boards = pb;
	MemoryContextSwitchTo(old);
	return pb;
}

/* Appends one group and what the apply needs of it; in TopTransactionContext. */
static void
pending_append(PendingBoard *pb, HeapTuple group, const PendingGroupInfo *info, TupleDesc desc)
{
	if (pb->tupdesc == NULL)
		pb->tupdesc = CreateTupleDescCopy(desc);
	if (pb->ngroups == pb->maxgroups)
	{
		pb->maxgroups = Max(64, pb->maxgroups * 2);
		if (pb->groups == NULL)
		{
			pb->groups = palloc(sizeof(HeapTuple) * pb->maxgroups);
			pb->group_info = palloc(sizeof(PendingGroupInfo) * pb->maxgroups);
		}
		else
		{
			pb->groups = repalloc_huge(pb->groups, sizeof(HeapTuple) * pb->maxgroups);
			pb->group_info = repalloc_huge(pb->group_info,
										   sizeof(PendingGroupInfo) * pb->maxgroups);
		}
	}
	pb->groups[pb->ngroups] = group;
	pb->group_info[pb->ngroups] = *info;
	pb->ngroups++;
}

FoldLevel *
pending_level(PendingBoard *pb, FoldShape *shape)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	MemoryContext old;

	if (pb->keys == NULL)
	{
		pb->keys = fold_keys_copy(&shape->keys, TopTransactionContext);
		old = MemoryContextSwitchTo(TopTransactionContext);
		pb->tupdesc = CreateTupleDescCopy(pb->keys->group_desc);
		MemoryContextSwitchTo(old);
	}
	else if (!equalTupleDescs(pb->keys->group_desc, shape->keys.group_desc))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("board \"%s\" changed its columns after this transaction wrote to it", pb->name),
				 errhint("Commit the writes before the board is dropped and created again.")));
	if (pb->nlevels > 0 && pb->level_subxact[pb->nlevels - 1] == subid)
		return pb->levels[pb->nlevels - 1];

	old = MemoryContextSwitchTo(TopTransactionContext);
	if (pb->nlevels == pb->maxlevels)
	{
		pb->maxlevels = Max(4, pb->maxlevels * 2);
		if (pb->levels == NULL)
		{
			pb->levels = palloc(sizeof(FoldLevel *) * pb->maxlevels);
			pb->level_subxact = palloc(sizeof(SubTransactionId) * pb->maxlevels);
		}
		else
		{
			pb->levels = repalloc(pb->levels, sizeof(FoldLevel *) * pb->maxlevels);
			pb->level_subxact = repalloc(pb->level_subxact,
										 sizeof(SubTransactionId) * pb->maxlevels);
		}
	}
	pb->levels[pb->nlevels] = fold_level_create(pb->keys, TopTransactionContext);
	pb->level_subxact[pb->nlevels] = subid;
	MemoryContextSwitchTo(old);
	return pb->levels[pb->nlevels++];
}

bool
pending_has_captures(PendingBoard *pb)
{
	int			i;

	if (pb->ngroups > 0 || pb->truncated_in != InvalidSubTransactionId)
		return true;
	for (i = 0; i < pb->nlevels; i++)
		if (fold_level_count(pb->levels[i]) > 0)
			return true;
	return false;
}

/* Where fold_level_emit() sends a level's groups at take: onto the board's array. */
typedef struct EmitTarget
{
	PendingBoard *pb;
	SubTransactionId subxact;
} EmitTarget;

static void
emit_to_groups(HeapTuple group, const Kpis *added, const Kpis *removed, bool removes_added,
			   void *arg)
{
	EmitTarget *target = arg;
	PendingGroupInfo info = {target->subxact, NULL, NULL, removes_added};

	/* only corrections need their deltas beside the tuple */
	if (removed != NULL)
	{
		info.removed = kpis_copy(removed);
		info.added = added != NULL ? kpis_copy(added) : NULL;
	}
	pending_append(target->pb, group, &info, target->pb->tupdesc);
}

/* Moves the groups of pb's levels onto its array, in level order, freeing the levels. */
static void
flatten_levels(PendingBoard *pb)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	int			i;

	for (i = 0; i < pb->nlevels; i++)
	{
		EmitTarget	target = {pb, pb->level_subxact[i]};

		fold_level_emit(pb->levels[i], emit_to_groups, &target);
		fold_level_free(pb->levels[i]);
	}
	pb->nlevels = 0;
	MemoryContextSwitchTo(old);
}

/*
 * Inserts a sentinel row: its trigger fires at commit, or at once in IMMEDIATE mode. The
 * executor's single-row insert queues the row's AFTER triggers as an INSERT statement's
 * end would (AfterTriggerEndQuery moves a deferred event to the transaction's list, and
 * fires an immediate one), without starting an executor for a statement: that cost more
 * than the rest of a single-row capture.
 */
Oid
pending_table_oid(void)
{
	return get_relname_relid("pending", get_namespace_oid("leaderboard", false));
}

static void
insert_sentinel(void)
{
	Oid			relid = pending_table_oid();
	Relation	pending = table_open(relid, RowExclusiveLock);
	EState	   *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	TupleTableSlot *slot;

	if (RelationGetDescr(pending)->natts != 1 ||
		TupleDescAttr(RelationGetDescr(pending), 0)->atttypid != INT4OID)
		elog(ERROR, "leaderboard: table leaderboard.pending is not as the extension made it");
	rte->rtekind = RTE_RELATION;
	rte->relid = relid;
	rte->relkind = pending->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	rte->requiredPerms = ACL_INSERT;
	ExecInitRangeTable(estate, list_make1(rte));
	InitResultRelInfo(rri, pending, 1, NULL, 0);
	estate->es_output_cid = GetCurrentCommandId(true);
	slot = ExecInitExtraTupleSlot(estate, RelationGetDescr(pending), &TTSOpsVirtual);
	slot->tts_values[0] = Int32GetDatum(MyProcPid);
	slot->tts_isnull[0] = false;
	ExecStoreVirtualTuple(slot);
	AfterTriggerBeginQuery();
	ExecSimpleRelationInsert(rri, estate, slot);
	AfterTriggerEndQuery(estate);
	ExecCloseResultRelations(estate);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	table_close(pending, NoLock);
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
void
ensure_sentinel(void)
{
	if (sentinel_subxact != InvalidSubTransactionId)
		return;
	/* an error below aborts the (sub)transaction, and the callbacks clear the mark */
	sentinel_subxact = GetCurrentSubTransactionId();
	inserting_sentinel = true;
	PG_TRY();
	{
		insert_sentinel();
	}
	PG_FINALLY();
	{
		inserting_sentinel = false;
	}
	PG_END_TRY();
}

void
pending_defer_to_commit(void)
{
	if (SPI_execute("SET CONSTRAINTS leaderboard.apply_at_commit DEFERRED", false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "leaderboard: could not defer the commit-time apply");
	insert_sentinel();
}

bool
pending_sentinel_fired_early(void)
{
	return inserting_sentinel;
}

void
pending_rebuild_at_commit(PendingBoard *pb)
{
	if (pb->truncated_in == InvalidSubTransactionId)
		pb->truncated_in = GetCurrentSubTransactionId();
	ensure_sentinel();
}

void
pending_source_read(const char *name, bool dropped)
{
	PendingBoard *pb = pending_board_named(name);

	if (pb == NULL || !pending_has_captures(pb))
		return;
	if (dropped && pb->dropped_in == InvalidSubTransactionId)
		pb->dropped_in = GetCurrentSubTransactionId();
	pending_rebuild_at_commit(pb);
}

bool
pending_board_captured(const char *name)
{
	PendingBoard *pb = pending_board_named(name);

	return pb != NULL && pending_has_captures(pb);
}

void
pending_rebuild_after_writers(const char *board, Oid source)
{
	LockRelationOid(source, ShareLock);
	(void) find_all_inheritors(source, ShareLock, NULL);
	pending_rebuild_at_commit(pending_board_for(board));
}

static int
pending_board_cmp(const void *a, const void *b)
{
	return strcmp((*(PendingBoard *const *) a)->name, (*(PendingBoard *const *) b)->name);
}

PendingBoard **
pending_boards_take(int *n)
{
	PendingBoard **sorted;
	PendingBoard *pb;
	PendingBoard *next;
	SubTransactionId subid = GetCurrentSubTransactionId();

	sentinel_subxact = InvalidSubTransactionId;
	*n = 0;
	for (pb = pending_boards; pb != NULL; pb = pb->next)
		(*n)++;
	if (*n == 0)
		return NULL;
	sorted = palloc(sizeof(PendingBoard *) * *n);
	*n = 0;
	for (pb = pending_boards; pb != NULL; pb = next)
	{
		next = pb->next;
		flatten_levels(pb);
		sorted[(*n)++] = pb;
		pb->applied_in = subid;
		pb->next = applied_boards;
		applied_boards = pb;
	}
	qsort(sorted, *n, sizeof(PendingBoard *), pending_board_cmp);
	pending_boards = NULL;
	return sorted;
}

void
pending_boards_applied(void)
{
	PendingBoard *pb;

	if (GetCurrentSubTransactionId() != TopSubTransactionId)
		return;
	/* applied by the top transaction: only its own abort can undo that now */
	while ((pb = applied_boards) != NULL)
	{
		applied_boards = pb->next;
		pending_board_free(pb);
	}
}
