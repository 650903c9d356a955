/*
 * board_top.c: the best-ranked rows of one scope of a board, read best first from the
 * score index.
 *
 * <board>_top(partition values, period, n) is the top-N read of a wallboard ("who leads my
 * team this month"). <board>_current ... ORDER BY rank LIMIT n reads and sorts its whole
 * scope, because rank is in no index: an index on it would make every re-ranking update
 * of a writer a non-HOT one (a third of single-row INSERT throughput, measured). This
 * finds the scope by the scopes' (period, period_start, partition) index and reads its
 * rows through the (scope_id, score, agent) index backwards, best first, stopping at the
 * first row ranked past n. Ranks are the stored ones, or in scopes too large to store them
 * (rank() boards only) rank() counted as the rows go by: 1 + the qualified rows scoring
 * higher, which are the rows read before. <board>_top is an inlinable SQL function
 * calling this with the board's tables, time zone and rank style.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

#include "board_context.h"
#include "board_index.h"
#include "board_reads.h"

/*
 * The scope of the period of kind starting at start with the partition values of the
 * record part (NULL: a board without partition columns; a NULL value is a scope of its
 * own), named by the scopes' columns in part_columns: false when there is none. Found by
 * the scopes' (period, period_start, partition...) index.
 */
static bool
find_scope(Oid scopes_oid, text *kind, DateADT start, ArrayType *part_columns,
		   HeapTupleHeader part, int64 *scope_id, bool *ranks_stored)
{
	Relation	scopes = board_open_for_read(scopes_oid, "the top-N function");
	Datum	   *names = NULL;
	int			nparts = 0;
	Datum	   *values = NULL;
	bool	   *nulls = NULL;
	AttrNumber *cols;
	ScanKeyData *keys;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	id_col = board_typed_column(scopes, "scope_id", INT8OID);
	AttrNumber	stored_col = board_typed_column(scopes, "ranks_stored", BOOLOID);
	bool		found = false;
	int			i;

	deconstruct_array(part_columns, TEXTOID, -1, false, TYPALIGN_INT, &names, NULL, &nparts);
	cols = palloc(sizeof(AttrNumber) * (nparts + 2));
	cols[0] = board_typed_column(scopes, "period", TEXTOID);
	cols[1] = board_typed_column(scopes, "period_start", DATEOID);
	for (i = 0; i < nparts; i++)
		cols[i + 2] = board_column(scopes, TextDatumGetCString(names[i]));
	if (part != NULL)
	{
		TupleDesc	part_desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(part),
													   HeapTupleHeaderGetTypMod(part));
		HeapTupleData tuple;

		if (part_desc->natts != nparts)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%d partition values given for %d partition columns",
							part_desc->natts, nparts)));
		tuple.t_len = HeapTupleHeaderGetDatumLength(part);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = part;
		values = palloc(sizeof(Datum) * nparts);
		nulls = palloc(sizeof(bool) * nparts);
		heap_deform_tuple(&tuple, part_desc, values, nulls);
		for (i = 0; i < nparts; i++)
		{
			Oid			want = TupleDescAttr(RelationGetDescr(scopes), cols[i + 2] - 1)->atttypid;

			if (TupleDescAttr(part_desc, i)->atttypid != want)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("partition value %d has type %s, not %s", i + 1,
								format_type_be(TupleDescAttr(part_desc, i)->atttypid),
								format_type_be(want))));
		}
		ReleaseTupleDesc(part_desc);
	}
	else if (nparts > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no partition values given for %d partition columns", nparts)));

	index = (!id_col || !stored_col || !cols[0] || !cols[1]) ? NULL :
		board_index_on(scopes, nparts + 2, cols, false, AccessShareLock);
	if (index == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the index of \"%s\" on (period, period_start, partition columns) is missing",
						RelationGetRelationName(scopes)),
				 errhint("Rebuild the board's tables: drop and create the board.")));

	keys = palloc(sizeof(ScanKeyData) * (nparts + 2));
	board_index_key(&keys[0], index, 1, 0, BTEqualStrategyNumber, PointerGetDatum(kind));
	board_index_key(&keys[1], index, 2, 0, BTEqualStrategyNumber, DateADTGetDatum(start));
	for (i = 0; i < nparts; i++)
	{
		if (nulls[i])
			ScanKeyEntryInitialize(&keys[i + 2], SK_ISNULL | SK_SEARCHNULL, i + 3,
								   InvalidStrategy, InvalidOid, InvalidOid, InvalidOid, (Datum) 0);
		else
			board_index_key(&keys[i + 2], index, i + 3, 0, BTEqualStrategyNumber, values[i]);
	}
	slot = table_slot_create(scopes, NULL);
	scan = index_beginscan(scopes, index, GetActiveSnapshot(), nparts + 2, 0);
	index_rescan(scan, keys, nparts + 2, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;

		*scope_id = DatumGetInt64(slot_getattr(slot, id_col, &isnull));
		*ranks_stored = DatumGetBool(slot_getattr(slot, stored_col, &isnull));
		found = true;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	table_close(scopes, AccessShareLock);
	return found;
}

/* A row of a row_number() board's result: its standings row, rank, and where it was read. */
typedef struct TopRow
{
	HeapTuple	row;
	int64		rank;
	int64		position;
} TopRow;

static int
compare_top_rows(const void *a, const void *b)
{
	const TopRow *x = a;
	const TopRow *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return (x->position > y->position) - (x->position < y->position);
}

PG_FUNCTION_INFO_V1(board_top);
/*
 * _top(standings, scopes, time_zone, rank_style, agent_column, partition_columns,
 * partition record, period, n) returns the qualified rows of the scope ranked n or better
 * in the current period of the kind, by rank, as the columns the caller names. Ties at
 * rank n are all in (more than n rows with rank() and dense_rank()). No scope, a NULL
 * period or n: no rows.
 */
