/*
 * board_index.h: finding a board table's columns and indexes, keys to scan them, and
 * rows with one column replaced.
 */
#ifndef LEADERBOARD_BOARD_INDEX_H
#define LEADERBOARD_BOARD_INDEX_H

#include "postgres.h"

#include "access/htup.h"
#include "access/skey.h"
#include "access/tupdesc.h"
#include "utils/relcache.h"

/*
 * The btree index of heap whose key columns are exactly cols, ascending, on plain columns
 * without a predicate (unique: a unique one), opened with lockmode; NULL when there is
 * none. Close it with index_close().
 */
extern Relation board_index_on(Relation heap, int ncols, const AttrNumber *cols, bool unique,
							   LOCKMODE lockmode);

/*
 * Fills key for index column col (1-based) compared by the index's operator of strategy
 * with value; flags are the scan key flags (0, or SK_ROW_* for the members of a row
 * comparison, which get the opfamily's 3-way comparison as btree wants).
 */
extern void board_index_key(ScanKey key, Relation index, int col, int flags,
							StrategyNumber strategy, Datum value);

/* An equality scan key on a text column of rel (heap attribute numbers), in its collation. */
extern void board_text_key(ScanKey key, Relation rel, const char *column, const char *value);

/* The attribute number of column name in rel; raises an error when there is none. */
extern AttrNumber board_column(Relation rel, const char *name);

/*
 * The attribute number of column name of rel if it has type typid, else
 * InvalidAttrNumber: C code reading a board's tables finds its columns with the types it
 * reads their Datums as (a table altered by its owner must not be misread).
 */
extern AttrNumber board_typed_column(Relation rel, const char *name, Oid typid);

/* A copy of row (of desc) with column att replaced by value (NULL if isnull). */
extern HeapTuple board_with_column(TupleDesc desc, HeapTuple row, AttrNumber att, Datum value,
								   bool isnull);

#endif
