/*
 * board_context.h: the security and planner context board maintenance runs in.
 */
#ifndef LEADERBOARD_BOARD_CONTEXT_H
#define LEADERBOARD_BOARD_CONTEXT_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/snapshot.h"
#include "utils/tuplestore.h"

/* The security context a board's maintenance runs in, and what it replaced. */
typedef struct OwnerContext
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
} OwnerContext;

/* Becomes the board owner, restricted, with search_path and key-shaping settings pinned. */
extern void owner_context_enter(OwnerContext *ctx, Oid owner);
/* Undoes owner_context_enter and every setting made since. */
extern void owner_context_exit(OwnerContext *ctx);
/* Planner settings for the cached small-batch plans (until owner_context_exit). */
extern void prefer_index_lookups(void);
/* work_mem for large batches, leaderboard.large_batch_work_mem (until owner_context_exit). */
extern void allow_large_batch_memory(void);
/* Pins search_path for what runs as the writer; undo with AtEOXact_GUC(false, level). */
extern int	writer_context_enter(void);
/* Raises 42P01 or 42501 unless relid exists and the current user may read it; locks nothing. */
extern void require_select_privilege(Oid relid);
/* Raises 42501 when row-level security filters the board's source for the current user. */
extern void require_source_unfiltered(Oid source, const char *board);

/*
 * Registers rows as an ephemeral relation of the current SPI connection for the statements
 * that follow; returns its tuplestore, to end once the relation is unregistered.
 */
extern Tuplestorestate *register_rows(const char *name, TupleDesc desc, HeapTuple *rows,
									  uint64 nrows);
/*
 * A registered copy of the transaction's snapshot that sees everything this transaction
 * wrote so far (the command counter moves on first); unregister it when done.
 */
extern Snapshot register_own_writes_snapshot(void);

#endif
