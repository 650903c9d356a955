/*
 * board_index.c: finding a board table's columns and indexes, keys to scan them, and
 * rows with one column replaced.
 *
 * The commit-time direct apply and the around-me reader scan a board's standings and
 * scopes through the indexes create_board made, found by their columns (the names are the
 * user's to change).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "executor/spi.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "board_index.h"

/*
 * Whether index indexoid is a valid btree index of exactly the key columns cols, ascending,
 * without expressions or predicate (and unique, if asked): read from the syscache, so that
 * only the index looked for is opened and locked.
 */
static bool
index_has_columns(Oid indexoid, int ncols, const AttrNumber *cols, bool unique)
{
	HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	HeapTuple	classtup;
	Form_pg_index form;
	bool		match;
	int			k;

	if (!HeapTupleIsValid(tup))
		return false;
	form = (Form_pg_index) GETSTRUCT(tup);
	match = form->indnkeyatts == ncols && (!unique || form->indisunique) && form->indisvalid &&
		heap_attisnull(tup, Anum_pg_index_indexprs, NULL) &&
		heap_attisnull(tup, Anum_pg_index_indpred, NULL);
	for (k = 0; match && k < ncols; k++)
		match = form->indkey.values[k] == cols[k];
	if (match)
	{
		bool		isnull;
		int2vector *options = (int2vector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup,
																			   Anum_pg_index_indoption,
																			   &isnull));

		for (k = 0; match && k < ncols; k++)
			match = (options->values[k] & INDOPTION_DESC) == 0;
	}
	ReleaseSysCache(tup);
	if (!match)
		return false;
	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(classtup))
		return false;
	match = ((Form_pg_class) GETSTRUCT(classtup))->relam == BTREE_AM_OID;
	ReleaseSysCache(classtup);
	return match;
}

/*
 * The indexes board_index_on() found, by table and key columns, for the backend's life:
 * finding one reads the syscache entries of every index of the table, which the readers
 * did on every call and the direct apply on every commit. A relcache invalidation of the
 * table (CREATE or DROP INDEX, ALTER TABLE, DROP TABLE) forgets its entries; callers hold a
 * lock on the table, whose acquisition processed the invalidations sent before it.
 */
typedef struct IndexMemoKey
{
	Oid			heap;
	int			ncols;
	bool		unique;
	AttrNumber	cols[INDEX_MAX_KEYS];
} IndexMemoKey;

typedef struct IndexMemoEntry
{
	IndexMemoKey key;
	Oid			index;			/* InvalidOid: the table has none */
} IndexMemoEntry;

static HTAB *index_memo = NULL;

static void
forget_indexes(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS seq;
	IndexMemoEntry *entry;

	if (index_memo == NULL)
		return;
	hash_seq_init(&seq, index_memo);
	/* removing the entry just returned is allowed during a sequential scan */
	while ((entry = hash_seq_search(&seq)) != NULL)
		if (!OidIsValid(relid) || entry->key.heap == relid)
			(void) hash_search(index_memo, &entry->key, HASH_REMOVE, NULL);
}

Relation
board_index_on(Relation heap, int ncols, const AttrNumber *cols, bool unique, LOCKMODE lockmode)
{
	IndexMemoKey key;
	IndexMemoEntry *entry;

	if (ncols > INDEX_MAX_KEYS)
		return NULL;
	if (index_memo == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(IndexMemoKey);
		ctl.entrysize = sizeof(IndexMemoEntry);
		ctl.hcxt = TopMemoryContext;
		index_memo = hash_create("leaderboard indexes by columns", 16, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(forget_indexes, (Datum) 0);
	}
	memset(&key, 0, sizeof(key));
	key.heap = RelationGetRelid(heap);
	key.ncols = ncols;
	key.unique = unique;
	memcpy(key.cols, cols, sizeof(AttrNumber) * ncols);
	entry = hash_search(index_memo, &key, HASH_FIND, NULL);
	if (entry == NULL)
	{
		List	   *indexes = RelationGetIndexList(heap);
		ListCell   *lc;
		Oid			found = InvalidOid;

		foreach(lc, indexes)
		{
			if (index_has_columns(lfirst_oid(lc), ncols, cols, unique))
			{
				found = lfirst_oid(lc);
				break;
			}
		}
		list_free(indexes);
		entry = hash_search(index_memo, &key, HASH_ENTER, NULL);
		entry->index = found;
	}
	return OidIsValid(entry->index) ? index_open(entry->index, lockmode) : NULL;
}

void
board_index_key(ScanKey key, Relation index, int col, int flags, StrategyNumber strategy,
				Datum value)
{
	Oid			type = index->rd_opcintype[col - 1];
	Oid			family = index->rd_opfamily[col - 1];
	Oid			proc;

	/* row-comparison members are in insertion form: they carry the 3-way comparison */
	if (flags & SK_ROW_MEMBER)
		proc = get_opfamily_proc(family, type, type, BTORDER_PROC);
	else
	{
		Oid			op = get_opfamily_member(family, type, type, strategy);

		proc = OidIsValid(op) ? get_opcode(op) : InvalidOid;
	}
	if (!OidIsValid(proc))
		elog(ERROR, "leaderboard: no operator of strategy %d in the opfamily of index \"%s\"",
			 strategy, RelationGetRelationName(index));
	ScanKeyEntryInitialize(key, flags, col, strategy, type, index->rd_indcollation[col - 1],
						   proc, value);
}

AttrNumber
board_column(Relation rel, const char *name)
{
	AttrNumber	att = SPI_fnumber(RelationGetDescr(rel), name);

	if (att <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						name, RelationGetRelationName(rel))));
	return att;
}

AttrNumber
board_typed_column(Relation rel, const char *name, Oid typid)
{
	AttrNumber	att = SPI_fnumber(RelationGetDescr(rel), name);

	if (att <= 0 || TupleDescAttr(RelationGetDescr(rel), att - 1)->atttypid != typid)
		return InvalidAttrNumber;
	return att;
}

HeapTuple
board_with_column(TupleDesc desc, HeapTuple row, AttrNumber att, Datum value, bool isnull)
{
	Datum	   *values = palloc0(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc0(sizeof(bool) * desc->natts);
	bool	   *replace = palloc0(sizeof(bool) * desc->natts);
	HeapTuple	result;

	values[att - 1] = value;
	nulls[att - 1] = isnull;
	replace[att - 1] = true;
	result = heap_modify_tuple(row, desc, values, nulls, replace);
	pfree(values);
	pfree(nulls);
	pfree(replace);
	return result;
}

void
board_text_key(ScanKey key, Relation rel, const char *column, const char *value)
{
	AttrNumber	att = board_column(rel, column);

	ScanKeyEntryInitialize(key, 0, att, BTEqualStrategyNumber, InvalidOid,
						   TupleDescAttr(RelationGetDescr(rel), att - 1)->attcollation, F_TEXTEQ,
						   CStringGetTextDatum(value));
}
