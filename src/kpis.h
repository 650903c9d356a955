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
	KpiNumber	max;
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

#endif
