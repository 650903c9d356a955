/*
 * board_events.c: records the net change of each standings row during a board's
 * commit-time apply, and hands them to the board's events statement (board_events.h).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/float.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "board_context.h"
#include "board_event_goals.h"
#include "board_event_rows.h"
#include "board_events.h"
#include "board_index.h"
#include "board_settings.h"
#include "calendar.h"
#include "kpis.h"
#include "ladder.h"

/* A standings row: its scope and agent (the agent as its output function prints it). */
typedef struct RowKey
{
	int64		scope_id;
	char	   *agent;
} RowKey;

/* What a row was before the apply changed it first and is after it changed it last. */
typedef struct RowChange
{
	RowKey		key;
	/* recorded by the apply */
	bool		recorded;
	HeapTuple	before;			/* the row before the apply changed it; NULL: none */
	HeapTuple	after;			/* and after its last change; NULL: deleted */
	/* read from them when the apply is done (read_change()) */
	char	   *period;			/* the row's period kind */
	DateADT		period_start;
	HeapTuple	row;			/* a version of the row: its partition values */
	bool		had_row;		/* the row existed before the apply */
	bool		has_row;		/* and after it */
	bool		old_rank_null;
	bool		new_rank_null;
	int64		old_rank;
	int64		new_rank;
	char	   *old_tier;		/* NULL: no tier */
	char	   *new_tier;
	double		old_score;
	double		new_score;
	bool		old_qualified;
	bool		new_qualified;
	Datum		old_kpis;		/* detoasted */
	Datum		new_kpis;
	/* decided by candidate_kinds(): the agent's best score of the earlier periods */
	bool		has_best;
	double		best;
	/* and the row's partition as its events' (NULL: a type only the statement builds) */
	Jsonb	   *partition;
	/* its goal_met and goal_at_risk events */
	BoardEventRow *goal_events;
	int			ngoal_events;
} RowChange;

/* The recording of one board's apply; NULL when no apply records. */
typedef struct EventRecording
{
	Oid			standings;
	char		agent_column[NAMEDATALEN];
	MemoryContext cxt;			/* a child of the (sub)transaction's context */
	HTAB	   *changes;
	bool		columns_known;
	AttrNumber	scope_id, agent, period, period_start, score, qualified, rank, tier, kpis;
	TupleDesc	desc;			/* the standings' */
	Oid			agent_out;
	Oid			kpis_type;
} EventRecording;

static EventRecording *recording = NULL;

static uint32
row_key_hash(const void *key, Size keysize)
{
	const RowKey *k = key;

	return hash_combine(hash_bytes_uint32((uint32) k->scope_id ^ (uint32) (k->scope_id >> 32)),
						string_hash(k->agent, strlen(k->agent) + 1));
}

static int
row_key_match(const void *a, const void *b, Size keysize)
{
	const RowKey *x = a;
	const RowKey *y = b;

	return x->scope_id == y->scope_id ? strcmp(x->agent, y->agent) : 1;
}

/* An aborted (sub)transaction deletes the context: nothing records any more. */
static void
recording_forget(void *arg)
{
	recording = NULL;
}

