/*
 * board_event_goals.c: a board's goals, and the goal_met and goal_at_risk events of a
 * standings row's change, as the board's events statement derives them
 * (board_event_goals.h). Each step names the piece of SQL it follows.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "board_event_goals.h"
#include "board_index.h"
#include "calendar.h"
#include "kpis.h"

/* The index of the goals catalog whose first column is board, opened; NULL: none. */
static Relation
goals_board_index(Relation goals, AttrNumber board)
{
	List	   *indexes = RelationGetIndexList(goals);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);

		if (index->rd_index->indnatts > 0 && index->rd_index->indkey.values[0] == board &&
			index->rd_rel->relam == BTREE_AM_OID && RelationGetIndexPredicate(index) == NIL)
			return index;
		index_close(index, AccessShareLock);
	}
	return NULL;
}

/* The columns of leaderboard.goals a rung is read from. */
typedef struct GoalColumns
{
	AttrNumber	id, metric, stat, period, target, agent, partition, effective_from, effective_to;
} GoalColumns;

static GoalColumns
goal_columns(Relation goals)
{
	GoalColumns c;

	c.id = board_column(goals, "id");
	c.metric = board_column(goals, "metric");
	c.stat = board_column(goals, "stat");
	c.period = board_column(goals, "period");
	c.target = board_column(goals, "target");
	c.agent = board_column(goals, "agent");
	c.partition = board_column(goals, "partition");
	c.effective_from = board_column(goals, "effective_from");
	c.effective_to = board_column(goals, "effective_to");
	return c;
}

static char *
text_column(HeapTuple tup, TupleDesc desc, AttrNumber att)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, att, desc, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static bool
date_column(HeapTuple tup, TupleDesc desc, AttrNumber att, DateADT *value)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, att, desc, &isnull);

	*value = isnull ? 0 : DatumGetDateADT(d);
	return !isnull;
}

static void
read_rung(GoalRung *rung, HeapTuple tup, TupleDesc desc, const GoalColumns *col,
		  const BoardStatements *bs)
{
	bool		isnull;
	Datum		partition;
	int			i;

	rung->id = DatumGetInt64(heap_getattr(tup, col->id, desc, &isnull));
	rung->metric_name = text_column(tup, desc, col->metric);
	rung->stat_name = text_column(tup, desc, col->stat);
	rung->period = text_column(tup, desc, col->period);
	/* the first metric of the name, as array_position() finds it */
	rung->metric = -1;
	for (i = bs->events_nmetrics - 1; i >= 0; i--)
		if (strcmp(bs->events_metrics[i], rung->metric_name) == 0)
			rung->metric = i;
	rung->stat = strcmp(rung->stat_name, "count") == 0 ? 'c' :
		strcmp(rung->stat_name, "sum") == 0 ? 's' : 'a';
	rung->target = PointerGetDatum(PG_DETOAST_DATUM_COPY(heap_getattr(tup, col->target, desc, &isnull)));
	rung->agent = text_column(tup, desc, col->agent);
	partition = heap_getattr(tup, col->partition, desc, &isnull);
	rung->partition = isnull ? NULL : DatumGetJsonbPCopy(partition);
	rung->partition_text = isnull ? NULL :
		JsonbToCString(NULL, &rung->partition->root, VARSIZE(rung->partition));
	rung->has_from = date_column(tup, desc, col->effective_from, &rung->from);
	rung->has_to = date_column(tup, desc, col->effective_to, &rung->to);
}

/*
 * A board's goals as a commit last read them: the rungs, and the row version each was read
 * from (tid and xmin in the catalog's file, which name one version of one row: a rewrite
 * such as VACUUM FULL moves rows with their xmins, and goals set by one transaction share
 * theirs). A later commit reads the goals with its own snapshot all the same, and decodes
 * them again only when the versions it finds differ: a row version never changes, so equal
 * versions are equal goals.
 */
typedef struct GoalCache
{
	MemoryContext cxt;			/* holds this, in the board's shape context */
	Oid			node;			/* the relfilenode of leaderboard.goals the tids are in */
	GoalRung   *rungs;
	ItemPointerData *tids;
	TransactionId *xmins;
	int			n;
	int			max;
} GoalCache;

