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
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_relation.h"
#include "parser/scansup.h"
#include "rewrite/rewriteHandler.h"
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
 * A group's key: in the statement's day hash (slot = local day), in a level (slot =
 * period index, start = period start), or in a level's scopes (slot = period index, start
 * = period start, the values the partitions only). Up to FOLD_INLINE_KEYS values are held
 * in the key itself, so that comparing a probe with an entry reads no other memory: a
 * large fold (COPY) is bound by the cache misses of its hash lookups.
 */
#define FOLD_INLINE_KEYS 2

typedef struct GroupKey
{
	int32		slot;
	DateADT		start;
	union
	{
		Datum		values[FOLD_INLINE_KEYS];	/* when the values fit */
		struct
		{
			Datum	   *values;
			bool	   *isnull;
		}			ext;		/* else */
	}			u;
	bool		isnull[FOLD_INLINE_KEYS];
} GroupKey;

typedef struct GroupEntry
{
	GroupKey	key;
	uint32		hash;
	char		status;			/* simplehash's */
	bool		removes_added;	/* rows were removed after rows were added: the removed
								 * ones may be among the added ones, not the stored ones */
	Kpis	   *added;			/* the rows added (NEW rows), or NULL */
	Kpis	   *removed;		/* the rows removed (OLD rows), or NULL */
	text	   *scope_key;		/* level groups and scopes: the scope's key text */
} GroupEntry;

/* What a group hash compares: the first nvalues key columns of keys. */
typedef struct GroupHashInfo
{
	FoldKeys   *keys;
	int			nvalues;
} GroupHashInfo;

static inline Datum *
key_values(GroupKey *key, int nvalues)
{
	return nvalues <= FOLD_INLINE_KEYS ? key->u.values : key->u.ext.values;
}

static inline bool *
key_isnull(GroupKey *key, int nvalues)
{
	return nvalues <= FOLD_INLINE_KEYS ? key->isnull : key->u.ext.isnull;
}

static inline bool
group_key_equal(GroupHashInfo *info, GroupKey *a, GroupKey *b)
{
	Datum	   *va;
	Datum	   *vb;
	bool	   *na;
	bool	   *nb;
	int			i;

	if (a->slot != b->slot || a->start != b->start)
		return false;
	va = key_values(a, info->nvalues);
	vb = key_values(b, info->nvalues);
	na = key_isnull(a, info->nvalues);
	nb = key_isnull(b, info->nvalues);
	for (i = 0; i < info->nvalues; i++)
	{
		FoldKeyColumn *col = &info->keys->keys[i];

		if (na[i] != nb[i])
			return false;
		if (na[i])
			continue;
		if (col->bitwise ? va[i] != vb[i] :
			!DatumGetBool(FunctionCall2Coll(&col->eq, col->collation, va[i], vb[i])))
			return false;
	}
	return true;
}

static uint32
group_key_hash(GroupHashInfo *info, GroupKey *key)
{
	Datum	   *values = key_values(key, info->nvalues);
	bool	   *isnull = key_isnull(key, info->nvalues);
	uint32		h = hash_bytes_uint32((uint32) key->slot);
	int			i;

	h = hash_combine(h, hash_bytes_uint32((uint32) key->start));
	for (i = 0; i < info->nvalues; i++)
	{
		FoldKeyColumn *col = &info->keys->keys[i];

		h = hash_combine(h, isnull[i] ? 0x9e3779b9 :
						 col->bitwise ? hash_bytes_uint32((uint32) (values[i] ^ (values[i] >> 32))) :
						 DatumGetUInt32(FunctionCall1Coll(&col->hash, col->collation, values[i])));
	}
	return murmurhash32(h);
}

