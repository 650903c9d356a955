/*
 * board_merge.h: MERGE into a partitioned board source that may move rows between
 * partitions (board_merge.c).
 */
#ifndef LEADERBOARD_BOARD_MERGE_H
#define LEADERBOARD_BOARD_MERGE_H

#include "postgres.h"

#include "nodes/bitmapset.h"
#include "utils/relcache.h"

/* Installs the executor-start hook refusing such a MERGE (from _PG_init). */
extern void board_merge_install(void);

/*
 * From a board's UPDATE statement trigger on rel with the columns the statement updates:
 * whether the statement, whose start the hook did not see, may be a MERGE that moved rows
 * between partitions unseen; the board is then rebuilt at commit.
 */
extern bool board_merge_unseen_moves(Relation rel, const Bitmapset *updated);

#endif