static GoalCache *
goal_cache_create(BoardStatements *bs)
{
	MemoryContext cxt = AllocSetContextCreate(bs->shape_cxt, "leaderboard board goals",
											  ALLOCSET_SMALL_SIZES);
	GoalCache  *cache = MemoryContextAllocZero(cxt, sizeof(GoalCache));

	cache->cxt = cxt;
	cache->max = 8;
	cache->rungs = MemoryContextAlloc(cxt, sizeof(GoalRung) * cache->max);
	cache->tids = MemoryContextAlloc(cxt, sizeof(ItemPointerData) * cache->max);
	cache->xmins = MemoryContextAlloc(cxt, sizeof(TransactionId) * cache->max);
	return cache;
}

/*
 * Whether the i-th goal row found is the version the cache read i-th (scan_goals() has
 * checked that the cache's tids are of the same file).
 */
static bool
goal_cached(const GoalCache *cache, int i, HeapTuple tup)
{
	return i < cache->n && ItemPointerEquals(&cache->tids[i], &tup->t_self) &&
		TransactionIdEquals(cache->xmins[i], HeapTupleHeaderGetRawXmin(tup->t_data));
}

static void
goal_cache_add(GoalCache *cache, HeapTuple tup, const GoalColumns *columns, TupleDesc desc,
			   const BoardStatements *bs)
{
	MemoryContext old = MemoryContextSwitchTo(cache->cxt);

	if (cache->n == cache->max)
	{
		cache->max *= 2;
		cache->rungs = repalloc(cache->rungs, sizeof(GoalRung) * cache->max);
		cache->tids = repalloc(cache->tids, sizeof(ItemPointerData) * cache->max);
		cache->xmins = repalloc(cache->xmins, sizeof(TransactionId) * cache->max);
	}
	read_rung(&cache->rungs[cache->n], tup, desc, columns, bs);
	cache->tids[cache->n] = tup->t_self;
	cache->xmins[cache->n] = HeapTupleHeaderGetRawXmin(tup->t_data);
	cache->n++;
	MemoryContextSwitchTo(old);
}

/*
 * Whether the board's goals visible to snapshot are the row versions of the cache, in the
 * same order; with cache NULL (none yet), false. With fill, reads them all into it instead.
 */
static bool
scan_goals(BoardStatements *bs, Snapshot snapshot, GoalCache *cache, GoalCache *fill)
{
	Relation	goals = table_open(get_relname_relid("goals", get_namespace_oid("leaderboard", false)),
								   AccessShareLock);
	Relation	index = goals_board_index(goals, board_column(goals, "board"));
	GoalColumns columns = goal_columns(goals);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		same = cache != NULL && cache->node == goals->rd_node.relNode;
	int			n = 0;

	if (fill != NULL)
		fill->node = goals->rd_node.relNode;
	board_text_key(&key, goals, "board", bs->name);
	scan = systable_beginscan(goals, index != NULL ? RelationGetRelid(index) : InvalidOid,
							  index != NULL, snapshot, 1, &key);
	while ((same || fill != NULL) && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		CHECK_FOR_INTERRUPTS();
		if (fill != NULL)
			goal_cache_add(fill, tup, &columns, RelationGetDescr(goals), bs);
		else
			same = goal_cached(cache, n++, tup);
	}
	systable_endscan(scan);
	if (index != NULL)
		index_close(index, AccessShareLock);
	table_close(goals, AccessShareLock);
	return same && n == cache->n;
}

GoalRungs
board_goal_rungs(BoardStatements *bs, Snapshot snapshot)
{
	GoalRungs	result = {NULL, 0, 0};

	if (!scan_goals(bs, snapshot, bs->goals, NULL))
	{
		GoalCache  *fresh = goal_cache_create(bs);

		scan_goals(bs, snapshot, NULL, fresh);
		if (bs->goals != NULL)
			MemoryContextDelete(bs->goals->cxt);
		bs->goals = fresh;
	}
	result.rungs = bs->goals->rungs;
	result.n = bs->goals->n;
	return result;
}

