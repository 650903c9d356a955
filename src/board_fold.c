/*
 * board_fold.c: folding a statement's rows into a transaction's captured groups, in C.
 *
 * A row is read once from the transition table: its agent, time and partition values,
 * its filter and metric expressions (planned once per board and backend, evaluated by the
 * executor as the board owner), its local day in the board's time zone. Rows fold into a
 * statement-local hash of (day, partitions, agent) groups; each of those then folds into
 * one group per period kind of the board in the transaction's level hash, keyed by
 * (period, period_start, partitions, agent) and compared with the key types' own hash
 * and equality. So a transaction holds one entry per distinct group, however many rows
 * and statements it writes.
 *
 * A group's scope key, the text that names and orders its scope in the scopes table, is
 * built when the group enters a level: concat_ws('|', period, period_start, and each
 * partition value cast to text and quoted by quote_nullable), under the DateStyle the
 * owner context pins, exactly as the SQL statements of the board build it.
 */
#include "postgres.h"

#include "access/attmap.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tupconvert.h"
#include "catalog/namespace.h"
#include "common/hashfn.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_relation.h"
#include "parser/scansup.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "board_expr.h"
#include "board_fold.h"

/*
 * A group's key: in the statement's day hash (slot = local day), or in a level (slot =
 * period index, start = period start). values and isnull hold the partitions, then the
 * agent. The hash is computed once, by the caller.
 */
typedef struct GroupKey
{
	uint32		hash;
	int32		slot;
	DateADT		start;
	Datum	   *values;
	bool	   *isnull;
	FoldKeys   *keys;
} GroupKey;

typedef struct GroupEntry
{
	GroupKey	key;			/* first: the hash key */
	Kpis	   *added;			/* the rows added (NEW rows), or NULL */
	Kpis	   *removed;		/* the rows removed (OLD rows), or NULL */
	bool		removes_added;	/* rows were removed after rows were added: the removed
								 * ones may be among the added ones, not the stored ones */
	char	   *scope_key;		/* level groups: the scope's key text */
} GroupEntry;

struct FoldLevel
{
	FoldKeys   *keys;
	MemoryContext cxt;
	HTAB	   *groups;
};

/* A statement's fold: its day groups, and the executor state its expressions run in. */
typedef struct FoldRun
{
	FoldShape  *shape;
	MemoryContext cxt;
	HTAB	   *days;
	ExprContext *econtext;
	ExprState **metric;
	ExprState  *filter;
	AttrMap    *map;			/* partition row -> source row, or NULL */
	TupleTableSlot *source_slot;	/* rows in the source's row type, when mapped */
	Datum	   *values;
	bool	   *isnull;
} FoldRun;

static uint32
group_key_hash(const void *key, Size keysize)
{
	return ((const GroupKey *) key)->hash;
}

static int
group_key_match(const void *a, const void *b, Size keysize)
{
	const GroupKey *ka = a;
	const GroupKey *kb = b;
	FoldKeys   *keys = ka->keys;
	int			i;

	if (ka->hash != kb->hash || ka->slot != kb->slot || ka->start != kb->start)
		return 1;
	for (i = 0; i < keys->nkeys; i++)
	{
		FoldKeyColumn *col = &keys->keys[i];

		if (ka->isnull[i] != kb->isnull[i])
			return 1;
		if (ka->isnull[i])
			continue;
		if (col->bitwise ? ka->values[i] != kb->values[i] :
			!DatumGetBool(FunctionCall2Coll(&col->eq, col->collation, ka->values[i], kb->values[i])))
			return 1;
	}
	return 0;
}

static uint32
compute_key_hash(FoldKeys *keys, int32 slot, DateADT start, Datum *values, bool *isnull)
{
	uint32		h = hash_bytes_uint32((uint32) slot);
	int			i;

	h = hash_combine(h, hash_bytes_uint32((uint32) start));
	for (i = 0; i < keys->nkeys; i++)
	{
		FoldKeyColumn *col = &keys->keys[i];

		h = hash_combine(h, isnull[i] ? 0x9e3779b9 :
						 col->bitwise ? hash_bytes_uint32((uint32) (values[i] ^ (values[i] >> 32))) :
						 DatumGetUInt32(FunctionCall1Coll(&col->hash, col->collation, values[i])));
	}
	return h;
}

