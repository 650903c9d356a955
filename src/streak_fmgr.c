/*
 * streak_fmgr.c: SQL-callable functions of type leaderboard.streak and its aggregates.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "streak.h"
#include "utils/builtins.h"
#include "utils/date.h"

#define DatumGetStreakValueP(d)		((StreakValue *) PG_DETOAST_DATUM(d))
#define PG_GETARG_STREAK_P(n)		DatumGetStreakValueP(PG_GETARG_DATUM(n))

/* Returns a streak parsed from its text form. */
PG_FUNCTION_INFO_V1(streak_in);
Datum
streak_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(streak_parse(PG_GETARG_CSTRING(0)));
}

/* Returns the canonical text form of a streak: calendar, colon, runs of met days. */
PG_FUNCTION_INFO_V1(streak_out);
Datum
streak_out(PG_FUNCTION_ARGS)
{
	StreakDays	s = streak_days(PG_GETARG_STREAK_P(0));
	StringInfoData buf;

	initStringInfo(&buf);
	streak_append_text(&buf, &s);
	PG_RETURN_CSTRING(buf.data);
}

/* Returns a streak read from its binary form (version byte first). */
PG_FUNCTION_INFO_V1(streak_recv);
Datum
streak_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	StreakValue *v = streak_read_binary(buf);

	if (buf->cursor != buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type streak"),
				 errdetail_plural("%d byte follows the end of the value.",
								  "%d bytes follow the end of the value.",
								  buf->len - buf->cursor, buf->len - buf->cursor)));
	PG_RETURN_POINTER(v);
}

/* Returns the binary form of a streak. */
PG_FUNCTION_INFO_V1(streak_send);
Datum
streak_send(PG_FUNCTION_ARGS)
{
	StreakDays	s = streak_days(PG_GETARG_STREAK_P(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	streak_write_binary(&buf, &s);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Returns the length in working days of the longest run of met working days. */
PG_FUNCTION_INFO_V1(streak_longest_days);
Datum
streak_longest_days(PG_FUNCTION_ARGS)
{
	StreakDays	s = streak_days(PG_GETARG_STREAK_P(0));

	PG_RETURN_INT32(streak_longest(&s, NULL));
}

/* Returns the first day of the longest run (the earliest on ties), NULL when none. */
PG_FUNCTION_INFO_V1(streak_longest_start);
Datum
streak_longest_start(PG_FUNCTION_ARGS)
{
	StreakDays	s = streak_days(PG_GETARG_STREAK_P(0));
	DateADT		start;

	if (streak_longest(&s, &start) == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATEADT(start);
}

/* Returns the run still alive on as_of: ending on as_of or the working day before it. */
PG_FUNCTION_INFO_V1(streak_current_days);
Datum
streak_current_days(PG_FUNCTION_ARGS)
{
	StreakDays	s = streak_days(PG_GETARG_STREAK_P(0));
	DateADT		as_of = PG_GETARG_DATEADT(1);

	if (DATE_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("as_of must be a finite date"),
				 errhint("Pass the day the streak is read on, e.g. current_date.")));
	PG_RETURN_INT32(streak_current(&s, as_of));
}

/* Returns the number of met working days. */
PG_FUNCTION_INFO_V1(streak_met_days_count);
Datum
streak_met_days_count(PG_FUNCTION_ARGS)
{
	StreakDays	s = streak_days(PG_GETARG_STREAK_P(0));

	PG_RETURN_INT32(streak_met_days(&s));
}

/* Returns the calendar of a streak. */
PG_FUNCTION_INFO_V1(streak_calendar);
Datum
streak_calendar(PG_FUNCTION_ARGS)
{
	StreakDays	s = streak_days(PG_GETARG_STREAK_P(0));

	PG_RETURN_POINTER(calendar_to_value(&s.cal));
}

/* Returns the union of the met days of two streaks with the same calendar. */
PG_FUNCTION_INFO_V1(streak_union);
Datum
streak_union(PG_FUNCTION_ARGS)
{
	StreakDays	a = streak_days(PG_GETARG_STREAK_P(0));
	StreakDays	b = streak_days(PG_GETARG_STREAK_P(1));
	StreakState *st = streak_state_new(CurrentMemoryContext, &a.cal);

	st = streak_state_add_days(st, &a);
	st = streak_state_add_days(st, &b);
	PG_RETURN_POINTER(streak_state_value(st));
}

static bool
streak_args_equal(FunctionCallInfo fcinfo)
{
	StreakValue *a = PG_GETARG_STREAK_P(0);
	StreakValue *b = PG_GETARG_STREAK_P(1);

	/* values are canonical: equal streaks have equal bytes */
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

/* Returns whether two streaks have the same calendar and met days. */
PG_FUNCTION_INFO_V1(streak_eq);
Datum
streak_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(streak_args_equal(fcinfo));
}

/* Returns whether two streaks differ. */
PG_FUNCTION_INFO_V1(streak_ne);
Datum
streak_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!streak_args_equal(fcinfo));
}

/* Aggregate support. */

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", fn)));
	return aggcxt;
}

