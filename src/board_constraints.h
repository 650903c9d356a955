/*
 * board_constraints.h: whether a SET CONSTRAINTS may fire the commit-time apply early
 * (board_constraints.c).
 */
#ifndef LEADERBOARD_BOARD_CONSTRAINTS_H
#define LEADERBOARD_BOARD_CONSTRAINTS_H

/*
 * Whether a SET CONSTRAINTS is executing inside a statement that writes (by its trigger,
 * or a function it calls), whose capture has not arrived yet.
 */
extern bool board_apply_may_precede_captures(void);
/* Installs the hooks that tell; called from _PG_init(). */
extern void board_constraints_install(void);

#endif
