/*
 * calendar.c: parsing, printing and day arithmetic of working-day calendars.
 */
#include "postgres.h"

#include <ctype.h>

#include "calendar.h"
#include "datatype/timestamp.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/datetime.h"

const Calendar calendar_every_day = {CALENDAR_ALL_DAYS, 0, NULL};

static const char *const weekday_short[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const weekday_long[7] = {"monday", "tuesday", "wednesday", "thursday",
"friday", "saturday", "sunday"};

#define CALENDAR_HINT \
	"Write the working weekdays first, as a list or ranges (\"Mon-Fri\", \"Mon, Tue, Thu\", " \
	"\"Sun-Thu\"), then optionally \"; holidays 2026-12-25, 2027-01-01\"."

int
calendar_holiday_index(const Calendar *cal, DateADT d)
{
	int			lo = 0,
				hi = cal->nholidays;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (cal->holidays[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool
calendar_is_holiday(const Calendar *cal, DateADT d)
{
	int			i = calendar_holiday_index(cal, d);

	return i < cal->nholidays && cal->holidays[i] == d;
}

bool
calendar_equal(const Calendar *a, const Calendar *b)
{
	if (a->workdays != b->workdays || a->nholidays != b->nholidays)
		return false;
	return a->nholidays == 0 ||
		memcmp(a->holidays, b->holidays, a->nholidays * sizeof(DateADT)) == 0;
}

static bool
is_leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

bool
calendar_parse_iso_date(const char *s, int len, DateADT *out)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			y,
				m,
				d,
				i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char) s[i]))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	if (d > mdays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0))
		return false;
	*out = date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
	return true;
}

void
calendar_append_date(StringInfo out, DateADT d)
{
	int			y,
				m,
				dd;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
	appendStringInfo(out, "%04d-%02d-%02d", y, m, dd);
}

/* Error helpers: every syntax error quotes the whole input and names the type. */
static void
syntax_error(const char *typname, const char *whole, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", typname, whole),
			 errdetail("%s", detail),
			 errhint(CALENDAR_HINT)));
}

static void
syntax_error_token(const char *typname, const char *whole, const char *fmt,
				   const char *token, int toklen)
{
	char	   *tok = pnstrdup(token, toklen);

	syntax_error(typname, whole, psprintf(fmt, tok));
}

/* Trims spaces around s[*start .. *end). */
void
calendar_trim_span(const char *s, int *start, int *end)
{
	while (*start < *end && isspace((unsigned char) s[*start]))
		(*start)++;
	while (*end > *start && isspace((unsigned char) s[*end - 1]))
		(*end)--;
}

/* Weekday named by s[0 .. len), or -1. */
static int
lookup_weekday(const char *s, int len)
{
	int			d;

	for (d = 0; d < 7; d++)
	{
		if ((len == 3 && pg_strncasecmp(s, weekday_short[d], 3) == 0) ||
			(len == (int) strlen(weekday_long[d]) &&
			 pg_strncasecmp(s, weekday_long[d], len) == 0))
			return d;
	}
	return -1;
}

/* Reads a weekday word at s[*pos], skipping spaces first; returns the weekday. */
static int
parse_weekday_word(const char *s, int *pos, int end, const char *typname, const char *whole)
{
	int			start,
				d;

	while (*pos < end && isspace((unsigned char) s[*pos]))
		(*pos)++;
	start = *pos;
	while (*pos < end && isalpha((unsigned char) s[*pos]))
		(*pos)++;
	if (*pos == start)
	{
		if (start == end)
			syntax_error(typname, whole, "A weekday range is missing its last day.");
		syntax_error_token(typname, whole, "Unexpected \"%s\" in the working week.",
						   s + start, end - start);
	}
	d = lookup_weekday(s + start, *pos - start);
	if (d < 0)
		syntax_error_token(typname, whole, "Unknown weekday \"%s\".", s + start, *pos - start);
	return d;
}

static uint8
parse_week(const char *s, int start, int end, const char *typname, const char *whole)
{
	uint8		days = 0;
	int			pos = start;

	for (;;)
	{
		int			item_end = pos,
					istart,
					iend,
					p,
					first,
					last,
					d;

		while (item_end < end && s[item_end] != ',')
			item_end++;
		istart = pos;
		iend = item_end;
		calendar_trim_span(s, &istart, &iend);
		if (istart == iend)
			syntax_error(typname, whole, "The working week has an empty item (two commas, or a comma at an end).");

		p = istart;
		first = parse_weekday_word(s, &p, iend, typname, whole);
		while (p < iend && isspace((unsigned char) s[p]))
			p++;
		last = first;
		if (p < iend && s[p] == '-')
		{
			p++;
			last = parse_weekday_word(s, &p, iend, typname, whole);
			if (last == first)
				syntax_error_token(typname, whole,
								   "The range \"%s\" names one day twice; write the day alone, or \"Mon-Sun\" for the whole week.",
								   s + istart, iend - istart);
			while (p < iend && isspace((unsigned char) s[p]))
				p++;
		}
		if (p < iend)
			syntax_error_token(typname, whole, "Unexpected \"%s\" in the working week.",
							   s + p, iend - p);

		/* walk forward from first to last, wrapping after Sunday */
		for (d = first;; d = (d + 1) % 7)
		{
			if (days & (1 << d))
				syntax_error_token(typname, whole, "Weekday \"%s\" is listed twice.",
								   weekday_short[d], 3);
			days |= 1 << d;
			if (d == last)
				break;
		}

		if (item_end == end)
			break;
		pos = item_end + 1;
	}
	return days;
}

