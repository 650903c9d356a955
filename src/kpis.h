/*
 * kpis.h: the mergeable KPI accumulator (type leaderboard.kpis).
 *
 * A kpis value holds the number of rows aggregated and, per metric, the count of non-null
 * values, their sum, min and max. Integer and boolean metrics accumulate in int64 so their
 * sums are exact; fractional metrics (real, double precision, numeric, interval seconds)
 * accumulate in float8. Bit i of "fractional" says which representation metric i uses.
 * On disk: 16 bytes of header plus 32 bytes per metric.
 */
#ifndef LEADERBOARD_KPIS_H
#define LEADERBOARD_KPIS_H

#include "postgres.h"
#include "fmgr.h"

#include <math.h>

#include "common/int.h"

#define KPIS_MAX_METRICS 32

typedef union KpiNumber
{
	int64		i;				/* integer metrics */
	float8		f;				/* fractional metrics */
} KpiNumber;

typedef struct KpiMetric
{
	int64		count;			/* non-null values seen */
	KpiNumber	sum;
	KpiNumber	min;			/* meaningless while count = 0 */
	KpiNumber	max;			/* min > max: unknown, see kpis_extremes_known */
} KpiMetric;

typedef struct Kpis
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint32		fractional;		/* bit i set: metric i holds float8 values */
	int64		rows;			/* rows aggregated, including all-null rows */
	KpiMetric	metrics[FLEXIBLE_ARRAY_MEMBER];
} Kpis;

#define KPIS_HEADER_SIZE	offsetof(Kpis, metrics)
#define KPIS_SIZE(k)		(KPIS_HEADER_SIZE + (Size) (k) * sizeof(KpiMetric))
#define KPIS_NMETRICS(p)	((int) ((VARSIZE(p) - KPIS_HEADER_SIZE) / sizeof(KpiMetric)))

#define DatumGetKpisP(d)	((Kpis *) PG_DETOAST_DATUM(d))
#define PG_GETARG_KPIS_P(n)	DatumGetKpisP(PG_GETARG_DATUM(n))
#define PG_RETURN_KPIS_P(p)	PG_RETURN_POINTER(p)

static inline bool
kpis_metric_is_fractional(const Kpis *k, int i)
{
	return (k->fractional & ((uint32) 1 << i)) != 0;
}

static inline double
kpi_number_as_double(const Kpis *k, int i, KpiNumber n)
{
	return kpis_metric_is_fractional(k, i) ? n.f : (double) n.i;
}

/*
 * Whether metric i's min and max are known. A board's correction can take out the value
 * that was a metric's extreme; when nothing the board computes reads that extreme, the
 * board forgets it (kpis_forget_extremes) instead of re-reading the calls. Unknown
 * extremes are stored as min > max, which no metric with values has otherwise:
 * INT64_MAX and INT64_MIN, or +Infinity and -Infinity. Merging keeps them unknown. The
 * inline adders below must not be given a kpis with unknown extremes (only merges and
 * subtractions ever reach one).
 */
static inline bool
kpis_extremes_known(const Kpis *k, int i)
{
	const KpiMetric *m = &k->metrics[i];

	return m->count == 0 ||
		((k->fractional & ((uint32) 1 << i)) != 0 ? m->min.f <= m->max.f : m->min.i <= m->max.i);
}

/* Plain-C reads of metric i (0-based); min/max/avg are meaningless when count = 0. */
static inline int64
kpis_count(const Kpis *k, int i)
{
	return k->metrics[i].count;
}

static inline double
kpis_sum(const Kpis *k, int i)
{
	return kpi_number_as_double(k, i, k->metrics[i].sum);
}

static inline double
kpis_avg(const Kpis *k, int i)
{
	return kpis_sum(k, i) / (double) k->metrics[i].count;
}

static inline double
kpis_min(const Kpis *k, int i)
{
	return kpi_number_as_double(k, i, k->metrics[i].min);
}

static inline double
kpis_max(const Kpis *k, int i)
{
	return kpi_number_as_double(k, i, k->metrics[i].max);
}

/* Allocates a zeroed kpis of k metrics in CurrentMemoryContext. */
extern Kpis *kpis_new(int nmetrics, uint32 fractional);
/* Adds b into a in place; both must have the same number of metrics (else 22023). */
extern void kpis_merge_into(Kpis *a, const Kpis *b);
/*
 * Takes the values summarized by removed (which must all be among those k summarizes) out
 * of k, in place, when the result is known exactly from k and removed alone, as a
 * recomputation over the remaining values would give it. added, when not NULL, summarizes
 * values that are not among k's and are merged into k afterwards: they may hold a new
 * extreme. Counts and integer sums subtract exactly; a metric of only 0s and 1s (booleans)
 * keeps its extremes from its counts. A metric whose extremes are no longer known (a
 * removed value held one, or they were unknown already) has them forgotten
 * (kpis_extremes_known) when its bit in exact_extremes is clear. Returns false, leaving k
 * undefined, when the result is not known: a fractional sum (float8 subtraction is not
 * exact), unknown extremes of a metric in exact_extremes, or removed holding more than k.
 */
