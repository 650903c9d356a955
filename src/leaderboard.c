/*
 * leaderboard.c: module entry point.
 */
#include "postgres.h"
#include "fmgr.h"

#include "board_constraints.h"
#include "board_current_plan.h"
#include "board_merge.h"
#include "board_settings.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Defines the leaderboard.* settings and installs the planner hook, the executor-start
 * hook (MERGE into board sources) and the hooks telling where a SET CONSTRAINTS runs when
 * the library loads.
 */
void
_PG_init(void)
{
	board_settings_define();
	board_current_plan_install();
	board_merge_install();
	board_constraints_install();
}