Datum
board_top(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			standings_oid;
	Oid			scopes_oid;
	text	   *tz;
	char	   *style;
	char	   *agent_column;
	text	   *kind;
	int32		n;
	DateADT		start;
	int64		scope_id;
	bool		ranks_stored;
	bool		dense;
	bool		row_number;
	Relation	standings;
	Relation	score_index;
	AttrNumber	keycols[3];
	BoardReadColumns cols;
	TupleTableSlot *slot;
	TupleTableSlot *out;
	TupleDesc	desc;
	ScanKeyData key;
	IndexScanDesc scan;
	TopRow	   *rows = NULL;
	int			nrows = 0;
	int			capacity = 0;
	int64		position = 0;
	int64		tie_rank = 0;
	int64		distinct = 0;
	double		last = 0;
	int			i;

	for (i = 0; i <= 5; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of leaderboard._top must not be NULL", i + 1)));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (PG_ARGISNULL(7) || PG_ARGISNULL(8))
		PG_RETURN_NULL();
	standings_oid = PG_GETARG_OID(0);
	scopes_oid = PG_GETARG_OID(1);
	tz = PG_GETARG_TEXT_PP(2);
	style = text_to_cstring(PG_GETARG_TEXT_PP(3));
	agent_column = text_to_cstring(PG_GETARG_TEXT_PP(4));
	kind = PG_GETARG_TEXT_PP(7);
	n = PG_GETARG_INT32(8);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE),
				 errmsg("n must not be negative")));
	if (strcmp(style, "rank") != 0 && strcmp(style, "dense_rank") != 0 &&
		strcmp(style, "row_number") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown rank style \"%s\"", style)));
	dense = strcmp(style, "dense_rank") == 0;
	row_number = strcmp(style, "row_number") == 0;
	start = board_current_period_start(kind, tz);
	if (n == 0 ||
		!find_scope(scopes_oid, kind, start, PG_GETARG_ARRAYTYPE_P(5),
					PG_ARGISNULL(6) ? NULL : PG_GETARG_HEAPTUPLEHEADER(6), &scope_id, &ranks_stored))
		PG_RETURN_NULL();

	standings = board_open_for_read(standings_oid, "the top-N function");
	desc = RelationGetDescr(standings);
	{
		AttrNumber	agent_att = board_column(standings, agent_column);

		board_map_result_columns(&cols, standings, rsinfo->setDesc, agent_column,
								 TupleDescAttr(desc, agent_att - 1)->atttypid);
	}
	keycols[0] = cols.scope_id;
	keycols[1] = cols.score;
	keycols[2] = cols.agent;
	score_index = board_index_on(standings, 3, keycols, false, AccessShareLock);
	if (score_index == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the index of \"%s\" on (scope_id, score, agent) is missing",
						RelationGetRelationName(standings)),
				 errhint("Rebuild the board's standings: drop and create the board.")));
	slot = table_slot_create(standings, NULL);
	out = MakeSingleTupleTableSlot(desc, &TTSOpsHeapTuple);

	/* the scope's rows, best first; unqualified ones have no rank and are passed over */
	board_index_key(&key, score_index, 1, 0, BTEqualStrategyNumber, Int64GetDatum(scope_id));
	scan = index_beginscan(standings, score_index, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	while (index_getnext_slot(scan, BackwardScanDirection, slot))
	{
		bool		isnull;
		double		score;
		int64		stored;
		bool		stored_null;
		int64		counted;

		CHECK_FOR_INTERRUPTS();
		if (!DatumGetBool(slot_getattr(slot, cols.qualified, &isnull)))
			continue;
		score = DatumGetFloat8(slot_getattr(slot, cols.score, &isnull));
		position++;
		if (position == 1 || score < last)
		{
			/* a new score: rank() is where it starts, dense_rank() how many scores so far */
			tie_rank = position;
			distinct++;
			last = score;
		}
		/*
		 * rows tied share rank() and dense_rank(); row_number() splits a tie by the
		 * tie_break chain, which only the stored ranks know: a tie starting at or above n
		 * is read to its end, and its rows stored past n are left out
		 */
		counted = dense ? distinct : tie_rank;
		if (counted > n)
			break;
		stored = DatumGetInt64(slot_getattr(slot, cols.rank, &stored_null));
		if (!ranks_stored || stored_null)
			stored = counted;
		if (stored > n)
			continue;
		/* rank() and dense_rank() order is the scan's: the row goes out as it is read */
		if (!row_number)
		{
			board_emit_ranked_row(rsinfo->setResult, rsinfo->setDesc, &cols, slot, true, stored);
			continue;
		}
		if (nrows == capacity)
		{
			capacity = Max(16, capacity * 2);
			rows = rows == NULL ? palloc(sizeof(TopRow) * capacity) :
				repalloc(rows, sizeof(TopRow) * capacity);
		}
		rows[nrows].row = ExecCopySlotHeapTuple(slot);
		rows[nrows].rank = stored;
		rows[nrows].position = position;
		nrows++;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);

	/* row_number(): a tie's rows in the order of their stored ranks */
	if (nrows > 1)
		qsort(rows, nrows, sizeof(TopRow), compare_top_rows);
	for (i = 0; i < nrows; i++)
	{
		ExecStoreHeapTuple(rows[i].row, out, false);
		board_emit_ranked_row(rsinfo->setResult, rsinfo->setDesc, &cols, out, true, rows[i].rank);
	}
	ExecDropSingleTupleTableSlot(out);
	index_close(score_index, AccessShareLock);
	table_close(standings, AccessShareLock);
	PG_RETURN_NULL();
}
