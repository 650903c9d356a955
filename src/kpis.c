/*
 * kpis.c: the plain-C core of leaderboard.kpis: creating, adding to, merging, checking,
 * and the text form.
 *
 * Text form: the row count, then one ";"-separated entry per metric, each with its
 * representation ("int" or "float"), count, sum, min and max, e.g.
 *
 *     rows=12; int n=10 sum=42 min=1 max=9; float n=3 sum=4.5 min=0.5 max=2.5
 *
 * Integers print in decimal, float8 values in the shortest form that reads back to the
 * same double, so text round-trips bit for bit. Unknown extremes (kpis_extremes_known)
 * print as "min=? max=?". Input allows whitespace around every
 * token; the keys are required, in this order.
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#include "common/shortest_dec.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "kpis.h"

#define FRACTIONAL_BIT(i)	((uint32) 1 << (i))

void
kpis_overflow_error(int i, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 i < 0 ? errmsg("kpis %s out of range", what)
			 : errmsg("kpis metric %d %s out of range", i + 1, what),
			 errdetail("Counts and integer sums are 64-bit integers; float sums must stay finite.")));
}

void
kpis_not_finite_error(int i, float8 value)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("kpis metric %d cannot take the value %s", i + 1,
					isnan(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity"),
			 errhint("Filter out or replace non-finite values before aggregating them.")));
}

static void
check_nmetrics(int nmetrics)
{
	if (nmetrics < 1 || nmetrics > KPIS_MAX_METRICS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a kpis value holds 1 to %d metrics, not %d",
						KPIS_MAX_METRICS, nmetrics)));
}

static uint32
metrics_mask(int nmetrics)
{
	return nmetrics == 32 ? ~(uint32) 0 : FRACTIONAL_BIT(nmetrics) - 1;
}

Kpis *
kpis_new(int nmetrics, uint32 fractional)
{
	Kpis	   *k;

	check_nmetrics(nmetrics);
	k = palloc0(KPIS_SIZE(nmetrics));
	SET_VARSIZE(k, KPIS_SIZE(nmetrics));
	k->fractional = fractional & metrics_mask(nmetrics);
	return k;
}

Kpis *
kpis_copy(const Kpis *k)
{
	Kpis	   *c = palloc(VARSIZE(k));

	memcpy(c, k, VARSIZE(k));
	return c;
}

void
kpis_absorb(Kpis **into, const Kpis *k, MemoryContext cxt)
{
	if (k == NULL)
		return;
	if (*into == NULL)
	{
		*into = MemoryContextAlloc(cxt, VARSIZE(k));
		memcpy(*into, k, VARSIZE(k));
	}
	else
		kpis_merge_into(*into, k);
}

void
kpis_forget_extremes(Kpis *k, int i)
{
	KpiMetric  *m = &k->metrics[i];

	if (m->count == 0)
		return;
	if (kpis_metric_is_fractional(k, i))
	{
		m->min.f = get_float8_infinity();
		m->max.f = -get_float8_infinity();
	}
	else
	{
		m->min.i = PG_INT64_MAX;
		m->max.i = PG_INT64_MIN;
	}
}

void
kpis_make_fractional(Kpis *k, int i)
{
	KpiMetric  *m = &k->metrics[i];
	bool		known = kpis_extremes_known(k, i);

	if (kpis_metric_is_fractional(k, i))
		return;
	m->sum.f = (float8) m->sum.i;
	m->min.f = (float8) m->min.i;
	m->max.f = (float8) m->max.i;
	k->fractional |= FRACTIONAL_BIT(i);
	if (!known)
		kpis_forget_extremes(k, i);
}

void
kpis_add_rows(Kpis *k, int64 n)
{
	int64		rows;

	if (n < 0)
		elog(ERROR, "kpis_add_rows called with a negative row count");
	if (unlikely(pg_add_s64_overflow(k->rows, n, &rows)))
		kpis_overflow_error(-1, "row count");
	k->rows = rows;
}

void
kpis_add_int64(Kpis *k, int i, int64 value)
{
	if (kpis_metric_is_fractional(k, i))
		kpi_metric_add_float(&k->metrics[i], i, (float8) value);
	else
		kpi_metric_add_int(&k->metrics[i], i, value);
}

void
kpis_add_float8(Kpis *k, int i, float8 value)
{
	KpiMetric  *m = &k->metrics[i];

	if (unlikely(isnan(value) || isinf(value)))
		kpis_not_finite_error(i, value);
	if (!kpis_metric_is_fractional(k, i))
	{
		/* check before converting, so that a failed add leaves k unchanged */
		if (m->count > 0 && isinf((float8) m->sum.i + value))
			kpis_overflow_error(i, "sum");
		if (m->count == PG_INT64_MAX)
			kpis_overflow_error(i, "count");
		kpis_make_fractional(k, i);
	}
	kpi_metric_add_float(m, i, value);
}

