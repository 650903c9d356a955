/*
 * board_current_plan.h: the planner hook that reads the top of one scope of a board's
 * current view from the score index (board_current_plan.c).
 */
#ifndef LEADERBOARD_BOARD_CURRENT_PLAN_H
#define LEADERBOARD_BOARD_CURRENT_PLAN_H

/* Installs the hook, after whatever hook was there (called once, when the library loads). */
extern void board_current_plan_install(void);

#endif
