/*
 * scorecard_score.c: scoring a kpis value with a scorecard: score, qualified, explain.
 *
 * One evaluator serves all three: score() and qualified() run it without details (no
 * allocation, no jsonb), explain() runs it with per-metric details and then builds the
 * jsonb, so an explanation can never disagree with the score it explains.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "kpis.h"
#include "scorecard.h"

/* Which gate an entry crossed. */
#define GATE_NONE	0
#define GATE_MIN	1
#define GATE_MAX	2

/* What the evaluator found for one entry. */
typedef struct EntryResult
{
	int64		n;				/* non-null values of the kpis metric */
	bool		defined;		/* value has a meaning (avg/min/max/rate need n > 0) */
	double		value;			/* the stat value */
	bool		missing;		/* not defined, or n < min_n */
	double		norm;			/* normalized value; 0 when missing */
	int			gate;			/* GATE_* crossed (present metrics only) */
} EntryResult;

typedef struct CardResult
{
	double		score;
	bool		qualified;
	bool		few_rows;		/* rows < min_rows */
	bool		nothing_weighed;	/* denominator 0: every weighted entry skipped */
	double		wsum;			/* the denominator */
} CardResult;

/* Checks that card and k fit together; errors are the caller's mistakes (22023). */
static inline void
check_shape(const Scorecard *card, const Kpis *k, const int *map)
{
	int			nk = KPIS_NMETRICS(k);

	if (map == NULL)
	{
		if (card->nmetrics != nk)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("scorecard has %d metrics but the kpis value has %d",
							card->nmetrics, nk),
					 errdetail("Scorecard entry i reads kpis metric i, so both need the same number of metrics."),
					 errhint("Aggregate with kpi_agg() over exactly the metrics the scorecard lists, in its order.")));
		return;
	}
	for (int i = 0; i < card->nmetrics; i++)
		if (map[i] < 0 || map[i] >= nk)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("scorecard metric \"%s\" maps to kpis metric %d of %d",
							scorecard_metric_name(card, i), map[i] + 1, nk)));
}

/* The stat of entry e over kpis metric m; false when it has no value (no data). */
static inline bool
stat_value(const ScorecardEntry *e, const Kpis *k, int m, int64 n, double *v)
{
	switch ((ScorecardStat) e->stat)
	{
		case SCORECARD_STAT_COUNT:
			*v = (double) n;
			return true;
		case SCORECARD_STAT_SUM:
			*v = n > 0 ? kpis_sum(k, m) : 0.0;
			return true;
		case SCORECARD_STAT_AVG:
		case SCORECARD_STAT_RATE:
			if (n == 0)
				return false;
			*v = kpis_avg(k, m);
			return true;
		case SCORECARD_STAT_MIN:
			if (n == 0 || !kpis_extremes_known(k, m))
				return false;
			*v = kpis_min(k, m);
			return true;
		case SCORECARD_STAT_MAX:
			if (n == 0 || !kpis_extremes_known(k, m))
				return false;
			*v = kpis_max(k, m);
			return true;
	}
	return false;
}

/*
 * Whether a stat v and a bound b of the card (a gate, a range end) are one value at the
 * precision boards rank at: within one part in 10^12 of the larger. An average, or a sum
 * of float8 values, equal in exact arithmetic to another differs from it in the last bits
 * by the order its values were added in (11.1 and 11.100000000000001): compared with a
 * bound they equal, one would pass a gate and the other fail it, and a range's lower end
 * would leave a score of float noise (1e-15) where the exact one is 0, ranked above its
 * ties. Counts, sums of integers and extremes are exact, and compare exactly (noisy false).
 */
static inline bool
equal_at_rank_precision(double v, double b, bool noisy)
{
	return noisy && fabs(v - b) <= 1e-12 * Max(fabs(v), fabs(b));
}

/* Whether a stat can carry float8 noise: an average, or a sum of fractional values. */
static inline bool
stat_is_noisy(const ScorecardEntry *e, const Kpis *k, int m)
{
	return e->stat == SCORECARD_STAT_AVG || e->stat == SCORECARD_STAT_RATE ||
		(e->stat == SCORECARD_STAT_SUM && kpis_metric_is_fractional(k, m));
}

