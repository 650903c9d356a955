/*
 * board_event_rows.c: writes events into leaderboard.events and announces them, as the
 * board's events statement would (board_event_rows.h).
 *
 * What must match the statement, byte for byte: the JSON of each column (built as
 * jsonb_build_object() and to_jsonb() build it), the order of the rows (so the ids), and
 * the NOTIFY payload of leaderboard._events_payload().
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"
#include "utils/xid8.h"

#include "board_event_rows.h"
#include "board_index.h"
#include "board_statements.h"

/*
 * Each JsonbValue starts zeroed: the parse state copies whole values, and bytes of the
 * union no member set must not reach a tuple (and WAL) undefined.
 */
#define JSONB_VALUE_INIT(v) memset(&(v), 0, sizeof(JsonbValue))

JsonbValue
board_json_int8(int64 value)
{
	JsonbValue	v;

	JSONB_VALUE_INIT(v);
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(value)));
	return v;
}

/* to_jsonb() of a numeric: the value its text reads back to */
JsonbValue
board_json_numeric(Datum value)
{
	JsonbValue	v;

	JSONB_VALUE_INIT(v);
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														DirectFunctionCall1(numeric_out, value),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	return v;
}

/* to_jsonb() of a float8: its text, as a number unless it is NaN or an infinity */
JsonbValue
board_json_float8(double value)
{
	char	   *text = DatumGetCString(DirectFunctionCall1(float8out, Float8GetDatum(value)));
	JsonbValue	v;

	JSONB_VALUE_INIT(v);
	if (strchr(text, 'N') != NULL || strchr(text, 'n') != NULL)
		return board_json_text(text);
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(text),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	return v;
}

JsonbValue
board_json_text(const char *value)
{
	JsonbValue	v;

	JSONB_VALUE_INIT(v);
	v.type = jbvString;
	v.val.string.val = (char *) value;
	v.val.string.len = strlen(value);
	return v;
}

JsonbValue
board_json_null(void)
{
	JsonbValue	v;

	JSONB_VALUE_INIT(v);
	v.type = jbvNull;
	return v;
}

static void
push_field(JsonbParseState **state, const char *key, const JsonbValue *value)
{
	JsonbValue	k = board_json_text(key);
	JsonbValue	v = *value;

	pushJsonbValue(state, WJB_KEY, &k);
	pushJsonbValue(state, WJB_VALUE, &v);
}

/* Keys in any order: a jsonb object keeps them sorted, as jsonb_build_object's are. */
Jsonb *
board_json_object(int n, const char *const *keys, const JsonbValue *values)
{
	JsonbParseState *state = NULL;
	int			i;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < n; i++)
		push_field(&state, keys[i], &values[i]);
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/* A row to write, with the partition's text the statement orders by. */
typedef struct SortedEvent
{
	BoardEventRow *row;
	char	   *partition_text;
	int			given;			/* its place in the rows given: ties keep it */
	int64		id;
} SortedEvent;

static int
text_cmp(const char *a, const char *b)
{
	return varstr_cmp(a, strlen(a), b, strlen(b), DEFAULT_COLLATION_OID);
}

/*
 * ORDER BY period, period_start, partition::text, agent, kind, as the statement's INSERT;
 * the events of one row and kind for several goals stay in the order given (their
 * ladders', ascending targets), where the statement leaves them in any order
 */
static int
event_order(const void *a, const void *b)
{
	const SortedEvent *x = a;
	const SortedEvent *y = b;
	int			cmp;

	if ((cmp = text_cmp(x->row->period, y->row->period)) != 0)
		return cmp;
	if (x->row->period_start != y->row->period_start)
		return x->row->period_start < y->row->period_start ? -1 : 1;
	if ((cmp = text_cmp(x->partition_text, y->partition_text)) != 0)
		return cmp;
	if ((cmp = text_cmp(x->row->agent, y->row->agent)) != 0)
		return cmp;
	if ((cmp = text_cmp(board_event_kinds[x->row->kind], board_event_kinds[y->row->kind])) != 0)
		return cmp;
	return x->given - y->given;
}

static char *
jsonb_text(Jsonb *value)
{
	return JsonbToCString(NULL, &value->root, VARSIZE(value));
}

/*
 * leaderboard._events_payload(board, the returned rows in id order): the board, the
 * transaction (its events' xid), the count and the range of ids, not the events, which any
 * role that can connect could LISTEN to
 */
static char *
payload(const char *board, const SortedEvent *events, int n)
{
	JsonbParseState *state = NULL;
	JsonbValue	v;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	v = board_json_text(board);
	push_field(&state, "board", &v);
	v = board_json_text(psprintf(UINT64_FORMAT, U64FromFullTransactionId(GetTopFullTransactionId())));
	push_field(&state, "xid", &v);
	v = board_json_int8(n);
	push_field(&state, "count", &v);
	v = board_json_int8(events[0].id);
	push_field(&state, "first_id", &v);
	v = board_json_int8(events[n - 1].id);
	push_field(&state, "last_id", &v);
	return jsonb_text(JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL)));
}