void
board_events_start(BoardStatements *bs)
{
	MemoryContext cxt;
	EventRecording *r;
	HASHCTL		ctl;
	MemoryContextCallback *cb;

	if (bs->events_sql == NULL)
		return;
	cxt = AllocSetContextCreate(CurTransactionContext, "leaderboard events",
								ALLOCSET_DEFAULT_SIZES);
	r = MemoryContextAllocZero(cxt, sizeof(EventRecording));
	r->cxt = cxt;
	r->standings = bs->standings;
	strlcpy(r->agent_column, bs->agent_column, NAMEDATALEN);
	ctl.keysize = sizeof(RowKey);
	ctl.entrysize = sizeof(RowChange);
	ctl.hash = row_key_hash;
	ctl.match = row_key_match;
	ctl.hcxt = cxt;
	r->changes = hash_create("leaderboard row changes", 256, &ctl,
							 HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	cb = MemoryContextAlloc(cxt, sizeof(MemoryContextCallback));
	cb->func = recording_forget;
	cb->arg = NULL;
	MemoryContextRegisterResetCallback(cxt, cb);
	recording = r;
}

static void
learn_columns(Relation standings)
{
	TupleDesc	desc = RelationGetDescr(standings);
	bool		varlena;
	MemoryContext old;

	recording->scope_id = board_column(standings, "scope_id");
	recording->agent = board_column(standings, recording->agent_column);
	recording->period = board_column(standings, "period");
	recording->period_start = board_column(standings, "period_start");
	old = MemoryContextSwitchTo(recording->cxt);
	recording->desc = CreateTupleDescCopy(desc);
	MemoryContextSwitchTo(old);
	recording->score = board_column(standings, "score");
	recording->qualified = board_column(standings, "qualified");
	recording->rank = board_column(standings, "rank");
	recording->tier = board_column(standings, "tier");
	recording->kpis = board_column(standings, "kpis");
	recording->kpis_type = TupleDescAttr(desc, recording->kpis - 1)->atttypid;
	getTypeOutputInfo(TupleDescAttr(desc, recording->agent - 1)->atttypid,
					  &recording->agent_out, &varlena);
	recording->columns_known = true;
}

/* The key of a standings row (the agent as its output function prints it). */
static RowKey
key_of(HeapTuple tuple, TupleDesc desc)
{
	RowKey		key;
	bool		isnull;

	key.scope_id = DatumGetInt64(heap_getattr(tuple, recording->scope_id, desc, &isnull));
	key.agent = OidOutputFunctionCall(recording->agent_out,
									  heap_getattr(tuple, recording->agent, desc, &isnull));
	return key;
}

/* The change of the row of key, entered with nothing recorded when it is new. */
static RowChange *
change_of(const RowKey *key)
{
	bool		found;
	RowChange  *c = hash_search(recording->changes, key, HASH_ENTER, &found);

	if (!found)
	{
		c->key.agent = MemoryContextStrdup(recording->cxt, key->agent);
		memset((char *) c + sizeof(RowKey), 0, sizeof(RowChange) - sizeof(RowKey));
	}
	return c;
}

/* A copy of tuple in the recording's context. */
static HeapTuple
copy_row(HeapTuple tuple)
{
	MemoryContext old = MemoryContextSwitchTo(recording->cxt);
	HeapTuple	copy = heap_copytuple(tuple);

	MemoryContextSwitchTo(old);
	return copy;
}

/*
 * rank, tier, score, qualified and kpis of a row version (its columns deformed into
 * values and nulls) into the "old" (before) or "new" (after) side; read once per changed
 * row when the apply is done, however often it changed.
 */
static void
read_row(RowChange *c, const Datum *values, const bool *nulls, bool after)
{
	bool		rank_null = nulls[recording->rank - 1];
	int64		rank = rank_null ? 0 : DatumGetInt64(values[recording->rank - 1]);
	char	   *tier = nulls[recording->tier - 1] ? NULL :
		TextDatumGetCString(values[recording->tier - 1]);
	double		score = DatumGetFloat8(values[recording->score - 1]);
	bool		qualified = DatumGetBool(values[recording->qualified - 1]);
	Datum		kpis = PointerGetDatum(PG_DETOAST_DATUM(values[recording->kpis - 1]));

	if (after)
	{
		c->new_rank_null = rank_null;
		c->new_rank = rank;
		c->new_tier = tier;
		c->new_score = score;
		c->new_qualified = qualified;
		c->new_kpis = kpis;
	}
	else
	{
		c->old_rank_null = rank_null;
		c->old_rank = rank;
		c->old_tier = tier;
		c->old_score = score;
		c->old_qualified = qualified;
		c->old_kpis = kpis;
	}
}

/*
 * Reads a change's recorded row versions into its fields (in the recording's context);
 * its row is one of them, for its period and partition values.
 */
static void
read_change(RowChange *c)
{
	int			natts = recording->desc->natts;
	Datum	   *values = palloc(sizeof(Datum) * natts);
	bool	   *nulls = palloc(sizeof(bool) * natts);

	c->had_row = c->before != NULL;
	c->has_row = c->after != NULL;
	c->row = c->had_row ? c->before : c->after;
	heap_deform_tuple(c->row, recording->desc, values, nulls);
	c->period = TextDatumGetCString(values[recording->period - 1]);
	c->period_start = DatumGetDateADT(values[recording->period_start - 1]);
	if (c->had_row)
		read_row(c, values, nulls, false);
	if (c->has_row)
	{
		if (c->had_row)
			heap_deform_tuple(c->after, recording->desc, values, nulls);
		read_row(c, values, nulls, true);
	}
	pfree(values);
	pfree(nulls);
}

/*
 * One row change: the first change of a row keeps its version before, every change the
 * version after (replacing the one kept before it). The rows are copied, their columns
 * read only once the apply is done (read_change()).
 */
static void
record_change(HeapTuple before, HeapTuple after, Relation standings)
{
	TupleDesc	desc = RelationGetDescr(standings);
	RowKey		key;
	RowChange  *c;

	if (!recording->columns_known)
		learn_columns(standings);
	key = key_of(before != NULL ? before : after, desc);
	c = change_of(&key);
	if (before != NULL && !c->recorded)
		c->before = copy_row(before);
	c->recorded = true;
	if (before != NULL && after != NULL)
	{
		RowKey		after_key = key_of(after, desc);

		/* moved to another key (never by the apply): gone from this key */
		if (after_key.scope_id != key.scope_id || strcmp(after_key.agent, key.agent) != 0)
		{
			if (c->after != NULL)
				heap_freetuple(c->after);
			c->after = NULL;
			c = change_of(&after_key);
			c->recorded = true;
		}
		pfree(after_key.agent);
	}
	pfree(key.agent);
	if (c->after != NULL)
		heap_freetuple(c->after);
	c->after = after != NULL ? copy_row(after) : NULL;
}

bool
board_events_recording(Oid standings)
{
	return recording != NULL && recording->standings == standings;
}

void
board_events_record(Relation standings, HeapTuple before, HeapTuple after)
{
	if (board_events_recording(RelationGetRelid(standings)))
		record_change(before, after, standings);
}

/*
 * Whether trigger is the events trigger, as _board_event_trigger() creates it, and fires
 * in this session (as trigger.c's TriggerEnabled() decides for a row trigger without WHEN).
 */
static bool
is_firing_events_trigger(const Trigger *trigger)
{
	int16		type = trigger->tgtype;

	if (strcmp(trigger->tgname, "lb_events") != 0 ||
		get_func_namespace(trigger->tgfoid) != get_namespace_oid("leaderboard", false) ||
		strcmp(get_func_name(trigger->tgfoid), "_board_event_row") != 0 ||
		!TRIGGER_FOR_ROW(type) || !TRIGGER_FOR_AFTER(type) || !TRIGGER_FOR_INSERT(type) ||
		!TRIGGER_FOR_UPDATE(type) || !TRIGGER_FOR_DELETE(type) || trigger->tgnattr != 0 ||
		trigger->tgqual != NULL)
		return false;
	if (trigger->tgenabled == TRIGGER_FIRES_ALWAYS)
		return true;
	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
		return trigger->tgenabled == TRIGGER_FIRES_ON_REPLICA;
	return trigger->tgenabled == TRIGGER_FIRES_ON_ORIGIN;
}

/* The position of the events trigger among trigdesc's if it fires in this session; -1: none. */
static int
firing_events_trigger(const TriggerDesc *trigdesc)
{
	int			i;

	for (i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
		if (is_firing_events_trigger(&trigdesc->triggers[i]))
			return i;
	return -1;
}

/*
 * For the direct apply's writes to the standings (rri): whether they are to be recorded,
 * which they are while the board's apply records, whatever mode lb_events is in; the
 * trigger is switched off for them if it would fire, as the apply records them itself.
 */
bool
board_events_take_trigger(ResultRelInfo *rri)
{
	TriggerDesc *trigdesc = rri->ri_TrigDesc;
	int			i;

	if (!board_events_recording(RelationGetRelid(rri->ri_RelationDesc)))
		return false;
	i = firing_events_trigger(trigdesc);
	if (i >= 0 && trigdesc->numtriggers == 1)
		rri->ri_TrigDesc = NULL;
	else if (i >= 0)
	{
		/* the owner's own triggers still fire: only this one is switched off */
		rri->ri_TrigDesc = CopyTriggerDesc(trigdesc);
		rri->ri_TrigDesc->triggers[i].tgenabled = TRIGGER_DISABLED;
	}
	return true;
}

/*
 * For the apply by statements, whose writes to the standings only lb_events records: an
 * error unless it fires in this session while the board's apply records. Its mode is
 * kept (_keep_trigger_modes() puts it back after ALTER TABLE ... ENABLE/DISABLE TRIGGER,
 * alter_board() too), so this is only a last guard against events lost unnoticed.
 */
void
board_events_require_trigger(const char *board)
{
	Relation	standings;
	bool		fires;

	if (recording == NULL)
		return;
	standings = table_open(recording->standings, AccessShareLock);
	fires = firing_events_trigger(standings->trigdesc) >= 0;
	table_close(standings, AccessShareLock);
	if (!fires)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the events of board \"%s\" cannot be recorded", board),
				 errdetail("Trigger lb_events on the board's standings does not fire in this session."),
				 errhint("Run leaderboard.alter_board('%s') to put it back.", board)));
}