#define SH_PREFIX groups
#define SH_ELEMENT_TYPE GroupEntry
#define SH_KEY_TYPE GroupKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) group_key_hash((GroupHashInfo *) (tb)->private_data, &(k))
#define SH_EQUAL(tb, a, b) group_key_equal((GroupHashInfo *) (tb)->private_data, &(a), &(b))
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* A group hash and what it compares. */
typedef struct GroupHash
{
	GroupHashInfo info;
	MemoryContext cxt;			/* where new keys' values are copied */
	groups_hash *tab;
} GroupHash;

struct FoldLevel
{
	FoldKeys   *keys;
	MemoryContext cxt;
	GroupHash	groups;
	GroupHash	scopes;			/* one entry a scope: its key text, built once */
};

/*
 * Rows are read in batches: each row's key and metric values are set aside and its
 * group's bucket prefetched, then the batch's groups are looked up and their kpis
 * prefetched, then the values added. A large statement's groups outgrow the caches, and
 * so its lookups overlap their memory reads instead of waiting for each in turn.
 */
#define FOLD_BATCH_ROWS 32

#if defined(__GNUC__)
#define fold_prefetch(p) __builtin_prefetch(p)
#else
#define fold_prefetch(p) ((void) 0)
#endif

typedef struct FoldBatchRow
{
	GroupKey	key;
	uint32		hash;
	bool		removed;
	Kpis	   *kpis;			/* the group's, once looked up */
} FoldBatchRow;

/* A statement's fold: its day groups, and the executor state its expressions run in. */
typedef struct FoldRun
{
	FoldShape  *shape;
	MemoryContext cxt;
	GroupHash	days;
	ExprContext *econtext;
	ExprState **metric;
	ExprState  *filter;
	AttrMap    *map;			/* partition row -> source row, or NULL */
	TupleTableSlot *source_slot;	/* rows in the source's row type, when mapped */
	ExprState **generated;		/* shape->generated, ready to run */
	TupleTableSlot *generated_slot; /* rows with those columns computed, or NULL */
	int			batch_size;		/* 1 when a key or metric value is a pointer, which
								 * the next row read may free */
	int			nbatch;
	FoldBatchRow *batch;
	Datum	   *values;			/* batch_size x nkeys key values */
	bool	   *isnull;
	Datum	   *metric_values;	/* batch_size x nmetrics */
	bool	   *metric_isnull;
} FoldRun;

static void
group_hash_init(GroupHash *hash, FoldKeys *keys, int nvalues, MemoryContext cxt)
{
	hash->info.keys = keys;
	hash->info.nvalues = nvalues;
	hash->cxt = cxt;
	hash->tab = groups_create(cxt, 64, &hash->info);
}

/*
 * Sets key to (slot, start, values): the values themselves, or when they do not fit,
 * pointers to the arrays given, which must outlive the key's use.
 */
static void
group_key_set(GroupKey *key, int nvalues, int32 slot, DateADT start, Datum *values,
			  bool *isnull)
{
	/* zeroed whole: the padding is copied into entries, which reach other memory */
	memset(key, 0, sizeof(GroupKey));
	key->slot = slot;
	key->start = start;
	if (nvalues <= FOLD_INLINE_KEYS)
	{
		memcpy(key->u.values, values, sizeof(Datum) * nvalues);
		memcpy(key->isnull, isnull, sizeof(bool) * nvalues);
	}
	else
	{
		key->u.ext.values = values;
		key->u.ext.isnull = isnull;
	}
}

/*
 * The entry of key in hash, created with copies of the key values in the hash's memory
 * when missing (*found says which).
 */
