/*
 * board_constraints.h: where a SET CONSTRAINTS runs (board_constraints.c).
 */
#ifndef LEADERBOARD_BOARD_CONSTRAINTS_H
#define LEADERBOARD_BOARD_CONSTRAINTS_H

/* Whether a SET CONSTRAINTS run inside another statement is executing. */
extern bool board_set_constraints_nested(void);
/* Installs the ProcessUtility hook that tells; called from _PG_init(). */
extern void board_constraints_install(void);

#endif
