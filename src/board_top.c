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

static void part_values(HeapTupleHeader part, Relation scopes, AttrNumber *cols, int nparts,
						Datum **values, bool **nulls);

bool
board_find_scope(Relation scopes, text *kind, DateADT start, ArrayType *part_columns,
				 HeapTupleHeader part, int64 *scope_id, bool *ranks_stored)
{
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
	part_values(part, scopes, cols + 2, nparts, &values, &nulls);

	index = (!id_col || !stored_col || !cols[0] || !cols[1]) ? NULL :
		board_index_on(scopes, nparts + 2, cols, false, AccessShareLock);
	if (index == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the index of \"%s\" on (period, period_start, partition columns) is missing",
						RelationGetRelationName(scopes)),
				 errhint("Run leaderboard.alter_board(board), which makes the indexes this version reads by.")));

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
	return found;
}

/*
 * The values of the partition record part (NULL: none, for a board without partition
 * columns), checked against the scopes' columns cols, into values and nulls.
 */
static void
part_values(HeapTupleHeader part, Relation scopes, AttrNumber *cols, int nparts,
			Datum **values_out, bool **nulls_out)
{
	Datum	   *values = NULL;
	bool	   *nulls = NULL;
	int			i;

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
			Oid			want = TupleDescAttr(RelationGetDescr(scopes), cols[i] - 1)->atttypid;

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
	*values_out = values;
	*nulls_out = nulls;
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

/* Appends row to rows (capacity grown as needed), a copy of the standings row in slot. */
static void
keep_row(TopRow **rows, int *nrows, int *capacity, TupleTableSlot *slot, int64 rank, int64 position)
{
	if (*nrows == *capacity)
	{
		*capacity = Max(16, *capacity * 2);
		*rows = *rows == NULL ? palloc(sizeof(TopRow) * *capacity) :
			repalloc(*rows, sizeof(TopRow) * *capacity);
	}
	(*rows)[*nrows].row = ExecCopySlotHeapTuple(slot);
	(*rows)[*nrows].rank = rank;
	(*rows)[*nrows].position = position;
	(*nrows)++;
}

/*
 * Reads the scope's rows through the score index backwards, best first, and puts out the
 * qualified rows ranked n or better in rank order, stopping at the first row ranked past
 * n. Ranks are the stored ones, or where the scope stores none (rank() boards only)
 * rank() counted as the rows go by: 1 + the qualified rows scoring higher, which are the
 * rows read before.
 */
void
board_read_top(BoardTopRead *read)
{
	BoardReadColumns *cols = read->cols;
	TupleTableSlot *slot = table_slot_create(read->standings, NULL);
	TupleTableSlot *out = MakeSingleTupleTableSlot(RelationGetDescr(read->standings), &TTSOpsHeapTuple);
	ScanKeyData key;
	IndexScanDesc scan;
	TopRow	   *rows = NULL;
	int			nrows = 0;
	int			capacity = 0;
	TopRow	   *unqualified = NULL;
	int			nunqualified = 0;
	int			unqualified_capacity = 0;
	int64		emitted = 0;
	int64		position = 0;
	int64		tie_rank = 0;
	int64		distinct = 0;
	double		last = 0;
	bool		exhausted = true;
	int			i;

	board_index_key(&key, read->score_index, 1, 0, BTEqualStrategyNumber, Int64GetDatum(read->scope_id));
	scan = index_beginscan(read->standings, read->score_index, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	while (index_getnext_slot(scan, BackwardScanDirection, slot))
	{
		bool		isnull;
		double		score;
		int64		stored;
		bool		stored_null;
		int64		counted;

		CHECK_FOR_INTERRUPTS();
		read->rows_read++;
		if (!DatumGetBool(slot_getattr(slot, cols->qualified, &isnull)))
		{
			/* no rank: kept, up to n, for a read that orders them after the ranked rows */
			if (read->with_unqualified && nunqualified < read->n)
				keep_row(&unqualified, &nunqualified, &unqualified_capacity, slot, 0, position);
			continue;
		}
		score = DatumGetFloat8(slot_getattr(slot, cols->score, &isnull));
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
		counted = read->dense ? distinct : tie_rank;
		if (counted > read->n)
		{
			exhausted = false;
			break;
		}
		stored = DatumGetInt64(slot_getattr(slot, cols->rank, &stored_null));
		if (!read->ranks_stored || stored_null)
			stored = counted;
		if (stored > read->n)
			continue;
		emitted++;
		/* rank() and dense_rank() order is the scan's: the row goes out as it is read */
		if (!read->row_number)
		{
			board_emit_ranked_row(read->out, read->desc, cols, slot, true, stored);
			continue;
		}
		keep_row(&rows, &nrows, &capacity, slot, stored, position);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);

	/* row_number(): a tie's rows in the order of their stored ranks */
	if (nrows > 1)
		qsort(rows, nrows, sizeof(TopRow), compare_top_rows);
	for (i = 0; i < nrows; i++)
	{
		ExecStoreHeapTuple(rows[i].row, out, false);
		board_emit_ranked_row(read->out, read->desc, cols, out, true, rows[i].rank);
	}

	/*
	 * Fewer than n ranked rows (the whole scope was read): the unqualified rows follow,
	 * with the rank they have, none, as ORDER BY rank puts them last
	 */
	for (i = 0; exhausted && i < nunqualified && emitted < read->n; i++, emitted++)
	{
		ExecStoreHeapTuple(unqualified[i].row, out, false);
		board_emit_row(read->out, read->desc, cols, out);
	}
	ExecDropSingleTupleTableSlot(out);
}

/*
 * Opens the board's standings as read's, with the score index and the result columns
 * mapped, for board_read_top (close them with board_end_top).
 */
void
board_begin_top(BoardTopRead *read, Relation standings, const char *agent_column, TupleDesc result)
{
	AttrNumber	keycols[3];
	AttrNumber	agent_att = board_column(standings, agent_column);

	read->standings = standings;
	read->cols = palloc(sizeof(BoardReadColumns));
	read->desc = result;
	board_map_result_columns(read->cols, standings, result, agent_column,
							 TupleDescAttr(RelationGetDescr(standings), agent_att - 1)->atttypid);
	keycols[0] = read->cols->scope_id;
	keycols[1] = read->cols->score;
	keycols[2] = read->cols->agent;
	read->score_index = board_index_on(standings, 3, keycols, false, AccessShareLock);
	if (read->score_index == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the index of \"%s\" on (scope_id, score, agent) is missing",
						RelationGetRelationName(standings)),
				 errhint("Run leaderboard.alter_board(board), which makes the indexes this version reads by.")));
}

