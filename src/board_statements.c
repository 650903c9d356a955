/*
 * board_statements.c: per-backend cache of the SQL each board's triggers run.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "storage/bufmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/syscache.h"
#include "utils/memutils.h"

#include "board_context.h"
#include "board_direct.h"
#include "board_fold.h"
#include "board_index.h"
#include "board_statements.h"

static HTAB *board_cache = NULL;

/* 'all' closes only on a campaign, once its window has ended (closed before 'infinity') */
const char *const board_closing_kinds[BOARD_CLOSING_KINDS] = {"day", "week", "month", "quarter", "year", "all"};

const char *const board_event_kinds[BOARD_EVENT_KINDS] = {
	"tier_up", "tier_down", "new_leader", "entered_top_n", "rank_climb", "personal_best",
	"goal_met", "goal_at_risk", "streak_milestone"
};

/*
 * Reads a catalog row's closed_before (a jsonb object: period kind -> date) into closed;
 * kinds it does not name, or a catalog of version 0.1 without the column, close nothing.
 */
static void
read_closed_before(HeapTuple tup, Relation boards, DateADT *closed)
{
	AttrNumber	att = board_typed_column(boards, "closed_before", JSONBOID);
	bool		isnull = true;
	Datum		d = (Datum) 0;
	int			i;

	if (att != InvalidAttrNumber)
		d = heap_getattr(tup, att, RelationGetDescr(boards), &isnull);
	for (i = 0; i < BOARD_CLOSING_KINDS; i++)
	{
		JsonbValue	v;

		closed[i] = DATEVAL_NOBEGIN;
		if (isnull || !getKeyJsonValueFromContainer(&DatumGetJsonbP(d)->root, board_closing_kinds[i],
													strlen(board_closing_kinds[i]), &v) ||
			v.type != jbvString)
			continue;
		closed[i] = DatumGetDateADT(DirectFunctionCall1(date_in,
														CStringGetDatum(pnstrdup(v.val.string.val,
																				 v.val.string.len))));
	}
}

bool
board_period_closed(const BoardStatements *bs, text *period, DateADT start)
{
	int			i;

	for (i = 0; i < BOARD_CLOSING_KINDS; i++)
		if (strlen(board_closing_kinds[i]) == VARSIZE_ANY_EXHDR(period) &&
			memcmp(board_closing_kinds[i], VARDATA_ANY(period), VARSIZE_ANY_EXHDR(period)) == 0)
			return start < bs->closed_before[i];
	return false;
}

static char *
copy_text_column(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? NULL : MemoryContextStrdup(CacheMemoryContext, TextDatumGetCString(d));
}

/* A detoasted copy of a varlena Datum in CacheMemoryContext. */
static Datum
cache_datum_copy(Datum value)
{
	MemoryContext old = MemoryContextSwitchTo(CacheMemoryContext);
	Datum		copy = PointerGetDatum(PG_DETOAST_DATUM_COPY(value));

	MemoryContextSwitchTo(old);
	return copy;
}

/* A board's events fields as for a board that emits none (what they point to freed already). */
static void
events_fields_clear(BoardStatements *bs)
{
	bs->events_sql = NULL;
	bs->events_metrics = NULL;
	bs->events_nmetrics = 0;
	bs->events_partition_by = NULL;
	bs->events_npartition_by = 0;
	bs->events_periods = NULL;
	bs->events_nperiods = 0;
	bs->events_ladder = (Datum) 0;
	bs->events_at_risk_share = (Datum) 0;
	bs->events_calendar = (Datum) 0;
	bs->events_time_zone = NULL;
	bs->events_has_window = false;
	bs->events_nplans = 0;
}

/* A text[] (not null) as C strings in CacheMemoryContext; *n of them. */
static char **
cache_names(Datum array, int *n)
{
	Datum	   *items;
	char	  **names;
	int			count;
	int			i;

	/* *n only once they are all there: an error (a null element) leaves none to free */
	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false, TYPALIGN_INT, &items, NULL, &count);
	names = MemoryContextAlloc(CacheMemoryContext, sizeof(char *) * Max(count, 1));
	for (i = 0; i < count; i++)
		names[i] = MemoryContextStrdup(CacheMemoryContext, TextDatumGetCString(items[i]));
	*n = count;
	return names;
}