PG_FUNCTION_INFO_V1(board_event_row);
/*
 * AFTER INSERT OR UPDATE OR DELETE row trigger on the standings of a board that emits
 * events: records the change while that board's apply runs; any other change of the
 * standings (rebuild, alter_board, an owner's own statements) emits nothing.
 */
Datum
board_event_row(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	before = NULL;
	HeapTuple	after = NULL;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("_board_event_row() must be an AFTER row trigger of a board's standings")));
	if (recording == NULL || RelationGetRelid(td->tg_relation) != recording->standings)
		return PointerGetDatum(NULL);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		after = td->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		before = td->tg_trigtuple;
		after = td->tg_newtuple;
	}
	else
		before = td->tg_trigtuple;
	record_change(before, after, td->tg_relation);
	return PointerGetDatum(NULL);
}

/* Whether the board announces events of the row's period kind. */
static bool
announced_period(const RowChange *c, const BoardStatements *bs)
{
	int			i;

	for (i = 0; i < bs->events_nperiods; i++)
		if (strcmp(bs->events_periods[i], c->period) == 0)
			return true;
	return false;
}

/*
 * Whether the row's calls changed: it came or went, or its kpis differ. Goals read only
 * such rows; a row another agent's move re-ranked can announce only rank and tier events.
 */
static bool
calls_changed(const RowChange *c)
{
	if (c->had_row != c->has_row)
		return c->has_row;
	if (!c->has_row)
		return false;
	return VARSIZE(DatumGetPointer(c->old_kpis)) != VARSIZE(DatumGetPointer(c->new_kpis)) ||
		memcmp(DatumGetPointer(c->old_kpis), DatumGetPointer(c->new_kpis),
			   VARSIZE(DatumGetPointer(c->old_kpis))) != 0;
}

/*
 * The tier kind a change announces: tier_up or tier_down as the ladder levels of its
 * tiers rise or fall. Both, and *decided false, for a tier the ladder lacks: the events
 * statement then raises the error tier_level() raises.
 */
static uint32
tier_kinds(const RowChange *c, const BoardStatements *bs, bool *decided)
{
	const Ladder *ladder = (const Ladder *) DatumGetPointer(bs->events_ladder);
	int			old_level;
	int			new_level;

	/* the statement has no tier branch without a ladder */
	if (!c->had_row || !c->has_row || c->old_tier == NULL || c->new_tier == NULL ||
		ladder == NULL || strcmp(c->old_tier, c->new_tier) == 0)
		return 0;
	old_level = ladder_level_of_name(ladder, c->old_tier);
	new_level = ladder_level_of_name(ladder, c->new_tier);
	if (old_level < 0 || new_level < 0)
	{
		*decided = false;
		return BOARD_EVENT_TIER_UP | BOARD_EVENT_TIER_DOWN;
	}
	return new_level > old_level ? BOARD_EVENT_TIER_UP :
		new_level < old_level ? BOARD_EVENT_TIER_DOWN : 0;
}

/* The rank and tier kinds a change announces (bs says which the board emits). */
static uint32
rank_kinds(const RowChange *c, const BoardStatements *bs, bool *decided)
{
	bool		old_rank = c->had_row && !c->old_rank_null;
	bool		new_rank = c->has_row && !c->new_rank_null;
	uint32		kinds = tier_kinds(c, bs, decided);
	if (!new_rank)
		return kinds;
	if (c->new_rank == 1 && (!old_rank || c->old_rank > 1))
		kinds |= BOARD_EVENT_NEW_LEADER;
	if (bs->events_top_n > 0 && c->new_rank <= bs->events_top_n &&
		(!old_rank || c->old_rank > bs->events_top_n))
		kinds |= BOARD_EVENT_ENTERED_TOP_N;
	if (bs->events_climb > 0 && old_rank && c->old_rank - c->new_rank >= bs->events_climb)
		kinds |= BOARD_EVENT_RANK_CLIMB;
	return kinds;
}

/* How a goal's stat in kpis compares with its target; false when the stat is NULL. */
static bool
goal_compare(const GoalRung *g, Datum kpis, int *cmp)
{
	Datum		actual;

	if (!board_goal_actual(g, kpis, &actual))
		return false;
	*cmp = DatumGetInt32(DirectFunctionCall2(numeric_cmp, actual, g->target));
	return true;
}

/* Whether the board's goals name a metric the row's kpis do not hold (the statement decides). */
static bool
goal_metric_unknown(const GoalRung *g, const RowChange *c)
{
	return g->metric < 0 || g->metric >= KPIS_NMETRICS(DatumGetPointer(c->new_kpis)) ||
		(c->had_row && g->metric >= KPIS_NMETRICS(DatumGetPointer(c->old_kpis)));
}

/*
 * Whether a change may cross one of the goals' targets: its stat before below the target
 * (or NULL) and after at or above it, as the goal_met and streak_milestone branches
 * require of some rung of the row's goal ladders.
 */
static bool
may_cross_goal(const RowChange *c, const GoalRungs *goals)
{
	int			i;

	for (i = 0; i < goals->n; i++)
	{
		const GoalRung *g = &goals->rungs[i];
		int			cmp;

		if (strcmp(g->period, c->period) != 0)
			continue;
		if (goal_metric_unknown(g, c))
			return true;
		if (!goal_compare(g, c->new_kpis, &cmp) || cmp < 0)
			continue;
		if (!c->had_row || !goal_compare(g, c->old_kpis, &cmp) || cmp < 0)
			return true;
	}
	return false;
}

/* The attribute number of column name in desc; InvalidAttrNumber when there is none. */
static AttrNumber
column_in(TupleDesc desc, const char *name)
{
	int			a;

	for (a = 0; a < desc->natts; a++)
		if (!TupleDescAttr(desc, a)->attisdropped &&
			strcmp(NameStr(TupleDescAttr(desc, a)->attname), name) == 0)
			return a + 1;
	return InvalidAttrNumber;
}

