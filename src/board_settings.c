/*
 * board_settings.c: the leaderboard.* settings.
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"

#include "board_settings.h"

int			board_stored_rank_limit = 1000;
int			board_direct_max_groups = 64;
int			board_small_batch_groups = 1000;
int			board_large_batch_work_mem = 256 * 1024;
bool		board_report_apply = false;
bool		board_top_n_plan = true;

void
board_settings_define(void)
{
	/*
	 * Superuser-only: a writer lowering it would make shared scopes stop storing ranks
	 * for every reader.
	 */
	DefineCustomIntVariable("leaderboard.stored_rank_limit",
							"Largest rank a scope stores; past it the scope's ranks are computed when read.",
							"A change that would move a rank past it makes the scope stop storing ranks "
							"(one rank change can shift every rank below it).",
							&board_stored_rank_limit, 1000, 1, INT_MAX,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("leaderboard.direct_apply_max_groups",
							"Most captured groups a transaction applies by direct table access at commit.",
							"Larger transactions apply through SQL statements. 0 always uses statements.",
							&board_direct_max_groups, 64, 0, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("leaderboard.small_batch_groups",
							"Most captured groups the commit-time apply runs with plans made for a few rows.",
							"Larger batches are planned for their size.",
							&board_small_batch_groups, 1000, 1, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("leaderboard.large_batch_work_mem",
							"work_mem of the commit-time apply of large batches.",
							"Large batches group and sort their captured groups in memory below it.",
							&board_large_batch_work_mem, 256 * 1024, 64, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomBoolVariable("leaderboard.report_apply",
							 "Reports with a NOTICE how the commit-time apply applied each board.",
							 "Directly (by table access) or by statements, and how many captured groups.",
							 &board_report_apply, false,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("leaderboard.top_n_plan",
							 "Plans a board's current view ordered by rank with a LIMIT, over one scope, as a read of the score index.",
							 "Off: the planner reads the whole scope and sorts it. The rows are the same.",
							 &board_top_n_plan, true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("leaderboard");
}
