/*
 * board_reads.h: what the index-speed reads of a board (<board>_around, <board>_top) share:
 * the current period's start, and result rows made of standings columns matched by name.
 */
#ifndef LEADERBOARD_BOARD_READS_H
#define LEADERBOARD_BOARD_READS_H

#include "postgres.h"

#include "executor/tuptable.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/relcache.h"
#include "utils/tuplestore.h"

/* The standings columns a read's result is made of, matched by name. */
typedef struct BoardReadColumns
{
	int			natts;
	AttrNumber *from;			/* standings attribute of each result column */
	AttrNumber	scope_id, agent, period, period_start, score, qualified, rank;
} BoardReadColumns;

/*
 * Checks relid for a read function that reads it as its caller: 42501 without SELECT on
 * it, 0A000 under row-level security (reader names the function in the message).
 */
extern void board_check_read(Oid relid, const char *reader);
/* The same, then opens it. */
extern Relation board_open_for_read(Oid relid, const char *reader);

/* Raises 22023 unless style is a rank style: rank, dense_rank or row_number. */
extern void board_check_rank_style(const char *style);

/* The index of a period kind in day, week, month, quarter, year, all; -1 for another. */
extern int	board_period_kind(text *kind);

/* Start of the current period of kind (day .. year, all) in time zone tz; 22023 for another kind. */
extern DateADT board_current_period_start(text *kind, text *tz);

/*
 * Maps each column of result to the standings column of its name and type, and finds the
 * columns the reads scan by; 42804 when standings is not shaped like a board's.
 */
extern void board_map_result_columns(BoardReadColumns *cols, Relation standings, TupleDesc result,
									 const char *agent_column, Oid agent_type);

/* Appends the result columns of the standings row in slot to out. */
extern void board_emit_row(Tuplestorestate *out, TupleDesc result, BoardReadColumns *cols,
						   TupleTableSlot *row);

/* The same with the rank column given (set_rank), as read functions that count ranks do. */
extern void board_emit_ranked_row(Tuplestorestate *out, TupleDesc result, BoardReadColumns *cols,
								  TupleTableSlot *row, bool set_rank, int64 rank);

/*
 * The scope of the period of kind starting at start with the partition values of the
 * record part (NULL: a board without partition columns; a NULL value is a scope of its
 * own), named by the scopes' columns in part_columns: false when there is none. Found by
 * the scopes' (period, period_start, partition...) index.
 */
extern bool board_find_scope(Relation scopes, text *kind, DateADT start, ArrayType *part_columns,
							 HeapTupleHeader part, int64 *scope_id, bool *ranks_stored);

/* A top-N read of one scope (board_top.c). */
typedef struct BoardTopRead
{
	Relation	standings;
	Relation	score_index;	/* on (scope_id, score, agent) */
	BoardReadColumns *cols;
	int64		scope_id;
	bool		ranks_stored;	/* false: rank() counted as the rows are read */
	bool		dense;			/* dense_rank() */
	bool		row_number;		/* row_number(): ties split by the stored ranks */
	int64		n;				/* the rows ranked n or better */
	bool		with_unqualified;	/* then, up to n rows in all, unqualified rows */
	int64		rows_read;		/* out: the scope's rows the read came by */
	Tuplestorestate *out;
	TupleDesc	desc;
} BoardTopRead;

/* Sets read's rank style from its name; 22023 for one that is none. */
extern void board_top_style(BoardTopRead *read, const char *style);
/* Takes standings (opened) for read, with its score index and result's columns mapped. */
extern void board_begin_top(BoardTopRead *read, Relation standings, const char *agent_column,
							TupleDesc result);
/* Puts read's rows out, in rank order. */
extern void board_read_top(BoardTopRead *read);
/* Closes what board_begin_top opened. */
extern void board_end_top(BoardTopRead *read);

#endif