static inline double
normalize(const ScorecardEntry *e, double v, bool noisy)
{
	double		x;

	switch ((ScorecardNorm) e->norm)
	{
		case SCORECARD_NORM_RANGE:
			/*
			 * at an end, exactly that end's 0 or 1: when the stat is that end at the
			 * precision boards rank at, and no further from it than a millionth of the
			 * range (a range narrower than the stat's noise is read as it is)
			 */
			noisy = noisy && fabs(e->hi - e->lo) * 1e-6 >= 1e-12 * Max(fabs(e->lo), fabs(e->hi));
			if (equal_at_rank_precision(v, e->lo, noisy))
				return e->better == SCORECARD_BETTER_LOWER ? 1.0 : 0.0;
			if (equal_at_rank_precision(v, e->hi, noisy))
				return e->better == SCORECARD_BETTER_LOWER ? 0.0 : 1.0;
			{
				/*
				 * a range wider than the largest double (-1e308 to 1e308) is measured in
				 * halves, which are exact: its width would overflow to Infinity
				 */
				double		k = isinf(e->hi - e->lo) ? 0.5 : 1.0;

				x = e->better == SCORECARD_BETTER_LOWER ?
					(e->hi * k - v * k) / (e->hi * k - e->lo * k) :
					(v * k - e->lo * k) / (e->hi * k - e->lo * k);
			}
			return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
		case SCORECARD_NORM_TARGET:
			/* a value at or below 0 has reached no part of a "higher" target and beaten
			 * any "lower" target */
			if (e->better == SCORECARD_BETTER_LOWER)
				x = v <= 0.0 ? e->cap : e->target / v;
			else
				x = v <= 0.0 ? 0.0 : v / e->target;
			return x > e->cap ? e->cap : x;
		case SCORECARD_NORM_RAW:
			break;
	}
	return v;
}

/*
 * A card's weights and scale are bounded at input, but a raw stat (or a target with a
 * large cap) times its weight can still pass float8, and Infinity - Infinity is a NaN
 * that would rank above every score: refused, as float8 arithmetic refuses an overflow.
 */
static inline double
checked_score(double score)
{
	if (unlikely(!isfinite(score)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("score is out of range for double precision"),
				 errdetail("A stat times its weight exceeds double precision."),
				 errhint("Normalize large stats with a \"range\" or a \"target\", or lower the weights.")));
	return score;
}

/*
 * Evaluates card over k. res (may be NULL) receives one EntryResult per entry.
 */
static inline void
evaluate(const Scorecard *card, const Kpis *k, const int *map, CardResult *out,
		 EntryResult *res)
{
	double		acc = 0.0;
	double		wsum = 0.0;
	bool		qualified = true;

	check_shape(card, k, map);

	out->few_rows = k->rows < card->min_rows;
	if (out->few_rows)
		qualified = false;

	for (int i = 0; i < card->nmetrics; i++)
	{
		const ScorecardEntry *e = &card->entries[i];
		int			m = map ? map[i] : i;
		int64		n = kpis_count(k, m);
		double		v = 0.0;
		bool		defined = stat_value(e, k, m, n, &v);
		bool		missing = !defined || n < e->min_n;
		double		norm = 0.0;
		int			gate = GATE_NONE;

		if (missing)
		{
			if (e->if_missing == SCORECARD_MISSING_DISQUALIFY)
				qualified = false;
			if (e->if_missing != SCORECARD_MISSING_SKIP)
				wsum += e->weight;
		}
		else
		{
			bool		noisy = stat_is_noisy(e, k, m);

			/* a stat equal to a gate passes it, at the precision boards rank at */
			if ((e->flags & SCORECARD_HAS_MIN) && v < e->gate_min &&
				!equal_at_rank_precision(v, e->gate_min, noisy))
				gate = GATE_MIN;
			else if ((e->flags & SCORECARD_HAS_MAX) && v > e->gate_max &&
					 !equal_at_rank_precision(v, e->gate_max, noisy))
				gate = GATE_MAX;
			if (gate != GATE_NONE)
				qualified = false;
			norm = normalize(e, v, noisy);
			acc += e->weight * norm;
			wsum += e->weight;
		}

		if (res != NULL)
		{
			res[i].n = n;
			res[i].defined = defined;
			res[i].value = v;
			res[i].missing = missing;
			res[i].norm = norm;
			res[i].gate = gate;
		}
	}

	out->wsum = wsum;
	out->nothing_weighed = !(wsum > 0.0);
	if (out->nothing_weighed)
	{
		out->score = 0.0;
		qualified = false;
	}
	else
		out->score = checked_score(card->scale * acc / wsum);
	out->qualified = qualified;
}

double
scorecard_score(const Scorecard *card, const Kpis *k, const int *map, bool *qualified)
{
	CardResult	r;

	evaluate(card, k, map, &r, NULL);
	if (qualified != NULL)
		*qualified = r.qualified;
	return r.score;
}

