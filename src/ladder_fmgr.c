/*
 * ladder_fmgr.c: SQL-callable functions of type leaderboard.ladder and the tier_counts
 * aggregate; thin wrappers around ladder.c.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/json.h"

#include "ladder.h"

/* ---------------------------------------------------------------------------------------
 * I/O
 * ------------------------------------------------------------------------------------- */

/* ladder_in(cstring): the ladder written in the text, 22P02 when it is not valid. */
PG_FUNCTION_INFO_V1(ladder_in);
Datum
ladder_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_LADDER_P(ladder_parse(PG_GETARG_CSTRING(0)));
}

/* ladder_out(ladder): the canonical text of the ladder. */
PG_FUNCTION_INFO_V1(ladder_out);
Datum
ladder_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(ladder_to_cstring(PG_GETARG_LADDER_P(0)));
}

/* ladder_recv(internal): the ladder in binary form, 22P03 when it is not valid. */
PG_FUNCTION_INFO_V1(ladder_recv);
Datum
ladder_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_LADDER_P(ladder_recv_from((StringInfo) PG_GETARG_POINTER(0)));
}

/* ladder_send(ladder): the binary form of the ladder. */
PG_FUNCTION_INFO_V1(ladder_send);
Datum
ladder_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	ladder_send_to(&buf, PG_GETARG_LADDER_P(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---------------------------------------------------------------------------------------
 * Placement
 * ------------------------------------------------------------------------------------- */

static Datum
tier_name_datum(const Ladder *ladder, int level, bool *isnull)
{
	*isnull = level == 0;
	return level == 0 ? (Datum) 0 : CStringGetTextDatum(ladder_tier_name(ladder, level));
}

/* tier(score, ladder): the tier the score reaches, NULL below the first threshold. */
PG_FUNCTION_INFO_V1(ladder_tier);
Datum
ladder_tier(PG_FUNCTION_ARGS)
{
	float8		score = PG_GETARG_FLOAT8(0);
	Ladder	   *ladder = PG_GETARG_LADDER_P(1);
	bool		isnull;
	Datum		result;

	result = tier_name_datum(ladder, ladder_level_for_score(ladder, score, 0), &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/*
 * tier(score, ladder, previous_tier): the tier with hysteresis; NULL previous_tier means
 * none held. NULL score or ladder give NULL.
 */
PG_FUNCTION_INFO_V1(ladder_tier_held);
Datum
ladder_tier_held(PG_FUNCTION_ARGS)
{
	float8		score;
	Ladder	   *ladder;
	int			previous = 0;
	bool		isnull;
	Datum		result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	score = PG_GETARG_FLOAT8(0);
	ladder = PG_GETARG_LADDER_P(1);
	if (!PG_ARGISNULL(2))
	{
		char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(2));

		/* a rank ladder fails in placement below with its own hint */
		if (!ladder_is_rank_based(ladder))
		{
			previous = ladder_level_of_name(ladder, name);
			if (previous < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("tier \"%s\" is not in the ladder", name),
						 errdetail("The ladder is: %s.", ladder_to_cstring(ladder)),
						 errhint("Pass a tier of this ladder (names are case-sensitive), "
								 "or NULL when no tier was held.")));
		}
	}
	result = tier_name_datum(ladder, ladder_level_for_score(ladder, score, previous), &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/* tier_level(score, ladder): the level the score reaches, 0 below the first threshold. */
PG_FUNCTION_INFO_V1(ladder_tier_level);
Datum
ladder_tier_level(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(ladder_level_for_score(PG_GETARG_LADDER_P(1), PG_GETARG_FLOAT8(0), 0));
}

/* tier_level(tier, ladder): the level of a tier name of the ladder (either kind). */
PG_FUNCTION_INFO_V1(ladder_tier_level_of_name);
Datum
ladder_tier_level_of_name(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Ladder	   *ladder = PG_GETARG_LADDER_P(1);
	int			level = ladder_level_of_name(ladder, name);

	if (level < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tier \"%s\" is not in the ladder", name),
				 errdetail("The ladder is: %s.", ladder_to_cstring(ladder)),
				 errhint("Tier names are case-sensitive.")));
	PG_RETURN_INT32(level);
}

/* next_tier(score, ladder): the tier above the one the score reaches, NULL at the top. */
PG_FUNCTION_INFO_V1(ladder_next_tier);
Datum
ladder_next_tier(PG_FUNCTION_ARGS)
{
	Ladder	   *ladder = PG_GETARG_LADDER_P(1);
	int			level = ladder_level_for_score(ladder, PG_GETARG_FLOAT8(0), 0);

	if (level == ladder_tier_count(ladder))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(ladder_tier_name(ladder, level + 1)));
}

/* to_next_tier(score, ladder): points still needed for the next tier, NULL at the top. */
PG_FUNCTION_INFO_V1(ladder_to_next_tier);
Datum
ladder_to_next_tier(PG_FUNCTION_ARGS)
{
	float8		score = PG_GETARG_FLOAT8(0);
	Ladder	   *ladder = PG_GETARG_LADDER_P(1);
	int			level = ladder_level_for_score(ladder, score, 0);
	float8		next;

	if (level == ladder_tier_count(ladder))
		PG_RETURN_NULL();
	next = ladder_threshold(ladder, level + 1);
	PG_RETURN_FLOAT8(float8_mi(next, score));
}

/*
 * tier_progress(score, ladder): how far the score is from its tier's threshold to the
 * next one, 0 to 1; 1 in the top tier; below the first tier, score / first threshold
 * clamped to 0..1 (0 when the first threshold is not positive).
 */
PG_FUNCTION_INFO_V1(ladder_tier_progress);
Datum
ladder_tier_progress(PG_FUNCTION_ARGS)
{
	float8		score = PG_GETARG_FLOAT8(0);
	Ladder	   *ladder = PG_GETARG_LADDER_P(1);
	int			level = ladder_level_for_score(ladder, score, 0);
	float8		progress;

	if (level == ladder_tier_count(ladder))
		PG_RETURN_FLOAT8(1.0);
	if (level == 0)
	{
		float8		first = ladder_threshold(ladder, 1);

		progress = first > 0 ? score / first : 0;
	}
	else
	{
		/* halved so that far-apart thresholds cannot overflow; halving is exact */
		float8		from = ladder_threshold(ladder, level) / 2;
		float8		to = ladder_threshold(ladder, level + 1) / 2;

		progress = (score / 2 - from) / (to - from);
	}
	PG_RETURN_FLOAT8(Max(0.0, Min(1.0, progress)));
}

/* tier_by_rank(rank, of, ladder): the tier of a rank among "of" agents, NULL for none. */
PG_FUNCTION_INFO_V1(ladder_tier_by_rank);
Datum
ladder_tier_by_rank(PG_FUNCTION_ARGS)
{
	Ladder	   *ladder = PG_GETARG_LADDER_P(2);
	bool		isnull;
	Datum		result;

	result = tier_name_datum(ladder,
							 ladder_level_for_rank(ladder, PG_GETARG_INT64(0), PG_GETARG_INT64(1)),
							 &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/* ---------------------------------------------------------------------------------------
 * tier_counts(score, ladder) aggregate: a copy of the ladder and one count per level.
 * ------------------------------------------------------------------------------------- */

typedef struct TierCountsState
{
	Ladder	   *ladder;
	int64		counts[LADDER_MAX_TIERS + 1];	/* index = level; 0 = no tier */
} TierCountsState;

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", name)));
	return aggcontext;
}

static TierCountsState *
tier_counts_new(MemoryContext context, const Ladder *ladder)
{
	TierCountsState *state = MemoryContextAllocZero(context, sizeof(TierCountsState));

	state->ladder = MemoryContextAlloc(context, VARSIZE(ladder));
	memcpy(state->ladder, ladder, VARSIZE(ladder));
	return state;
}

static void
tier_counts_same_ladder(const Ladder *a, const Ladder *b)
{
	if (a != b && (VARSIZE(a) != VARSIZE(b) || memcmp(a, b, VARSIZE(a)) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tier_counts needs the same ladder in every row"),
				 errdetail("Found \"%s\" and \"%s\".", ladder_to_cstring(a), ladder_to_cstring(b)),
				 errhint("Group the rows by ladder.")));
}

/* tier_counts transition: counts the score's level; NULL scores and ladders are skipped. */
PG_FUNCTION_INFO_V1(tier_counts_transfn);
Datum
tier_counts_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "tier_counts_transfn");
	TierCountsState *state = PG_ARGISNULL(0) ? NULL : (TierCountsState *) PG_GETARG_POINTER(0);
	Ladder	   *ladder;

	if (PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	ladder = PG_GETARG_LADDER_P(2);
	if (state == NULL)
	{
		if (ladder_is_rank_based(ladder))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tier_counts needs a points ladder"),
					 errhint("Count rank tiers with count(*) grouped by leaderboard.tier_by_rank(rank, of, ladder).")));
		state = tier_counts_new(aggcontext, ladder);
	}
	else
		tier_counts_same_ladder(state->ladder, ladder);
	if (!PG_ARGISNULL(1))
		state->counts[ladder_level_for_score(state->ladder, PG_GETARG_FLOAT8(1), 0)]++;
	PG_RETURN_POINTER(state);
}