static GroupEntry *
group_enter(GroupHash *hash, GroupKey *key, uint32 h, bool *found)
{
	GroupEntry *e = groups_insert_hash(hash->tab, *key, h, found);

	if (!*found)
	{
		int			n = hash->info.nvalues;
		FoldKeys   *keys = hash->info.keys;
		Datum	   *from = key_values(key, n);
		bool	   *from_null = key_isnull(key, n);
		Datum	   *values;
		int			i;

		if (n > FOLD_INLINE_KEYS)
		{
			e->key.u.ext.values = MemoryContextAlloc(hash->cxt, sizeof(Datum) * n);
			e->key.u.ext.isnull = MemoryContextAlloc(hash->cxt, sizeof(bool) * n);
			memcpy(e->key.u.ext.isnull, from_null, sizeof(bool) * n);
		}
		values = key_values(&e->key, n);
		for (i = 0; i < n; i++)
		{
			if (from_null[i])
				values[i] = (Datum) 0;
			else if (!keys->keys[i].typbyval)
			{
				MemoryContext old = MemoryContextSwitchTo(hash->cxt);

				values[i] = datumCopy(from[i], false, keys->keys[i].typlen);
				MemoryContextSwitchTo(old);
			}
			else
				values[i] = from[i];
		}
		e->added = NULL;
		e->removed = NULL;
		e->removes_added = false;
		e->scope_key = NULL;
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

/* The scope key text of (period, start) and the partition values, in cxt. */
static text *
build_scope_key(FoldKeys *keys, int period, DateADT start, Datum *values, bool *isnull,
				MemoryContext cxt)
{
	StringInfoData buf;
	text	   *result;
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
		if (isnull[i])
			appendStringInfoString(&buf, "NULL");
		else
			appendStringInfoString(&buf, quote_literal_cstr(key_value_text(&keys->keys[i],
																		   values[i])));
	}
	result = MemoryContextAlloc(cxt, VARHDRSZ + buf.len);
	SET_VARSIZE(result, VARHDRSZ + buf.len);
	memcpy(VARDATA(result), buf.data, buf.len);
	pfree(buf.data);
	return result;
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

/* Whether a (finite) day lies outside the range of type timestamp. */
static bool
day_beyond_timestamps(DateADT day)
{
	int			julian = day + POSTGRES_EPOCH_JDATE;

	return !DATE_NOT_FINITE(day) && (julian < DATETIME_MIN_JULIAN || julian >= TIMESTAMP_END_JULIAN);
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
	if (day_beyond_timestamps(day))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range in time zone \"%s\"", text_to_cstring(shape->time_zone)),
				 errdetail("A board files a call under its local day in the board's time zone, which must lie within the range of type timestamp."),
				 errhint("Only a board in a zone that keeps such a call's local time in range (UTC at the ends of the range) can count it.")));
	return day;
}

/*
 * A date column holds days past the end of type timestamp (294276 AD), which the
 * statements that recompute and verify a board cannot read as a timestamp: refused as
 * they would refuse it.
 */
static DateADT
date_in_timestamp_range(DateADT day)
{
	if (day_beyond_timestamps(day))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range for timestamp"),
				 errdetail("A board reads a call's day as a timestamp, whose range ends in 294276 AD.")));
	return day;
}

