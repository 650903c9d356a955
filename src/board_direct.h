/*
 * board_direct.h: the commit-time apply of small transactions by direct table access.
 */
#ifndef LEADERBOARD_BOARD_DIRECT_H
#define LEADERBOARD_BOARD_DIRECT_H

#include "postgres.h"

#include "board_pending.h"
#include "board_statements.h"
#include "ladder.h"
#include "utils/date.h"

#include "scorecard.h"

/*
 * A scope stores its ranks while they stay at or below leaderboard.stored_rank_limit
 * (board_settings.h): past it, a change would move hundreds of ranks, so the direct apply
 * sets the scope's ranks to NULL and readers rank from the score index (leaderboard
 * views, <board>_around). Transactions with more captured groups than
 * leaderboard.direct_apply_max_groups take the SQL path.
 */

/* What the direct apply needs to know about a board, read with its statements. */
typedef struct DirectShape
{
	char		name[NAMEDATALEN];	/* the board's, for messages */
	Oid			standings;
	char		agent_column[NAMEDATALEN];
	int			ncards;
	char	  **card_period;	/* period kind of each card */
	DateADT    *card_from;		/* the day each card takes effect (DATEVAL_NOBEGIN: the
								 * first card), ascending within a period kind */
	Scorecard **card;
	Ladder	   *ladder;			/* a points ladder, or NULL: tiers are left alone */
	uint32		exact_extremes; /* metrics whose min or max a card reads (bit i-1
								 * for metric i): the others may forget theirs */
} DirectShape;

/*
 * Reads what the direct apply needs for board "name" into cxt, inside an SPI connection;
 * NULL when the board cannot be applied directly (rank styles other than rank(), rank
 * ladders: their re-rank is not an incremental shift). With fresh, reads with a new
 * snapshot, as board_statements() does.
 */
extern DirectShape *direct_shape_load(const char *name, MemoryContext cxt, bool fresh);

/*
 * Applies what pb captured without SQL statements, when it can: one agent per scope, every
 * correction subtractable from a stored row (see new_kpis() in board_direct.c), every
 * scope already there. Returns false
 * otherwise, having changed nothing but the version of some scope rows, which the SQL
 * path then locks again. Runs as the board owner, after the scopes table is locked.
 */
extern bool board_apply_direct(PendingBoard *pb, BoardStatements *bs);

/* A scope lock_scopes created: its key and id. */
typedef struct NewScope
{
	text	   *key;
	int64		id;
} NewScope;

/*
 * Writes the standings rows of the scopes a large batch created (new_scopes, sorted by
 * key bytes, as lock_scopes returned them with version 0) and captured no correction in,
 * ranked, as BOARD_INSERT_NEW would: one insert per row, no statement. order is pb's
 * groups as pending_groups_sorted() gives them. Returns how many scopes it wrote, or -1,
 * having written nothing, when the board's shape does not allow it (see
 * direct_shape_load()); the caller then runs BOARD_INSERT_NEW.
 */
extern int	board_insert_new_direct(PendingBoard *pb, BoardStatements *bs,
									const PendingGroupKey *order, NewScope *new_scopes,
									int nnew);

#endif
