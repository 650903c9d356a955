/*
 * kpis_type.c: SQL-callable functions of the type leaderboard.kpis: text and binary I/O,
 * equality and hashing, the + operator and the accessors.
 *
 * Binary form (version 1): uint8 version, uint8 number of metrics k, uint32 fractional
 * bitmask, int64 rows, then per metric int64 count and sum, min, max as int64 or float8
 * (by the metric's bit). 14 + 32·k bytes.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "kpis.h"

#define KPIS_BINARY_VERSION		1
#define KPIS_BINARY_HEADER		(1 + 1 + 4 + 8)

PG_FUNCTION_INFO_V1(kpis_in);
PG_FUNCTION_INFO_V1(kpis_out);
PG_FUNCTION_INFO_V1(kpis_recv);
PG_FUNCTION_INFO_V1(kpis_send);
PG_FUNCTION_INFO_V1(kpis_eq);
PG_FUNCTION_INFO_V1(kpis_ne);
PG_FUNCTION_INFO_V1(kpis_hash);
PG_FUNCTION_INFO_V1(kpis_add);
PG_FUNCTION_INFO_V1(kpis_rows);
PG_FUNCTION_INFO_V1(kpis_count_sql);
PG_FUNCTION_INFO_V1(kpis_sum_sql);
PG_FUNCTION_INFO_V1(kpis_avg_sql);
PG_FUNCTION_INFO_V1(kpis_min_sql);
PG_FUNCTION_INFO_V1(kpis_max_sql);
PG_FUNCTION_INFO_V1(kpis_correct_sql);

/* kpis_in(cstring): the kpis value written in the text form (see kpis.c). */
Datum
kpis_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_KPIS_P(kpis_parse(PG_GETARG_CSTRING(0)));
}

/* kpis_out(kpis): the text form, which reads back to the same value. */
Datum
kpis_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(kpis_format(PG_GETARG_KPIS_P(0)));
}

static void
recv_fail(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid external kpis value"),
			 errdetail_internal("%s", detail)));
}

/* kpis_recv(internal): the kpis value in the binary form, checked like kpis_in. */
Datum
kpis_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version;
	int			n;
	int			i;
	uint32		fractional;
	Kpis	   *k;
	char	   *reason;

	if (buf->len - buf->cursor < KPIS_BINARY_HEADER)
		recv_fail("The value is shorter than the kpis header.");
	version = pq_getmsgbyte(buf);
	if (version != KPIS_BINARY_VERSION)
		recv_fail(psprintf("Binary format version %d is not supported (expected %d).",
						   version, KPIS_BINARY_VERSION));
	n = pq_getmsgbyte(buf);
	if (n < 1 || n > KPIS_MAX_METRICS)
		recv_fail(psprintf("A kpis value holds 1 to %d metrics, not %d.", KPIS_MAX_METRICS, n));
	if (buf->len - buf->cursor != 4 + 8 + n * (int) sizeof(KpiMetric))
		recv_fail(psprintf("%d metrics take %d bytes after the header, not %d.",
						   n, 4 + 8 + n * (int) sizeof(KpiMetric), buf->len - buf->cursor));
	fractional = (uint32) pq_getmsgint(buf, 4);
	k = kpis_new(n, 0);
	k->fractional = fractional;
	k->rows = pq_getmsgint64(buf);
	for (i = 0; i < n; i++)
	{
		KpiMetric  *m = &k->metrics[i];

		m->count = pq_getmsgint64(buf);
		if (kpis_metric_is_fractional(k, i))
		{
			m->sum.f = pq_getmsgfloat8(buf);
			m->min.f = pq_getmsgfloat8(buf);
			m->max.f = pq_getmsgfloat8(buf);
		}
		else
		{
			m->sum.i = pq_getmsgint64(buf);
			m->min.i = pq_getmsgint64(buf);
			m->max.i = pq_getmsgint64(buf);
		}
	}
	pq_getmsgend(buf);
	reason = kpis_invalid_reason(k);
	if (reason)
		recv_fail(reason);
	PG_RETURN_KPIS_P(k);
}

/* kpis_send(kpis): the binary form, version byte first. */
Datum
kpis_send(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);
	int			n = KPIS_NMETRICS(k);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, KPIS_BINARY_VERSION);
	pq_sendbyte(&buf, n);
	pq_sendint32(&buf, k->fractional);
	pq_sendint64(&buf, k->rows);
	for (i = 0; i < n; i++)
	{
		const KpiMetric *m = &k->metrics[i];

		pq_sendint64(&buf, m->count);
		if (kpis_metric_is_fractional(k, i))
		{
			pq_sendfloat8(&buf, m->sum.f);
			pq_sendfloat8(&buf, m->min.f);
			pq_sendfloat8(&buf, m->max.f);
		}
		else
		{
			pq_sendint64(&buf, m->sum.i);
			pq_sendint64(&buf, m->min.i);
			pq_sendint64(&buf, m->max.i);
		}
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* kpis_eq(kpis, kpis): true when both hold the same state (same text form). */
Datum
kpis_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(kpis_equal(PG_GETARG_KPIS_P(0), PG_GETARG_KPIS_P(1)));
}

