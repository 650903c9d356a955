/*
 * board_statements.c: per-backend cache of the SQL each board's triggers run.
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "board_direct.h"
#include "board_statements.h"

static HTAB *board_cache = NULL;
static SPIPlanPtr catalog_lookup_plan = NULL;

static char *
copy_text_column(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? NULL : MemoryContextStrdup(CacheMemoryContext, TextDatumGetCString(d));
}

static void
forget_statements(BoardStatements *bs)
{
	int			i;

	for (i = 0; i < BOARD_NSTATEMENTS; i++)
	{
		if (bs->plan[i] != NULL)
			SPI_freeplan(bs->plan[i]);
		if (bs->sql[i] != NULL)
			pfree(bs->sql[i]);
		bs->plan[i] = NULL;
		bs->sql[i] = NULL;
	}
	bs->direct = NULL;
}

static void
generate_statements(BoardStatements *bs, bool fresh)
{
	Datum		arg = CStringGetTextDatum(bs->name);
	Oid			argtype = TEXTOID;
	HeapTuple	tup;
	TupleDesc	desc;
	int			i;

	/* the OUT columns of _board_statements() are in BoardStatement order */
	if (SPI_execute_with_args("SELECT fold_insert, fold_delete, fold_update, lock_scopes, "
							  "recompute, add_deltas, rerank, rebuild, before_moves, "
							  "rerank_multi, rerank_single, insert_new, add_deltas_large "
							  "FROM leaderboard._board_statements($1)",
							  1, &argtype, &arg, NULL, !fresh, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "leaderboard: could not generate the statements of board \"%s\"", bs->name);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	for (i = 0; i < BOARD_NSTATEMENTS; i++)
		bs->sql[i] = copy_text_column(tup, desc, i + 1);

	if (bs->shape_cxt == NULL)
		bs->shape_cxt = AllocSetContextCreate(CacheMemoryContext, "leaderboard board shape",
											  ALLOCSET_SMALL_SIZES);
	MemoryContextReset(bs->shape_cxt);
	bs->direct = direct_shape_load(bs->name, bs->shape_cxt, fresh);
}

BoardStatements *
board_statements(const char *name, bool fresh)
{
	Datum		arg;
	bool		isnull;
	bool		found;
	TransactionId xmin;
	ItemPointerData ctid;
	Oid			source;
	Oid			owner;
	Oid			scopes;
	char	   *names;
	BoardStatements *bs;
	char		key[NAMEDATALEN];

	if (board_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = NAMEDATALEN;
		ctl.entrysize = sizeof(BoardStatements);
		ctl.hcxt = CacheMemoryContext;
		board_cache = hash_create("leaderboard board statements", 16, &ctl,
								  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	if (catalog_lookup_plan == NULL)
	{
		Oid			argtype = TEXTOID;
		SPIPlanPtr	plan = SPI_prepare("SELECT xmin, source::pg_catalog.oid, owner::pg_catalog.oid, scopes::pg_catalog.oid, ctid, "
									   "pg_catalog.concat_ws(' ', source, standings, scopes) "
									   "FROM leaderboard.boards WHERE name = $1",
									   1, &argtype);

		if (plan == NULL)
			elog(ERROR, "leaderboard: could not prepare the catalog lookup");
		SPI_keepplan(plan);
		catalog_lookup_plan = plan;
	}

	arg = CStringGetTextDatum(name);
	if (SPI_execute_plan(catalog_lookup_plan, &arg, NULL, !fresh, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: catalog lookup failed");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("board \"%s\" does not exist", name),
				 errhint("A trigger is left over from a dropped board; drop the trigger.")));
	xmin = DatumGetTransactionId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	source = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	scopes = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	ItemPointerCopy((ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5, &isnull)),
					&ctid);
	/* the generated SQL names the tables: renaming one must regenerate it */
	names = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6, &isnull));

	strlcpy(key, name, NAMEDATALEN);
	bs = hash_search(board_cache, key, HASH_ENTER, &found);
	if (!found)
	{
		memset(bs->sql, 0, sizeof(bs->sql));
		memset(bs->plan, 0, sizeof(bs->plan));
		bs->xmin = InvalidTransactionId;
		bs->names = NULL;
		bs->shape_cxt = NULL;
		bs->direct = NULL;
	}
	if (!found || bs->xmin != xmin || !ItemPointerEquals(&bs->ctid, &ctid) ||
		bs->source != source || bs->owner != owner || bs->scopes != scopes ||
		bs->sql[0] == NULL || bs->names == NULL || strcmp(bs->names, names) != 0)
	{
		forget_statements(bs);
		if (bs->names != NULL)
			pfree(bs->names);
		bs->names = MemoryContextStrdup(CacheMemoryContext, names);
		bs->xmin = InvalidTransactionId;
		bs->source = source;
		bs->owner = owner;
		bs->scopes = scopes;
		generate_statements(bs, fresh);
		bs->xmin = xmin;
		bs->ctid = ctid;
	}
	return bs;
}

int
board_statement_execute(BoardStatements *bs, BoardStatement which, bool read_only)
{
	Assert(which != BOARD_REBUILD);
	if (bs->plan[which] == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(bs->sql[which], 0, NULL);

		if (plan == NULL)
			elog(ERROR, "leaderboard: could not prepare a statement of board \"%s\": %s",
				 bs->name, SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		bs->plan[which] = plan;
	}
	return SPI_execute_plan(bs->plan[which], NULL, NULL, read_only, 0);
}
