/*
 * board_current_view.c: which board a view is the current view of, read from the
 * catalog once per view and backend and forgotten when the view changes (a relcache
 * invalidation of it); whether the view's query is still the one the board makes; and
 * who may read the board's tables as the view reads them.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/analyze.h"
#include "parser/parse_func.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/ruleutils.h"

#include "board_current_view.h"
#include "board_index.h"

static HTAB *current_views = NULL;

/* Forgets a view's entry and what it holds. */
static void
forget_entry(CurrentView *entry)
{
	Oid			view = entry->view;

	if (entry->cxt != NULL)
		MemoryContextDelete(entry->cxt);
	hash_search(current_views, &view, HASH_REMOVE, NULL);
}

/* Forgets the views of a relation that changed (all of them for InvalidOid). */
static void
forget_current_view(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS seq;
	CurrentView *entry;

	if (current_views == NULL)
		return;
	if (OidIsValid(relid))
	{
		entry = hash_search(current_views, &relid, HASH_FIND, NULL);
		if (entry != NULL)
			forget_entry(entry);
		return;
	}
	hash_seq_init(&seq, current_views);
	while ((entry = hash_seq_search(&seq)) != NULL)
		forget_entry(entry);
}

static char *
catalog_text(HeapTuple tup, Relation boards, const char *column, Oid type)
{
	AttrNumber	att = board_typed_column(boards, column, type);
	bool		isnull = true;
	Datum		d = (Datum) 0;

	if (att != InvalidAttrNumber)
		d = heap_getattr(tup, att, RelationGetDescr(boards), &isnull);
	if (isnull)
		return NULL;
	return type == NAMEOID ? pstrdup(NameStr(*DatumGetName(d))) : TextDatumGetCString(d);
}

static Oid
catalog_oid(HeapTuple tup, Relation boards, const char *column)
{
	AttrNumber	att = board_typed_column(boards, column, REGCLASSOID);
	bool		isnull = true;
	Datum		d = (Datum) 0;

	if (att != InvalidAttrNumber)
		d = heap_getattr(tup, att, RelationGetDescr(boards), &isnull);
	return isnull ? InvalidOid : DatumGetObjectId(d);
}

/*
 * Fills entry from the catalog row of the board whose current view entry->view is: a view
 * named <board>_current in the schema of the board's source, standings or scopes
 * (create_board makes them all there; the views stay where they are when a table moves,
 * _board_schema()).
 * Leaves is_board false when it is none (or the extension's catalog is not there).
 */
static void
read_current_view(CurrentView *entry)
{
	char	   *relname = get_rel_name(entry->view);
	Oid			nsp = get_rel_namespace(entry->view);
	Oid			catalog_nsp = get_namespace_oid("leaderboard", true);
	Oid			catalog = OidIsValid(catalog_nsp) ? get_relname_relid("boards", catalog_nsp) : InvalidOid;
	size_t		len = relname ? strlen(relname) : 0;
	const size_t suffix = strlen("_current");
	Relation	boards;
	Relation	index;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	char	   *board;

	entry->is_board = false;
	entry->cxt = NULL;
	if (relname == NULL || len <= suffix || strcmp(relname + len - suffix, "_current") != 0 ||
		!OidIsValid(catalog) || get_rel_relkind(entry->view) != RELKIND_VIEW)
		return;
	board = pnstrdup(relname, len - suffix);
	boards = table_open(catalog, AccessShareLock);
	index = board_index_on(boards, 1, (AttrNumber[]) {board_typed_column(boards, "name", TEXTOID)},
						   true, AccessShareLock);
	if (index == NULL)
	{
		table_close(boards, AccessShareLock);
		return;
	}
	board_index_key(&key, index, 1, 0, BTEqualStrategyNumber, CStringGetTextDatum(board));
	scan = systable_beginscan_ordered(boards, index, NULL, 1, &key);
	tup = systable_getnext_ordered(scan, ForwardScanDirection);
	if (HeapTupleIsValid(tup) && (get_rel_namespace(catalog_oid(tup, boards, "source")) == nsp ||
								  get_rel_namespace(catalog_oid(tup, boards, "standings")) == nsp ||
								  get_rel_namespace(catalog_oid(tup, boards, "scopes")) == nsp))
	{
		AttrNumber	parts_att = board_typed_column(boards, "partition_by", NAMEARRAYOID);
		bool		isnull;
		Datum		parts = heap_getattr(tup, parts_att, RelationGetDescr(boards), &isnull);
		Datum	   *names;
		Datum	   *texts;
		int			i;
		MemoryContext old;

		entry->cxt = AllocSetContextCreate(CacheMemoryContext, "leaderboard current view",
										   ALLOCSET_SMALL_SIZES);
		old = MemoryContextSwitchTo(entry->cxt);

		entry->standings = catalog_oid(tup, boards, "standings");
		entry->scopes = catalog_oid(tup, boards, "scopes");
		strlcpy(entry->agent_column, catalog_text(tup, boards, "agent_column", NAMEOID), NAMEDATALEN);
		entry->time_zone = catalog_text(tup, boards, "time_zone", TEXTOID);
		entry->rank_style = catalog_text(tup, boards, "rank_style", TEXTOID);
		deconstruct_array(DatumGetArrayTypeP(parts), NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR,
						  &names, NULL, &entry->nparts);
		entry->parts = palloc(sizeof(char *) * Max(1, entry->nparts));
		texts = palloc(sizeof(Datum) * Max(1, entry->nparts));
		for (i = 0; i < entry->nparts; i++)
		{
			entry->parts[i] = pstrdup(NameStr(*DatumGetName(names[i])));
			texts[i] = CStringGetTextDatum(entry->parts[i]);
		}
		entry->part_array = construct_array(texts, entry->nparts, TEXTOID, -1, false, TYPALIGN_INT);
		MemoryContextSwitchTo(old);
		strlcpy(entry->board, board, NAMEDATALEN);
		entry->checked = false;
		entry->is_board = OidIsValid(entry->standings) && OidIsValid(entry->scopes) &&
			entry->time_zone != NULL && entry->rank_style != NULL;
	}
	systable_endscan_ordered(scan);
	index_close(index, AccessShareLock);
	table_close(boards, AccessShareLock);
}

