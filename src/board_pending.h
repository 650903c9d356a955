/*
 * board_pending.h: what a transaction has captured for its boards, until commit.
 *
 * Captured groups live in TopTransactionContext; an aborted subtransaction takes back what
 * it captured. One sentinel row per transaction in leaderboard.pending queues the
 * commit-time apply.
 */
#ifndef LEADERBOARD_BOARD_PENDING_H
#define LEADERBOARD_BOARD_PENDING_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"

/* What one transaction has captured for one board. */
typedef struct PendingBoard
{
	char	   *name;			/* board name (catalog key) */
	TupleDesc	tupdesc;		/* of captured groups: fold query's result */
	HeapTuple  *groups;			/* captured groups, in capture order */
	SubTransactionId *group_subxact;	/* subtransaction that captured each */
	int			ngroups;
	int			maxgroups;
	SubTransactionId truncated_in;	/* set by TRUNCATE or a partition that moved: rebuild */
	struct PendingBoard *next;
} PendingBoard;

/*
 * Orders two captured groups by scope key (their first column), bytewise: the order
 * scope rows are locked in.
 */
extern int	pending_compare_scope_keys(HeapTuple a, HeapTuple b, TupleDesc desc);

/* The board's pending state in this transaction, created empty when missing. */
extern PendingBoard *pending_board_for(const char *name);
/* Appends the rows of the last SPI result to the board's captured groups. */
extern void capture_spi_result(PendingBoard *pb);
/* Queues this transaction's commit-time apply, once (inside SPI, as the writer). */
extern void ensure_sentinel(void);
/*
 * Marks the board for a rebuild from its source at commit, which then replaces the apply of
 * its captured groups (inside SPI, as the writer).
 */
extern void pending_rebuild_at_commit(PendingBoard *pb);
/*
 * Takes every pending board, in name order, leaving none pending and the sentinel
 * unqueued (a later change in the transaction queues another); *n gets the count.
 */
extern PendingBoard **pending_boards_take(int *n);

#endif