static int
cmp_dateadt(const void *a, const void *b)
{
	DateADT		x = *(const DateADT *) a;
	DateADT		y = *(const DateADT *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* True when s[start .. end) begins with the word "holidays". */
static bool
starts_with_holidays(const char *s, int start, int end)
{
	return end - start >= 8 && pg_strncasecmp(s + start, "holidays", 8) == 0 &&
		(end - start == 8 || !isalpha((unsigned char) s[start + 8]));
}

Calendar
calendar_parse(const char *str, int len, const char *typname, const char *whole)
{
	Calendar	cal;
	DateADT    *holidays = NULL;
	int			nholidays = 0,
				maxholidays = 0,
				pos,
				part_end,
				start,
				end,
				i,
				kept;
	bool		have_holidays = false;

	part_end = 0;
	while (part_end < len && str[part_end] != ';')
		part_end++;
	start = 0;
	end = part_end;
	calendar_trim_span(str, &start, &end);
	if (start == end || starts_with_holidays(str, start, end))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", typname, whole),
				 errdetail("The working week is empty."),
				 errhint(CALENDAR_HINT)));
	cal.workdays = parse_week(str, start, end, typname, whole);

	while (part_end < len)
	{
		pos = part_end + 1;
		part_end = pos;
		while (part_end < len && str[part_end] != ';')
			part_end++;
		start = pos;
		end = part_end;
		calendar_trim_span(str, &start, &end);
		if (start == end)
			syntax_error(typname, whole, "There is an empty part (two semicolons, or a semicolon at the end).");
		if (!starts_with_holidays(str, start, end))
			syntax_error_token(typname, whole,
							   "Unexpected part \"%s\": only a \"holidays\" part may follow the working week.",
							   str + start, end - start);
		if (have_holidays)
			syntax_error(typname, whole, "The \"holidays\" part appears twice.");
		have_holidays = true;

		pos = start + 8;
		for (;;)
		{
			int			item_end = pos,
						istart,
						iend;
			DateADT		d;

			while (item_end < end && str[item_end] != ',')
				item_end++;
			istart = pos;
			iend = item_end;
			calendar_trim_span(str, &istart, &iend);
			if (istart == iend)
				syntax_error(typname, whole,
							 item_end == end && pos == start + 8 ?
							 "The \"holidays\" part lists no date." :
							 "The holidays list has an empty item (two commas, or a comma at an end).");
			if (!calendar_parse_iso_date(str + istart, iend - istart, &d))
				syntax_error_token(typname, whole,
								   "Invalid date \"%s\": holidays are written YYYY-MM-DD with years 0001 to 9999.",
								   str + istart, iend - istart);
			if (nholidays == maxholidays)
			{
				maxholidays = maxholidays ? maxholidays * 2 : 16;
				holidays = holidays ? repalloc(holidays, maxholidays * sizeof(DateADT))
					: palloc(maxholidays * sizeof(DateADT));
			}
			holidays[nholidays++] = d;
			if (item_end == end)
				break;
			pos = item_end + 1;
		}
	}

	if (nholidays > CALENDAR_MAX_HOLIDAYS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a calendar may list at most %d holidays", CALENDAR_MAX_HOLIDAYS),
				 errdetail("The input lists %d.", nholidays)));
	if (nholidays > 1)
		qsort(holidays, nholidays, sizeof(DateADT), cmp_dateadt);
	kept = 0;
	for (i = 0; i < nholidays; i++)
	{
		if (i > 0 && holidays[i] == holidays[i - 1])
		{
			StringInfoData buf;

			initStringInfo(&buf);
			appendStringInfoString(&buf, "Holiday ");
			calendar_append_date(&buf, holidays[i]);
			appendStringInfoString(&buf, " is listed twice.");
			syntax_error(typname, whole, buf.data);
		}
		/* a holiday on a non-working weekday changes nothing: leave it out */
		if (cal.workdays & (1 << calendar_weekday(holidays[i])))
			holidays[kept++] = holidays[i];
	}
	cal.nholidays = kept;
	cal.holidays = holidays;
	return cal;
}