static void
free_names(char **names, int n)
{
	int			i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		pfree(names[i]);
	pfree(names);
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
	bs->fold = NULL;
	bs->direct = NULL;
	bs->goals = NULL;
	for (i = 0; i < bs->events_nplans; i++)
		if (bs->events_plans[i].plan != NULL)
			SPI_freeplan(bs->events_plans[i].plan);
	if (bs->events_sql != NULL)
		pfree(bs->events_sql);
	free_names(bs->events_metrics, bs->events_nmetrics);
	free_names(bs->events_partition_by, bs->events_npartition_by);
	free_names(bs->events_periods, bs->events_nperiods);
	if (bs->events_ladder != (Datum) 0)
		pfree(DatumGetPointer(bs->events_ladder));
	if (bs->events_at_risk_share != (Datum) 0)
		pfree(DatumGetPointer(bs->events_at_risk_share));
	if (bs->events_calendar != (Datum) 0)
		pfree(DatumGetPointer(bs->events_calendar));
	if (bs->events_time_zone != NULL)
		pfree(bs->events_time_zone);
	events_fields_clear(bs);
}

/*
 * The board's events statement and which changes may announce an event, when it emits
 * events; events_sql stays NULL otherwise, and with the SQL of a version without events.
 */
static void
load_events_statement(BoardStatements *bs, bool fresh)
{
	Datum		args[2];
	Oid			argtypes[2] = {TEXTOID, TEXTARRAYOID};
	Datum		names[BOARD_EVENT_KINDS];
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	ArrayType  *emitted;
	Datum	   *flags;
	int			nflags;
	Datum		ladder;
	int			i;

	if (SPI_execute("SELECT pg_catalog.to_regprocedure('leaderboard._events_sql(text)') IS NOT NULL",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "leaderboard: could not look up the events statement");
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		return;
	if (SPI_execute("SELECT pg_catalog.to_regprocedure('leaderboard._events_sql(text, text[])') IS NOT NULL",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "leaderboard: could not look up the events statement");
	bs->events_by_kind = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
													&isnull));
	for (i = 0; i < BOARD_EVENT_KINDS; i++)
		names[i] = CStringGetTextDatum(board_event_kinds[i]);
	args[0] = CStringGetTextDatum(bs->name);
	args[1] = PointerGetDatum(construct_array(names, BOARD_EVENT_KINDS, TEXTOID, -1, false,
											  TYPALIGN_INT));
	/* a kind is on when set to true, or to a threshold (a number, an array) */
	if (SPI_execute_with_args("SELECT leaderboard._events_sql(b.name), "
							  "ARRAY(SELECT coalesce(CASE pg_catalog.jsonb_typeof(b.events OPERATOR(pg_catalog.->) k.name) "
							  "  WHEN 'boolean' THEN (b.events OPERATOR(pg_catalog.->>) k.name)::pg_catalog.bool "
							  "  ELSE b.events OPERATOR(pg_catalog.?) k.name END, false) "
							  " FROM pg_catalog.unnest($2) WITH ORDINALITY AS k(name, i) ORDER BY k.i), "
							  "coalesce((b.events OPERATOR(pg_catalog.->>) 'entered_top_n')::pg_catalog.int4, 0), "
							  "coalesce((b.events OPERATOR(pg_catalog.->>) 'rank_climb')::pg_catalog.int4, 0), "
							  "b.metric_names, b.partition_by::pg_catalog.text[], "
							  "coalesce(b.calendar, 'Mon-Sun'::leaderboard.calendar), b.time_zone, "
							  "coalesce((b.events OPERATOR(pg_catalog.->>) 'goal_at_risk')::pg_catalog.numeric, 0), "
							  "w.first_day, w.last_day, "
							  "coalesce((SELECT pg_catalog.array_agg(x OPERATOR(pg_catalog.#>>) '{}') "
							  "  FROM pg_catalog.jsonb_array_elements(b.events OPERATOR(pg_catalog.->) 'periods') x), "
							  "  b.periods::pg_catalog.text[]), b.ladder, "
							  "coalesce(b.events OPERATOR(pg_catalog.->) 'streak_milestone' OPERATOR(pg_catalog.@>) '[1]'::pg_catalog.jsonb, false) "
							  "FROM leaderboard.boards b, leaderboard._campaign_days(b) w "
							  "WHERE b.name OPERATOR(pg_catalog.=) $1",
							  2, argtypes, args, NULL, !fresh, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "leaderboard: could not generate the events statement of board \"%s\"", bs->name);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	bs->events_sql = copy_text_column(tup, desc, 1);
	if (bs->events_sql == NULL)
		return;
	emitted = DatumGetArrayTypeP(SPI_getbinval(tup, desc, 2, &isnull));
	deconstruct_array(emitted, BOOLOID, 1, true, TYPALIGN_CHAR, &flags, NULL, &nflags);
	bs->events_kinds = 0;
	for (i = 0; i < nflags; i++)
		if (DatumGetBool(flags[i]))
			bs->events_kinds |= (uint32) 1 << i;
	bs->events_top_n = DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
	bs->events_climb = DatumGetInt32(SPI_getbinval(tup, desc, 4, &isnull));
	bs->events_metrics = cache_names(SPI_getbinval(tup, desc, 5, &isnull), &bs->events_nmetrics);
	bs->events_partition_by = cache_names(SPI_getbinval(tup, desc, 6, &isnull),
										  &bs->events_npartition_by);
	bs->events_calendar = cache_datum_copy(SPI_getbinval(tup, desc, 7, &isnull));
	bs->events_time_zone = copy_text_column(tup, desc, 8);
	bs->events_at_risk_share = cache_datum_copy(SPI_getbinval(tup, desc, 9, &isnull));
	bs->events_window_first = DatumGetDateADT(SPI_getbinval(tup, desc, 10, &isnull));
	bs->events_has_window = !isnull;
	bs->events_window_last = DatumGetDateADT(SPI_getbinval(tup, desc, 11, &isnull));
	bs->events_periods = cache_names(SPI_getbinval(tup, desc, 12, &isnull), &bs->events_nperiods);
	bs->events_streak_one = DatumGetBool(SPI_getbinval(tup, desc, 14, &isnull));
	ladder = SPI_getbinval(tup, desc, 13, &isnull);
	if (!isnull)
		bs->events_ladder = cache_datum_copy(ladder);
}

static void
generate_statements(BoardStatements *bs, bool fresh)
{
	Datum		arg = CStringGetTextDatum(bs->name);
	Oid			argtype = TEXTOID;
	HeapTuple	tup;
	TupleDesc	desc;
	int			i;
	OwnerContext ctx;

	/*
	 * Generated as the owner, as the statements run: the writer may hold no privilege
	 * but its own on the source, not even SELECT, which reading its columns' types takes.
	 * The metric and filter expressions are parsed as the owner too, under the settings
	 * the owner context pins (standard_conforming_strings, DateStyle, TimeZone...), so
	 * that what their literals mean never depends on the session that first writes.
	 * The OUT columns of _board_statements() are in BoardStatement order.
	 */
	owner_context_enter(&ctx, bs->owner);
	if (SPI_execute_with_args("SELECT lock_scopes, "
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
	load_events_statement(bs, fresh);

	if (bs->shape_cxt == NULL)
		bs->shape_cxt = AllocSetContextCreate(CacheMemoryContext, "leaderboard board shape",
											  ALLOCSET_SMALL_SIZES);
	MemoryContextReset(bs->shape_cxt);
	bs->goals = NULL;
	bs->fold = fold_shape_load(bs->name, bs->shape_cxt, fresh);
	owner_context_exit(&ctx);
	bs->direct = direct_shape_load(bs->name, bs->shape_cxt, fresh);
}

/* A relation's name as regclass prints it (qualified unless on the search_path). */
static char *
regclass_name(Oid relid)
{
	return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(relid)));
}

/*
 * Whether the catalog row version an entry was made from is the one the snapshot sees: the
 * tuple at its tid is visible and has its xmin (a version of another row, or a newer one,
 * would not). The raw xmin: a frozen tuple reads as FrozenTransactionId otherwise, and two
 * frozen versions of the row standing at one tid in turn would look the same. Then the
 * entry's statements and closed_before still hold, and one buffer read replaces the
 * lookup through the primary key.
 */
static bool
catalog_row_unchanged(Relation boards, BoardStatements *bs, Snapshot snapshot)
{
	HeapTupleData tuple;
	Buffer		buffer;
	bool		same;
	BlockNumber block = ItemPointerGetBlockNumber(&bs->ctid);

	/*
	 * A rewrite (VACUUM FULL, CLUSTER) moves rows, keeping xmins: another board's row
	 * created by the same transaction may now stand at the tid. A vacuum may have
	 * truncated the table below the tid.
	 */
	if (boards->rd_node.relNode != bs->boards_node)
		return false;
	/*
	 * A shared buffer still holding the block proves the block exists (truncation drops
	 * the buffers of the blocks it cuts off), without asking the file system its length,
	 * which twice a writing transaction costs a system call each.
	 */
	if (BufferIsValid(bs->boards_buffer) &&
		ReadRecentBuffer(boards->rd_node, MAIN_FORKNUM, block, bs->boards_buffer))
		ReleaseBuffer(bs->boards_buffer);
	else if (block >= RelationGetNumberOfBlocks(boards))
		return false;
	tuple.t_self = bs->ctid;
	if (!heap_fetch(boards, snapshot, &tuple, &buffer, false))
		return false;
	bs->boards_buffer = buffer;
	same = TransactionIdEquals(HeapTupleHeaderGetRawXmin(tuple.t_data), bs->xmin);
	ReleaseBuffer(buffer);
	return same;
}

/*
 * A relation or schema may have been renamed (or dropped): every entry checks the names its
 * SQL uses again on its next lookup. Renames send these invalidations, and the names are
 * read from the caches they invalidate, so this is as current as reading them every time.
 */
static void
names_may_have_changed(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	BoardStatements *bs;

	if (board_cache == NULL)
		return;
	hash_seq_init(&status, board_cache);
	while ((bs = hash_seq_search(&status)) != NULL)
	{
		if (relid == InvalidOid || relid == bs->source || relid == bs->standings || relid == bs->scopes)
			bs->names_checked = false;
		/*
		 * The fold computes the source's generated columns it reads from their expressions
		 * (load_generated()); ALTER TABLE ... DROP EXPRESSION makes one a plain column: the
		 * entry is made again (its catalog row version no longer matches).
		 */
		if ((relid == InvalidOid || relid == bs->source) && bs->fold != NULL && bs->fold->ngenerated > 0)
			bs->xmin = InvalidTransactionId;
	}
}

static void
schema_may_have_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	names_may_have_changed(arg, InvalidOid);
}