static Calendar
calendar_copy(MemoryContext mcxt, const Calendar *cal)
{
	Calendar	copy = *cal;

	if (cal->nholidays > 0)
	{
		DateADT    *h = MemoryContextAlloc(mcxt, cal->nholidays * sizeof(DateADT));

		memcpy(h, cal->holidays, cal->nholidays * sizeof(DateADT));
		copy.holidays = h;
	}
	return copy;
}

/*
 * Does a calendar argument (perhaps short-header, so unaligned) hold cal? Compared byte by
 * byte, without copying, because it runs for every row.
 */
static bool
calendar_arg_matches(struct varlena *p, const Calendar *cal)
{
	const char *data = VARDATA_ANY(p);
	int32		n;

	if (VARSIZE_ANY_EXHDR(p) != CALENDAR_VALUE_SIZE(cal->nholidays) - VARHDRSZ)
		return false;
	if ((uint8) data[offsetof(CalendarValue, workdays) - VARHDRSZ] != cal->workdays)
		return false;
	memcpy(&n, data + offsetof(CalendarValue, nholidays) - VARHDRSZ, sizeof(int32));
	return n == cal->nholidays &&
		(n == 0 || memcmp(data + offsetof(CalendarValue, holidays) - VARHDRSZ,
						  cal->holidays, n * sizeof(DateADT)) == 0);
}

static void
null_calendar_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("the calendar of streak_agg must not be null"),
			 errhint("Leave the calendar out for one where every day works.")));
}

/*
 * The calendar of a new state. States share a copy kept in the function's memory context
 * (which outlives every aggregate context of the query) while the argument stays the same.
 */
static Calendar
agg_arg_calendar(FunctionCallInfo fcinfo, int argno)
{
	Calendar   *cached = (Calendar *) fcinfo->flinfo->fn_extra;
	Calendar	cal;

	if (PG_ARGISNULL(argno))
		null_calendar_error();
	if (cached && calendar_arg_matches(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno)), cached))
		return *cached;
	cal = calendar_from_value((CalendarValue *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno)));
	if (cached == NULL)
		cached = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(Calendar));
	*cached = calendar_copy(fcinfo->flinfo->fn_mcxt, &cal);
	fcinfo->flinfo->fn_extra = cached;
	return *cached;
}

static void
day_range_error(DateADT day)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("streak day %s is out of range",
					DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)))),
			 errdetail("Streak days are finite dates from 0001-01-01 to 9999-12-31."),
			 errhint("Filter such rows out, or make their day NULL to ignore them.")));
}

/*
 * streak_agg_transfn for the rows that streak_agg_transfn does not finish itself: the first
 * row of a group, a NULL or out-of-range day, a calendar argument. Out of line, so that the
 * common row saves no registers and makes no call.
 */
static pg_noinline Datum
streak_agg_trans_row(FunctionCallInfo fcinfo)
{
	StreakState *st = PG_ARGISNULL(0) ? NULL : (StreakState *) PG_GETARG_POINTER(0);
	DateADT		day;

	if (PG_ARGISNULL(1))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	day = PG_GETARG_DATEADT(1);
	if (!calendar_day_in_range(day))
		day_range_error(day);

	if (st == NULL)
	{
		/* only a new state needs the aggregate context: this runs for every row */
		MemoryContext aggcxt = agg_context(fcinfo, "streak_agg_transfn");
		Calendar	cal = PG_NARGS() > 3 ? agg_arg_calendar(fcinfo, 3) : calendar_every_day;

		st = streak_state_new(aggcxt, &cal);
	}
	else if (PG_NARGS() > 3)
	{
		if (PG_ARGISNULL(3))
			null_calendar_error();
		if (!calendar_arg_matches(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(3)), &st->cal))
		{
			Calendar	cal = calendar_from_value((CalendarValue *) PG_DETOAST_DATUM(PG_GETARG_DATUM(3)));

			streak_check_same_calendar(&st->cal, &cal);
		}
	}

	/* a NULL met counts as not met */
	if (!PG_ARGISNULL(2) && PG_GETARG_BOOL(2))
		st = streak_state_add_met(st, day);
	PG_RETURN_POINTER(st);
}

