/*
 * board_around.c: an agent's neighbours on a board, read straight from the indexes.
 *
 * <board>_around(agent, period, width) is the read applications run most ("where am I,
 * who is just above me"). As a SQL query it is an index lookup of the agent's rows and two
 * LIMITed index scans per scope, and its executor start-up costs more than the reads; this
 * does the same reads by hand: the agent's rows in the current period of the kind through
 * the standings key (agent, period, period_start, scope_id), then in each of their scopes the width
 * qualified rows ranked just above and just below, through the (scope_id, score, agent)
 * index. <board>_around is an inlinable SQL function calling this with the standings
 * table and the board's time zone.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "board_index.h"
#include "board_reads.h"

/*
 * A scan of the scope's rows next to (score, agent) in the score index, in direction dir:
 * above it (ForwardScanDirection, the nearest first) or below it (Backward...). The row
 * comparison (score, agent) > or < the agent's is a btree row-comparison key.
 */
static IndexScanDesc
begin_neighbour_scan(Relation standings, Relation score_index, Datum scope_id, Datum score,
					 Datum agent, ScanDirection dir)
{
	StrategyNumber strategy = ScanDirectionIsForward(dir) ? BTGreaterStrategyNumber :
		BTLessStrategyNumber;
	ScanKeyData keys[2];
	ScanKeyData *row = palloc(sizeof(ScanKeyData) * 2);
	IndexScanDesc scan;

	board_index_key(&keys[0], score_index, 1, 0, BTEqualStrategyNumber, scope_id);
	board_index_key(&row[0], score_index, 2, SK_ROW_MEMBER, strategy, score);
	board_index_key(&row[1], score_index, 3, SK_ROW_MEMBER | SK_ROW_END, strategy, agent);
	ScanKeyEntryInitialize(&keys[1], SK_ROW_HEADER, 2, strategy, InvalidOid, InvalidOid,
						   InvalidOid, PointerGetDatum(row));
	scan = index_beginscan(standings, score_index, GetActiveSnapshot(), 2, 0);
	index_rescan(scan, keys, 2, NULL, 0);
	return scan;
}

/* Up to width qualified rows of the scope next to (score, agent), the nearest first. */
static List *
neighbours(Relation standings, Relation score_index, BoardReadColumns *cols, TupleTableSlot *slot,
		   Datum scope_id, Datum score, Datum agent, int width, ScanDirection dir)
{
	IndexScanDesc scan = begin_neighbour_scan(standings, score_index, scope_id, score, agent, dir);
	List	   *rows = NIL;

	while (list_length(rows) < width && index_getnext_slot(scan, dir, slot))
	{
		bool		isnull;

		if (DatumGetBool(slot_getattr(slot, cols->qualified, &isnull)))
			rows = lappend(rows, ExecCopySlotHeapTuple(slot));
	}
	index_endscan(scan);
	return rows;
}

/*
 * Of a row_number board: the qualified rows of the scope next to (score, agent) in the
 * score index in direction dir, enough to hold the width rows ranked nearest the agent on
 * that side. A row_number board ranks tied scores by its tie-break chain and then the
 * agent, not in the index's order: so these are every row tied with the agent, then
 * rows of other scores up to width of them and the rest of the last one's score.
 */
static List *
tied_neighbours(Relation standings, Relation score_index, BoardReadColumns *cols,
				TupleTableSlot *slot, Datum scope_id, Datum score, Datum agent, int width,
				ScanDirection dir)
{
	IndexScanDesc scan = begin_neighbour_scan(standings, score_index, scope_id, score, agent, dir);
	List	   *rows = NIL;
	double		mine = DatumGetFloat8(score);
	double		last = mine;
	int			others = 0;

	while (index_getnext_slot(scan, dir, slot))
	{
		bool		isnull;
		double		s;

		CHECK_FOR_INTERRUPTS();
		if (!DatumGetBool(slot_getattr(slot, cols->qualified, &isnull)))
			continue;
		s = DatumGetFloat8(slot_getattr(slot, cols->score, &isnull));
		if (s != mine && s != last)
		{
			if (others >= width)
				break;
			last = s;
		}
		if (s != mine)
			others++;
		rows = lappend(rows, ExecCopySlotHeapTuple(slot));
	}
	index_endscan(scan);
	return rows;
}

/* Orders rows of one scope of a row_number board by their stored rank. */
static TupleDesc rank_order_desc;
static AttrNumber rank_order_att;

static int
compare_stored_ranks(const ListCell *a, const ListCell *b)
{
	bool		isnull;
	int64		x = DatumGetInt64(heap_getattr(lfirst(a), rank_order_att, rank_order_desc, &isnull));
	int64		y = DatumGetInt64(heap_getattr(lfirst(b), rank_order_att, rank_order_desc, &isnull));

	return (x > y) - (x < y);
}

