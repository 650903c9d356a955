/*
 * board_current_view.h: what a backend knows of the boards' current views: which board a
 * view is the current view of, whether it is still the view the board makes, and who may
 * read the board's tables through it (board_current_view.c). The planned top-N read of
 * <board>_current (board_current_plan.c, board_current_top.c) rests on it.
 */
#ifndef LEADERBOARD_BOARD_CURRENT_VIEW_H
#define LEADERBOARD_BOARD_CURRENT_VIEW_H

#include "postgres.h"

#include "utils/array.h"
#include "utils/palloc.h"

/* What the plan and the read need of the board whose current view a relation is. */
typedef struct CurrentView
{
	Oid			view;			/* hash key */
	bool		is_board;		/* false: a view of no board (remembered too) */
	Oid			standings;
	Oid			scopes;
	char		agent_column[NAMEDATALEN];
	int			nparts;
	char	  **parts;			/* the partition columns */
	ArrayType  *part_array;		/* the same, as the text[] board_find_scope takes */
	char	   *time_zone;
	char	   *rank_style;
	char		board[NAMEDATALEN];
	bool		checked;		/* own is known */
	bool		own;			/* the view's query is the one the board makes */
	MemoryContext cxt;			/* holds the above, or NULL */
} CurrentView;

/* The board of view, when view is a board's current view; else NULL. */
extern CurrentView *board_current_view(Oid view);

/*
 * Whether the view's query is the one leaderboard._current_view_sql() gives for its board
 * (worked out once per view and backend).
 */
extern bool board_view_is_boards(CurrentView *cv);

/* The role the view reads its tables as: its owner, or its reader with security_invoker. */
extern Oid	board_view_reader(Oid view);

/* Whether role may read rel as the view reads it: SELECT, no row-level security. */
extern bool board_may_read_as(Oid rel, Oid role);

/* The same for the current user. */
extern bool board_may_read(Oid rel);

#endif
