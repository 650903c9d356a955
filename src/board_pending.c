/*
 * board_pending.c: what a transaction has captured for its boards, until commit.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "board_pending.h"

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

int
pending_compare_scope_keys(HeapTuple a, HeapTuple b, TupleDesc desc)
{
	bool		isnull;
	text	   *ka = DatumGetTextPP(heap_getattr(a, 1, desc, &isnull));
	text	   *kb = DatumGetTextPP(heap_getattr(b, 1, desc, &isnull));
	int			la = VARSIZE_ANY_EXHDR(ka);
	int			lb = VARSIZE_ANY_EXHDR(kb);
	int			c = memcmp(VARDATA_ANY(ka), VARDATA_ANY(kb), Min(la, lb));

	return c != 0 ? c : (la > lb) - (la < lb);
}

PendingBoard *
pending_board_for(const char *name)
{
	PendingBoard *pb;
	MemoryContext old;

	register_callbacks();

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

void
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

void
pending_rebuild_at_commit(PendingBoard *pb)
{
	if (pb->truncated_in == InvalidSubTransactionId)
		pb->truncated_in = GetCurrentSubTransactionId();
	ensure_sentinel();
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

	sentinel_subxact = InvalidSubTransactionId;
	*n = 0;
	for (pb = pending_boards; pb != NULL; pb = pb->next)
		(*n)++;
	if (*n == 0)
		return NULL;
	sorted = palloc(sizeof(PendingBoard *) * *n);
	*n = 0;
	for (pb = pending_boards; pb != NULL; pb = pb->next)
		sorted[(*n)++] = pb;
	qsort(sorted, *n, sizeof(PendingBoard *), pending_board_cmp);
	pending_boards = NULL;
	return sorted;
}