/* The index of leaderboard.events on (board, agent, period_start), opened; NULL: none. */
static Relation
at_risk_index(Relation events)
{
	List	   *indexes = RelationGetIndexList(events);
	AttrNumber	cols[3];
	ListCell   *lc;

	cols[0] = board_column(events, "board");
	cols[1] = board_column(events, "agent");
	cols[2] = board_column(events, "period_start");
	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);

		/* partial or not: an index missing some events only keeps more rows */
		if (index->rd_rel->relam == BTREE_AM_OID && index->rd_index->indnatts == 3 &&
			index->rd_index->indkey.values[0] == cols[0] && index->rd_index->indkey.values[1] == cols[1] &&
			index->rd_index->indkey.values[2] == cols[2])
			return index;
		index_close(index, AccessShareLock);
	}
	return NULL;
}

/*
 * Marks in announced[] the open goals (ids in open[]) that already have a goal_at_risk
 * event of the row's agent, period and partition (its c->partition, compared as the
 * statement compares them: jsonb equality), read with snapshot; false when the events
 * cannot be read by their index.
 */
static bool
read_announced(const RowChange *c, const BoardStatements *bs, Snapshot snapshot,
			   const int64 *open, bool *announced, int nopen)
{
	Relation	events = table_open(get_relname_relid("events", get_namespace_oid("leaderboard", false)),
									AccessShareLock);
	TupleDesc	desc = RelationGetDescr(events);
	Relation	index = at_risk_index(events);
	AttrNumber	kind = board_column(events, "kind");
	AttrNumber	period = board_column(events, "period");
	AttrNumber	partition = board_column(events, "partition");
	AttrNumber	new = board_column(events, "new");
	ScanKeyData keys[3];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		isnull;

	if (index == NULL)
	{
		table_close(events, AccessShareLock);
		return false;
	}
	board_text_key(&keys[0], events, "board", bs->name);
	board_text_key(&keys[1], events, "agent", c->key.agent);
	ScanKeyEntryInitialize(&keys[2], 0, board_column(events, "period_start"), BTEqualStrategyNumber,
						   InvalidOid, InvalidOid, F_DATE_EQ,
						   DateADTGetDatum(c->period_start));
	scan = systable_beginscan(events, RelationGetRelid(index), true, snapshot, 3, keys);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		JsonbValue	v;
		Datum		d;
		Jsonb	   *payload;
		char	   *goal_id;
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (strcmp(TextDatumGetCString(heap_getattr(tup, kind, desc, &isnull)), "goal_at_risk") != 0 ||
			strcmp(TextDatumGetCString(heap_getattr(tup, period, desc, &isnull)), c->period) != 0 ||
			!DatumGetBool(DirectFunctionCall2(jsonb_eq, heap_getattr(tup, partition, desc, &isnull),
											  JsonbPGetDatum(c->partition))))
			continue;
		d = heap_getattr(tup, new, desc, &isnull);
		if (isnull)
			continue;
		payload = DatumGetJsonbP(d);
		/* new ->> 'goal_id' compared as text with the goal's id, as the statement does */
		if (!JB_ROOT_IS_OBJECT(payload) ||
			!getKeyJsonValueFromContainer(&payload->root, "goal_id", 7, &v))
			continue;
		if (v.type == jbvNumeric)
			goal_id = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
		else if (v.type == jbvString)
			goal_id = pnstrdup(v.val.string.val, v.val.string.len);
		else
			continue;
		for (i = 0; i < nopen; i++)
			if (strcmp(psprintf(INT64_FORMAT, open[i]), goal_id) == 0)
				announced[i] = true;
	}
	systable_endscan(scan);
	index_close(index, AccessShareLock);
	table_close(events, AccessShareLock);
	return true;
}

/* Today in the board's time zone: (now() AT TIME ZONE time_zone)::date. */
static DateADT
board_today(const BoardStatements *bs)
{
	Datum		local = DirectFunctionCall2(timestamptz_zone, CStringGetTextDatum(bs->events_time_zone),
											TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()));

	return DatumGetDateADT(DirectFunctionCall1(timestamp_date, local));
}


/* A scan of an agent's rows of a period kind by the standings' primary key. */
typedef struct AgentRows
{
	Relation	standings;
	Relation	index;			/* (agent, period, period_start, scope_id) */
	IndexScanDesc scan;
	TupleTableSlot *slot;
} AgentRows;

/*
 * Begins a scan, with snapshot, of the agent's rows (the agent of c's row) of period kind
 * whose period_start compares with start by strategy; false when the key cannot be
 * scanned so (nothing is left open then).
 */
static bool
agent_rows_begin(AgentRows *rows, const RowChange *c, Datum period, StrategyNumber strategy,
				 DateADT start, Snapshot snapshot)
{
	AttrNumber	cols[4] = {recording->agent, recording->period, recording->period_start,
	recording->scope_id};
	ScanKeyData keys[3];
	bool		isnull;

	rows->standings = table_open(recording->standings, AccessShareLock);
	rows->index = board_index_on(rows->standings, 4, cols, true, AccessShareLock);
	if (rows->index == NULL)
	{
		table_close(rows->standings, AccessShareLock);
		return false;
	}
	board_index_key(&keys[0], rows->index, 1, 0, BTEqualStrategyNumber,
					heap_getattr(c->row, recording->agent, recording->desc, &isnull));
	board_index_key(&keys[1], rows->index, 2, 0, BTEqualStrategyNumber, period);
	board_index_key(&keys[2], rows->index, 3, 0, strategy, DateADTGetDatum(start));
	rows->slot = table_slot_create(rows->standings, NULL);
	rows->scan = index_beginscan(rows->standings, rows->index, snapshot, 3, 0);
	index_rescan(rows->scan, keys, 3, NULL, 0);
	return true;
}

static void
agent_rows_end(AgentRows *rows)
{
	index_endscan(rows->scan);
	ExecDropSingleTupleTableSlot(rows->slot);
	index_close(rows->index, AccessShareLock);
	table_close(rows->standings, AccessShareLock);
}

/*
 * The agent's best qualified score in the earlier periods of the row's kind, in any
 * partition (as the personal_best branch reads it), read with snapshot by the standings'
 * primary key (agent, period, period_start, scope_id) into c->best; c->has_best false
 * when there is none. The scan stops at the first score of at least enough: c->best is
 * then that score, not the best, and *reached true. Returns false when the key cannot be
 * scanned so.
 */