/*
 * The identity sequence of leaderboard.events, looked up once per backend (a scan of
 * pg_depend) and forgotten when the table's relcache entry is invalidated.
 */
static Oid	events_relid = InvalidOid;
static Oid	events_id_sequence = InvalidOid;

static void
forget_id_sequence(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == events_relid)
		events_relid = events_id_sequence = InvalidOid;
}

static Oid
id_sequence(Relation events, AttrNumber id)
{
	static bool callback_registered = false;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(forget_id_sequence, (Datum) 0);
		callback_registered = true;
	}
	if (events_relid != RelationGetRelid(events))
	{
		events_id_sequence = getIdentitySequence(RelationGetRelid(events), id, false);
		events_relid = RelationGetRelid(events);
	}
	return events_id_sequence;
}

/* The columns of leaderboard.events the apply fills (the others take their defaults). */
typedef struct EventColumns
{
	AttrNumber	id, board, at, xid, kind, agent, partition, period, period_start, old, new;
} EventColumns;

static EventColumns
event_columns(Relation events)
{
	EventColumns c;

	c.id = board_column(events, "id");
	c.board = board_column(events, "board");
	c.at = board_column(events, "at");
	c.xid = board_column(events, "xid");
	c.kind = board_column(events, "kind");
	c.agent = board_column(events, "agent");
	c.partition = board_column(events, "partition");
	c.period = board_column(events, "period");
	c.period_start = board_column(events, "period_start");
	c.old = board_column(events, "old");
	c.new = board_column(events, "new");
	return c;
}

static void
put(TupleTableSlot *slot, AttrNumber att, Datum value, bool isnull)
{
	slot->tts_values[att - 1] = value;
	slot->tts_isnull[att - 1] = isnull;
}

/*
 * The event into slot, with the values the columns' defaults give: the next id of the
 * identity, the COMMIT statement's start, the top transaction's id.
 */
static void
fill_event(TupleTableSlot *slot, const EventColumns *c, const char *board, SortedEvent *e,
		   Oid id_sequence)
{
	BoardEventRow *row = e->row;
	int			i;

	ExecClearTuple(slot);
	for (i = 0; i < slot->tts_tupleDescriptor->natts; i++)
		slot->tts_isnull[i] = true;
	e->id = nextval_internal(id_sequence, false);
	put(slot, c->id, Int64GetDatum(e->id), false);
	put(slot, c->board, CStringGetTextDatum(board), false);
	put(slot, c->at, TimestampTzGetDatum(GetCurrentStatementStartTimestamp()), false);
	put(slot, c->xid, FullTransactionIdGetDatum(GetTopFullTransactionId()), false);
	put(slot, c->kind, CStringGetTextDatum(board_event_kinds[row->kind]), false);
	put(slot, c->agent, CStringGetTextDatum(row->agent), false);
	put(slot, c->partition, JsonbPGetDatum(row->partition), false);
	put(slot, c->period, CStringGetTextDatum(row->period), false);
	put(slot, c->period_start, DateADTGetDatum(row->period_start), false);
	put(slot, c->old, row->old != NULL ? JsonbPGetDatum(row->old) : (Datum) 0, row->old == NULL);
	put(slot, c->new, row->new != NULL ? JsonbPGetDatum(row->new) : (Datum) 0, row->new == NULL);
	ExecStoreVirtualTuple(slot);
}

bool
board_event_rows_write(const char *board, BoardEventRow *rows, int n)
{
	Relation	events = table_open(get_relname_relid("events", get_namespace_oid("leaderboard", false)),
									RowExclusiveLock);
	EventColumns columns;
	SortedEvent *sorted;
	EState	   *estate;
	RangeTblEntry *rte;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	Oid			sequence;
	int			i;

	if (events->trigdesc != NULL)
	{
		table_close(events, NoLock);
		return false;
	}
	columns = event_columns(events);
	sequence = id_sequence(events, columns.id);
	sorted = palloc(sizeof(SortedEvent) * n);
	for (i = 0; i < n; i++)
	{
		sorted[i].row = &rows[i];
		sorted[i].partition_text = jsonb_text(rows[i].partition);
		sorted[i].given = i;
	}
	qsort(sorted, n, sizeof(SortedEvent), event_order);

	estate = CreateExecutorState();
	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(events);
	rte->relkind = events->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, events, 1, NULL, 0);
	estate->es_output_cid = GetCurrentCommandId(true);
	ExecOpenIndices(rri, false);
	slot = table_slot_create(events, &estate->es_tupleTable);
	for (i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		fill_event(slot, &columns, board, &sorted[i], sequence);
		ExecSimpleRelationInsert(rri, estate, slot);
	}
	ExecCloseIndices(rri);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	table_close(events, NoLock);
	CommandCounterIncrement();

	Async_Notify("leaderboard", payload(board, sorted, n));
	return true;
}