/*
 * Returns the state with a (day, met[, calendar]) row added; NULL days are skipped. It runs
 * for every row, and most rows find their group's state, every day working and a day in
 * range: an unmet one then changes nothing (the state already stands for its group having
 * rows), and a met one sets a bit, widening the state only for a day outside the met days
 * seen so far.
 */
PG_FUNCTION_INFO_V1(streak_agg_transfn);
Datum
streak_agg_transfn(PG_FUNCTION_ARGS)
{
	if (likely(PG_NARGS() == 3 && !PG_ARGISNULL(0) && !PG_ARGISNULL(1)))
	{
		StreakState *st = (StreakState *) PG_GETARG_POINTER(0);
		DateADT		day = PG_GETARG_DATEADT(1);

		if (likely(calendar_day_in_range(day)))
		{
			/* a NULL met counts as not met */
			if (PG_ARGISNULL(2) || !PG_GETARG_BOOL(2))
				PG_RETURN_POINTER(st);
			PG_RETURN_POINTER(streak_state_add_met(st, day));
		}
	}
	return streak_agg_trans_row(fcinfo);
}

/* Returns the state with the met days of a streak added; NULL streaks are skipped. */
PG_FUNCTION_INFO_V1(streak_merge_transfn);
Datum
streak_merge_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "streak_merge_transfn");
	StreakState *st = PG_ARGISNULL(0) ? NULL : (StreakState *) PG_GETARG_POINTER(0);
	StreakDays	s;

	if (PG_ARGISNULL(1))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	s = streak_days(PG_GETARG_STREAK_P(1));
	if (st == NULL)
	{
		Calendar	cal = calendar_copy(aggcxt, &s.cal);

		st = streak_state_new(aggcxt, &cal);
	}
	st = streak_state_add_days(st, &s);
	PG_RETURN_POINTER(st);
}

/* Returns the first state with the second merged into it. */
PG_FUNCTION_INFO_V1(streak_agg_combine);
Datum
streak_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "streak_agg_combine");
	StreakState *a = PG_ARGISNULL(0) ? NULL : (StreakState *) PG_GETARG_POINTER(0);
	StreakState *b = PG_ARGISNULL(1) ? NULL : (StreakState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		Calendar	cal = calendar_copy(aggcxt, &b->cal);

		a = streak_state_new(aggcxt, &cal);
	}
	a = streak_state_add_state(a, b);
	PG_RETURN_POINTER(a);
}

/* Returns the state as bytes: the streak value it stands for. */
PG_FUNCTION_INFO_V1(streak_agg_serialize);
Datum
streak_agg_serialize(PG_FUNCTION_ARGS)
{
	StreakState *st = (StreakState *) PG_GETARG_POINTER(0);

	agg_context(fcinfo, "streak_agg_serialize");
	PG_RETURN_BYTEA_P((bytea *) streak_state_value(st));
}

/* Returns a state rebuilt from streak_agg_serialize's bytes. */
PG_FUNCTION_INFO_V1(streak_agg_deserialize);
Datum
streak_agg_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "streak_agg_deserialize");
	StreakDays	s = streak_days((StreakValue *) PG_GETARG_BYTEA_P(0));
	Calendar	cal = calendar_copy(aggcxt, &s.cal);
	StreakState *st = streak_state_new(aggcxt, &cal);

	st = streak_state_add_days(st, &s);
	PG_RETURN_POINTER(st);
}

/* Returns the streak of the state; NULL when no row had a day. */
PG_FUNCTION_INFO_V1(streak_agg_final);
Datum
streak_agg_final(PG_FUNCTION_ARGS)
{
	StreakState *st;

	agg_context(fcinfo, "streak_agg_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (StreakState *) PG_GETARG_POINTER(0);
	PG_RETURN_POINTER(streak_state_value(st));
}