static bool
read_earlier_best(RowChange *c, Snapshot snapshot, double enough, bool *reached)
{
	AgentRows	rows;
	bool		isnull;

	if (!agent_rows_begin(&rows, c, heap_getattr(c->row, recording->period, recording->desc, &isnull),
						  BTLessStrategyNumber, c->period_start, snapshot))
		return false;
	c->has_best = false;
	*reached = false;
	while (!*reached && index_getnext_slot(rows.scan, ForwardScanDirection, rows.slot))
	{
		double		score = DatumGetFloat8(slot_getattr(rows.slot, recording->score, &isnull));

		CHECK_FOR_INTERRUPTS();
		if (!DatumGetBool(slot_getattr(rows.slot, recording->qualified, &isnull)))
			continue;
		/* max() of float8: NaN above every number, as float8 orders */
		if (!c->has_best || float8_gt(score, c->best))
			c->best = score;
		c->has_best = true;
		*reached = float8_ge(score, enough);
	}
	agent_rows_end(&rows);
	return true;
}

/*
 * Whether a change announces a personal best: a qualified score above the agent's best of
 * the earlier periods of its kind, which its old score did not pass. *decided false when
 * the best cannot be read here (the statement decides).
 */
static bool
personal_best(RowChange *c, Snapshot snapshot, bool *decided)
{
	/* an old score that was not qualified had not passed the best */
	bool		old_counts = c->had_row && c->old_qualified;
	bool		reached;

	if (!c->has_row || !c->new_qualified || (old_counts && c->new_score <= c->old_score))
		return false;
	/*
	 * An earlier score of at least the new one is a best the new score does not pass: the
	 * scan of the agent's earlier rows, whose length grows with the periods kept, stops
	 * there. Only a change that may announce one reads them all.
	 */
	if (snapshot == InvalidSnapshot || !read_earlier_best(c, snapshot, c->new_score, &reached))
	{
		*decided = false;
		return true;
	}
	return !reached && c->has_best && float8_gt(c->new_score, c->best) &&
		(!old_counts || float8_le(c->old_score, c->best));
}

/*
 * The row's partition values as its events' partition object, as
 * jsonb_build_object(name, value, ...) builds it; NULL for a partition column of a type
 * other than the integers and text (the statement builds those).
 */
static Jsonb *
row_partition(const RowChange *c, const BoardStatements *bs)
{
	int			n = bs->events_npartition_by;
	JsonbValue *values = palloc(sizeof(JsonbValue) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
	{
		AttrNumber	att = column_in(recording->desc, bs->events_partition_by[i]);
		Oid			type;
		bool		isnull;
		Datum		d;

		if (att == InvalidAttrNumber)
			return NULL;
		type = TupleDescAttr(recording->desc, att - 1)->atttypid;
		d = heap_getattr(c->row, att, recording->desc, &isnull);
		if (isnull)
			values[i] = board_json_null();
		else if (type == INT2OID)
			values[i] = board_json_int8(DatumGetInt16(d));
		else if (type == INT4OID)
			values[i] = board_json_int8(DatumGetInt32(d));
		else if (type == INT8OID)
			values[i] = board_json_int8(DatumGetInt64(d));
		else if (type == TEXTOID || type == VARCHAROID)
			values[i] = board_json_text(TextDatumGetCString(d));
		else
			return NULL;
	}
	return board_json_object(n, (const char *const *) bs->events_partition_by, values);
}

/*
 * The goal_met and goal_at_risk events of a change of the row's calls, into
 * c->goal_events: those the statement would write, a goal_at_risk only once per agent,
 * period, partition and goal (the events already written are read with snapshot). Their
 * kinds; both kinds and *decided false when only the statement can tell.
 */
static uint32
goal_kinds(RowChange *c, const BoardStatements *bs, const GoalRungs *goals, Snapshot snapshot,
		   bool *decided)
{
	const uint32 both = bs->events_kinds & (BOARD_EVENT_GOAL_MET | BOARD_EVENT_GOAL_AT_RISK);
	BoardEventRow *rows = palloc(sizeof(BoardEventRow) * (2 * goals->n + 1));
	int64	   *goal = palloc(sizeof(int64) * (2 * goals->n + 1));
	bool	   *announced = palloc0(sizeof(bool) * (2 * goals->n + 1));
	int64	   *open = palloc(sizeof(int64) * (2 * goals->n + 1));
	int			nopen = 0;
	GoalRow		row;
	uint32		kinds = 0;
	int			n;
	int			i;

	if (c->partition == NULL)
	{
		*decided = false;
		return both;
	}
	row.period = c->period;
	row.period_start = c->period_start;
	row.agent = c->key.agent;
	row.partition = c->partition;
	row.old_kpis = c->had_row ? c->old_kpis : (Datum) 0;
	row.new_kpis = c->has_row ? c->new_kpis : (Datum) 0;
	n = board_goal_events(goals, &row, bs, (both & BOARD_EVENT_GOAL_MET) != 0,
						  (both & BOARD_EVENT_GOAL_AT_RISK) != 0, rows, goal);
	if (n < 0)
	{
		*decided = false;
		return both;
	}
	for (i = 0; i < n; i++)
		if (rows[i].kind == pg_rightmost_one_pos32(BOARD_EVENT_GOAL_AT_RISK))
			open[nopen++] = goal[i];
	if (nopen > 0 && !read_announced(c, bs, snapshot, open, announced, nopen))
	{
		*decided = false;
		return both;
	}
	c->goal_events = palloc(sizeof(BoardEventRow) * Max(n, 1));
	c->ngoal_events = 0;
	nopen = 0;
	for (i = 0; i < n; i++)
	{
		if (rows[i].kind == pg_rightmost_one_pos32(BOARD_EVENT_GOAL_AT_RISK) && announced[nopen++])
			continue;
		c->goal_events[c->ngoal_events++] = rows[i];
		kinds |= (uint32) 1 << rows[i].kind;
	}
	return kinds;
}

/*
 * Whether a row of the agent's on day (in any partition) meets any rung of any day goal,
 * read with snapshot: more than a streak asks of an earlier day (its goal's first rung).
 */
static bool
agent_day_may_be_met(const RowChange *c, const GoalRungs *goals, DateADT day, Snapshot snapshot)
{
	AgentRows	rows;
	bool		isnull;
	bool		met = false;

	if (!agent_rows_begin(&rows, c, CStringGetTextDatum("day"), BTEqualStrategyNumber, day, snapshot))
		return true;
	while (!met && index_getnext_slot(rows.scan, ForwardScanDirection, rows.slot))
	{
		Datum		kpis = PointerGetDatum(PG_DETOAST_DATUM(slot_getattr(rows.slot, recording->kpis, &isnull)));
		int			i;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < goals->n && !met; i++)
		{
			const GoalRung *g = &goals->rungs[i];
			int			cmp;

			if (strcmp(g->period, "day") != 0)
				continue;
			/* a metric the kpis do not hold: only the statement can tell */
			if (g->metric < 0 || g->metric >= KPIS_NMETRICS(DatumGetPointer(kpis)))
				met = true;
			else if (goal_compare(g, kpis, &cmp) && cmp >= 0)
				met = true;
		}
	}
	agent_rows_end(&rows);
	return met;
}