static HTAB *
group_hash_create(const char *name, MemoryContext cxt)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(GroupKey);
	ctl.entrysize = sizeof(GroupEntry);
	ctl.hash = group_key_hash;
	ctl.match = group_key_match;
	ctl.hcxt = cxt;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/*
 * The entry of key in hash, created with copies of the key values in cxt when missing
 * (*found says which).
 */
static GroupEntry *
group_enter(HTAB *hash, MemoryContext cxt, GroupKey *key, bool *found)
{
	GroupEntry *e = hash_search_with_hash_value(hash, key, key->hash, HASH_ENTER, found);

	if (!*found)
	{
		FoldKeys   *keys = key->keys;
		MemoryContext old = MemoryContextSwitchTo(cxt);
		int			i;

		e->key.values = palloc(sizeof(Datum) * keys->nkeys);
		e->key.isnull = palloc(sizeof(bool) * keys->nkeys);
		for (i = 0; i < keys->nkeys; i++)
		{
			e->key.isnull[i] = key->isnull[i];
			e->key.values[i] = key->isnull[i] ? (Datum) 0 :
				datumCopy(key->values[i], keys->keys[i].typbyval, keys->keys[i].typlen);
		}
		e->added = NULL;
		e->removed = NULL;
		e->removes_added = false;
		e->scope_key = NULL;
		MemoryContextSwitchTo(old);
	}
	return e;
}

/* ---- scope keys ---- */

/* value as the cast value::pg_catalog.text gives it. */
static char *
key_value_text(FoldKeyColumn *col, Datum value)
{
	Datum		t;

	if (col->to_text_is_output)
		return OutputFunctionCall(&col->to_text, value);
	if (col->to_text_is_relabel)
		return TextDatumGetCString(value);
	if (col->to_text_nargs == 1)
		t = FunctionCall1Coll(&col->to_text, col->collation, value);
	else
		t = FunctionCall3Coll(&col->to_text, col->collation, value, Int32GetDatum(-1),
							  BoolGetDatum(true));
	return TextDatumGetCString(t);
}

static char *
build_scope_key(FoldKeys *keys, int period, DateADT start, GroupKey *key)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, keys->period_name[period]);
	appendStringInfoChar(&buf, '|');
	appendStringInfoString(&buf, DatumGetCString(DirectFunctionCall1(date_out,
																	 DateADTGetDatum(start))));
	/* the partitions: every key column but the last, the agent */
	for (i = 0; i < keys->nkeys - 1; i++)
	{
		appendStringInfoChar(&buf, '|');
		if (key->isnull[i])
			appendStringInfoString(&buf, "NULL");
		else
			appendStringInfoString(&buf, quote_literal_cstr(key_value_text(&keys->keys[i],
																		   key->values[i])));
	}
	return buf.data;
}

/* ---- periods and days ---- */

static DateADT
period_start(FoldPeriod period, DateADT day)
{
	int			y,
				m,
				d;
	int			julian = day + POSTGRES_EPOCH_JDATE;

	if (period == FOLD_ALL)
	{
		DateADT		all;

		DATE_NOBEGIN(all);
		return all;
	}
	if (period == FOLD_DAY || DATE_NOT_FINITE(day))
		return day;
	if (period == FOLD_WEEK)
		return day - (j2day(julian) + 6) % 7;	/* back to Monday */
	j2date(julian, &y, &m, &d);
	if (period == FOLD_QUARTER)
		m = (m - 1) / 3 * 3 + 1;
	else if (period == FOLD_YEAR)
		m = 1;
	/* the first month, quarter and year of the range start on its first day (a Monday) */
	return Max(date2j(y, m, 1), DATETIME_MIN_JULIAN) - POSTGRES_EPOCH_JDATE;
}