KpiInputKind
kpi_input_kind(Oid typid)
{
	switch (getBaseType(typid))
	{
		case INT2OID:
			return KPI_INPUT_INT2;
		case INT4OID:
			return KPI_INPUT_INT4;
		case INT8OID:
			return KPI_INPUT_INT8;
		case BOOLOID:
			return KPI_INPUT_BOOL;
		case FLOAT4OID:
			return KPI_INPUT_FLOAT4;
		case FLOAT8OID:
			return KPI_INPUT_FLOAT8;
		case NUMERICOID:
			return KPI_INPUT_NUMERIC;
		case INTERVALOID:
			return KPI_INPUT_INTERVAL;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("a KPI metric cannot be of type %s", format_type_be(typid)),
			 errhint("Use smallint, integer, bigint, real, double precision, numeric, boolean or interval, or cast the expression to one of them.")));
	pg_unreachable();
}

uint32
kpi_fractional_mask(const KpiInputKind *kinds, int nmetrics)
{
	uint32		mask = 0;
	int			i;

	for (i = 0; i < nmetrics; i++)
		if (kpi_input_is_fractional(kinds[i]))
			mask |= FRACTIONAL_BIT(i);
	return mask;
}

/* Seconds in an interval, as EXTRACT(epoch FROM ...) counts them (30-day months, 365.25-day years). */
static float8
interval_seconds(const Interval *iv)
{
	int64		secs;
	int64		usecs;

	secs = (int64) (DAYS_PER_YEAR * SECS_PER_DAY) * (iv->month / MONTHS_PER_YEAR) +
		(int64) (DAYS_PER_MONTH * SECS_PER_DAY) * (iv->month % MONTHS_PER_YEAR) +
		(int64) SECS_PER_DAY * iv->day;
	/* whole microseconds when they fit, so the result is the correctly rounded quotient */
	if (!pg_mul_s64_overflow(secs, USECS_PER_SEC, &usecs) &&
		!pg_add_s64_overflow(usecs, iv->time, &usecs))
		return (float8) usecs / USECS_PER_SEC;
	return (float8) secs + (float8) iv->time / USECS_PER_SEC;
}

void
kpis_add_datum(Kpis *k, int i, KpiInputKind kind, Datum value)
{
	switch (kind)
	{
		case KPI_INPUT_INT2:
			kpis_add_int64(k, i, DatumGetInt16(value));
			break;
		case KPI_INPUT_INT4:
			kpis_add_int64(k, i, DatumGetInt32(value));
			break;
		case KPI_INPUT_INT8:
			kpis_add_int64(k, i, DatumGetInt64(value));
			break;
		case KPI_INPUT_BOOL:
			kpis_add_int64(k, i, DatumGetBool(value) ? 1 : 0);
			break;
		case KPI_INPUT_FLOAT4:
			kpis_add_float8(k, i, (float8) DatumGetFloat4(value));
			break;
		case KPI_INPUT_FLOAT8:
			kpis_add_float8(k, i, DatumGetFloat8(value));
			break;
		case KPI_INPUT_NUMERIC:
			{
				Numeric		num = DatumGetNumeric(value);

				/* NaN and ±Infinity convert to their float8 selves and are refused there */
				kpis_add_float8(k, i, DatumGetFloat8(DirectFunctionCall1(numeric_float8,
																		 NumericGetDatum(num))));
				break;
			}
		case KPI_INPUT_INTERVAL:
			kpis_add_float8(k, i, interval_seconds(DatumGetIntervalP(value)));
			break;
	}
}

/* The float8 sum of metric i of a and b, as the merge computes it. */
static float8
merged_float_sum(const Kpis *a, const Kpis *b, int i)
{
	return kpi_number_as_double(a, i, a->metrics[i].sum) +
		kpi_number_as_double(b, i, b->metrics[i].sum);
}

