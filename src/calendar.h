/*
 * calendar.h: working-day calendars (type leaderboard.calendar).
 *
 * A calendar is a set of working weekdays plus a list of holidays. Non-working days
 * (weekdays outside the working week, and holidays) neither break nor extend a streak.
 *
 * Text form (case-insensitive, spaces anywhere between tokens):
 *     week [ ; holidays DATE { , DATE } ]
 *     week := item { , item }     item := DAY | DAY - DAY     DAY := Mon ... Sun | Monday ...
 * A range runs forward through the week and wraps after Sunday (Sun-Thu, Fri-Mon).
 * Dates are ISO YYYY-MM-DD with years 0001 to 9999. A holiday that falls on a
 * non-working weekday changes nothing and is left out of the canonical form, so two
 * calendars that mark the same days as working have the same canonical form and bytes.
 *
 * The plain-C API works on a Calendar view; the varlena CalendarValue is what SQL stores.
 * On disk: 12 bytes plus 4 bytes per holiday.
 */
#ifndef LEADERBOARD_CALENDAR_H
#define LEADERBOARD_CALENDAR_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/date.h"

#define CALENDAR_FORMAT_VERSION	1
#define CALENDAR_ALL_DAYS		0x7F	/* bit d: weekday d works, Monday = 0 */
#define CALENDAR_MAX_HOLIDAYS	10000

/*
 * Days a calendar or a streak may mention: 0001-01-01 to 9999-12-31, as DateADT
 * (days since 2000-01-01).
 */
#define CALENDAR_MIN_DAY	(-730119)
#define CALENDAR_MAX_DAY	2921939

/* A read-only view of a calendar; holidays are ascending and each on a working weekday. */
typedef struct Calendar
{
	uint8		workdays;
	int32		nholidays;
	const DateADT *holidays;
} Calendar;

/* The SQL value. */
typedef struct CalendarValue
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;		/* CALENDAR_FORMAT_VERSION */
	uint8		workdays;
	uint16		padding;		/* zero */
	int32		nholidays;
	DateADT		holidays[FLEXIBLE_ARRAY_MEMBER];
} CalendarValue;

#define CALENDAR_VALUE_SIZE(n)	(offsetof(CalendarValue, holidays) + (Size) (n) * sizeof(DateADT))

/* The calendar every streak uses when none is given: every day works, no holidays. */
extern const Calendar calendar_every_day;

/* True when d is a valid day for calendars and streaks (finite, years 1 to 9999). */
static inline bool
calendar_day_in_range(DateADT d)
{
	return d >= CALENDAR_MIN_DAY && d <= CALENDAR_MAX_DAY;
}

/* Weekday of any DateADT, Monday = 0 ... Sunday = 6 (2000-01-01 was a Saturday). */
static inline int
calendar_weekday(DateADT d)
{
	int			r = d % 7;

	return (r + 7 + 5) % 7;
}

extern bool calendar_is_holiday(const Calendar *cal, DateADT d);

/* Does every day work (no weekday off, no holiday)? */
static inline bool
calendar_all_days_work(const Calendar *cal)
{
	return cal->workdays == CALENDAR_ALL_DAYS && cal->nholidays == 0;
}

static inline bool
calendar_is_working(const Calendar *cal, DateADT d)
{
	if (calendar_all_days_work(cal))
		return true;
	if ((cal->workdays & (1 << calendar_weekday(d))) == 0)
		return false;
	return cal->nholidays == 0 || !calendar_is_holiday(cal, d);
}

/* The working days from first to last (finite), both included; 0 when last < first. */
extern int32 calendar_count_working_days(const Calendar *cal, DateADT first, DateADT last);

/* Index of the first holiday on or after d (nholidays when none). */
extern int	calendar_holiday_index(const Calendar *cal, DateADT d);

/* Same working days (calendars are canonical, so field equality is enough). */
extern bool calendar_equal(const Calendar *a, const Calendar *b);

/*
 * Parses the text form in str[0 .. len). Errors are 22P02 naming type typname and quoting
 * whole (the full input of the SQL input function); too many holidays is 54000.
 * The result's holidays are palloc'd in CurrentMemoryContext.
 */
extern Calendar calendar_parse(const char *str, int len, const char *typname,
							   const char *whole);

/* Appends the canonical text form. */
extern void calendar_append_text(StringInfo out, const Calendar *cal);

/* Binary form (without a version byte): workdays byte, int32 count, int32 holidays. */
extern void calendar_write_binary(StringInfo buf, const Calendar *cal);
/* Reads and checks the binary form; errors 22P03 (54000 for too many holidays). */
extern Calendar calendar_read_binary(StringInfo buf, const char *typname);

/* Parses YYYY-MM-DD (exactly) into a DateADT in range; false when it is not one. */
extern bool calendar_parse_iso_date(const char *s, int len, DateADT *out);
/* Narrows s[*start .. *end) to leave out the spaces around it (shared by the parsers). */
extern void calendar_trim_span(const char *s, int *start, int *end);
/* Appends d (in range) as YYYY-MM-DD. */
extern void calendar_append_date(StringInfo out, DateADT d);

/* Reads a CalendarValue as a view (pointing into it) and builds a value from a view. */
extern Calendar calendar_from_value(const CalendarValue *v);
extern CalendarValue *calendar_to_value(const Calendar *cal);

/* Reports 22P03 "insufficient data" unless buf has n more bytes. */
extern void calendar_recv_need(StringInfo buf, int n, const char *typname);

#endif