/* The local day of a value of the source's time column, in the board's time zone. */
static DateADT
local_day(FoldShape *shape, Datum at)
{
	if (shape->at_type == DATEOID)
		return date_in_timestamp_range(DatumGetDateADT(at));
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

/*
 * The stored generated columns of a partitioned source that the board reads (as its
 * agent, time or partition column, or in a metric or its filter), with their expressions.
 * PostgreSQL 15 gives a partitioned table's AFTER statement triggers the rows it routed
 * to a partition whose columns lie in another order (a column dropped from the parent, a
 * table attached) without their generated columns: it computes them in the partition's
 * row only, and the transition table holds the row as given. The fold computes them
 * itself from the row, for every row, as the partition did: _check_source_family()
 * keeps partitions that generate a column otherwise than the source out.
 */
static void
load_generated(FoldShape *shape, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Bitmapset  *vars = NULL;
	bool		whole_row;
	AttrNumber	att;
	int			i;

	shape->ngenerated = 0;
	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE || desc->constr == NULL ||
		!desc->constr->has_generated_stored)
		return;
	for (i = 0; i < shape->keys.nmetrics; i++)
		pull_varattnos((Node *) shape->metric[i], 1, &vars);
	if (shape->filter != NULL)
		pull_varattnos((Node *) shape->filter, 1, &vars);
	whole_row = bms_is_member(InvalidAttrNumber - FirstLowInvalidHeapAttributeNumber, vars);
	vars = bms_add_member(vars, shape->agent_att - FirstLowInvalidHeapAttributeNumber);
	vars = bms_add_member(vars, shape->at_att - FirstLowInvalidHeapAttributeNumber);
	for (i = 0; i < shape->nparts; i++)
		vars = bms_add_member(vars, shape->part_att[i] - FirstLowInvalidHeapAttributeNumber);

	shape->generated_att = palloc(sizeof(AttrNumber) * desc->natts);
	shape->generated = palloc(sizeof(Expr *) * desc->natts);
	for (att = 1; att <= desc->natts; att++)
	{
		if (TupleDescAttr(desc, att - 1)->attgenerated != ATTRIBUTE_GENERATED_STORED ||
			!(whole_row || bms_is_member(att - FirstLowInvalidHeapAttributeNumber, vars)))
			continue;
		shape->generated_att[shape->ngenerated] = att;
		shape->generated[shape->ngenerated] =
			expression_planner((Expr *) build_column_default(rel, att));
		shape->ngenerated++;
	}
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

	load_generated(shape, rel);

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
	group_hash_init(&level->groups, keys, keys->nkeys, cxt);
	group_hash_init(&level->scopes, keys, keys->nkeys - 1, cxt);
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
	return level->groups.tab->members;
}

/*
 * The scope key text of a level group's key, from the level's scopes: built once a scope
 * (or copied from built, the same scope's key text from another level).
 */
static text *
level_scope_key(FoldLevel *level, GroupKey *key, const text *built)
{
	int			nkeys = level->keys->nkeys;
	GroupKey	scope;
	GroupEntry *e;
	bool		found;

	group_key_set(&scope, nkeys - 1, key->slot, key->start, key_values(key, nkeys),
				  key_isnull(key, nkeys));
	e = group_enter(&level->scopes, &scope, group_key_hash(&level->scopes.info, &scope), &found);
	if (!found)
	{
		if (built != NULL)
		{
			e->scope_key = MemoryContextAlloc(level->cxt, VARSIZE(built));
			memcpy(e->scope_key, built, VARSIZE(built));
		}
		else
			e->scope_key = build_scope_key(level->keys, key->slot, key->start,
										   key_values(key, nkeys), key_isnull(key, nkeys),
										   level->cxt);
	}
	return e->scope_key;
}

/* Adds one group, already keyed for a level (h its hash), into level. */
static void
level_add(FoldLevel *level, GroupKey *key, uint32 h, const text *scope_key, const Kpis *added,
		  const Kpis *removed, bool removes_added)
{
	bool		found;
	GroupEntry *e = group_enter(&level->groups, key, h, &found);

	if (!found)
		e->scope_key = level_scope_key(level, &e->key, scope_key);
	/* rows added by an earlier statement may be among those this one removes */
	if (removes_added || (removed != NULL && e->added != NULL))
		e->removes_added = true;
	kpis_absorb(&e->added, added, level->cxt);
	kpis_absorb(&e->removed, removed, level->cxt);
}