static DateADT
day_of_timestamp(Timestamp ts, pg_tz *tz)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;
	DateADT		day;

	if (TIMESTAMP_IS_NOBEGIN(ts))
	{
		DATE_NOBEGIN(day);
		return day;
	}
	if (TIMESTAMP_IS_NOEND(ts))
	{
		DATE_NOEND(day);
		return day;
	}
	if (timestamp2tm(ts, tz != NULL ? &offset : NULL, &tm, &fsec, NULL, tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE;
}

/*
 * The statements that recompute and verify a board read a call's local time as a
 * timestamp. A timestamptz within hours of either end of the range can have a local time
 * in the board's zone beyond it: captured, it could never be recomputed, and rebuild()
 * would fail from then on. Refused as the statements would refuse it.
 */
static DateADT
local_day_in_range(FoldShape *shape, DateADT day)
{
	int			julian = day + POSTGRES_EPOCH_JDATE;

	if (!DATE_NOT_FINITE(day) && (julian < DATETIME_MIN_JULIAN || julian >= TIMESTAMP_END_JULIAN))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range in time zone \"%s\"", text_to_cstring(shape->time_zone)),
				 errdetail("A board files a call under its local day in the board's time zone, which must lie within the range of type timestamp."),
				 errhint("Only a board in a zone that keeps such a call's local time in range (UTC at the ends of the range) can count it.")));
	return day;
}

/* The local day of a value of the source's time column, in the board's time zone. */
static DateADT
local_day(FoldShape *shape, Datum at)
{
	if (shape->at_type == DATEOID)
		return DatumGetDateADT(at);
	if (shape->at_type == TIMESTAMPOID)
		return day_of_timestamp(DatumGetTimestamp(at), NULL);
	/* timestamptz: AT TIME ZONE the board's zone */
	if (shape->tz != NULL)
		return local_day_in_range(shape, day_of_timestamp(DatumGetTimestampTz(at), shape->tz));
	if (shape->tz_fixed)
	{
		TimestampTz ts = DatumGetTimestampTz(at);

		if (!TIMESTAMP_NOT_FINITE(ts))
			ts += (int64) shape->tz_offset * USECS_PER_SEC;
		return local_day_in_range(shape, day_of_timestamp(ts, NULL));
	}
	return day_of_timestamp(DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone,
																  PointerGetDatum(shape->time_zone),
																  at)),
							NULL);
}

/*
 * How to read a time in zone "name" as timestamptz_zone() does, which tries
 * abbreviations first: a fixed offset (UTC, EST), or a full zone name converted with
 * directly. Abbreviations whose offset changed over time (DYNTZ) and anything else are
 * left to timestamptz_zone() itself.
 */
static void
resolve_zone(FoldShape *shape, const char *name)
{
	char	   *lower = downcase_truncate_identifier(name, strlen(name), false);
	int			val;
	pg_tz	   *tzp;
	int			type = DecodeTimezoneAbbrev(0, lower, &val, &tzp);

	if (type == TZ || type == DTZ)
	{
		shape->tz_fixed = true;
		shape->tz_offset = val;
	}
	else if (type != DYNTZ)
		shape->tz = pg_tzset(name);
}

/* ---- the shape ---- */

static void
init_key_column(FoldKeyColumn *col, Form_pg_attribute att)
{
	TypeCacheEntry *tc = lookup_type_cache(att->atttypid, TYPECACHE_EQ_OPR | TYPECACHE_HASH_PROC);
	Oid			funcid;
	CoercionPathType path;

	if (!OidIsValid(tc->eq_opr) || !OidIsValid(tc->hash_proc))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("column \"%s\" of type %s cannot key a board", NameStr(att->attname),
						format_type_be(att->atttypid)),
				 errdetail("Agent and partition columns need a type with default btree and hash operator classes.")));
	fmgr_info_cxt(get_opcode(tc->eq_opr), &col->eq, CurrentMemoryContext);
	fmgr_info_cxt(tc->hash_proc, &col->hash, CurrentMemoryContext);
	col->collation = att->attcollation;
	col->typlen = att->attlen;
	col->typbyval = att->attbyval;
	switch (getBaseType(att->atttypid))
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case BOOLOID:
		case CHAROID:
		case OIDOID:
		case DATEOID:
		case TIMEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			col->bitwise = att->attbyval;
			break;
		default:
			col->bitwise = false;
	}

	path = find_coercion_pathway(TEXTOID, att->atttypid, COERCION_EXPLICIT, &funcid);
	col->to_text_is_output = path != COERCION_PATH_FUNC && path != COERCION_PATH_RELABELTYPE;
	col->to_text_is_relabel = path == COERCION_PATH_RELABELTYPE;
	col->to_text_nargs = 1;
	if (path == COERCION_PATH_FUNC)
	{
		fmgr_info_cxt(funcid, &col->to_text, CurrentMemoryContext);
		col->to_text_nargs = get_func_nargs(funcid);
	}
	else if (col->to_text_is_output)
	{
		Oid			output;
		bool		varlena;

		getTypeOutputInfo(att->atttypid, &output, &varlena);
		fmgr_info_cxt(output, &col->to_text, CurrentMemoryContext);
	}
}