void
kpis_merge_into(Kpis *a, const Kpis *b)
{
	int			n = KPIS_NMETRICS(a);
	int			i;
	int64		rows;

	if (KPIS_NMETRICS(b) != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge kpis values with %d and %d metrics", n, KPIS_NMETRICS(b)),
				 errhint("Only accumulators of the same metric list can be merged.")));

	/* check everything first, so that a failed merge leaves a unchanged */
	if (pg_add_s64_overflow(a->rows, b->rows, &rows))
		kpis_overflow_error(-1, "row count");
	for (i = 0; i < n; i++)
	{
		const KpiMetric *ma = &a->metrics[i];
		const KpiMetric *mb = &b->metrics[i];
		int64		dummy;

		if (mb->count == 0 || ma->count == 0)
			continue;
		if (pg_add_s64_overflow(ma->count, mb->count, &dummy))
			kpis_overflow_error(i, "count");
		if (kpis_metric_is_fractional(a, i) || kpis_metric_is_fractional(b, i))
		{
			if (isinf(merged_float_sum(a, b, i)))
				kpis_overflow_error(i, "sum");
		}
		else if (pg_add_s64_overflow(ma->sum.i, mb->sum.i, &dummy))
			kpis_overflow_error(i, "sum");
	}

	a->rows = rows;
	for (i = 0; i < n; i++)
	{
		KpiMetric  *ma = &a->metrics[i];
		const KpiMetric *mb = &b->metrics[i];
		bool		known = kpis_extremes_known(a, i) && kpis_extremes_known(b, i);

		if (kpis_metric_is_fractional(b, i))
			kpis_make_fractional(a, i);
		if (mb->count == 0)
			continue;
		if (!known)
		{
			/* the sum as below; the extremes stay unknown */
			if (kpis_metric_is_fractional(a, i))
				ma->sum.f = (ma->count == 0 ? 0 : ma->sum.f) + kpi_number_as_double(b, i, mb->sum);
			else
				ma->sum.i += mb->sum.i;
			ma->count += mb->count;
			kpis_forget_extremes(a, i);
			continue;
		}
		if (kpis_metric_is_fractional(a, i))
		{
			float8		min = kpi_number_as_double(b, i, mb->min);
			float8		max = kpi_number_as_double(b, i, mb->max);

			if (ma->count == 0)
			{
				ma->sum.f = kpi_number_as_double(b, i, mb->sum);
				ma->min.f = min;
				ma->max.f = max;
			}
			else
			{
				ma->sum.f += kpi_number_as_double(b, i, mb->sum);
				if (min < ma->min.f)
					ma->min.f = min;
				if (max > ma->max.f)
					ma->max.f = max;
			}
		}
		else if (ma->count == 0)
		{
			ma->sum = mb->sum;
			ma->min = mb->min;
			ma->max = mb->max;
		}
		else
		{
			ma->sum.i += mb->sum.i;
			if (mb->min.i < ma->min.i)
				ma->min.i = mb->min.i;
			if (mb->max.i > ma->max.i)
				ma->max.i = mb->max.i;
		}
		ma->count += mb->count;
	}
}

/*
 * The extreme of a metric's remaining values after removing values whose extreme is
 * removed_ext from the values of m (count and sum: what remains), with a (or NULL) the
 * metric of values about to be merged in; false when unknown.
 */
static bool
remaining_extreme(const KpiMetric *m, int64 removed_ext, bool lower, int64 count, int64 sum,
				  const KpiMetric *a, int64 *result)
{
	int64		stored_ext = lower ? m->min.i : m->max.i;

	*result = stored_ext;
	/* the removed values did not reach the extreme: some value still holds it */
	if (lower ? removed_ext > stored_ext : removed_ext < stored_ext)
		return true;
	/* every value was the same */
	if (m->min.i == m->max.i)
		return true;
	/* only 0s and 1s: the counts say which remain */
	if (m->min.i >= 0 && m->max.i <= 1)
	{
		*result = lower ? (count > sum ? 0 : 1) : (sum > 0 ? 1 : 0);
		return true;
	}
	/*
	 * The values merged in next reach the old extreme, so they hold the new one: the merge
	 * sets it (an UPDATE leaving the column as it was adds back the value it removes).
	 */
	return a != NULL && a->count > 0 && (lower ? a->min.i <= stored_ext : a->max.i >= stored_ext);
}