void
calendar_append_text(StringInfo out, const Calendar *cal)
{
	int			d,
				i;
	bool		first = true;

	if (cal->workdays == CALENDAR_ALL_DAYS)
		appendStringInfoString(out, "Mon-Sun");
	else
	{
		for (d = 0; d < 7; d++)
		{
			int			n = 0;

			/* a run starts on a working day whose previous day does not work */
			if (!(cal->workdays & (1 << d)) || (cal->workdays & (1 << ((d + 6) % 7))))
				continue;
			while (n < 7 && (cal->workdays & (1 << ((d + n) % 7))))
				n++;
			if (!first)
				appendStringInfoString(out, ", ");
			first = false;
			appendStringInfoString(out, weekday_short[d]);
			if (n > 1)
				appendStringInfo(out, "-%s", weekday_short[(d + n - 1) % 7]);
		}
	}
	for (i = 0; i < cal->nholidays; i++)
	{
		appendStringInfoString(out, i == 0 ? "; holidays " : ", ");
		calendar_append_date(out, cal->holidays[i]);
	}
}

void
calendar_write_binary(StringInfo buf, const Calendar *cal)
{
	int			i;

	pq_sendbyte(buf, cal->workdays);
	pq_sendint32(buf, cal->nholidays);
	for (i = 0; i < cal->nholidays; i++)
		pq_sendint32(buf, cal->holidays[i]);
}

void
calendar_recv_need(StringInfo buf, int n, const char *typname)
{
	if (n < 0 || buf->len - buf->cursor < n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type %s", typname),
				 errdetail_plural("The data ends early: %d more byte is needed, %d left.",
								  "The data ends early: %d more bytes are needed, %d left.",
								  n, n, buf->len - buf->cursor)));
}

static void
binary_error(const char *typname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary data for type %s", typname),
			 errdetail("%s", detail)));
}

Calendar
calendar_read_binary(StringInfo buf, const char *typname)
{
	Calendar	cal;
	DateADT    *holidays = NULL;
	int			n,
				i;

	calendar_recv_need(buf, 1, typname);
	cal.workdays = (uint8) pq_getmsgbyte(buf);
	if (cal.workdays == 0 || cal.workdays > CALENDAR_ALL_DAYS)
		binary_error(typname, "The working week is empty or has bits beyond Sunday.");
	calendar_recv_need(buf, 4, typname);
	n = (int32) pq_getmsgint(buf, 4);
	if (n < 0)
		binary_error(typname, "The holiday count is negative.");
	if (n > CALENDAR_MAX_HOLIDAYS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a calendar may list at most %d holidays", CALENDAR_MAX_HOLIDAYS),
				 errdetail("The data lists %d.", n)));
	calendar_recv_need(buf, n * 4, typname);
	if (n > 0)
		holidays = palloc(n * sizeof(DateADT));
	for (i = 0; i < n; i++)
	{
		holidays[i] = (DateADT) pq_getmsgint(buf, 4);
		if (!calendar_day_in_range(holidays[i]))
			binary_error(typname, "A holiday lies outside years 0001 to 9999.");
		if (i > 0 && holidays[i] <= holidays[i - 1])
			binary_error(typname, "Holidays are not strictly ascending.");
		if (!(cal.workdays & (1 << calendar_weekday(holidays[i]))))
			binary_error(typname, "A holiday falls on a non-working weekday.");
	}
	cal.nholidays = n;
	cal.holidays = holidays;
	return cal;
}

Calendar
calendar_from_value(const CalendarValue *v)
{
	Calendar	cal;

	cal.workdays = v->workdays;
	cal.nholidays = v->nholidays;
	cal.holidays = v->holidays;
	return cal;
}

CalendarValue *
calendar_to_value(const Calendar *cal)
{
	Size		size = CALENDAR_VALUE_SIZE(cal->nholidays);
	CalendarValue *v = palloc0(size);

	SET_VARSIZE(v, size);
	v->version = CALENDAR_FORMAT_VERSION;
	v->workdays = cal->workdays;
	v->nholidays = cal->nholidays;
	if (cal->nholidays > 0)
		memcpy(v->holidays, cal->holidays, cal->nholidays * sizeof(DateADT));
	return v;
}

/*
 * The working days from first to last (finite), both included; 0 when last < first. The
 * goals' pace counts them for every row it reads, so a loop in C rather than a generated
 * series of days.
 */
int32
calendar_count_working_days(const Calendar *cal, DateADT first, DateADT last)
{
	int32		n = 0;
	DateADT		d;

	if (last < first)
		return 0;
	if (calendar_all_days_work(cal))
		return last - first + 1;
	for (d = first; d <= last; d++)
	{
		if ((d - first) % 4096 == 0)
			CHECK_FOR_INTERRUPTS();
		if (calendar_is_working(cal, d))
			n++;
	}
	return n;
}