static FoldPeriod
period_of_name(const char *name)
{
	static const char *const names[] = {"day", "week", "month", "quarter", "year", "all"};
	int			i;

	for (i = 0; i < lengthof(names); i++)
		if (strcmp(names[i], name) == 0)
			return (FoldPeriod) i;
	elog(ERROR, "leaderboard: unknown period kind \"%s\"", name);
	return FOLD_DAY;
}

static void
text_array(Datum array, Datum **elems, bool **nulls, int *n)
{
	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false, TYPALIGN_INT,
					  elems, nulls, n);
}

FoldShape *
fold_shape_load(const char *name, MemoryContext cxt, bool fresh)
{
	Datum		arg = CStringGetTextDatum(name);
	Oid			argtype = TEXTOID;
	HeapTuple	tup;
	TupleDesc	desc;
	FoldShape  *shape;
	FoldKeys   *keys;
	MemoryContext old;
	Relation	rel;
	TupleDesc	rdesc;
	Datum	   *elems;
	bool	   *nulls;
	bool		isnull;
	int			n;
	int			i;
	Datum		filter;
	char	   *tzname;

	if (SPI_execute_with_args("SELECT source::pg_catalog.oid, agent_column::pg_catalog.text, "
							  "at_column::pg_catalog.text, metric_exprs, filter, "
							  "partition_by::pg_catalog.text[], periods, time_zone "
							  "FROM leaderboard.boards WHERE name = $1",
							  1, &argtype, &arg, NULL, !fresh, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "leaderboard: could not read the shape of board \"%s\"", name);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;

	old = MemoryContextSwitchTo(cxt);
	shape = palloc0(sizeof(FoldShape));
	keys = &shape->keys;
	shape->source = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
	rel = table_open(shape->source, AccessShareLock);
	rdesc = RelationGetDescr(rel);
	shape->source_desc = CreateTupleDescCopy(rdesc);
	shape->agent_att = attnameAttNum(rel, TextDatumGetCString(SPI_getbinval(tup, desc, 2, &isnull)), false);
	shape->at_att = attnameAttNum(rel, TextDatumGetCString(SPI_getbinval(tup, desc, 3, &isnull)), false);
	if (shape->agent_att <= 0 || shape->at_att <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("the agent or time column of board \"%s\" is missing from its source", name),
				 errhint("Drop the board with leaderboard.drop_board('%s'), or restore the column.", name)));
	shape->at_type = getBaseType(TupleDescAttr(rdesc, shape->at_att - 1)->atttypid);
	tzname = TextDatumGetCString(SPI_getbinval(tup, desc, 8, &isnull));
	shape->time_zone = cstring_to_text(tzname);
	if (shape->at_type == TIMESTAMPTZOID)
		resolve_zone(shape, tzname);

	text_array(SPI_getbinval(tup, desc, 6, &isnull), &elems, &nulls, &n);
	shape->nparts = n;
	shape->part_att = palloc(sizeof(AttrNumber) * Max(n, 1));
	keys->nkeys = n + 1;
	keys->keys = palloc0(sizeof(FoldKeyColumn) * keys->nkeys);
	for (i = 0; i < n; i++)
	{
		shape->part_att[i] = attnameAttNum(rel, TextDatumGetCString(elems[i]), false);
		if (shape->part_att[i] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("a partition column of board \"%s\" is missing from its source", name),
					 errhint("Drop the board with leaderboard.drop_board('%s'), or restore the column.", name)));
		init_key_column(&keys->keys[i], TupleDescAttr(rdesc, shape->part_att[i] - 1));
	}
	init_key_column(&keys->keys[n], TupleDescAttr(rdesc, shape->agent_att - 1));

	text_array(SPI_getbinval(tup, desc, 4, &isnull), &elems, &nulls, &n);
	keys->nmetrics = n;
	shape->metric = palloc(sizeof(Expr *) * n);
	shape->kind = palloc(sizeof(KpiInputKind) * n);
	for (i = 0; i < n; i++)
	{
		shape->metric[i] = board_plan_source_expression(rel, TextDatumGetCString(elems[i]), "metric");
		shape->kind[i] = kpi_input_kind(exprType((Node *) shape->metric[i]));
	}
	shape->fractional = kpi_fractional_mask(shape->kind, n);
	filter = SPI_getbinval(tup, desc, 5, &isnull);
	shape->filter = isnull ? NULL : board_plan_source_expression(rel, TextDatumGetCString(filter),
																					"filter");

	text_array(SPI_getbinval(tup, desc, 7, &isnull), &elems, &nulls, &n);
	if (n > FOLD_MAX_PERIODS)
		elog(ERROR, "leaderboard: board \"%s\" has too many periods", name);
	keys->nperiods = n;
	for (i = 0; i < n; i++)
	{
		keys->period_name[i] = TextDatumGetCString(elems[i]);
		shape->period[i] = period_of_name(keys->period_name[i]);
	}

	/* the captured groups' columns, named as the SQL statements read them */
	keys->group_desc = CreateTemplateTupleDesc(3 + keys->nkeys + 1);
	TupleDescInitEntry(keys->group_desc, 1, "scope_key", TEXTOID, -1, 0);
	TupleDescInitEntryCollation(keys->group_desc, 1, C_COLLATION_OID);
	TupleDescInitEntry(keys->group_desc, 2, "period", TEXTOID, -1, 0);
	TupleDescInitEntry(keys->group_desc, 3, "period_start", DATEOID, -1, 0);
	for (i = 0; i < keys->nkeys; i++)
	{
		Form_pg_attribute att = TupleDescAttr(rdesc, (i < shape->nparts ? shape->part_att[i] : shape->agent_att) - 1);

		TupleDescInitEntry(keys->group_desc, 4 + i, NameStr(att->attname), att->atttypid,
						   att->atttypmod, 0);
		TupleDescInitEntryCollation(keys->group_desc, 4 + i, att->attcollation);
	}
	TupleDescInitEntry(keys->group_desc, 4 + keys->nkeys, "kpis",
					   GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("kpis"),
									   ObjectIdGetDatum(get_namespace_oid("leaderboard", false))),
					   -1, 0);
	table_close(rel, AccessShareLock);
	MemoryContextSwitchTo(old);
	return shape;
}