bool
kpis_subtract(Kpis *k, const Kpis *removed, const Kpis *added, uint32 exact_extremes)
{
	int			n = KPIS_NMETRICS(k);
	int			i;

	if (KPIS_NMETRICS(removed) != n || (added != NULL && KPIS_NMETRICS(added) != n) ||
		removed->rows > k->rows)
		return false;
	for (i = 0; i < n; i++)
	{
		KpiMetric  *m = &k->metrics[i];
		const KpiMetric *r = &removed->metrics[i];
		const KpiMetric *a = added != NULL ? &added->metrics[i] : NULL;
		int64		count;
		int64		sum;
		int64		min;
		int64		max;

		if (r->count == 0)
			continue;
		if (kpis_metric_is_fractional(k, i) || kpis_metric_is_fractional(removed, i) ||
			(a != NULL && a->count > 0 && kpis_metric_is_fractional(added, i)) ||
			r->count > m->count)
			return false;
		count = m->count - r->count;
		if (pg_sub_s64_overflow(m->sum.i, r->sum.i, &sum))
			return false;
		if (count == 0)
		{
			m->count = 0;
			m->sum.i = m->min.i = m->max.i = 0;
			continue;
		}
		if (!kpis_extremes_known(k, i) ||
			!remaining_extreme(m, r->min.i, true, count, sum, a, &min) ||
			!remaining_extreme(m, r->max.i, false, count, sum, a, &max))
		{
			if ((exact_extremes & FRACTIONAL_BIT(i)) != 0)
				return false;
			m->count = count;
			m->sum.i = sum;
			/* a single value left is its own min and max */
			if (count == 1)
				m->min.i = m->max.i = sum;
			else
				kpis_forget_extremes(k, i);
			continue;
		}
		m->count = count;
		m->sum.i = sum;
		m->min.i = min;
		m->max.i = max;
	}
	k->rows -= removed->rows;
	return true;
}

bool
kpis_equal(const Kpis *a, const Kpis *b)
{
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

/* count * bound compared with sum, without overflow: returns sign of (count * bound - sum). */
static int
cmp_product(int64 count, int64 bound, int64 sum)
{
	int64		product;

	if (pg_mul_s64_overflow(count, bound, &product))
		return bound > 0 ? 1 : -1;
	return product < sum ? -1 : product > sum ? 1 : 0;
}

char *
kpis_invalid_reason(const Kpis *k)
{
	int			n = KPIS_NMETRICS(k);
	int			i;

	if (VARSIZE(k) < KPIS_SIZE(1) || VARSIZE(k) != KPIS_SIZE(n) || n > KPIS_MAX_METRICS)
		return psprintf("A kpis value holds 1 to %d metrics.", KPIS_MAX_METRICS);
	if ((k->fractional & ~metrics_mask(n)) != 0)
		return psprintf("The fractional bitmask 0x%x names metrics beyond the %d present.",
						k->fractional, n);
	if (k->rows < 0)
		return psprintf("The row count " INT64_FORMAT " is negative.", k->rows);
	for (i = 0; i < n; i++)
	{
		const KpiMetric *m = &k->metrics[i];
		bool		fractional = kpis_metric_is_fractional(k, i);

		if (m->count < 0)
			return psprintf("Metric %d has a negative count.", i + 1);
		if (m->count > k->rows)
			return psprintf("Metric %d counts " INT64_FORMAT " values in " INT64_FORMAT " rows.",
							i + 1, m->count, k->rows);
		if (fractional && (isnan(m->sum.f) || isnan(m->min.f) || isnan(m->max.f) || isinf(m->sum.f)))
			return psprintf("Metric %d has a value that is not finite.", i + 1);
		if (m->count > 0 && !kpis_extremes_known(k, i))
		{
			if (fractional ? !(isinf(m->min.f) && isinf(m->max.f))
				: (m->min.i != PG_INT64_MAX || m->max.i != PG_INT64_MIN))
				return psprintf("Metric %d has min greater than max.", i + 1);
			if (m->count < 2)
				return psprintf("Metric %d has unknown extremes, which takes at least two values.", i + 1);
			continue;
		}
		if (fractional && (!isfinite(m->sum.f) || !isfinite(m->min.f) || !isfinite(m->max.f)))
			return psprintf("Metric %d has a value that is not finite.", i + 1);
		if (m->count == 0)
		{
			if (fractional ? (m->sum.f != 0 || m->min.f != 0 || m->max.f != 0 ||
							  signbit(m->sum.f) || signbit(m->min.f) || signbit(m->max.f))
				: (m->sum.i != 0 || m->min.i != 0 || m->max.i != 0))
				return psprintf("Metric %d has no values, so its sum, min and max must be 0.", i + 1);
			continue;
		}
		if (fractional ? m->min.f > m->max.f : m->min.i > m->max.i)
			return psprintf("Metric %d has min greater than max.", i + 1);
		if (fractional)
		{
			/* float8 sums round, but adding values of one sign never moves away from them */
			if (m->count == 1 && (m->sum.f != m->min.f || m->sum.f != m->max.f))
				return psprintf("Metric %d has one value, so its sum, min and max must be equal.", i + 1);
			if ((m->min.f >= 0 && m->sum.f < m->max.f) || (m->max.f <= 0 && m->sum.f > m->min.f))
				return psprintf("Metric %d has a sum outside what its min and max allow.", i + 1);
		}
		else if (cmp_product(m->count, m->min.i, m->sum.i) > 0 ||
				 cmp_product(m->count, m->max.i, m->sum.i) < 0)
			return psprintf("Metric %d has a sum outside count * min .. count * max.", i + 1);
	}
	return NULL;
}

/* ---- text form ---- */

typedef struct KpisParser
{
	const char *str;			/* whole input, for messages */
	const char *p;				/* cursor */
} KpisParser;

static void
parse_fail(KpisParser *ps, const char *expected)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type leaderboard.kpis: \"%s\"", ps->str),
			 *ps->p ? errdetail("Expected %s at \"%.20s\".", expected, ps->p)
			 : errdetail("Expected %s at the end of the input.", expected),
			 errhint("The form is \"rows=R; int n=N sum=S min=A max=B; float n=N sum=S min=A max=B\", one entry per metric.")));
}