/*
 * Whether a day's change that crosses a daily goal may end a run of met working days as
 * long as one of the board's streak milestones: never on a day off. The run is surely of
 * this day alone, and announces nothing unless 1 is a milestone, when on the
 * working day before it no row of the agent meets a rung of any day goal (whatever its
 * audience, dates or partition: more than the statement asks of a day). A superset of
 * the milestones the statement announces.
 */
static bool
may_reach_milestone(const RowChange *c, const BoardStatements *bs, const GoalRungs *goals,
					Snapshot snapshot)
{
	Calendar	cal;
	DateADT		before;
	int			i;

	if (bs->events_streak_one || snapshot == InvalidSnapshot || bs->events_calendar == (Datum) 0 ||
		!calendar_day_in_range(c->period_start))
		return true;
	cal = calendar_from_value((const CalendarValue *) DatumGetPointer(bs->events_calendar));
	/* a day off neither extends nor ends a run: it announces nothing */
	if (!calendar_is_working(&cal, c->period_start))
		return false;
	/* the working day before, within a year (a calendar works at least one day a week) */
	for (i = 1; i <= 366; i++)
	{
		before = c->period_start - i;
		if (!calendar_day_in_range(before))
			return true;
		if (calendar_is_working(&cal, before))
			return agent_day_may_be_met(c, goals, before, snapshot);
	}
	return true;
}

/*
 * The event kinds a change may announce, of those the board emits. All but
 * streak_milestone are exactly the events the statement would write, unless *decided is
 * set false (then only the statement can write them); a streak_milestone needs a day's
 * change crossing a target of one of the board's daily goals, a superset.
 */
static uint32
candidate_kinds(RowChange *c, const BoardStatements *bs, const GoalRungs *goals,
				Snapshot snapshot, bool *decided)
{
	uint32		kinds;

	if (!announced_period(c, bs))
		return 0;
	c->partition = row_partition(c, bs);
	kinds = rank_kinds(c, bs, decided);
	if ((bs->events_kinds & BOARD_EVENT_PERSONAL_BEST) && personal_best(c, snapshot, decided))
		kinds |= BOARD_EVENT_PERSONAL_BEST;
	/* goals and streaks count calls: a row whose calls did not change announces neither */
	if (calls_changed(c))
	{
		if (bs->events_kinds & (BOARD_EVENT_GOAL_MET | BOARD_EVENT_GOAL_AT_RISK))
			kinds |= goal_kinds(c, bs, goals, snapshot, decided);
		if ((bs->events_kinds & BOARD_EVENT_STREAK_MILESTONE) && strcmp(c->period, "day") == 0 &&
			may_cross_goal(c, goals) && may_reach_milestone(c, bs, goals, snapshot))
			kinds |= BOARD_EVENT_STREAK_MILESTONE;
	}
	kinds &= bs->events_kinds;
	/* its events' partition is one only the statement builds, whatever the kind */
	if (kinds != 0 && c->partition == NULL)
		*decided = false;
	return kinds;
}

/*
 * The columns of the changed rows, as arrays: the events statement's parameters. The
 * last two (the kpis before and after) are of the standings' kpis type, found at run time.
 */
#define EVENT_ARGS 11

typedef struct ChangeColumns
{
	Datum	   *values[EVENT_ARGS];
	bool	   *nulls[EVENT_ARGS];
} ChangeColumns;

static Oid	event_column_types[EVENT_ARGS] = {
	INT8OID, TEXTOID, INT8OID, INT8OID, TEXTOID, TEXTOID, FLOAT8OID, FLOAT8OID, BOOLOID,
	InvalidOid, InvalidOid
};

static Oid	event_arg_types[EVENT_ARGS] = {
	INT8ARRAYOID, TEXTARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
	FLOAT8ARRAYOID, FLOAT8ARRAYOID, BOOLARRAYOID, InvalidOid, InvalidOid
};

static void
put_column(ChangeColumns *cols, int i, int col, Datum value, bool isnull)
{
	cols->values[col][i] = isnull ? (Datum) 0 : value;
	cols->nulls[col][i] = isnull;
}

static void
put_change(ChangeColumns *cols, int i, const RowChange *c)
{
	put_column(cols, i, 0, Int64GetDatum(c->key.scope_id), false);
	put_column(cols, i, 1, CStringGetTextDatum(c->key.agent), false);
	put_column(cols, i, 2, Int64GetDatum(c->old_rank), !c->had_row || c->old_rank_null);
	put_column(cols, i, 3, Int64GetDatum(c->new_rank), !c->has_row || c->new_rank_null);
	put_column(cols, i, 4, c->had_row && c->old_tier ? CStringGetTextDatum(c->old_tier) : (Datum) 0,
			   !c->had_row || c->old_tier == NULL);
	put_column(cols, i, 5, c->has_row && c->new_tier ? CStringGetTextDatum(c->new_tier) : (Datum) 0,
			   !c->has_row || c->new_tier == NULL);
	put_column(cols, i, 6, Float8GetDatum(c->old_score), !c->had_row);
	put_column(cols, i, 7, Float8GetDatum(c->new_score), !c->has_row);
	put_column(cols, i, 8, BoolGetDatum(c->new_qualified), !c->has_row);
	put_column(cols, i, 9, c->old_kpis, !c->had_row);
	put_column(cols, i, 10, c->new_kpis, !c->has_row);
}

static Datum
column_array(ChangeColumns *cols, int col, int n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1] = {n};
	int			lbs[1] = {1};

	get_typlenbyvalalign(event_column_types[col], &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(cols->values[col], cols->nulls[col], 1, dims, lbs,
											  event_column_types[col], typlen, typbyval, typalign));
}

/*
 * The SQL of the board's events statement for some of the kinds it emits (NULL: no
 * branch), generated by the catalog as the apply's owner context allows.
 */