/* 10^k, exact in a double for k <= 22 */
static const double exact_powers_of_ten[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/*
 * The doubles nearest 10^k for the decimal exponents k the arithmetic path serves, and
 * the one above: with 12 digits, a scale of 10^(11 - k) stays within the exact powers.
 */
#define RANK_FAST_MIN_EXP	(SCORECARD_RANK_DIGITS - 1 - 22)
#define RANK_FAST_MAX_EXP	(SCORECARD_RANK_DIGITS - 1 + 22)
static const double decades[] = {
	1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3,
	1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
	1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32,
	1e33, 1e34
};

StaticAssertDecl(lengthof(decades) == RANK_FAST_MAX_EXP - RANK_FAST_MIN_EXP + 2,
				 "one decade per exponent of the arithmetic path, and the one above");

/* Through decimal text: rounds the exact binary value correctly, strtod() reads it back. */
static double
rank_precision_by_text(double score)
{
	char		buf[64];

	snprintf(buf, sizeof(buf), "%.*e", SCORECARD_RANK_DIGITS - 1, score);
	return strtod(buf, NULL);
}

/*
 * a (> 0) times 10^s (|s| <= 22) rounded to an integer, half to even, as the exact
 * product or quotient rounds: the float8 one is off by at most half a unit, which only
 * matters when it lands exactly halfway, and then the exact remainder (fma) decides.
 */
static double
round_scaled(double a, int s)
{
	double		p = s >= 0 ? a * exact_powers_of_ten[s] : a / exact_powers_of_ten[-s];
	double		y = rint(p);

	if (p - floor(p) == 0.5)
	{
		double		rest = s >= 0 ? fma(a, exact_powers_of_ten[s], -p) :
			fma(-p, exact_powers_of_ten[-s], a);

		if (rest != 0.0)
			y = rest > 0.0 ? ceil(p) : floor(p);
	}
	return y;
}

double
scorecard_rank_precision(double score)
{
	double		a = fabs(score);
	double		rounded;
	int			binary_exp;
	int			e;
	int			s;

	if (isnan(score) || isinf(score))
		return score;
	/* -0 ties with 0 already; it would only print as "-0" */
	if (a == 0.0)
		return 0.0;
	if (a < decades[0] || a >= decades[lengthof(decades) - 1])
		return rank_precision_by_text(score);

	/*
	 * Most scores take the arithmetic path, a few times faster than text: e is the
	 * largest k with a >= decades[k], a monotonic choice; a, scaled to 12 integer
	 * digits, rounds correctly, and dividing back (by an exact power of ten) gives the
	 * double nearest the rounded decimal, what strtod() would read, so the result is the
	 * text path's, and monotonic like it.
	 */
	(void) frexp(a, &binary_exp);
	e = (int) floor((binary_exp - 1) * 0.30102999566398120);
	e = Max(RANK_FAST_MIN_EXP, Min(RANK_FAST_MAX_EXP, e));
	while (e < RANK_FAST_MAX_EXP && a >= decades[e + 1 - RANK_FAST_MIN_EXP])
		e++;
	while (e > RANK_FAST_MIN_EXP && a < decades[e - RANK_FAST_MIN_EXP])
		e--;
	s = SCORECARD_RANK_DIGITS - 1 - e;
	rounded = s >= 0 ? round_scaled(a, s) / exact_powers_of_ten[s] :
		round_scaled(a, s) * exact_powers_of_ten[-s];
	return score < 0.0 ? -rounded : rounded;
}

/* jsonb building */

static void
push_key(JsonbParseState **st, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) key;
	v.val.string.len = strlen(key);
	pushJsonbValue(st, WJB_KEY, &v);
}

static void
push_string(JsonbParseState **st, JsonbIteratorToken tok, const char *s)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = strlen(s);
	pushJsonbValue(st, tok, &v);
}

static void
push_null(JsonbParseState **st)
{
	JsonbValue	v;

	v.type = jbvNull;
	pushJsonbValue(st, WJB_VALUE, &v);
}

static void
push_bool(JsonbParseState **st, bool b)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = b;
	pushJsonbValue(st, WJB_VALUE, &v);
}

/* A double as an exact jsonb number (shortest round-trip digits); non-finite as text. */
static void
push_double(JsonbParseState **st, double d)
{
	JsonbValue	v;
	StringInfoData buf;

	initStringInfo(&buf);
	scorecard_append_double(&buf, d);
	if (!isfinite(d))
	{
		push_string(st, WJB_VALUE, buf.data);
		return;
	}
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														CStringGetDatum(buf.data),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	pushJsonbValue(st, WJB_VALUE, &v);
}

static void
push_int64(JsonbParseState **st, int64 i)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(i);
	pushJsonbValue(st, WJB_VALUE, &v);
}