void
fold_level_merge(FoldLevel *parent, FoldLevel *child)
{
	groups_iterator it;
	GroupEntry *e;

	groups_start_iterate(child->groups.tab, &it);
	while ((e = groups_iterate(child->groups.tab, &it)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		level_add(parent, &e->key, e->hash, e->scope_key, e->added, e->removed,
				  e->removes_added);
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
	Datum		period_name[FOLD_MAX_PERIODS];
	groups_iterator it;
	GroupEntry *e;
	int			i;

	for (i = 0; i < keys->nperiods; i++)
		period_name[i] = CStringGetTextDatum(keys->period_name[i]);
	groups_start_iterate(level->groups.tab, &it);
	while ((e = groups_iterate(level->groups.tab, &it)) != NULL)
	{
		Datum	   *kv = key_values(&e->key, keys->nkeys);
		bool	   *kn = key_isnull(&e->key, keys->nkeys);

		CHECK_FOR_INTERRUPTS();
		/* rows removed and added back unchanged: nothing to do */
		if (e->removed != NULL && e->added != NULL && kpis_equal(e->removed, e->added))
			continue;
		memset(nulls, false, sizeof(bool) * natts);
		values[0] = PointerGetDatum(e->scope_key);
		values[1] = period_name[e->key.slot];
		values[2] = DateADTGetDatum(e->key.start);
		for (i = 0; i < keys->nkeys; i++)
		{
			values[3 + i] = kv[i];
			nulls[3 + i] = kn[i];
		}
		/* a correction reads as a group to recompute, with its deltas beside it */
		nulls[natts - 1] = e->removed != NULL;
		values[natts - 1] = e->removed != NULL ? (Datum) 0 : PointerGetDatum(e->added);
		emit(heap_form_tuple(keys->group_desc, values, nulls), e->added, e->removed,
			 e->removes_added, arg);
	}
	for (i = 0; i < keys->nperiods; i++)
		pfree(DatumGetPointer(period_name[i]));
	pfree(values);
	pfree(nulls);
}

/* ---- a statement's fold ---- */

/* Whether every key and metric value of the board's rows is held in its Datum. */
static bool
fold_batchable(FoldShape *shape)
{
	int			i;

	for (i = 0; i < shape->keys.nkeys; i++)
		if (!shape->keys.keys[i].typbyval)
			return false;
	for (i = 0; i < shape->keys.nmetrics; i++)
		if (shape->kind[i] == KPI_INPUT_NUMERIC || shape->kind[i] == KPI_INPUT_INTERVAL ||
			(shape->kind[i] == KPI_INPUT_FLOAT8 && !FLOAT8PASSBYVAL))
			return false;
	return true;
}

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
	group_hash_init(&run->days, &shape->keys, shape->keys.nkeys, run->cxt);
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
	if (shape->ngenerated > 0)
	{
		run->generated = palloc(sizeof(ExprState *) * shape->ngenerated);
		for (i = 0; i < shape->ngenerated; i++)
			run->generated[i] = ExecInitExpr(shape->generated[i], NULL);
		run->generated_slot = MakeSingleTupleTableSlot(shape->source_desc, &TTSOpsVirtual);
	}
	run->batch_size = fold_batchable(shape) ? FOLD_BATCH_ROWS : 1;
	run->batch = palloc(sizeof(FoldBatchRow) * run->batch_size);
	run->values = palloc(sizeof(Datum) * shape->keys.nkeys * run->batch_size);
	run->isnull = palloc(sizeof(bool) * shape->keys.nkeys * run->batch_size);
	run->metric_values = palloc(sizeof(Datum) * Max(shape->keys.nmetrics, 1) * run->batch_size);
	run->metric_isnull = palloc(sizeof(bool) * Max(shape->keys.nmetrics, 1) * run->batch_size);
	MemoryContextSwitchTo(old);
}

/* Looks up the groups of the batch's rows, then adds the rows' values to them. */
static void
fold_run_flush(FoldRun *run)
{
	FoldKeys   *keys = &run->shape->keys;
	int			nmetrics = keys->nmetrics;
	int			r;
	int			i;

	for (r = 0; r < run->nbatch; r++)
	{
		FoldBatchRow *row = &run->batch[r];
		bool		found;
		GroupEntry *e = group_enter(&run->days, &row->key, row->hash, &found);
		Kpis	  **k = row->removed ? &e->removed : &e->added;
		Size		off;

		if (*k == NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(run->cxt);

			*k = kpis_new(nmetrics, run->shape->fractional);
			MemoryContextSwitchTo(old);
		}
		row->kpis = *k;
		for (off = 0; off < KPIS_SIZE(nmetrics); off += 64)
			fold_prefetch((char *) row->kpis + off);
	}
	for (r = 0; r < run->nbatch; r++)
	{
		Kpis	   *k = run->batch[r].kpis;
		Datum	   *values = run->metric_values + r * nmetrics;
		bool	   *isnull = run->metric_isnull + r * nmetrics;

		for (i = 0; i < nmetrics; i++)
			if (!isnull[i])
				kpis_add_datum(k, i, run->shape->kind[i], values[i]);
		kpis_add_rows(k, 1);
	}
	run->nbatch = 0;
}

/*
 * The row with the source's generated columns the board reads computed from the row's
 * other columns (load_generated()), in the per-tuple memory.
 */
static TupleTableSlot *
with_generated(FoldRun *run, TupleTableSlot *slot)
{
	FoldShape  *shape = run->shape;
	TupleTableSlot *out = run->generated_slot;
	ExprContext *econtext = run->econtext;
	int			natts = shape->source_desc->natts;
	int			i;

	slot_getallattrs(slot);
	ExecClearTuple(out);
	memcpy(out->tts_values, slot->tts_values, sizeof(Datum) * natts);
	memcpy(out->tts_isnull, slot->tts_isnull, sizeof(bool) * natts);
	econtext->ecxt_scantuple = slot;
	for (i = 0; i < shape->ngenerated; i++)
	{
		AttrNumber	att = shape->generated_att[i];

		out->tts_values[att - 1] = ExecEvalExprSwitchContext(run->generated[i], econtext,
															 &out->tts_isnull[att - 1]);
	}
	return ExecStoreVirtualTuple(out);
}

/*
 * Reads one row of the firing relation into the batch, and folds the batch into the
 * statement's day groups once it is full.
 */
static void
fold_run_row(FoldRun *run, TupleTableSlot *slot, bool removed)
{
	FoldShape  *shape = run->shape;
	FoldKeys   *keys = &shape->keys;
	ExprContext *econtext = run->econtext;
	FoldBatchRow *row = &run->batch[run->nbatch];
	Datum	   *values = run->values + run->nbatch * keys->nkeys;
	bool	   *isnull = run->isnull + run->nbatch * keys->nkeys;
	Datum	   *metric_values = run->metric_values + run->nbatch * keys->nmetrics;
	bool	   *metric_isnull = run->metric_isnull + run->nbatch * keys->nmetrics;
	Datum		at;
	bool		null;
	MemoryContext old;
	DateADT		day;
	int			i;

	CHECK_FOR_INTERRUPTS();
	if (run->map != NULL)
		slot = execute_attr_map_slot(run->map, slot, run->source_slot);
	if (run->generated_slot != NULL)
		slot = with_generated(run, slot);
	values[keys->nkeys - 1] = slot_getattr(slot, shape->agent_att, &null);
	if (null)
	{
		ResetExprContext(econtext);
		return;
	}
	at = slot_getattr(slot, shape->at_att, &null);
	if (null)
	{
		ResetExprContext(econtext);
		return;
	}
	econtext->ecxt_scantuple = slot;
	if (run->filter != NULL && !ExecQual(run->filter, econtext))
	{
		ResetExprContext(econtext);
		return;
	}
	isnull[keys->nkeys - 1] = false;
	for (i = 0; i < shape->nparts; i++)
		values[i] = slot_getattr(slot, shape->part_att[i], &isnull[i]);

	/* timestamptz_zone(), for the zones it reads itself, allocates: per tuple */
	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	day = local_day(shape, at);
	MemoryContextSwitchTo(old);
	group_key_set(&row->key, keys->nkeys, day, 0, values, isnull);
	row->hash = group_key_hash(&run->days.info, &row->key);
	row->removed = removed;
	fold_prefetch(&run->days.tab->data[row->hash & run->days.tab->sizemask]);
	for (i = 0; i < keys->nmetrics; i++)
		metric_values[i] = ExecEvalExprSwitchContext(run->metric[i], econtext, &metric_isnull[i]);
	/* a batch of one when the values point into the row or the per-tuple memory */
	if (++run->nbatch == run->batch_size)
		fold_run_flush(run);
	ResetExprContext(econtext);
}

/*
 * The starts of the board's periods for a day, from a small cache: a statement's days are
 * few, its day groups many.
 */
#define PERIOD_CACHE_SIZE 64

typedef struct PeriodCache
{
	bool		valid[PERIOD_CACHE_SIZE];
	DateADT		day[PERIOD_CACHE_SIZE];
	DateADT		start[PERIOD_CACHE_SIZE][FOLD_MAX_PERIODS];
} PeriodCache;

static const DateADT *
period_starts(FoldShape *shape, PeriodCache *cache, DateADT day)
{
	int			slot = (uint32) day % PERIOD_CACHE_SIZE;
	int			p;

	if (!cache->valid[slot] || cache->day[slot] != day)
	{
		for (p = 0; p < shape->keys.nperiods; p++)
			cache->start[slot][p] = period_start(shape->period[p], day);
		cache->day[slot] = day;
		cache->valid[slot] = true;
	}
	return cache->start[slot];
}

/* A day group's group of one period, keyed for a level, in a batch of fold_run_end(). */
typedef struct PeriodGroup
{
	GroupKey	key;
	uint32		hash;
	GroupEntry *day;
} PeriodGroup;

#define FOLD_END_BATCH_DAYS 8

/* Adds the batch's period groups to the level, their buckets prefetched. */
static void
level_add_batch(FoldLevel *level, PeriodGroup *batch, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		level_add(level, &batch[i].key, batch[i].hash, NULL, batch[i].day->added,
				  batch[i].day->removed, false);
}

/* Folds the statement's day groups into the level's period groups, and ends the run. */
static void
fold_run_end(FoldRun *run, FoldLevel *level)
{
	FoldShape  *shape = run->shape;
	int			nkeys = shape->keys.nkeys;
	int			nperiods = shape->keys.nperiods;
	PeriodCache *cache = palloc0(sizeof(PeriodCache));
	PeriodGroup *batch = palloc(sizeof(PeriodGroup) * FOLD_END_BATCH_DAYS * nperiods);
	int			n = 0;
	groups_iterator it;
	GroupEntry *e;
	int			p;

	fold_run_flush(run);
	groups_start_iterate(run->days.tab, &it);
	while ((e = groups_iterate(run->days.tab, &it)) != NULL)
	{
		const DateADT *starts = period_starts(shape, cache, (DateADT) e->key.slot);

		CHECK_FOR_INTERRUPTS();
		for (p = 0; p < nperiods; p++)
		{
			PeriodGroup *g = &batch[n++];

			group_key_set(&g->key, nkeys, p, starts[p], key_values(&e->key, nkeys),
						  key_isnull(&e->key, nkeys));
			g->hash = group_key_hash(&level->groups.info, &g->key);
			g->day = e;
			fold_prefetch(&level->groups.tab->data[g->hash & level->groups.tab->sizemask]);
		}
		if (n == FOLD_END_BATCH_DAYS * nperiods)
		{
			level_add_batch(level, batch, n);
			n = 0;
		}
	}
	level_add_batch(level, batch, n);
	pfree(batch);
	pfree(cache);
	if (run->source_slot != NULL)
		ExecDropSingleTupleTableSlot(run->source_slot);
	if (run->generated_slot != NULL)
		ExecDropSingleTupleTableSlot(run->generated_slot);
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