/*
 * The agent's row (me) and the width rows ranked just above and below it, by rank, in a
 * scope of a row_number board (every qualified row has its rank stored). An unqualified
 * agent has no rank and comes after every qualified row: its neighbours are the width
 * lowest-ranked rows scoring at least its score and the width best-ranked scoring less.
 */
static List *
row_number_neighbours(Relation standings, Relation score_index, BoardReadColumns *cols,
					  TupleTableSlot *slot, Datum scope_id, Datum score, Datum agent,
					  HeapTuple me, int width)
{
	TupleDesc	desc = RelationGetDescr(standings);
	List	   *rows = list_concat(tied_neighbours(standings, score_index, cols, slot, scope_id,
												 score, agent, width, ForwardScanDirection),
								   tied_neighbours(standings, score_index, cols, slot, scope_id,
												   score, agent, width, BackwardScanDirection));
	List	   *above = NIL;
	List	   *below = NIL;
	bool		unranked;
	int64		rank = DatumGetInt64(heap_getattr(me, cols->rank, desc, &unranked));
	double		mine = DatumGetFloat8(score);
	ListCell   *lc;

	rank_order_desc = desc;
	rank_order_att = cols->rank;
	list_sort(rows, compare_stored_ranks);
	foreach(lc, rows)
	{
		bool		isnull;
		int64		r = DatumGetInt64(heap_getattr(lfirst(lc), cols->rank, desc, &isnull));
		double		s = DatumGetFloat8(heap_getattr(lfirst(lc), cols->score, desc, &isnull));

		if (unranked ? s >= mine : r < rank)
			above = lappend(above, lfirst(lc));
		else
			below = lappend(below, lfirst(lc));
	}
	/* the width nearest on each side: the last of above, the first of below */
	while (list_length(above) > width)
		above = list_delete_first(above);
	while (list_length(below) > width)
		below = list_delete_last(below);
	return list_concat(lappend(above, me), below);
}

/* Orders the agent's rows by scope id. */
static int
compare_scope_ids(const ListCell *a, const ListCell *b)
{
	int64		x = DatumGetInt64(((Datum *) lfirst(a))[0]);
	int64		y = DatumGetInt64(((Datum *) lfirst(b))[0]);

	return (x > y) - (x < y);
}

/*
 * Gives the qualified rows of out (one scope's rows, by score descending) that have no
 * stored rank (a scope too large to store ranks) their rank(): reads the scope's
 * qualified rows from the top of the score index down to the last of those rows.
 */