FoldKeys *
fold_keys_copy(const FoldKeys *keys, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	FoldKeys   *copy = palloc(sizeof(FoldKeys));
	int			i;

	*copy = *keys;
	copy->keys = palloc(sizeof(FoldKeyColumn) * keys->nkeys);
	for (i = 0; i < keys->nkeys; i++)
	{
		copy->keys[i] = keys->keys[i];
		fmgr_info_copy(&copy->keys[i].eq, &keys->keys[i].eq, cxt);
		fmgr_info_copy(&copy->keys[i].hash, &keys->keys[i].hash, cxt);
		fmgr_info_copy(&copy->keys[i].to_text, &keys->keys[i].to_text, cxt);
	}
	for (i = 0; i < keys->nperiods; i++)
		copy->period_name[i] = pstrdup(keys->period_name[i]);
	copy->group_desc = CreateTupleDescCopy(keys->group_desc);
	MemoryContextSwitchTo(old);
	return copy;
}

/* ---- levels ---- */

FoldLevel *
fold_level_create(FoldKeys *keys, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "leaderboard captured groups",
											  ALLOCSET_DEFAULT_SIZES);
	FoldLevel  *level = MemoryContextAlloc(cxt, sizeof(FoldLevel));

	level->keys = keys;
	level->cxt = cxt;
	level->groups = group_hash_create("leaderboard captured groups", cxt);
	return level;
}

void
fold_level_free(FoldLevel *level)
{
	MemoryContextDelete(level->cxt);
}

long
fold_level_count(FoldLevel *level)
{
	return hash_get_num_entries(level->groups);
}

/* Adds one group, already keyed for a level, into level. */
static void
level_add(FoldLevel *level, GroupKey *key, const char *scope_key, const Kpis *added,
		  const Kpis *removed, bool removes_added)
{
	bool		found;
	GroupEntry *e = group_enter(level->groups, level->cxt, key, &found);

	if (!found)
	{
		char	   *built = scope_key != NULL ? NULL :
			build_scope_key(level->keys, key->slot, key->start, key);

		e->scope_key = MemoryContextStrdup(level->cxt, built != NULL ? built : scope_key);
		if (built != NULL)
			pfree(built);
	}
	/* rows added by an earlier statement may be among those this one removes */
	if (removes_added || (removed != NULL && e->added != NULL))
		e->removes_added = true;
	kpis_absorb(&e->added, added, level->cxt);
	kpis_absorb(&e->removed, removed, level->cxt);
}