extern bool kpis_subtract(Kpis *k, const Kpis *removed, const Kpis *added,
						  uint32 exact_extremes);
/* Marks metric i's extremes unknown (no-op for a metric without values). */
extern void kpis_forget_extremes(Kpis *k, int i);

/*
 * Folding source values into a kpis.
 *
 * A metric's input kind is resolved once per column (kpi_input_kind, 42804 for types that
 * cannot be metrics), then every non-null value goes through kpis_add_datum and every row,
 * null or not, through kpis_add_rows. A kpis built for integer kinds should be created
 * with kpis_new(n, kpi_fractional_mask(kinds, n)); adding a fractional value to an
 * integer metric converts that metric to float8 first, so any order is correct.
 * Errors leave the kpis unchanged: 22003 when a count, the row count or an integer sum
 * leaves int64 (or a float8 sum becomes infinite), 22023 for NaN or infinite inputs.
 */
typedef enum KpiInputKind
{
	KPI_INPUT_INT2,
	KPI_INPUT_INT4,
	KPI_INPUT_INT8,
	KPI_INPUT_BOOL,				/* true = 1, false = 0 */
	/* the kinds from here on accumulate in float8 */
	KPI_INPUT_FLOAT4,
	KPI_INPUT_FLOAT8,
	KPI_INPUT_NUMERIC,
	KPI_INPUT_INTERVAL			/* seconds, as EXTRACT(epoch FROM interval) */
} KpiInputKind;

static inline bool
kpi_input_is_fractional(KpiInputKind kind)
{
	return kind >= KPI_INPUT_FLOAT4;
}

/* The kind of a type (domains resolve to their base type); 42804 naming it otherwise. */
extern KpiInputKind kpi_input_kind(Oid typid);
/* The "fractional" bitmask for metrics of these kinds. */
extern uint32 kpi_fractional_mask(const KpiInputKind *kinds, int nmetrics);
/* Adds one non-null value of the given kind to metric i (0-based). */
extern void kpis_add_datum(Kpis *k, int i, KpiInputKind kind, Datum value);
/* Adds one value to metric i, converting an integer metric to float8 for a float8 value. */
extern void kpis_add_int64(Kpis *k, int i, int64 value);
extern void kpis_add_float8(Kpis *k, int i, float8 value);
/* Counts n (>= 0) more rows. */
extern void kpis_add_rows(Kpis *k, int64 n);
/* A palloc'd copy in CurrentMemoryContext. */
extern Kpis *kpis_copy(const Kpis *k);
/* Adds k (nothing when NULL) into *into, copying it into cxt when *into is NULL. */
extern void kpis_absorb(Kpis **into, const Kpis *k, MemoryContext cxt);
/* Converts metric i to float8 in place (no-op when it already is). */
extern void kpis_make_fractional(Kpis *k, int i);

/* Text form (see kpis.c); kpis_parse raises 22P02 quoting str. */
extern Kpis *kpis_parse(const char *str);
extern char *kpis_format(const Kpis *k);
/* NULL when k is consistent, else a palloc'd sentence saying what is wrong. */
extern char *kpis_invalid_reason(const Kpis *k);
/* Whether a and b hold the same state, bit for bit (a::text = b::text). */
extern bool kpis_equal(const Kpis *a, const Kpis *b);

/* Raise 22003 / 22023; used by the inline adders below. */
extern void kpis_overflow_error(int i, const char *what) pg_attribute_noreturn();
extern void kpis_not_finite_error(int i, float8 value) pg_attribute_noreturn();

/*
 * Inline adders for the hot loop of kpi_agg: metric i must already use the matching
 * representation (integer for kpi_metric_add_int, fractional for kpi_metric_add_float).
 */
static inline void
kpi_metric_add_int(KpiMetric *m, int i, int64 v)
{
	int64		sum;

	if (m->count == 0)
	{
		m->count = 1;
		m->sum.i = m->min.i = m->max.i = v;
		return;
	}
	if (unlikely(pg_add_s64_overflow(m->sum.i, v, &sum)))
		kpis_overflow_error(i, "sum");
	if (unlikely(m->count == PG_INT64_MAX))
		kpis_overflow_error(i, "count");
	m->count++;
	m->sum.i = sum;
	if (v < m->min.i)
		m->min.i = v;
	else if (v > m->max.i)
		m->max.i = v;
}

static inline void
kpi_metric_add_float(KpiMetric *m, int i, float8 v)
{
	float8		sum;

	if (unlikely(isnan(v) || isinf(v)))
		kpis_not_finite_error(i, v);
	/* -0 as 0 (-0 + 0 is 0): equal values are counted with one sign, whatever their order */
	v += 0.0;
	if (m->count == 0)
	{
		m->count = 1;
		m->sum.f = m->min.f = m->max.f = v;
		return;
	}
	sum = m->sum.f + v;
	if (unlikely(isinf(sum)))
		kpis_overflow_error(i, "sum");
	if (unlikely(m->count == PG_INT64_MAX))
		kpis_overflow_error(i, "count");
	m->count++;
	m->sum.f = sum;
	if (v < m->min.f)
		m->min.f = v;
	else if (v > m->max.f)
		m->max.f = v;
}

#endif
