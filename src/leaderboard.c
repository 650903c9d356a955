/*
 * leaderboard.c: module entry point.
 */
#include "postgres.h"
#include "fmgr.h"

#include "board_settings.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Defines the leaderboard.* settings when the library loads. */
void
_PG_init(void)
{
	board_settings_define();
}
