/*
 * board_settings.h: the leaderboard.* settings that tune how boards are maintained.
 *
 * None changes what a board holds: each picks between ways of reaching the same
 * standings (and, for stored_rank_limit, whether ranks are stored or computed when read),
 * or of reading them (top_n_plan).
 */
#ifndef LEADERBOARD_BOARD_SETTINGS_H
#define LEADERBOARD_BOARD_SETTINGS_H

/* A scope stores its ranks while they stay at or below this (leaderboard.stored_rank_limit). */
extern int	board_stored_rank_limit;
/* Transactions with more captured groups take the SQL path (leaderboard.direct_apply_max_groups). */
extern int	board_direct_max_groups;
/* Batches up to this many groups run cached plans (leaderboard.small_batch_groups). */
extern int	board_small_batch_groups;
/* work_mem of the commit-time apply of large batches, in kB (leaderboard.large_batch_work_mem). */
extern int	board_large_batch_work_mem;
/* The commit-time apply says how it applied each board (leaderboard.report_apply). */
extern bool board_report_apply;
/* <board>_current ORDER BY rank LIMIT n over one scope reads the score index (leaderboard.top_n_plan). */
extern bool board_top_n_plan;

extern void board_settings_define(void);

#endif