void
fold_level_merge(FoldLevel *parent, FoldLevel *child)
{
	HASH_SEQ_STATUS seq;
	GroupEntry *e;

	hash_seq_init(&seq, child->groups);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		level_add(parent, &e->key, e->scope_key, e->added, e->removed, e->removes_added);
	}
}

void
fold_level_emit(FoldLevel *level,
				void (*emit) (HeapTuple group, const Kpis *added, const Kpis *removed,
							  bool removes_added, void *arg),
				void *arg)
{
	FoldKeys   *keys = level->keys;
	int			natts = keys->group_desc->natts;
	Datum	   *values = palloc(sizeof(Datum) * natts);
	bool	   *nulls = palloc(sizeof(bool) * natts);
	HASH_SEQ_STATUS seq;
	GroupEntry *e;
	int			i;

	hash_seq_init(&seq, level->groups);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		memset(nulls, false, sizeof(bool) * natts);
		values[0] = CStringGetTextDatum(e->scope_key);
		values[1] = CStringGetTextDatum(keys->period_name[e->key.slot]);
		values[2] = DateADTGetDatum(e->key.start);
		for (i = 0; i < keys->nkeys; i++)
		{
			values[3 + i] = e->key.values[i];
			nulls[3 + i] = e->key.isnull[i];
		}
		/* rows removed and added back unchanged: nothing to do */
		if (e->removed != NULL && e->added != NULL && kpis_equal(e->removed, e->added))
			continue;
		/* a correction reads as a group to recompute, with its deltas beside it */
		nulls[natts - 1] = e->removed != NULL;
		values[natts - 1] = e->removed != NULL ? (Datum) 0 : PointerGetDatum(e->added);
		emit(heap_form_tuple(keys->group_desc, values, nulls), e->added, e->removed,
			 e->removes_added, arg);
	}
	pfree(values);
	pfree(nulls);
}

/* ---- a statement's fold ---- */

static void
fold_run_begin(FoldRun *run, FoldShape *shape, Relation rel)
{
	MemoryContext old;
	int			i;

	memset(run, 0, sizeof(FoldRun));
	run->shape = shape;
	run->cxt = AllocSetContextCreate(CurrentMemoryContext, "leaderboard fold",
									 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(run->cxt);
	run->days = group_hash_create("leaderboard day groups", run->cxt);
	run->econtext = CreateStandaloneExprContext();
	run->metric = palloc(sizeof(ExprState *) * shape->keys.nmetrics);
	for (i = 0; i < shape->keys.nmetrics; i++)
		run->metric[i] = ExecInitExpr(shape->metric[i], NULL);
	run->filter = shape->filter != NULL ? ExecInitQual(list_make1(shape->filter), NULL) : NULL;
	if (RelationGetRelid(rel) != shape->source)
	{
		/* a partition's rows may lie in another column order than the source's */
		Relation	source = table_open(shape->source, AccessShareLock);

		run->map = build_attrmap_by_name_if_req(RelationGetDescr(rel), RelationGetDescr(source));
		if (run->map != NULL)
			run->source_slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(RelationGetDescr(source)),
														&TTSOpsVirtual);
		table_close(source, AccessShareLock);
	}
	run->values = palloc(sizeof(Datum) * shape->keys.nkeys);
	run->isnull = palloc(sizeof(bool) * shape->keys.nkeys);
	MemoryContextSwitchTo(old);
}

