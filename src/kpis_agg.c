/*
 * kpis_agg.c: the aggregates kpi_agg(VARIADIC "any") and kpi_merge(kpis).
 *
 * Both keep an internal state that is a Kpis allocated once per group in the aggregate
 * memory context and updated in place, so no memory is allocated per row. The argument
 * kinds of kpi_agg are resolved at its first row and cached in fn_extra. The state is a
 * flat varlena, so serializing it for parallel workers is a copy; combining is
 * kpis_merge_into. Zero rows (or, for kpi_merge, only NULL inputs) give NULL, as sum()
 * does.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "kpis.h"

PG_FUNCTION_INFO_V1(kpi_agg_transfn);
PG_FUNCTION_INFO_V1(kpi_merge_transfn);
PG_FUNCTION_INFO_V1(kpis_agg_combine);
PG_FUNCTION_INFO_V1(kpis_agg_serialize);
PG_FUNCTION_INFO_V1(kpis_agg_deserialize);
PG_FUNCTION_INFO_V1(kpis_agg_final);

/* What kpi_agg learns from its argument types at the first row. */
typedef struct KpiAggArgs
{
	int			nmetrics;
	uint32		fractional;
	KpiInputKind kinds[KPIS_MAX_METRICS];
} KpiAggArgs;

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return aggcontext;
}

static KpiAggArgs *
kpi_agg_args(FunctionCallInfo fcinfo)
{
	KpiAggArgs *args = (KpiAggArgs *) fcinfo->flinfo->fn_extra;
	int			n = PG_NARGS() - 1;
	int			i;

	if (likely(args != NULL))
		return args;

	if (get_fn_expr_variadic(fcinfo->flinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi_agg does not take a VARIADIC array"),
				 errhint("Pass each metric as its own argument: kpi_agg(a, b, c).")));
	if (n < 1 || n > KPIS_MAX_METRICS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kpi_agg takes 1 to %d metrics, not %d", KPIS_MAX_METRICS, n),
				 errhint("Split the metrics over several kpi_agg calls.")));

	args = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(KpiAggArgs));
	args->nmetrics = n;
	for (i = 0; i < n; i++)
	{
		Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, i + 1);

		if (!OidIsValid(typid))
			ereport(ERROR,
					(errcode(ERRCODE_INDETERMINATE_DATATYPE),
					 errmsg("could not determine the type of kpi_agg argument %d", i + 1)));
		args->kinds[i] = kpi_input_kind(typid);
	}
	args->fractional = kpi_fractional_mask(args->kinds, n);
	fcinfo->flinfo->fn_extra = args;
	return args;
}

/* kpi_agg_transfn(internal, VARIADIC "any"): the state with one more row folded in. */
Datum
kpi_agg_transfn(PG_FUNCTION_ARGS)
{
	KpiAggArgs *args = kpi_agg_args(fcinfo);
	Kpis	   *state;
	int			i;

	/* only an aggregate can pass a non-null internal state, so check at the first row */
	if (PG_ARGISNULL(0))
	{
		MemoryContext old = MemoryContextSwitchTo(aggregate_context(fcinfo, "kpi_agg_transfn"));

		state = kpis_new(args->nmetrics, args->fractional);
		MemoryContextSwitchTo(old);
	}
	else
		state = (Kpis *) PG_GETARG_POINTER(0);

	for (i = 0; i < args->nmetrics; i++)
	{
		Datum		value;
		KpiMetric  *m;

		if (PG_ARGISNULL(i + 1))
			continue;
		value = PG_GETARG_DATUM(i + 1);
		m = &state->metrics[i];
		switch (args->kinds[i])
		{
			case KPI_INPUT_INT4:
				kpi_metric_add_int(m, i, DatumGetInt32(value));
				break;
			case KPI_INPUT_BOOL:
				kpi_metric_add_int(m, i, DatumGetBool(value) ? 1 : 0);
				break;
			case KPI_INPUT_INT2:
				kpi_metric_add_int(m, i, DatumGetInt16(value));
				break;
			case KPI_INPUT_INT8:
				kpi_metric_add_int(m, i, DatumGetInt64(value));
				break;
			case KPI_INPUT_FLOAT8:
				kpi_metric_add_float(m, i, DatumGetFloat8(value));
				break;
			case KPI_INPUT_FLOAT4:
				kpi_metric_add_float(m, i, (float8) DatumGetFloat4(value));
				break;
			case KPI_INPUT_NUMERIC:
			case KPI_INPUT_INTERVAL:
				kpis_add_datum(state, i, args->kinds[i], value);
				break;
		}
	}
	if (unlikely(state->rows == PG_INT64_MAX))
		kpis_overflow_error(-1, "row count");
	state->rows++;

	PG_RETURN_POINTER(state);
}