/* kpis_ne(kpis, kpis): the negation of kpis_eq. */
Datum
kpis_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!kpis_equal(PG_GETARG_KPIS_P(0), PG_GETARG_KPIS_P(1)));
}

/* kpis_hash(kpis): a hash consistent with kpis_eq. */
Datum
kpis_hash(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);

	return hash_any((const unsigned char *) k + VARHDRSZ, VARSIZE(k) - VARHDRSZ);
}

/* kpis_add(kpis, kpis): the merge of both accumulators (same metric count, else 22023). */
Datum
kpis_add(PG_FUNCTION_ARGS)
{
	Kpis	   *result = kpis_copy(PG_GETARG_KPIS_P(0));

	kpis_merge_into(result, PG_GETARG_KPIS_P(1));
	PG_RETURN_KPIS_P(result);
}

/* rows(kpis): the number of rows aggregated, all-null rows included. */
Datum
kpis_rows(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_KPIS_P(0)->rows);
}

/* The 0-based index of the 1-based metric argument 1, 22023 when out of range. */
static int
metric_index(FunctionCallInfo fcinfo, Kpis *k)
{
	int32		i = PG_GETARG_INT32(1);
	int			n = KPIS_NMETRICS(k);

	if (i < 1 || i > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kpis metric %d does not exist", i),
				 errdetail("This kpis value has metrics 1 to %d.", n)));
	return i - 1;
}

/* kpi_count(kpis, int): the number of non-null values of metric i. */
Datum
kpis_count_sql(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);

	PG_RETURN_INT64(kpis_count(k, metric_index(fcinfo, k)));
}

/* kpi_sum(kpis, int): the sum of metric i (0 when it has no values). */
Datum
kpis_sum_sql(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);

	PG_RETURN_FLOAT8(kpis_sum(k, metric_index(fcinfo, k)));
}

/* kpi_avg(kpis, int): the mean of metric i, NULL when it has no values. */
Datum
kpis_avg_sql(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);
	int			i = metric_index(fcinfo, k);

	if (kpis_count(k, i) == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(kpis_avg(k, i));
}

/* kpi_min(kpis, int): the least value of metric i, NULL when it has no values or it is unknown. */
Datum
kpis_min_sql(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);
	int			i = metric_index(fcinfo, k);

	if (kpis_count(k, i) == 0 || !kpis_extremes_known(k, i))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(kpis_min(k, i));
}

/* kpi_max(kpis, int): the greatest value of metric i, NULL when it has no values or it is unknown. */
Datum
kpis_max_sql(PG_FUNCTION_ARGS)
{
	Kpis	   *k = PG_GETARG_KPIS_P(0);
	int			i = metric_index(fcinfo, k);

	if (kpis_count(k, i) == 0 || !kpis_extremes_known(k, i))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(kpis_max(k, i));
}

/*
 * _kpis_correct(stored, added, removed): a board's correction of a stored row, for the
 * boards that never re-read their source: (stored + added) - removed, forgetting extremes
 * a removed value held (no such board reads them). NULL when no row is left. The removed
 * rows were captured from the source, so they are among stored + added: when they are
 * not, the standings no longer match the calls, which is reported instead of stored.
 */
Datum
kpis_correct_sql(PG_FUNCTION_ARGS)
{
	Kpis	   *k = NULL;
	Kpis	   *removed;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a correction needs the rows it removes")));
	removed = PG_GETARG_KPIS_P(2);
	if (!PG_ARGISNULL(0))
		k = kpis_copy(PG_GETARG_KPIS_P(0));
	if (!PG_ARGISNULL(1))
	{
		if (k == NULL)
			k = kpis_copy(PG_GETARG_KPIS_P(1));
		else
			kpis_merge_into(k, PG_GETARG_KPIS_P(1));
	}
	if (k == NULL || !kpis_subtract(k, removed, NULL, 0))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("board standings do not hold the rows a correction removes"),
				 errdetail("Rows removed: %s.", kpis_format(removed)),
				 errhint("Run leaderboard.verify() and leaderboard.rebuild() on the board.")));
	if (k->rows == 0)
		PG_RETURN_NULL();
	PG_RETURN_KPIS_P(k);
}