/* Folds one row of the firing relation into the statement's day groups. */
static void
fold_run_row(FoldRun *run, TupleTableSlot *slot, bool removed)
{
	FoldShape  *shape = run->shape;
	FoldKeys   *keys = &shape->keys;
	ExprContext *econtext = run->econtext;
	Datum		at;
	bool		isnull;
	GroupKey	key;
	GroupEntry *e;
	Kpis	  **k;
	MemoryContext old;
	bool		found;
	int			i;

	CHECK_FOR_INTERRUPTS();
	if (run->map != NULL)
		slot = execute_attr_map_slot(run->map, slot, run->source_slot);
	run->values[keys->nkeys - 1] = slot_getattr(slot, shape->agent_att, &isnull);
	if (isnull)
		return;
	at = slot_getattr(slot, shape->at_att, &isnull);
	if (isnull)
		return;
	econtext->ecxt_scantuple = slot;
	if (run->filter != NULL && !ExecQual(run->filter, econtext))
	{
		ResetExprContext(econtext);
		return;
	}
	run->isnull[keys->nkeys - 1] = false;
	for (i = 0; i < shape->nparts; i++)
		run->values[i] = slot_getattr(slot, shape->part_att[i], &run->isnull[i]);

	/*
	 * zeroed whole: hash_search() copies the key's padding into the entry, and those
	 * uninitialised bytes were found (by valgrind) to reach a WAL write
	 */
	memset(&key, 0, sizeof(key));
	key.keys = keys;
	/* timestamptz_zone(), for the zones it reads itself, allocates: per tuple */
	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	key.slot = local_day(shape, at);
	MemoryContextSwitchTo(old);
	key.start = 0;
	key.values = run->values;
	key.isnull = run->isnull;
	key.hash = compute_key_hash(keys, key.slot, key.start, key.values, key.isnull);
	e = group_enter(run->days, run->cxt, &key, &found);
	k = removed ? &e->removed : &e->added;
	if (*k == NULL)
	{
		old = MemoryContextSwitchTo(run->cxt);
		*k = kpis_new(keys->nmetrics, shape->fractional);
		MemoryContextSwitchTo(old);
	}
	for (i = 0; i < keys->nmetrics; i++)
	{
		Datum		v = ExecEvalExprSwitchContext(run->metric[i], econtext, &isnull);

		if (!isnull)
			kpis_add_datum(*k, i, shape->kind[i], v);
	}
	kpis_add_rows(*k, 1);
	ResetExprContext(econtext);
}

/* Folds the statement's day groups into the level's period groups, and ends the run. */
static void
fold_run_end(FoldRun *run, FoldLevel *level)
{
	FoldShape  *shape = run->shape;
	HASH_SEQ_STATUS seq;
	GroupEntry *e;
	int			p;

	hash_seq_init(&seq, run->days);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		for (p = 0; p < shape->keys.nperiods; p++)
		{
			GroupKey	key = e->key;

			key.keys = level->keys;
			key.slot = p;
			key.start = period_start(shape->period[p], (DateADT) e->key.slot);
			key.hash = compute_key_hash(level->keys, key.slot, key.start, key.values, key.isnull);
			level_add(level, &key, NULL, e->added, e->removed, false);
		}
	}
	if (run->source_slot != NULL)
		ExecDropSingleTupleTableSlot(run->source_slot);
	FreeExprContext(run->econtext, true);
	MemoryContextDelete(run->cxt);
}

static void
fold_store(FoldRun *run, Relation rel, Tuplestorestate *store, bool removed)
{
	TupleTableSlot *slot;
	int			ptr;

	if (store == NULL)
		return;
	slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
	/* a read pointer of its own: the other triggers of the statement read it too */
	ptr = tuplestore_alloc_read_pointer(store, EXEC_FLAG_REWIND);
	tuplestore_select_read_pointer(store, ptr);
	tuplestore_rescan(store);
	while (tuplestore_gettupleslot(store, true, false, slot))
		fold_run_row(run, slot, removed);
	tuplestore_select_read_pointer(store, 0);
	ExecDropSingleTupleTableSlot(slot);
}

void
fold_rows_into(FoldShape *shape, FoldLevel *level, Relation rel,
			   Tuplestorestate *newrows, Tuplestorestate *oldrows)
{
	FoldRun		run;

	fold_run_begin(&run, shape, rel);
	fold_store(&run, rel, newrows, false);
	fold_store(&run, rel, oldrows, true);
	fold_run_end(&run, level);
}

void
fold_tuples_into(FoldShape *shape, FoldLevel *level, Relation rel, HeapTuple added,
				 HeapTuple removed)
{
	FoldRun		run;
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsHeapTuple);

	fold_run_begin(&run, shape, rel);
	if (added != NULL)
	{
		ExecStoreHeapTuple(added, slot, false);
		fold_run_row(&run, slot, false);
	}
	if (removed != NULL)
	{
		ExecStoreHeapTuple(removed, slot, false);
		fold_run_row(&run, slot, true);
	}
	ExecDropSingleTupleTableSlot(slot);
	fold_run_end(&run, level);
}
