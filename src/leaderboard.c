/*
 * leaderboard.c: module entry point.
 */
#include "postgres.h"
#include "fmgr.h"

#include "board_current_plan.h"
#include "board_merge.h"
#include "board_settings.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Defines the leaderboard.* settings and installs the planner hook and the executor-start
 * hook (MERGE into board sources) when the library loads.
 */
void
_PG_init(void)
{
	board_settings_define();
	board_current_plan_install();
	board_merge_install();
}
