/*
 * calendar_fmgr.c: SQL-callable functions of type leaderboard.calendar.
 */
#include "postgres.h"

#include "calendar.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#define DatumGetCalendarValueP(d)	((CalendarValue *) PG_DETOAST_DATUM(d))
#define PG_GETARG_CALENDAR_P(n)		DatumGetCalendarValueP(PG_GETARG_DATUM(n))

/* Returns a calendar parsed from its text form. */
PG_FUNCTION_INFO_V1(calendar_in);
Datum
calendar_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	Calendar	cal = calendar_parse(str, strlen(str), "calendar", str);

	PG_RETURN_POINTER(calendar_to_value(&cal));
}

/* Returns the canonical text form of a calendar. */
PG_FUNCTION_INFO_V1(calendar_out);
Datum
calendar_out(PG_FUNCTION_ARGS)
{
	CalendarValue *v = PG_GETARG_CALENDAR_P(0);
	Calendar	cal = calendar_from_value(v);
	StringInfoData buf;

	initStringInfo(&buf);
	calendar_append_text(&buf, &cal);
	PG_RETURN_CSTRING(buf.data);
}

/* Returns a calendar read from its binary form (version byte first). */
PG_FUNCTION_INFO_V1(calendar_recv);
Datum
calendar_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Calendar	cal;
	int			version;

	calendar_recv_need(buf, 1, "calendar");
	version = pq_getmsgbyte(buf);
	if (version != CALENDAR_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type calendar"),
				 errdetail("Unsupported format version %d (this version reads %d).",
						   version, CALENDAR_FORMAT_VERSION)));
	cal = calendar_read_binary(buf, "calendar");
	if (buf->cursor != buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type calendar"),
				 errdetail_plural("%d byte follows the end of the value.",
								  "%d bytes follow the end of the value.",
								  buf->len - buf->cursor, buf->len - buf->cursor)));
	PG_RETURN_POINTER(calendar_to_value(&cal));
}

/* Returns the binary form of a calendar. */
PG_FUNCTION_INFO_V1(calendar_send);
Datum
calendar_send(PG_FUNCTION_ARGS)
{
	CalendarValue *v = PG_GETARG_CALENDAR_P(0);
	Calendar	cal = calendar_from_value(v);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, CALENDAR_FORMAT_VERSION);
	calendar_write_binary(&buf, &cal);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static bool
calendar_args_equal(FunctionCallInfo fcinfo)
{
	Calendar	a = calendar_from_value(PG_GETARG_CALENDAR_P(0));
	Calendar	b = calendar_from_value(PG_GETARG_CALENDAR_P(1));

	return calendar_equal(&a, &b);
}

/* Returns whether two calendars mark the same days as working. */
PG_FUNCTION_INFO_V1(calendar_eq);
Datum
calendar_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(calendar_args_equal(fcinfo));
}

/* Returns whether two calendars differ. */
PG_FUNCTION_INFO_V1(calendar_ne);
Datum
calendar_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!calendar_args_equal(fcinfo));
}

/* Returns whether a date is a working day of a calendar. */
PG_FUNCTION_INFO_V1(calendar_is_working_day);
Datum
calendar_is_working_day(PG_FUNCTION_ARGS)
{
	Calendar	cal = calendar_from_value(PG_GETARG_CALENDAR_P(0));
	DateADT		day = PG_GETARG_DATEADT(1);

	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("cannot tell whether an infinite date is a working day")));
	PG_RETURN_BOOL(calendar_is_working(&cal, day));
}

PG_FUNCTION_INFO_V1(calendar_working_days);
/* working_days(calendar, first, last): calendar_count_working_days() of finite dates. */
Datum
calendar_working_days(PG_FUNCTION_ARGS)
{
	Calendar	cal = calendar_from_value(PG_GETARG_CALENDAR_P(0));
	DateADT		first = PG_GETARG_DATEADT(1);
	DateADT		last = PG_GETARG_DATEADT(2);

	if (DATE_NOT_FINITE(first) || DATE_NOT_FINITE(last))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("cannot count the working days of an infinite range")));
	PG_RETURN_INT32(calendar_count_working_days(&cal, first, last));
}