static void
skip_space(KpisParser *ps)
{
	while (isspace((unsigned char) *ps->p))
		ps->p++;
}

/* Consumes "key =" with optional whitespace. */
static void
expect_key(KpisParser *ps, const char *key)
{
	size_t		len = strlen(key);

	skip_space(ps);
	if (strncmp(ps->p, key, len) != 0)
		parse_fail(ps, psprintf("\"%s=\"", key));
	ps->p += len;
	skip_space(ps);
	if (*ps->p != '=')
		parse_fail(ps, psprintf("\"%s=\"", key));
	ps->p++;
	skip_space(ps);
}

/* An integer; "what" names it in messages. */
static int64
parse_int64(KpisParser *ps, const char *what)
{
	const char *start = ps->p;
	char	   *end;
	int64		v;

	if (!(isdigit((unsigned char) *start) ||
		  ((*start == '-' || *start == '+') && isdigit((unsigned char) start[1]))))
		parse_fail(ps, what);
	errno = 0;
	v = strtoi64(start, &end, 10);
	if (errno == ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value \"%.*s\" is out of range for a kpis integer", (int) (end - start), start),
				 errdetail("In \"%s\".", ps->str)));
	if (*end == '.' || *end == 'e' || *end == 'E')
		parse_fail(ps, what);
	ps->p = end;
	return v;
}

static float8
parse_float8(KpisParser *ps)
{
	const char *start = ps->p;
	const char *q = start;
	char	   *end;
	float8		v;

	/* plain decimal syntax only: strtod would also take "nan", "inf" and hex floats */
	if (*q == '-' || *q == '+')
		q++;
	if (!(isdigit((unsigned char) *q) || (*q == '.' && isdigit((unsigned char) q[1]))))
		parse_fail(ps, "a finite number");
	while (isdigit((unsigned char) *q) || *q == '.')
		q++;
	if (*q == 'x' || *q == 'X')
		parse_fail(ps, "a decimal number");
	errno = 0;
	v = strtod(start, &end);
	if (end == start)
		parse_fail(ps, "a finite number");
	if (errno == ERANGE && (v == 0 || isinf(v)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value \"%.*s\" is out of range for a kpis float", (int) (end - start), start),
				 errdetail("In \"%s\".", ps->str)));
	ps->p = end;
	return v;
}

/* The end of a number must be whitespace, ";" or the end of the input. */
static void
expect_separator(KpisParser *ps, const char *what)
{
	if (*ps->p != '\0' && *ps->p != ';' && !isspace((unsigned char) *ps->p))
		parse_fail(ps, what);
}