bool
board_goal_actual(const GoalRung *rung, Datum kpis, Datum *actual)
{
	const Kpis *k = (const Kpis *) DatumGetPointer(kpis);

	if (rung->metric < 0)
		return false;
	if (rung->stat == 'c')
		*actual = DirectFunctionCall1(int8_numeric, Int64GetDatum(kpis_count(k, rung->metric)));
	else if (rung->stat == 's')
		*actual = DirectFunctionCall1(float8_numeric, Float8GetDatum(kpis_sum(k, rung->metric)));
	else if (kpis_count(k, rung->metric) == 0)
		return false;
	else
		*actual = DirectFunctionCall1(float8_numeric, Float8GetDatum(kpis_avg(k, rung->metric)));
	return true;
}

static int
numeric_compare(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

/* The last day of a period of kind period (not all) starting on start, as _period_last_day_sql(). */
static DateADT
period_last_day(const char *period, DateADT start)
{
	Interval	length = {0, 0, 0};
	Datum		next;

	if (strcmp(period, "day") == 0)
		length.day = 1;
	else if (strcmp(period, "week") == 0)
		length.day = 7;
	else if (strcmp(period, "month") == 0)
		length.month = 1;
	else if (strcmp(period, "quarter") == 0)
		length.month = 3;
	else
		length.month = 12;
	next = DirectFunctionCall2(date_pl_interval, DateADTGetDatum(start), IntervalPGetDatum(&length));
	return DatumGetDateADT(DirectFunctionCall1(timestamp_date, next)) - 1;
}

bool
board_goal_days(const GoalRow *row, const BoardStatements *bs, DateADT today, GoalDays *days)
{
	Calendar	cal;

	if (strcmp(row->period, "all") != 0)
	{
		days->first = row->period_start;
		days->last = period_last_day(row->period, row->period_start);
	}
	else if (bs->events_has_window)
	{
		days->first = bs->events_window_first;
		days->last = bs->events_window_last;
	}
	else
		return false;
	cal = calendar_from_value((const CalendarValue *) DatumGetPointer(bs->events_calendar));
	days->elapsed = calendar_count_working_days(&cal, days->first, Min(today, days->last));
	days->total = calendar_count_working_days(&cal, days->first, days->last);
	return true;
}

/* _goal_day_sql(): today while the row's period runs, else its first or last day */
static DateADT
goal_day(const GoalRow *row, DateADT today)
{
	DateADT		last;

	if (strcmp(row->period, "all") == 0)
		return today;
	last = period_last_day(row->period, row->period_start);
	return Max(row->period_start, Min(today, last));
}

/* Whether goal g is in force for the row on day (_goal_ladders_sql()'s WHERE). */
static bool
goal_applies(const GoalRung *g, const GoalRow *row, DateADT day)
{
	return strcmp(g->period, row->period) == 0 &&
		(!g->has_from || g->from <= day) && (!g->has_to || g->to >= day) &&
		(g->agent == NULL || strcmp(g->agent, row->agent) == 0) &&
		(g->partition == NULL ||
		 DatumGetBool(DirectFunctionCall2(jsonb_contains, JsonbPGetDatum(row->partition),
										  JsonbPGetDatum(g->partition))));
}

/* The number of keys of a goal's partition (0 for none). */
static int
audience_keys(const GoalRung *g)
{
	return g->partition == NULL ? 0 : (int) JB_ROOT_COUNT(g->partition);
}

/*
 * How specific a goal's audience is, as _goal_ladders_sql() ranks it: an agent's own
 * goal first, then the partition with more keys, then by the partition's text (no
 * partition last); 0: the same audience.
 */
static int
audience_order(const GoalRung *a, const GoalRung *b)
{
	if ((a->agent != NULL) != (b->agent != NULL))
		return a->agent != NULL ? -1 : 1;
	if (audience_keys(a) != audience_keys(b))
		return audience_keys(a) > audience_keys(b) ? -1 : 1;
	if (a->partition == NULL || b->partition == NULL)
		return (a->partition == NULL) - (b->partition == NULL);
	return varstr_cmp(a->partition_text, strlen(a->partition_text), b->partition_text,
					  strlen(b->partition_text), DEFAULT_COLLATION_OID);
}

static int
rung_order(const void *a, const void *b)
{
	const GoalRung *x = *(const GoalRung *const *) a;
	const GoalRung *y = *(const GoalRung *const *) b;
	int			cmp = numeric_compare(x->target, y->target);

	if (cmp != 0)
		return cmp;
	return x->id < y->id ? -1 : x->id > y->id ? 1 : 0;
}

/*
 * The goal ladder of the metric and stat of goal lead for the row on day: the goals of
 * the most specific audience in force, ascending by (target, id), into ladder; their
 * number.
 */
static int
ladder_of(const GoalRungs *goals, const GoalRung *lead, const GoalRow *row, DateADT day,
		  const GoalRung **ladder)
{
	const GoalRung *best = NULL;
	int			n = 0;
	int			i;

	for (i = 0; i < goals->n; i++)
	{
		const GoalRung *g = &goals->rungs[i];

		if (strcmp(g->metric_name, lead->metric_name) == 0 &&
			strcmp(g->stat_name, lead->stat_name) == 0 && goal_applies(g, row, day) &&
			(best == NULL || audience_order(g, best) < 0))
			best = g;
	}
	for (i = 0; i < goals->n; i++)
	{
		const GoalRung *g = &goals->rungs[i];

		if (strcmp(g->metric_name, lead->metric_name) == 0 &&
			strcmp(g->stat_name, lead->stat_name) == 0 && goal_applies(g, row, day) &&
			audience_order(g, best) == 0)
			ladder[n++] = g;
	}
	qsort(ladder, n, sizeof(GoalRung *), rung_order);
	return n;
}

/* Whether an earlier goal than goals->rungs[i] has its period kind, metric and stat. */
static bool
ladder_seen(const GoalRungs *goals, int i)
{
	int			j;

	for (j = 0; j < i; j++)
		if (strcmp(goals->rungs[j].period, goals->rungs[i].period) == 0 &&
			strcmp(goals->rungs[j].metric_name, goals->rungs[i].metric_name) == 0 &&
			strcmp(goals->rungs[j].stat_name, goals->rungs[i].stat_name) == 0)
			return true;
	return false;
}

static void
event_of(BoardEventRow *e, BoardEventKind kind, const GoalRow *row)
{
	e->kind = pg_rightmost_one_pos32(kind);
	e->agent = row->agent;
	e->partition = row->partition;
	e->period = row->period;
	e->period_start = row->period_start;
	e->old = NULL;
	e->new = NULL;
}

/* {"metric", "stat", "target", "goal_id", "actual"} and, for goal_at_risk, its pace and days */
static Jsonb *
goal_json(const GoalRung *g, Datum actual, const Datum *pace, const GoalDays *days)
{
	const char *keys[8] = {"metric", "stat", "target", "goal_id", "actual", "pace",
	"working_days_elapsed", "working_days"};
	JsonbValue	values[8];

	values[0] = board_json_text(g->metric_name);
	values[1] = board_json_text(g->stat_name);
	values[2] = board_json_numeric(g->target);
	values[3] = board_json_int8(g->id);
	values[4] = board_json_numeric(actual);
	if (pace == NULL)
		return board_json_object(5, keys, values);
	values[5] = board_json_numeric(*pace);
	values[6] = board_json_int8(days->elapsed);
	values[7] = board_json_int8(days->total);
	return board_json_object(8, keys, values);
}

/* goal_met: each rung the change reaches, its stat before below the target (or NULL) */
static int
goal_met_events(const GoalRung **ladder, int n, const GoalRow *row, BoardEventRow *rows)
{
	const char *old_key[1] = {"actual"};
	Datum		new_actual;
	Datum		old_actual;
	bool		has_old;
	JsonbValue	old_value;
	int			nrows = 0;
	int			i;

	if (!board_goal_actual(ladder[0], row->new_kpis, &new_actual))
		return 0;
	has_old = row->old_kpis != (Datum) 0 && board_goal_actual(ladder[0], row->old_kpis, &old_actual);
	old_value = has_old ? board_json_numeric(old_actual) : board_json_null();
	for (i = 0; i < n; i++)
	{
		if (numeric_compare(new_actual, ladder[i]->target) < 0 ||
			(has_old && numeric_compare(old_actual, ladder[i]->target) >= 0))
			continue;
		event_of(&rows[nrows], BOARD_EVENT_GOAL_MET, row);
		rows[nrows].old = board_json_object(1, old_key, &old_value);
		rows[nrows].new = goal_json(ladder[i], new_actual, NULL, NULL);
		nrows++;
	}
	return nrows;
}

/*
 * goal_at_risk: past the board's share of the period's working days, the lowest rung not
 * met and a pace short of it (the "announced once" rule is the caller's)
 */
static int
goal_at_risk_event(const GoalRung **ladder, int n, const GoalRow *row, const BoardStatements *bs,
				   DateADT today, BoardEventRow *event, int64 *goal)
{
	const GoalRung *rung = NULL;
	Datum		actual;
	Datum		pace;
	Datum		share;
	GoalDays	days;
	int			i;

	if (!board_goal_actual(ladder[0], row->new_kpis, &actual))
		return 0;
	for (i = 0; i < n && rung == NULL; i++)
		if (numeric_compare(ladder[i]->target, actual) > 0)
			rung = ladder[i];
	/* the period runs today (so its goal day is today) */
	if (rung == NULL || !board_goal_days(row, bs, today, &days) ||
		today < days.first || today > days.last || days.total <= 0)
		return 0;
	share = DirectFunctionCall2(numeric_div, DirectFunctionCall1(int4_numeric, Int32GetDatum(days.elapsed)),
								DirectFunctionCall1(int4_numeric, Int32GetDatum(days.total)));
	if (numeric_compare(share, bs->events_at_risk_share) < 0)
		return 0;
	if (rung->stat == 'a')
		pace = actual;
	else if (days.elapsed == 0)
		return 0;
	else
		pace = DirectFunctionCall1(numeric_trim_scale,
								   DirectFunctionCall2(numeric_div,
													   DirectFunctionCall2(numeric_mul, actual,
																		   DirectFunctionCall1(int4_numeric, Int32GetDatum(days.total))),
													   DirectFunctionCall1(int4_numeric, Int32GetDatum(days.elapsed))));
	if (numeric_compare(pace, rung->target) >= 0)
		return 0;
	event_of(event, BOARD_EVENT_GOAL_AT_RISK, row);
	event->new = goal_json(rung, actual, &pace, &days);
	*goal = rung->id;
	return 1;
}

int
board_goal_events(const GoalRungs *goals, const GoalRow *row, const BoardStatements *bs,
				  bool goal_met, bool at_risk, BoardEventRow *rows, int64 *at_risk_goal)
{
	DateADT		day = goal_day(row, goals->today);
	const GoalRung **ladder = palloc(sizeof(GoalRung *) * Max(goals->n, 1));
	int			nrows = 0;
	int			i;

	if (row->new_kpis == (Datum) 0)
		return 0;
	for (i = 0; i < goals->n; i++)
	{
		const GoalRung *g = &goals->rungs[i];
		int			n;

		CHECK_FOR_INTERRUPTS();
		if (strcmp(g->period, row->period) != 0 || ladder_seen(goals, i))
			continue;
		n = ladder_of(goals, g, row, day, ladder);
		if (n == 0 || ladder[0]->metric < 0)
			continue;
		/* kpi_count() and the others refuse a metric past the row's kpis */
		if (ladder[0]->metric >= KPIS_NMETRICS(DatumGetPointer(row->new_kpis)) ||
			(row->old_kpis != (Datum) 0 &&
			 ladder[0]->metric >= KPIS_NMETRICS(DatumGetPointer(row->old_kpis))))
			return -1;
		if (goal_met)
			nrows += goal_met_events(ladder, n, row, &rows[nrows]);
		if (at_risk)
		{
			int			k = goal_at_risk_event(ladder, n, row, bs, goals->today, &rows[nrows],
											   &at_risk_goal[nrows]);

			nrows += k;
		}
	}
	return nrows;
}