static void
fill_missing_ranks(Relation standings, Relation score_index, BoardReadColumns *cols,
				   TupleTableSlot *slot, Datum scope_id, List *out)
{
	TupleDesc	desc = RelationGetDescr(standings);
	Form_pg_attribute agent_att = TupleDescAttr(desc, cols->agent - 1);
	ListCell  **unranked = palloc(sizeof(ListCell *) * list_length(out));
	int			missing = 0;
	ListCell   *lc;
	ScanKeyData key;
	IndexScanDesc scan;
	int64		seen = 0;
	int64		rank = 0;
	double		last = 0;

	foreach(lc, out)
	{
		bool		isnull;

		(void) heap_getattr(lfirst(lc), cols->rank, desc, &isnull);
		if (isnull && DatumGetBool(heap_getattr(lfirst(lc), cols->qualified, desc, &isnull)))
			unranked[missing++] = lc;
	}
	if (missing == 0)
		return;

	board_index_key(&key, score_index, 1, 0, BTEqualStrategyNumber, scope_id);
	scan = index_beginscan(standings, score_index, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	while (missing > 0 && index_getnext_slot(scan, BackwardScanDirection, slot))
	{
		bool		isnull;
		double		score;
		Datum		agent;
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (!DatumGetBool(slot_getattr(slot, cols->qualified, &isnull)))
			continue;
		/* rank() = 1 + the qualified rows scoring higher: ties share it */
		score = DatumGetFloat8(slot_getattr(slot, cols->score, &isnull));
		if (seen == 0 || score < last)
		{
			rank = seen + 1;
			last = score;
		}
		seen++;
		agent = slot_getattr(slot, cols->agent, &isnull);
		for (i = 0; i < missing; i++)
		{
			HeapTuple	row = lfirst(unranked[i]);

			if (datumIsEqual(heap_getattr(row, cols->agent, desc, &isnull), agent,
							 agent_att->attbyval, agent_att->attlen))
			{
				lfirst(unranked[i]) = board_with_column(desc, row, cols->rank,
														Int64GetDatum(rank), false);
				unranked[i] = unranked[--missing];
				break;
			}
		}
	}
	index_endscan(scan);
}

PG_FUNCTION_INFO_V1(board_around);
/*
 * _around(standings, time_zone, agent, period, width, agent_column) returns the agent's rows
 * in the current period of the kind and width qualified rows above and below each, per
 * scope (by scope id) by score and agent descending, as the columns the caller names.
 */
Datum
board_around(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			standings_oid = PG_GETARG_OID(0);
	text	   *tz = PG_GETARG_TEXT_PP(1);
	Datum		agent = PG_GETARG_DATUM(2);
	text	   *kind = PG_GETARG_TEXT_PP(3);
	int32		width = PG_GETARG_INT32(4);
	char	   *agent_column = text_to_cstring(PG_GETARG_TEXT_PP(5));
	/* the rank style: row_number ranks tied agents otherwise than the index orders them */
	const char *style = PG_NARGS() > 6 ? text_to_cstring(PG_GETARG_TEXT_PP(6)) : "rank";
	bool		row_number = strcmp(style, "row_number") == 0;
	DateADT		start;
	Relation	standings;
	Relation	key_index;
	Relation	score_index;
	AttrNumber	keycols[4];
	BoardReadColumns cols;
	TupleTableSlot *slot;		/* rows as scanned */
	TupleTableSlot *out;		/* rows as copied, to emit */
	ScanKeyData keys[3];
	IndexScanDesc scan;
	List	   *mine = NIL;
	ListCell   *lc;

	board_check_rank_style(style);
	if (width < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE),
				 errmsg("width must not be negative")));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	start = board_current_period_start(kind, tz);

	/* the caller reads the standings: its own rights and row security apply, as in SQL */
	standings = board_open_for_read(standings_oid, "the around-me function");
	board_map_result_columns(&cols, standings, rsinfo->setDesc, agent_column,
					   get_fn_expr_argtype(fcinfo->flinfo, 2));

	/* the key (agent, period, period_start, scope_id): the agent's rows of a period */
	keycols[0] = cols.agent;
	keycols[1] = cols.period;
	keycols[2] = cols.period_start;
	keycols[3] = cols.scope_id;
	key_index = board_index_on(standings, 4, keycols, true, AccessShareLock);
	keycols[0] = cols.scope_id;
	keycols[1] = cols.score;
	keycols[2] = cols.agent;
	score_index = board_index_on(standings, 3, keycols, false, AccessShareLock);
	if (key_index == NULL || score_index == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the indexes of \"%s\" on (agent, period, period_start, scope_id) and (scope_id, score, agent) are missing",
						RelationGetRelationName(standings)),
				 errhint("Rebuild the board's standings: drop and create the board.")));
	slot = table_slot_create(standings, NULL);
	out = MakeSingleTupleTableSlot(RelationGetDescr(standings), &TTSOpsHeapTuple);

	/* the agent's rows: one per scope of the period */
	board_index_key(&keys[0], key_index, 1, 0, BTEqualStrategyNumber, agent);
	board_index_key(&keys[1], key_index, 2, 0, BTEqualStrategyNumber, PointerGetDatum(kind));
	board_index_key(&keys[2], key_index, 3, 0, BTEqualStrategyNumber, DateADTGetDatum(start));
	scan = index_beginscan(standings, key_index, GetActiveSnapshot(), 3, 0);
	index_rescan(scan, keys, 3, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		Datum	   *me = palloc(sizeof(Datum) * 3 + sizeof(HeapTuple));
		bool		isnull;

		CHECK_FOR_INTERRUPTS();
		me[0] = slot_getattr(slot, cols.scope_id, &isnull);
		me[1] = slot_getattr(slot, cols.score, &isnull);
		me[2] = PointerGetDatum(ExecCopySlotHeapTuple(slot));
		mine = lappend(mine, me);
	}
	index_endscan(scan);
	list_sort(mine, compare_scope_ids);

	foreach(lc, mine)
	{
		Datum	   *me = lfirst(lc);
		HeapTuple	me_row = (HeapTuple) DatumGetPointer(me[2]);
		List	   *rows = NIL;
		ListCell   *rc;

		if (row_number)
			rows = row_number_neighbours(standings, score_index, &cols, slot, me[0], me[1],
										 agent, me_row, width);
		else
		{
			List	   *above = neighbours(standings, score_index, &cols, slot, me[0], me[1],
										   agent, width, ForwardScanDirection);
			List	   *below = neighbours(standings, score_index, &cols, slot, me[0], me[1],
										   agent, width, BackwardScanDirection);
			int			i;

			/* above comes nearest first: from the top down, then the agent, then below */
			for (i = list_length(above) - 1; i >= 0; i--)
				rows = lappend(rows, list_nth(above, i));
			rows = lappend(rows, me_row);
			rows = list_concat(rows, below);
			fill_missing_ranks(standings, score_index, &cols, slot, me[0], rows);
		}
		foreach(rc, rows)
		{
			ExecStoreHeapTuple(lfirst(rc), out, false);
			board_emit_row(rsinfo->setResult, rsinfo->setDesc, &cols, out);
		}
	}

	ExecDropSingleTupleTableSlot(out);
	ExecDropSingleTupleTableSlot(slot);
	index_close(score_index, AccessShareLock);
	index_close(key_index, AccessShareLock);
	table_close(standings, AccessShareLock);
	return (Datum) 0;
}
