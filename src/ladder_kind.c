/*
 * ladder_kind.c: which kind of ladder a value is, for code that places tiers generically.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "ladder.h"

PG_FUNCTION_INFO_V1(ladder_kind);
/* Returns 'points' or 'rank'. */
Datum
ladder_kind(PG_FUNCTION_ARGS)
{
	Ladder	   *ladder = PG_GETARG_LADDER_P(0);

	PG_RETURN_TEXT_P(cstring_to_text(ladder_is_rank_based(ladder) ? "rank" : "points"));
}