Jsonb *
scorecard_explain(const Scorecard *card, const Kpis *k, const int *map)
{
	EntryResult res[SCORECARD_MAX_METRICS];
	CardResult	r;
	JsonbParseState *st = NULL;
	JsonbValue *top;

	evaluate(card, k, map, &r, res);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_key(&st, "score");
	push_double(&st, r.score);
	push_key(&st, "qualified");
	push_bool(&st, r.qualified);

	push_key(&st, "reasons");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	if (r.few_rows)
		push_string(&st, WJB_ELEM,
					psprintf("rows: " INT64_FORMAT " is below min_rows " INT64_FORMAT,
							 k->rows, card->min_rows));
	for (int i = 0; i < card->nmetrics; i++)
	{
		const ScorecardEntry *e = &card->entries[i];
		const char *name = scorecard_metric_name(card, i);
		const char *stat = scorecard_stat_name(e->stat);

		if (res[i].gate == GATE_MIN)
			push_string(&st, WJB_ELEM,
						psprintf("%s: %s %s is below min %s", name, stat,
								 scorecard_double_cstring(res[i].value), scorecard_double_cstring(e->gate_min)));
		else if (res[i].gate == GATE_MAX)
			push_string(&st, WJB_ELEM,
						psprintf("%s: %s %s is above max %s", name, stat,
								 scorecard_double_cstring(res[i].value), scorecard_double_cstring(e->gate_max)));
		else if (res[i].missing && e->if_missing == SCORECARD_MISSING_DISQUALIFY)
		{
			if (!res[i].defined)
				push_string(&st, WJB_ELEM,
							psprintf("%s: missing (no values) and if_missing is disqualify", name));
			else
				push_string(&st, WJB_ELEM,
							psprintf("%s: missing (n " INT64_FORMAT " is below min_n " INT64_FORMAT ") and if_missing is disqualify",
									 name, res[i].n, e->min_n));
		}
	}
	if (r.nothing_weighed)
		push_string(&st, WJB_ELEM,
					"no weight left to score: every weighted metric is missing and skipped");
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);

	push_key(&st, "metrics");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < card->nmetrics; i++)
	{
		const ScorecardEntry *e = &card->entries[i];

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		push_key(&st, "name");
		push_string(&st, WJB_VALUE, scorecard_metric_name(card, i));
		push_key(&st, "stat");
		push_string(&st, WJB_VALUE, scorecard_stat_name(e->stat));
		push_key(&st, "value");
		if (res[i].defined)
			push_double(&st, res[i].value);
		else
			push_null(&st);
		push_key(&st, "n");
		push_int64(&st, res[i].n);
		push_key(&st, "normalized");
		if (res[i].missing)
			push_null(&st);
		else
			push_double(&st, res[i].norm);
		push_key(&st, "weight");
		push_double(&st, e->weight);
		push_key(&st, "contribution");
		if (res[i].missing || r.nothing_weighed)
			push_double(&st, 0.0);
		else
			push_double(&st, card->scale * e->weight * res[i].norm / r.wsum);
		push_key(&st, "missing");
		push_bool(&st, res[i].missing);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);

	top = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(top);
}

/* score(kpis, scorecard) returns the composite score (float8). */
PG_FUNCTION_INFO_V1(scorecard_score_sql);
Datum
scorecard_score_sql(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);
	Scorecard  *card = PG_GETARG_SCORECARD_P(1);

	PG_RETURN_FLOAT8(scorecard_score(card, k, NULL, NULL));
}

/* _board_score(kpis, scorecard) returns the score at the precision boards store and rank. */
PG_FUNCTION_INFO_V1(scorecard_board_score_sql);
Datum
scorecard_board_score_sql(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);
	Scorecard  *card = PG_GETARG_SCORECARD_P(1);

	PG_RETURN_FLOAT8(scorecard_rank_precision(scorecard_score(card, k, NULL, NULL)));
}

/* _rank_precision(float8) returns the value at the precision boards store and rank. */
PG_FUNCTION_INFO_V1(scorecard_rank_precision_sql);
Datum
scorecard_rank_precision_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(scorecard_rank_precision(PG_GETARG_FLOAT8(0)));
}

/* qualified(kpis, scorecard) returns whether the row passes min_rows, gates and if_missing. */
PG_FUNCTION_INFO_V1(scorecard_qualified_sql);
Datum
scorecard_qualified_sql(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);
	Scorecard  *card = PG_GETARG_SCORECARD_P(1);
	bool		qualified;

	(void) scorecard_score(card, k, NULL, &qualified);
	PG_RETURN_BOOL(qualified);
}

/* explain(kpis, scorecard) returns the score's breakdown as jsonb. */
PG_FUNCTION_INFO_V1(scorecard_explain_sql);
Datum
scorecard_explain_sql(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);
	Scorecard  *card = PG_GETARG_SCORECARD_P(1);

	PG_RETURN_JSONB_P(scorecard_explain(card, k, NULL));
}