CurrentView *
board_current_view(Oid view)
{
	CurrentView *entry;
	bool		found;

	if (current_views == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(CurrentView);
		current_views = hash_create("leaderboard current views", 16, &ctl, HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(forget_current_view, (Datum) 0);
	}
	entry = hash_search(current_views, &view, HASH_ENTER, &found);
	if (!found)
	{
		entry->cxt = NULL;
		entry->is_board = false;
		PG_TRY();
		{
			read_current_view(entry);
		}
		PG_CATCH();
		{
			forget_entry(entry);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return entry->is_board ? entry : NULL;
}

/*
 * Whether the view's query is the one leaderboard._current_view_sql() gives for the board:
 * both parsed and written out again with search_path pinned as _board_views makes the
 * view, and compared. Worked out once per view and backend (a view made again is a
 * relcache invalidation, which forgets the entry).
 */
bool
board_view_is_boards(CurrentView *cv)
{
	if (!cv->checked)
	{
		MemoryContext caller = CurrentMemoryContext;
		int			nest = NewGUCNestLevel();
		Datum		arg = CStringGetTextDatum(cv->board);
		Oid			argtype = TEXTOID;
		char	   *sql = NULL;
		bool		isnull = true;
		Relation	view;
		List	   *raw;
		Query	   *made;

		Oid			catalog_type = get_rel_type_id(get_relname_relid("boards", get_namespace_oid("leaderboard", false)));
		Oid			made_by;

		/* an extension not yet updated to the library's version has no such function */
		made_by = LookupFuncName(list_make2(makeString("leaderboard"), makeString("_current_view_sql")), 1,
								 &catalog_type, true);
		if (!OidIsValid(made_by))
		{
			cv->checked = true;
			cv->own = false;
			return false;
		}
		(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "leaderboard: SPI_connect failed");
		if (SPI_execute_with_args("SELECT leaderboard._current_view_sql(b) FROM leaderboard.boards b "
								  "WHERE b.name OPERATOR(pg_catalog.=) $1",
								  1, &argtype, &arg, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
			{
				MemoryContext spi = MemoryContextSwitchTo(caller);

				sql = TextDatumGetCString(d);
				MemoryContextSwitchTo(spi);
			}
		}
		SPI_finish();
		cv->own = false;
		if (sql != NULL)
		{
			raw = pg_parse_query(sql);
			made = parse_analyze_fixedparams(linitial_node(RawStmt, raw), sql, NULL, 0, NULL);
			view = relation_open(cv->view, AccessShareLock);
			cv->own = strcmp(pg_get_querydef(made, false),
							 pg_get_querydef(copyObject(get_view_query(view)), false)) == 0;
			relation_close(view, AccessShareLock);
		}
		AtEOXact_GUC(true, nest);
		cv->checked = true;
	}
	return cv->own;
}

Oid
board_view_reader(Oid view)
{
	Relation	rel = relation_open(view, AccessShareLock);
	Oid			reader = RelationHasSecurityInvoker(rel) ? GetUserId() : rel->rd_rel->relowner;

	relation_close(rel, AccessShareLock);
	return reader;
}

bool
board_may_read_as(Oid rel, Oid role)
{
	return pg_class_aclcheck(rel, role, ACL_SELECT) == ACLCHECK_OK &&
		check_enable_rls(rel, role, true) != RLS_ENABLED;
}

bool
board_may_read(Oid rel)
{
	return pg_class_aclcheck(rel, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
		check_enable_rls(rel, InvalidOid, true) != RLS_ENABLED;
}