/*
 * A function was created, replaced or altered: the fold compiled the board's metric and
 * filter expressions with the SQL functions they call inlined, so every entry is made
 * again on its next lookup. Function DDL is rare; a board whose expressions call the
 * function is also rebuilt at commit (board_functions.c).
 */
static void
functions_may_have_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	BoardStatements *bs;

	if (board_cache == NULL)
		return;
	hash_seq_init(&status, board_cache);
	while ((bs = hash_seq_search(&status)) != NULL)
		bs->xmin = InvalidTransactionId;
}

BoardStatements *
board_statements(const char *name, bool fresh)
{
	Relation	boards;
	TupleDesc	desc;
	HeapTuple	tup;
	SysScanDesc scan;
	ScanKeyData scankey;
	Oid			standings;
	NameData	agent_column;
	AttrNumber	name_att;
	bool		isnull;
	bool		found;
	TransactionId xmin;
	ItemPointerData ctid;
	Oid			boards_node;
	Oid			source;
	Oid			owner;
	Oid			scopes;
	char	   *names;
	BoardStatements *bs;
	char		key[NAMEDATALEN];
	DateADT		closed_before[BOARD_CLOSING_KINDS];

	if (board_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = NAMEDATALEN;
		ctl.entrysize = sizeof(BoardStatements);
		ctl.hcxt = CacheMemoryContext;
		board_cache = hash_create("leaderboard board statements", 16, &ctl,
								  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(names_may_have_changed, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, schema_may_have_changed, (Datum) 0);
		CacheRegisterSyscacheCallback(PROCOID, functions_may_have_changed, (Datum) 0);
	}
	/*
	 * The catalog row, read through its primary key rather than by a SQL statement: this
	 * runs twice for every writing transaction. A fresh read sees everything committed
	 * (READ COMMITTED) and this transaction's own changes, as a new statement would.
	 */
	boards = table_open(get_relname_relid("boards", get_namespace_oid("leaderboard", false)),
						AccessShareLock);
	if (fresh)
	{
		CommandCounterIncrement();
		PushCopiedSnapshot(GetTransactionSnapshot());
		UpdateActiveSnapshotCommandId();
	}
	strlcpy(key, name, NAMEDATALEN);
	bs = hash_search(board_cache, key, HASH_FIND, NULL);
	if (bs != NULL && bs->sql[0] != NULL && bs->names_checked &&
		catalog_row_unchanged(boards, bs, GetActiveSnapshot()))
	{
		if (fresh)
			PopActiveSnapshot();
		table_close(boards, AccessShareLock);
		return bs;
	}
	/* compared in the column's collation, which orders its primary key index */
	desc = RelationGetDescr(boards);
	name_att = board_column(boards, "name");
	ScanKeyEntryInitialize(&scankey, 0, name_att, BTEqualStrategyNumber, InvalidOid,
						   TupleDescAttr(desc, name_att - 1)->attcollation, F_TEXTEQ,
						   CStringGetTextDatum(name));
	scan = systable_beginscan(boards, RelationGetPrimaryKeyIndex(boards), true,
							  GetActiveSnapshot(), 1, &scankey);
	tup = systable_getnext(scan);
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("board \"%s\" does not exist", name),
				 errhint("A trigger is left over from a dropped board; drop the trigger.")));
	xmin = HeapTupleHeaderGetRawXmin(tup->t_data);
	ctid = tup->t_self;
	source = DatumGetObjectId(heap_getattr(tup, board_column(boards, "source"), desc, &isnull));
	owner = DatumGetObjectId(heap_getattr(tup, board_column(boards, "owner"), desc, &isnull));
	scopes = DatumGetObjectId(heap_getattr(tup, board_column(boards, "scopes"), desc, &isnull));
	standings = DatumGetObjectId(heap_getattr(tup, board_column(boards, "standings"), desc, &isnull));
	namestrcpy(&agent_column,
			   NameStr(*DatumGetName(heap_getattr(tup, board_column(boards, "agent_column"), desc, &isnull))));
	read_closed_before(tup, boards, closed_before);
	boards_node = boards->rd_node.relNode;
	systable_endscan(scan);
	if (fresh)
		PopActiveSnapshot();
	table_close(boards, AccessShareLock);
	/* the generated SQL names the tables: renaming one must regenerate it */
	names = psprintf("%s %s %s", regclass_name(source), regclass_name(standings), regclass_name(scopes));

	bs = hash_search(board_cache, key, HASH_ENTER, &found);
	if (!found)
	{
		memset(bs->sql, 0, sizeof(bs->sql));
		memset(bs->plan, 0, sizeof(bs->plan));
		bs->xmin = InvalidTransactionId;
		bs->boards_buffer = InvalidBuffer;
		bs->names = NULL;
		bs->shape_cxt = NULL;
		bs->fold = NULL;
		bs->direct = NULL;
		bs->goals = NULL;
		events_fields_clear(bs);
	}
	if (!found || bs->xmin != xmin || !ItemPointerEquals(&bs->ctid, &ctid) ||
		bs->source != source || bs->owner != owner || bs->scopes != scopes ||
		bs->standings != standings ||
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
		bs->standings = standings;
		strlcpy(bs->agent_column, NameStr(agent_column), NAMEDATALEN);
		generate_statements(bs, fresh);
		bs->xmin = xmin;
		bs->ctid = ctid;
	}
	memcpy(bs->closed_before, closed_before, sizeof(closed_before));
	bs->boards_node = boards_node;
	bs->names_checked = true;
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
