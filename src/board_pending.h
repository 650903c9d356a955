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

#include "board_fold.h"

/*
 * What the apply needs to know of a captured group besides its tuple: the subtransaction
 * that captured it, and for a correction (the tuple's kpis NULL) its deltas.
 */
typedef struct PendingGroupInfo
{
	SubTransactionId subxact;
	Kpis	   *added;			/* rows added, or NULL */
	Kpis	   *removed;		/* rows removed, or NULL: not a correction */
	bool		removes_added;	/* some removed rows may be among the added ones */
} PendingGroupInfo;

/* What one transaction has captured for one board. */
typedef struct PendingBoard
{
	char	   *name;			/* board name (catalog key) */
	TupleDesc	tupdesc;		/* of captured groups (FoldKeys.group_desc) */
	FoldKeys   *keys;			/* how groups are keyed, copied at the first capture */
	/* groups captured by each open subtransaction, merged as they come, innermost last */
	FoldLevel **levels;
	SubTransactionId *level_subxact;
	int			nlevels;
	int			maxlevels;
	/* groups as the apply reads them: taken from the levels, or given back to pending */
	HeapTuple  *groups;
	PendingGroupInfo *group_info;	/* of each group */
	int			ngroups;
	int			maxgroups;
	SubTransactionId truncated_in;	/* set by TRUNCATE or a partition that moved: rebuild */
	SubTransactionId dropped_in;	/* set by drop_board(): a board of the name may be gone */
	SubTransactionId applied_in;	/* once taken: the subtransaction that applied it */
	struct PendingBoard *next;
} PendingBoard;

/* Orders two byte strings bytewise, a prefix first: the order scope keys sort in. */
extern int	pending_compare_bytes(const char *a, int la, const char *b, int lb);

/*
 * Orders two captured groups by scope key (their first column), bytewise: the order
 * scope rows are locked in.
 */
extern int	pending_compare_scope_keys(HeapTuple a, HeapTuple b, TupleDesc desc);

/* A captured group's scope key and agent, read once to sort the groups. */
typedef struct PendingGroupKey
{
	const char *scope;
	int			scope_len;
	const char *agent;			/* the agent's bytes, or NULL: a by-value agent, compared
								 * by its Datum */
	int			agent_len;
	Datum		agent_datum;
	int			index;			/* in pb->groups */
	uint32		scope_rank;		/* of the scope key among the sorted keys' scope keys */
} PendingGroupKey;

/*
 * pb's groups by scope key and then agent bytes (equal bytes: one agent), palloc'd; the
 * keys point into the groups.
 */
extern PendingGroupKey *pending_groups_sorted(PendingBoard *pb);
/* Orders the agents of two group keys by their bytes. */
extern int	pending_compare_agents(const PendingGroupKey *a, const PendingGroupKey *b);
/* Whether two group keys of one pending_groups_sorted() result name one scope. */
extern bool pending_same_scope(const PendingGroupKey *a, const PendingGroupKey *b);

/* The board's pending state in this transaction, created empty when missing. */
extern PendingBoard *pending_board_for(const char *name);
/*
 * The level the current subtransaction captures into for the board of shape, created
 * when missing.
 */
extern FoldLevel *pending_level(PendingBoard *pb, FoldShape *shape);
/* Whether pb holds captured groups (or a TRUNCATE) not yet applied. */
extern bool pending_has_captures(PendingBoard *pb);
/* Queues this transaction's commit-time apply, once (inside SPI, as the writer). */
extern void ensure_sentinel(void);
/*
 * Whether the sentinel's trigger fires inside ensure_sentinel()'s insert: under SET
 * CONSTRAINTS ALL IMMEDIATE it fires at the end of that insert, inside the capture
 * trigger that queued it, before the statement's other AFTER triggers, among them the
 * captures of the same statement's other rows (a writable CTE, ON CONFLICT, a row
 * trigger writing the source).
 */
extern bool pending_sentinel_fired_early(void);
/*
 * Puts the sentinel's trigger back to firing at commit for the rest of the transaction
 * (SET CONSTRAINTS ... DEFERRED) and queues a new sentinel there, the one that fired
 * being spent (inside SPI).
 */
extern void pending_defer_to_commit(void);
/*
 * Marks the board for a rebuild from its source at commit, which then replaces the apply of
 * its captured groups (inside SPI, as the writer).
 */
extern void pending_rebuild_at_commit(PendingBoard *pb);
/*
 * The board's source was read in full by this transaction (rebuild(), or a drop_board()
 * that a create_board() of the same name may follow): what the transaction captured for
 * it before is in that read already, so the commit rebuilds the board instead of applying
 * the captures again; after a drop, a board of the name no longer there at commit is
 * skipped. Does nothing when nothing is captured. Undone with the subtransaction.
 */
extern void pending_source_read(const char *name, bool dropped);
/*
 * The same, for a change to what the board's writers compute (a function its expressions
 * call, the labels of its partition values) rather than to its rows: first waits for the
 * writers of source (and its partitions) in progress, which computed with the old
 * definition, and keeps new ones out until this transaction ends (a SHARE lock), so that
 * the rebuild counts them and every later writer computes with the new one.
 */
extern void pending_rebuild_after_writers(const char *board, Oid source);
/*
 * Takes every pending board, in name order, leaving none pending and the sentinel
 * unqueued (a later change in the transaction queues another); *n gets the count. What
 * is taken is kept until the subtransaction applying it can no longer roll back: if it
 * aborts, the groups return to pending and are applied again at commit.
 */
extern PendingBoard **pending_boards_take(int *n);
/*
 * After the boards taken have been applied: frees them when no subtransaction that could
 * still roll the apply back is open.
 */
extern void pending_boards_applied(void);

/* leaderboard.pending, the table of the sentinel rows. */
extern Oid	pending_table_oid(void);

/* Whether this transaction holds captured changes of board name not yet applied. */
extern bool pending_board_captured(const char *name);

#endif