/* kpi_merge_transfn(internal, kpis): the state with one more kpis merged in. */
Datum
kpi_merge_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "kpi_merge_transfn");
	Kpis	   *value;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	value = PG_GETARG_KPIS_P(1);
	if (PG_ARGISNULL(0))
	{
		MemoryContext old = MemoryContextSwitchTo(aggcontext);
		Kpis	   *state = kpis_copy(value);

		MemoryContextSwitchTo(old);
		PG_RETURN_POINTER(state);
	}
	kpis_merge_into((Kpis *) PG_GETARG_POINTER(0), value);
	PG_RETURN_POINTER(PG_GETARG_POINTER(0));
}

/* kpis_agg_combine(internal, internal): the first partial state with the second merged in. */
Datum
kpis_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "kpis_agg_combine");

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	if (PG_ARGISNULL(0))
	{
		MemoryContext old = MemoryContextSwitchTo(aggcontext);
		Kpis	   *state = kpis_copy((Kpis *) PG_GETARG_POINTER(1));

		MemoryContextSwitchTo(old);
		PG_RETURN_POINTER(state);
	}
	kpis_merge_into((Kpis *) PG_GETARG_POINTER(0), (Kpis *) PG_GETARG_POINTER(1));
	PG_RETURN_POINTER(PG_GETARG_POINTER(0));
}

/* kpis_agg_serialize(internal): the partial state as bytea (its own bytes). */
Datum
kpis_agg_serialize(PG_FUNCTION_ARGS)
{
	aggregate_context(fcinfo, "kpis_agg_serialize");
	PG_RETURN_BYTEA_P(kpis_copy((Kpis *) PG_GETARG_POINTER(0)));
}

/* kpis_agg_deserialize(bytea, internal): the partial state read back from kpis_agg_serialize. */
Datum
kpis_agg_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	Size		len = VARSIZE_ANY_EXHDR(bytes);
	Kpis	   *state;

	if (len < KPIS_SIZE(1) - VARHDRSZ || len > KPIS_SIZE(KPIS_MAX_METRICS) - VARHDRSZ ||
		(len - (KPIS_HEADER_SIZE - VARHDRSZ)) % sizeof(KpiMetric) != 0)
		elog(ERROR, "kpis partial state of %zu bytes is malformed", len);
	/* in the per-tuple context: the combine function copies what it keeps */
	aggregate_context(fcinfo, "kpis_agg_deserialize");
	state = palloc(len + VARHDRSZ);
	SET_VARSIZE(state, len + VARHDRSZ);
	memcpy((char *) state + VARHDRSZ, VARDATA_ANY(bytes), len);
	PG_RETURN_POINTER(state);
}

/* kpis_agg_final(internal): the aggregated kpis, NULL when no row was aggregated. */
Datum
kpis_agg_final(PG_FUNCTION_ARGS)
{
	aggregate_context(fcinfo, "kpis_agg_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_KPIS_P(kpis_copy((Kpis *) PG_GETARG_POINTER(0)));
}