static char *
events_sql_for(BoardStatements *bs, uint32 kinds)
{
	Datum		names[BOARD_EVENT_KINDS];
	int			n = 0;
	int			i;
	Datum		args[2];
	Oid			argtypes[2] = {TEXTOID, TEXTARRAYOID};
	bool		isnull;
	Datum		sql;

	for (i = 0; i < BOARD_EVENT_KINDS; i++)
		if (kinds & ((uint32) 1 << i))
			names[n++] = CStringGetTextDatum(board_event_kinds[i]);
	args[0] = CStringGetTextDatum(bs->name);
	args[1] = PointerGetDatum(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
	/*
	 * Not read-only: with a snapshot of its own, taken now, as the board's statements were
	 * read once the apply held the scopes table (board_statements()), never one from before
	 * an alter_board(events => ...) the apply waited for; the plan made of it stays with
	 * the board's entry.
	 */
	if (SPI_execute_with_args("SELECT leaderboard._events_sql($1, $2)", 2, argtypes, args, NULL,
							  false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "leaderboard: could not generate the events statement of board \"%s\"", bs->name);
	sql = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? NULL : TextDatumGetCString(sql);
}

/*
 * The kinds a plan for kinds has branches for: the rank and tier kinds, cheap filters of
 * the changes, go together, and so do goal_met and streak_milestone, which read the same
 * goal ladders; so a board needs at most 16 plans, and keeps them all.
 */
static uint32
plan_kinds(uint32 kinds)
{
	const uint32 ranks = BOARD_EVENT_TIER_UP | BOARD_EVENT_TIER_DOWN | BOARD_EVENT_NEW_LEADER |
		BOARD_EVENT_ENTERED_TOP_N | BOARD_EVENT_RANK_CLIMB;
	const uint32 goals = BOARD_EVENT_GOAL_MET | BOARD_EVENT_STREAK_MILESTONE;

	if (kinds & ranks)
		kinds |= ranks;
	if (kinds & goals)
		kinds |= goals;
	return kinds;
}

/*
 * The plan of the board's events statement for the kinds some row changes may announce
 * (NULL: nothing to run), made on first use. Each plan has only those kinds' branches:
 * the others would cost their executor start-up on every commit. A catalog without the
 * statement by kind (version 0.1) has only the one of every kind.
 */
static SPIPlanPtr
events_plan(BoardStatements *bs, uint32 kinds)
{
	int			i;
	int			slot;
	char	   *sql;
	SPIPlanPtr	plan = NULL;

	if (!bs->events_by_kind)
		kinds = bs->events_kinds;
	else
		kinds = plan_kinds(kinds) & bs->events_kinds;
	for (i = 0; i < bs->events_nplans; i++)
		if (bs->events_plans[i].kinds == kinds)
			return bs->events_plans[i].plan;

	sql = kinds == bs->events_kinds ? bs->events_sql : events_sql_for(bs, kinds);
	if (sql != NULL)
	{
		/*
		 * A generic plan: the changes are a few rows each time, and planning the statement
		 * anew for each commit would cost more than running it
		 */
		plan = SPI_prepare_cursor(sql, EVENT_ARGS, event_arg_types, CURSOR_OPT_GENERIC_PLAN);
		if (plan == NULL)
			elog(ERROR, "leaderboard: could not prepare the events statement of board \"%s\"",
				 bs->name);
		SPI_keepplan(plan);
	}
	/* four groups of kinds (plan_kinds()): every set has its slot */
	if (bs->events_nplans == BOARD_EVENT_PLANS)
		elog(ERROR, "leaderboard: too many events plans for board \"%s\"", bs->name);
	slot = bs->events_nplans++;
	bs->events_plans[slot].kinds = kinds;
	bs->events_plans[slot].plan = plan;
	return plan;
}

/* The names of kinds, for a message: " (tier_up, goal_met)", or "" for none. */
static char *
kinds_text(uint32 kinds)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < BOARD_EVENT_KINDS; i++)
		if (kinds & ((uint32) 1 << i))
			appendStringInfo(&buf, "%s%s", buf.len == 0 ? " (" : ", ", board_event_kinds[i]);
	if (buf.len > 0)
		appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * For a board that emits goal kinds or personal_best: the snapshot the events statement
 * is to run with, taken as SPI_execute_plan() would take it, and the board's goals read
 * with it (so a goal set meanwhile, or an earlier period's score, is seen by the checks
 * here and the statement alike). InvalidSnapshot otherwise.
 */
static Snapshot
events_snapshot(BoardStatements *bs, GoalRungs *goals)
{
	Snapshot	snapshot;

	if ((bs->events_kinds & (BOARD_EVENT_GOAL_MET | BOARD_EVENT_STREAK_MILESTONE |
							 BOARD_EVENT_GOAL_AT_RISK | BOARD_EVENT_PERSONAL_BEST)) == 0)
		return InvalidSnapshot;
	snapshot = register_own_writes_snapshot();
	if (bs->events_kinds & (BOARD_EVENT_GOAL_MET | BOARD_EVENT_STREAK_MILESTONE |
							BOARD_EVENT_GOAL_AT_RISK))
	{
		*goals = board_goal_rungs(bs, snapshot);
		goals->today = board_today(bs);
	}
	return snapshot;
}

/* Runs the events statement for kinds over the n changes (with snapshot, if valid). */
static void
write_events(BoardStatements *bs, RowChange **changes, int n, uint32 kinds, Snapshot snapshot)
{
	ChangeColumns cols;
	Datum		args[EVENT_ARGS];
	char		nulls[EVENT_ARGS];
	SPIPlanPtr	plan;
	int			i;

	for (i = 0; i < EVENT_ARGS; i++)
	{
		cols.values[i] = palloc(n * sizeof(Datum));
		cols.nulls[i] = palloc(n * sizeof(bool));
	}
	for (i = 0; i < n; i++)
		put_change(&cols, i, changes[i]);
	event_column_types[9] = event_column_types[10] = recording->kpis_type;
	event_arg_types[9] = event_arg_types[10] = get_array_type(recording->kpis_type);
	for (i = 0; i < EVENT_ARGS; i++)
	{
		args[i] = column_array(&cols, i, n);
		nulls[i] = ' ';
	}
	plan = events_plan(bs, kinds);
	if (plan != NULL &&
		(snapshot != InvalidSnapshot ?
		 SPI_execute_snapshot(plan, args, nulls, snapshot, InvalidSnapshot, false, true, 0) :
		 SPI_execute_plan(plan, args, nulls, false, 0)) < 0)
		elog(ERROR, "leaderboard: the events of board \"%s\" could not be written", bs->name);
}

/* The kinds the apply writes itself when a commit announces no other (board_event_rows.h). */
#define C_WRITTEN_KINDS (BOARD_EVENT_TIER_UP | BOARD_EVENT_TIER_DOWN | BOARD_EVENT_NEW_LEADER | \
						 BOARD_EVENT_ENTERED_TOP_N | BOARD_EVENT_RANK_CLIMB | BOARD_EVENT_PERSONAL_BEST | \
						 BOARD_EVENT_GOAL_MET | BOARD_EVENT_GOAL_AT_RISK)
