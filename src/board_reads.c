/*
 * board_reads.c: what the index-speed reads of a board share: opening its tables as the
 * caller, the start of the current period, and result rows made of standings columns
 * matched by name.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "fmgr.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/timestamp.h"

#include "board_context.h"
#include "board_index.h"
#include "board_reads.h"

/*
 * Checks that the caller may read a board table as a read function does: with the
 * caller's SELECT right (42501 otherwise), and not under row-level security (0A000),
 * which these index reads would not apply.
 */
void
board_check_read(Oid relid, const char *reader)
{
	require_select_privilege(relid);
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("row-level security on \"%s\" is not supported by %s",
						get_rel_name(relid), reader),
				 errhint("Query the board's tables or views with SQL instead.")));
}

/* Opens a board table a read function reads as its caller, checked by board_check_read. */
Relation
board_open_for_read(Oid relid, const char *reader)
{
	board_check_read(relid, reader);
	return table_open(relid, AccessShareLock);
}

void
board_check_rank_style(const char *style)
{
	if (strcmp(style, "rank") != 0 && strcmp(style, "dense_rank") != 0 &&
		strcmp(style, "row_number") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown rank style \"%s\"", style)));
}

int
board_period_kind(text *kind)
{
	static const char *const kinds[] = {"day", "week", "month", "quarter", "year", "all"};
	char	   *name = text_to_cstring(kind);
	int			i;

	for (i = 0; i < lengthof(kinds); i++)
		if (strcmp(name, kinds[i]) == 0)
			return i;
	return -1;
}

/* Start of the current period of kind (day .. year, all) in time zone tz. */
DateADT
board_current_period_start(text *kind, text *tz)
{
	char	   *name = text_to_cstring(kind);
	Timestamp	local;

	if (board_period_kind(kind) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown period kind \"%s\"", name),
				 errhint("Use day, week, month, quarter, year or all.")));
	if (strcmp(name, "all") == 0)
	{
		DateADT		d;

		DATE_NOBEGIN(d);
		return d;
	}
	local = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone, PointerGetDatum(tz),
												  TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())));
	local = DatumGetTimestamp(DirectFunctionCall2(timestamp_trunc, PointerGetDatum(kind),
												  TimestampGetDatum(local)));
	return DatumGetDateADT(DirectFunctionCall1(timestamp_date, TimestampGetDatum(local)));
}

PG_FUNCTION_INFO_V1(board_current_period_start_sql);
/*
 * _current_period_start(kind, time_zone): the start of the current period of the kind in
 * the time zone, as <board>_current finds its scopes by it.
 */
Datum
board_current_period_start_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(board_current_period_start(PG_GETARG_TEXT_PP(0), PG_GETARG_TEXT_PP(1)));
}

void
board_map_result_columns(BoardReadColumns *cols, Relation standings, TupleDesc result,
				   const char *agent_column, Oid agent_type)
{
	TupleDesc	desc = RelationGetDescr(standings);
	int			i;

	cols->natts = result->natts;
	cols->from = palloc(sizeof(AttrNumber) * result->natts);
	for (i = 0; i < result->natts; i++)
	{
		Form_pg_attribute r = TupleDescAttr(result, i);
		AttrNumber	att = board_column(standings, NameStr(r->attname));

		if (TupleDescAttr(desc, att - 1)->atttypid != r->atttypid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of \"%s\" has type %s, not %s",
							NameStr(r->attname), RelationGetRelationName(standings),
							format_type_be(TupleDescAttr(desc, att - 1)->atttypid),
							format_type_be(r->atttypid))));
		cols->from[i] = att;
	}
	cols->scope_id = board_typed_column(standings, "scope_id", INT8OID);
	cols->agent = board_typed_column(standings, agent_column, agent_type);
	cols->period = board_typed_column(standings, "period", TEXTOID);
	cols->period_start = board_typed_column(standings, "period_start", DATEOID);
	cols->score = board_typed_column(standings, "score", FLOAT8OID);
	cols->qualified = board_typed_column(standings, "qualified", BOOLOID);
	cols->rank = board_typed_column(standings, "rank", INT8OID);
	if (!cols->scope_id || !cols->agent || !cols->period || !cols->period_start ||
		!cols->score || !cols->qualified || !cols->rank)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("\"%s\" is not shaped like the standings of a board with agent column \"%s\" of type %s",
						RelationGetRelationName(standings), agent_column, format_type_be(agent_type))));
}

void
board_emit_row(Tuplestorestate *out, TupleDesc result, BoardReadColumns *cols, TupleTableSlot *row)
{
	board_emit_ranked_row(out, result, cols, row, false, 0);
}

void
board_emit_ranked_row(Tuplestorestate *out, TupleDesc result, BoardReadColumns *cols,
					  TupleTableSlot *row, bool set_rank, int64 rank)
{
	Datum	   *values = palloc(sizeof(Datum) * cols->natts);
	bool	   *nulls = palloc(sizeof(bool) * cols->natts);
	int			i;

	for (i = 0; i < cols->natts; i++)
	{
		if (set_rank && cols->from[i] == cols->rank)
		{
			values[i] = Int64GetDatum(rank);
			nulls[i] = false;
		}
		else
			values[i] = slot_getattr(row, cols->from[i], &nulls[i]);
	}
	tuplestore_putvalues(out, result, values, nulls);
	pfree(values);
	pfree(nulls);
}