void
board_end_top(BoardTopRead *read)
{
	index_close(read->score_index, AccessShareLock);
	table_close(read->standings, AccessShareLock);
}

/* The rank style of style (rank, dense_rank, row_number) into read; 22023 for another. */
void
board_top_style(BoardTopRead *read, const char *style)
{
	board_check_rank_style(style);
	read->dense = strcmp(style, "dense_rank") == 0;
	read->row_number = strcmp(style, "row_number") == 0;
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
	BoardTopRead read = {0};
	Relation	scopes;
	text	   *kind;
	int32		n;
	DateADT		start;
	bool		found;
	int			i;

	for (i = 0; i <= 5; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of leaderboard._top must not be NULL", i + 1)));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (PG_ARGISNULL(7) || PG_ARGISNULL(8))
		PG_RETURN_NULL();
	kind = PG_GETARG_TEXT_PP(7);
	n = PG_GETARG_INT32(8);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE),
				 errmsg("n must not be negative")));
	board_top_style(&read, text_to_cstring(PG_GETARG_TEXT_PP(3)));
	read.n = n;
	read.out = rsinfo->setResult;
	start = board_current_period_start(kind, PG_GETARG_TEXT_PP(2));
	if (n == 0)
		PG_RETURN_NULL();
	scopes = board_open_for_read(PG_GETARG_OID(1), "the top-N function");
	found = board_find_scope(scopes, kind, start,
							 PG_GETARG_ARRAYTYPE_P(5),
							 PG_ARGISNULL(6) ? NULL : PG_GETARG_HEAPTUPLEHEADER(6),
							 &read.scope_id, &read.ranks_stored);
	table_close(scopes, AccessShareLock);
	if (!found)
		PG_RETURN_NULL();
	board_begin_top(&read, board_open_for_read(PG_GETARG_OID(0), "the top-N function"),
					text_to_cstring(PG_GETARG_TEXT_PP(4)), rsinfo->setDesc);
	board_read_top(&read);
	board_end_top(&read);
	PG_RETURN_NULL();
}
