/*
 * board_capture.h: triggers that keep live boards in step with their sources.
 */
#ifndef LEADERBOARD_BOARD_CAPTURE_H
#define LEADERBOARD_BOARD_CAPTURE_H

/*
 * Commit-time statements per board, in order: lock scopes, recompute groups, apply
 * deltas, re-rank (see leaderboard._board_statements()).
 */
#define BOARD_APPLY_STEPS 4

extern Oid	board_owner(const char *board);

#endif