/* at most one tier kind and the four other kinds one row announces once */
#define C_WRITTEN_PER_CHANGE 5

/* {"rank": the old rank} */
static Jsonb *
old_rank_json(const RowChange *c)
{
	const char *keys[1] = {"rank"};
	JsonbValue	values[1];

	values[0] = c->had_row && !c->old_rank_null ? board_json_int8(c->old_rank) : board_json_null();
	return board_json_object(1, keys, values);
}

/* {"rank": the new rank, "score": the new score} and one more field (extra NULL: none) */
static Jsonb *
new_rank_json(const RowChange *c, const char *extra, int64 extra_value)
{
	const char *keys[3] = {"rank", "score", extra};
	JsonbValue	values[3];

	values[0] = board_json_int8(c->new_rank);
	values[1] = board_json_float8(c->new_score);
	values[2] = board_json_int8(extra_value);
	return board_json_object(extra != NULL ? 3 : 2, keys, values);
}

/* {"tier": the tier, "score": the score} before or after the change */
static Jsonb *
tier_json(const char *tier, double score)
{
	const char *keys[2] = {"tier", "score"};
	JsonbValue	values[2];

	values[0] = board_json_text(tier);
	values[1] = board_json_float8(score);
	return board_json_object(2, keys, values);
}

/* The old and new columns of an event of kind (a bit of C_WRITTEN_KINDS), as the statement's branch of the kind builds them. */
static void
event_json(const RowChange *c, uint32 kind, const BoardStatements *bs, BoardEventRow *row)
{
	const char *best_keys[2] = {"best", "score"};
	const char *score_key[1] = {"score"};
	JsonbValue	values[2];

	switch (kind)
	{
		case BOARD_EVENT_TIER_UP:
		case BOARD_EVENT_TIER_DOWN:
			row->old = tier_json(c->old_tier, c->old_score);
			row->new = tier_json(c->new_tier, c->new_score);
			break;
		case BOARD_EVENT_NEW_LEADER:
			row->old = old_rank_json(c);
			row->new = new_rank_json(c, NULL, 0);
			break;
		case BOARD_EVENT_ENTERED_TOP_N:
			row->old = old_rank_json(c);
			row->new = new_rank_json(c, "top", bs->events_top_n);
			break;
		case BOARD_EVENT_RANK_CLIMB:
			row->old = old_rank_json(c);
			row->new = new_rank_json(c, "places", c->old_rank - c->new_rank);
			break;
		default:				/* personal_best */
			values[0] = board_json_float8(c->best);
			values[1] = c->had_row ? board_json_float8(c->old_score) : board_json_null();
			row->old = board_json_object(2, best_keys, values);
			values[0] = board_json_float8(c->new_score);
			row->new = board_json_object(1, score_key, values);
			break;
	}
}

/*
 * Writes the events of the n changes, each announcing exactly kinds[i] of C_WRITTEN_KINDS,
 * without the statement. False, having written nothing, when the statement must write
 * them after all (triggers on the events).
 */
static bool
write_events_here(const BoardStatements *bs, RowChange **changes, const uint32 *kinds, int n)
{
	const uint32 goals = BOARD_EVENT_GOAL_MET | BOARD_EVENT_GOAL_AT_RISK;
	BoardEventRow *rows;
	int			capacity = n * C_WRITTEN_PER_CHANGE;
	int			nrows = 0;
	int			i;
	int			k;

	for (i = 0; i < n; i++)
		capacity += changes[i]->ngoal_events;
	rows = palloc(sizeof(BoardEventRow) * capacity);
	for (i = 0; i < n; i++)
	{
		RowChange  *c = changes[i];

		for (k = 0; k < BOARD_EVENT_KINDS; k++)
		{
			BoardEventRow *row;

			if ((kinds[i] & ~goals & ((uint32) 1 << k)) == 0)
				continue;
			row = &rows[nrows++];
			row->kind = k;
			row->agent = c->key.agent;
			row->partition = c->partition;
			row->period = c->period;
			row->period_start = c->period_start;
			event_json(c, (uint32) 1 << k, bs, row);
		}
		for (k = 0; k < c->ngoal_events; k++)
			rows[nrows++] = c->goal_events[k];
	}
	if (nrows > 0 && !board_event_rows_write(bs->name, rows, nrows))
		return false;
	ereport(board_report_apply ? NOTICE : DEBUG1,
			(errmsg_plural("board \"%s\": %d event written by the apply",
						   "board \"%s\": %d events written by the apply", nrows, bs->name, nrows)));
	return true;
}

void
board_events_finish(BoardStatements *bs)
{
	HASH_SEQ_STATUS seq;
	RowChange  *c;
	RowChange **changes;
	uint32	   *change_kinds;
	long		capacity;
	int			n = 0;
	uint32		kinds = 0;
	bool		decided = true;
	Snapshot	snapshot;
	GoalRungs	goals = {NULL, 0, 0};
	MemoryContext old;

	if (recording == NULL)
		return;
	old = MemoryContextSwitchTo(recording->cxt);
	snapshot = events_snapshot(bs, &goals);
	capacity = Max(hash_get_num_entries(recording->changes), 1);
	changes = palloc(capacity * sizeof(RowChange *));
	change_kinds = palloc(capacity * sizeof(uint32));
	hash_seq_init(&seq, recording->changes);
	while ((c = hash_seq_search(&seq)) != NULL)
	{
		uint32		k;

		CHECK_FOR_INTERRUPTS();
		/* a row that came and went within the apply (an owner's trigger) announces nothing */
		if (c->before == NULL && c->after == NULL)
			continue;
		read_change(c);
		k = candidate_kinds(c, bs, &goals, snapshot, &decided);
		if (k != 0)
		{
			changes[n] = c;
			change_kinds[n++] = k;
			kinds |= k;
		}
	}
	ereport(board_report_apply ? NOTICE : DEBUG1,
			(errmsg("board \"%s\": %d of %ld changed standings rows may announce events%s",
					bs->name, n, hash_get_num_entries(recording->changes), kinds_text(kinds))));
	if (n > 0 && (!decided || (kinds & ~C_WRITTEN_KINDS) != 0 ||
				  !write_events_here(bs, changes, change_kinds, n)))
		write_events(bs, changes, n, kinds, snapshot);
	if (snapshot != InvalidSnapshot)
		UnregisterSnapshot(snapshot);
	MemoryContextSwitchTo(old);
	/* its reset callback ends the recording */
	MemoryContextDelete(recording->cxt);
}