/* tier_counts combine: the two states' counts added. */
PG_FUNCTION_INFO_V1(tier_counts_combinefn);
Datum
tier_counts_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "tier_counts_combinefn");
	TierCountsState *a = PG_ARGISNULL(0) ? NULL : (TierCountsState *) PG_GETARG_POINTER(0);
	TierCountsState *b = PG_ARGISNULL(1) ? NULL : (TierCountsState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		a = tier_counts_new(aggcontext, b->ladder);
		memcpy(a->counts, b->counts, sizeof(a->counts));
		PG_RETURN_POINTER(a);
	}
	tier_counts_same_ladder(a->ladder, b->ladder);
	for (int level = 0; level <= ladder_tier_count(a->ladder); level++)
		a->counts[level] += b->counts[level];
	PG_RETURN_POINTER(a);
}

/* tier_counts serialize: the ladder's bytes, then one int64 count per level. */
PG_FUNCTION_INFO_V1(tier_counts_serialfn);
Datum
tier_counts_serialfn(PG_FUNCTION_ARGS)
{
	TierCountsState *state = (TierCountsState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, VARSIZE(state->ladder));
	pq_sendbytes(&buf, (const char *) state->ladder, VARSIZE(state->ladder));
	for (int level = 0; level <= ladder_tier_count(state->ladder); level++)
		pq_sendint64(&buf, state->counts[level]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* tier_counts deserialize: the state written by tier_counts_serialfn. */
PG_FUNCTION_INFO_V1(tier_counts_deserialfn);
Datum
tier_counts_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "tier_counts_deserialfn");
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	TierCountsState *state;
	int			size;

	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	size = pq_getmsgint(&buf, 4);
	state = MemoryContextAllocZero(aggcontext, sizeof(TierCountsState));
	state->ladder = MemoryContextAlloc(aggcontext, size);
	pq_copymsgbytes(&buf, (char *) state->ladder, size);
	for (int level = 0; level <= ladder_tier_count(state->ladder); level++)
		state->counts[level] = pq_getmsgint64(&buf);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

/*
 * tier_counts final: a jsonb array with one element per level, level 0 (no tier, "tier"
 * null) first: [{"tier": null, "count": n, "level": 0}, {"tier": "Bronze", ...}, ...].
 */
PG_FUNCTION_INFO_V1(tier_counts_finalfn);
Datum
tier_counts_finalfn(PG_FUNCTION_ARGS)
{
	TierCountsState *state;
	StringInfoData json;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (TierCountsState *) PG_GETARG_POINTER(0);

	initStringInfo(&json);
	appendStringInfoChar(&json, '[');
	for (int level = 0; level <= ladder_tier_count(state->ladder); level++)
	{
		if (level > 0)
			appendStringInfoString(&json, ", ");
		appendStringInfoString(&json, "{\"tier\": ");
		if (level == 0)
			appendStringInfoString(&json, "null");
		else
			escape_json(&json, ladder_tier_name(state->ladder, level));
		appendStringInfo(&json, ", \"level\": %d, \"count\": " INT64_FORMAT "}",
						 level, state->counts[level]);
	}
	appendStringInfoChar(&json, ']');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json.data)));
}