Kpis *
kpis_parse(const char *str)
{
	KpisParser	ps = {str, str};
	KpiMetric	metrics[KPIS_MAX_METRICS];
	uint32		fractional = 0;
	uint32		unknown = 0;
	int64		rows;
	int			n = 0;
	Kpis	   *k;
	char	   *reason;
	int			i;

	expect_key(&ps, "rows");
	rows = parse_int64(&ps, "an integer row count");
	expect_separator(&ps, "\";\"");
	skip_space(&ps);
	while (*ps.p != '\0')
	{
		KpiMetric  *m;
		bool		is_float;

		if (*ps.p != ';')
			parse_fail(&ps, "\";\"");
		ps.p++;
		skip_space(&ps);
		if (strncmp(ps.p, "int", 3) == 0 && isspace((unsigned char) ps.p[3]))
			is_float = false;
		else if (strncmp(ps.p, "float", 5) == 0 && isspace((unsigned char) ps.p[5]))
			is_float = true;
		else
			parse_fail(&ps, "\"int\" or \"float\" followed by a space");
		if (n == KPIS_MAX_METRICS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type leaderboard.kpis: \"%s\"", str),
					 errdetail("A kpis value holds at most %d metrics.", KPIS_MAX_METRICS)));
		ps.p += is_float ? 5 : 3;
		m = &metrics[n];
		if (is_float)
			fractional |= FRACTIONAL_BIT(n);
		expect_key(&ps, "n");
		m->count = parse_int64(&ps, "an integer count");
		expect_separator(&ps, "a space");
		expect_key(&ps, "sum");
		if (is_float)
			m->sum.f = parse_float8(&ps);
		else
			m->sum.i = parse_int64(&ps, "an integer (the metric is \"int\")");
		expect_separator(&ps, "a space");
		expect_key(&ps, "min");
		if (*ps.p == '?')
		{
			/* unknown extremes: both are "?" */
			ps.p++;
			expect_separator(&ps, "a space");
			expect_key(&ps, "max");
			if (*ps.p != '?')
				parse_fail(&ps, "\"?\" (min is unknown, so max is too)");
			ps.p++;
			unknown |= FRACTIONAL_BIT(n);
		}
		else
		{
			if (is_float)
				m->min.f = parse_float8(&ps);
			else
				m->min.i = parse_int64(&ps, "an integer (the metric is \"int\")");
			expect_separator(&ps, "a space");
			expect_key(&ps, "max");
			if (is_float)
				m->max.f = parse_float8(&ps);
			else
				m->max.i = parse_int64(&ps, "an integer (the metric is \"int\")");
		}
		expect_separator(&ps, "\";\" or the end");
		skip_space(&ps);
		n++;
	}
	if (n == 0)
		parse_fail(&ps, "\";\" and at least one metric");

	k = kpis_new(n, fractional);
	k->rows = rows;
	memcpy(k->metrics, metrics, n * sizeof(KpiMetric));
	for (i = 0; i < n; i++)
	{
		if ((unknown & FRACTIONAL_BIT(i)) != 0)
		{
			if (k->metrics[i].count < 2)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid kpis value: \"%s\"", str),
						 errdetail("Metric %d has unknown extremes, which takes at least two values.", i + 1)));
			kpis_forget_extremes(k, i);
		}
	}
	reason = kpis_invalid_reason(k);
	if (reason)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid kpis value: \"%s\"", str),
				 errdetail_internal("%s", reason)));
	return k;
}

static void
append_float8(StringInfo buf, float8 v)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, digits);
	appendStringInfoString(buf, digits);
}

char *
kpis_format(const Kpis *k)
{
	StringInfoData buf;
	int			n = KPIS_NMETRICS(k);
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "rows=" INT64_FORMAT, k->rows);
	for (i = 0; i < n; i++)
	{
		const KpiMetric *m = &k->metrics[i];

		if (!kpis_extremes_known(k, i))
		{
			appendStringInfo(&buf, "; %s n=" INT64_FORMAT " sum=",
							 kpis_metric_is_fractional(k, i) ? "float" : "int", m->count);
			if (kpis_metric_is_fractional(k, i))
				append_float8(&buf, m->sum.f);
			else
				appendStringInfo(&buf, INT64_FORMAT, m->sum.i);
			appendStringInfoString(&buf, " min=? max=?");
		}
		else if (kpis_metric_is_fractional(k, i))
		{
			appendStringInfo(&buf, "; float n=" INT64_FORMAT " sum=", m->count);
			append_float8(&buf, m->sum.f);
			appendStringInfoString(&buf, " min=");
			append_float8(&buf, m->min.f);
			appendStringInfoString(&buf, " max=");
			append_float8(&buf, m->max.f);
		}
		else
			appendStringInfo(&buf, "; int n=" INT64_FORMAT " sum=" INT64_FORMAT
							 " min=" INT64_FORMAT " max=" INT64_FORMAT,
							 m->count, m->sum.i, m->min.i, m->max.i);
	}
	return buf.data;
}
