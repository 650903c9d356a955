/*
 * streak.c: streak values (runs of met working days) and the streak aggregate state.
 */
#include "postgres.h"

#include <ctype.h>

#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/memutils.h"
#include "streak.h"

/* Grid position of a day in range (days since 0001-01-01, never negative). */
static inline uint32
grid(DateADT day)
{
	return (uint32) (day - CALENDAR_MIN_DAY);
}

StreakDays
streak_days(const StreakValue *v)
{
	StreakDays	s;

	s.cal.workdays = v->workdays;
	s.cal.nholidays = v->nholidays;
	s.cal.holidays = v->holidays;
	s.first = v->first;
	s.ndays = v->ndays;
	s.bits = (const uint8 *) (v->holidays + v->nholidays);
	return s;
}

/*
 * Walks the days of s in ascending order, telling working days from the others with a
 * weekday counter and a holiday cursor instead of a lookup per day.
 */
typedef struct DayWalk
{
	const Calendar *cal;
	DateADT		day;
	int			weekday;
	int			holiday;		/* index of the first holiday >= day */
} DayWalk;

static inline void
walk_start(DayWalk *w, const Calendar *cal, DateADT day)
{
	w->cal = cal;
	w->day = day;
	w->weekday = calendar_weekday(day);
	w->holiday = cal->nholidays > 0 ? calendar_holiday_index(cal, day) : 0;
}

/* Is w->day a working day? Then moves on to the next day. */
static inline bool
walk_next(DayWalk *w)
{
	bool		working = (w->cal->workdays >> w->weekday) & 1;

	if (w->holiday < w->cal->nholidays && w->cal->holidays[w->holiday] == w->day)
	{
		working = false;
		w->holiday++;
	}
	w->day++;
	w->weekday = w->weekday == 6 ? 0 : w->weekday + 1;
	return working;
}

int32
streak_longest(const StreakDays *s, DateADT *start)
{
	int32		best = 0,
				run = 0,
				i;
	int32		run_start = 0,
				best_start = 0;
	bool		all_work = calendar_all_days_work(&s->cal);
	DayWalk		w;

	/* streak_agg's streaks mostly count every day: they need no walk through the calendar */
	walk_start(&w, &s->cal, s->first);
	for (i = 0; i < s->ndays; i++)
	{
		if (!all_work && !walk_next(&w))
			continue;
		if (streak_days_met(s, i))
		{
			if (run++ == 0)
				run_start = i;
			if (run > best)
			{
				best = run;
				best_start = run_start;
			}
		}
		else
			run = 0;
	}
	if (start)
		*start = s->first + best_start;
	return best;
}

int32
streak_current(const StreakDays *s, DateADT as_of)
{
	int64		last = (int64) s->first + s->ndays - 1;
	int64		d;
	int32		count = 0;

	if (s->ndays == 0)
		return 0;

	/* the run ends at as_of when it is met, else at the working day before it */
	if (!(as_of >= s->first && as_of <= last && streak_days_met(s, as_of - s->first)))
	{
		for (d = (int64) as_of - 1;; d--)
		{
			if (d < s->first)
				return 0;
			if (!calendar_is_working(&s->cal, (DateADT) d))
				continue;
			if (d > last || !streak_days_met(s, (int32) (d - s->first)))
				return 0;
			break;
		}
		as_of = (DateADT) d;
	}

	for (d = as_of; d >= s->first; d--)
	{
		if (!calendar_is_working(&s->cal, (DateADT) d))
			continue;
		if (!streak_days_met(s, (int32) (d - s->first)))
			break;
		count++;
	}
	return count;
}

int32
streak_met_days(const StreakDays *s)
{
	/* bits of non-working days and past the last day are zero */
	return (int32) pg_popcount((const char *) s->bits, (s->ndays + 7) / 8);
}

void
streak_append_text(StringInfo out, const StreakDays *s)
{
	DayWalk		w;
	DateADT		run_first = 0,
				run_last = 0;
	bool		in_run = false,
				any = false;
	int32		i;

	calendar_append_text(out, &s->cal);
	appendStringInfoChar(out, ':');
	walk_start(&w, &s->cal, s->first);
	for (i = 0; i <= s->ndays; i++)
	{
		DateADT		day = w.day;
		bool		working = i < s->ndays ? walk_next(&w) : true;
		bool		met = i < s->ndays && streak_days_met(s, i);

		if (!working)
			continue;
		if (met)
		{
			if (!in_run)
				run_first = day;
			run_last = day;
			in_run = true;
			continue;
		}
		if (in_run)
		{
			appendStringInfoString(out, any ? ", " : " ");
			calendar_append_date(out, run_first);
			if (run_last != run_first)
			{
				appendStringInfoString(out, "..");
				calendar_append_date(out, run_last);
			}
			any = true;
			in_run = false;
		}
	}
}

static void
span_error(DateADT lo, DateADT hi)
{
	StringInfoData buf;

	initStringInfo(&buf);
	calendar_append_date(&buf, lo);
	appendStringInfoString(&buf, " to ");
	calendar_append_date(&buf, hi);
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("a streak may span at most %d days (100 years)", STREAK_MAX_SPAN),
			 errdetail("Met days from %s span %lld days.", buf.data,
					   (long long) hi - lo + 1),
			 errhint("Aggregate a shorter period, e.g. one streak per year.")));
}

void
streak_check_same_calendar(const Calendar *a, const Calendar *b)
{
	StringInfoData sa,
				sb;

	if (calendar_equal(a, b))
		return;
	initStringInfo(&sa);
	initStringInfo(&sb);
	calendar_append_text(&sa, a);
	calendar_append_text(&sb, b);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot merge streaks with different calendars"),
			 errdetail("Calendars \"%s\" and \"%s\" differ.", sa.data, sb.data),
			 errhint("Aggregate every streak that is merged with the same calendar.")));
}

StreakState *
streak_state_new(MemoryContext mcxt, const Calendar *cal)
{
	StreakState *st = MemoryContextAllocZero(mcxt, STREAK_STATE_SIZE(STREAK_INITIAL_WORDS));

	st->cal = *cal;
	st->lo = 1;
	st->hi = 0;
	st->wbase = 0;
	st->nwords = STREAK_INITIAL_WORDS;
	return st;
}

static inline bool
state_empty(const StreakState *st)
{
	return st->lo > st->hi;
}

/*
 * Makes the words cover days lo..hi (which must lie within STREAK_MAX_SPAN of each other),
 * keeping the bits set so far; returns the state, moved if it had to grow. Capacity at
 * least doubles, with the spare room on the side that grew, so sorted or reverse-sorted
 * input costs O(n) copying in all.
 */
static StreakState *
state_cover(StreakState *st, DateADT lo, DateADT hi)
{
	int32		wlo = grid(lo) >> 6;
	int32		whi = grid(hi) >> 6;
	int32		need = whi - wlo + 1;
	int32		newn,
				newbase;
	StreakState *grown;

	if (state_empty(st) && need <= st->nwords)
	{
		/* no bit is set yet: place the window with room on both sides of lo..hi */
		st->wbase = wlo - (st->nwords - need) / 2;
		if ((st->nwords - need) % 2 == 1 && (grid(lo) & 63) < 32)
			st->wbase--;
		return st;
	}
	if (wlo >= st->wbase && whi < st->wbase + st->nwords)
		return st;

	newn = Max(st->nwords * 2, need);
	if (!state_empty(st) && wlo < st->wbase)
		newbase = whi + 1 - newn;
	else
		newbase = wlo;
	Assert(newbase <= wlo && newbase + newn > whi);
	grown = MemoryContextAllocZero(GetMemoryChunkContext(st), STREAK_STATE_SIZE(newn));
	memcpy(grown, st, offsetof(StreakState, words));
	if (!state_empty(st))
	{
		int32		olo = (grid(st->lo) >> 6) - st->wbase;
		int32		ohi = (grid(st->hi) >> 6) - st->wbase;

		memcpy(grown->words + (st->wbase + olo - newbase), st->words + olo,
			   (Size) (ohi - olo + 1) * sizeof(uint64));
	}
	pfree(st);
	grown->nwords = newn;
	grown->wbase = newbase;
	return grown;
}

static inline void
state_set(StreakState *st, DateADT day)
{
	uint32		g = grid(day);

	st->words[(g >> 6) - st->wbase] |= UINT64CONST(1) << (g & 63);
}

/* Extends [lo, hi] to hold lo..hi, checking the span limit; returns the state. */
static StreakState *
state_widen(StreakState *st, DateADT lo, DateADT hi)
{
	if (!state_empty(st))
	{
		lo = Min(lo, st->lo);
		hi = Max(hi, st->hi);
	}
	if ((int64) hi - lo >= STREAK_MAX_SPAN)
		span_error(lo, hi);
	st = state_cover(st, lo, hi);
	st->lo = lo;
	st->hi = hi;
	return st;
}

StreakState *
streak_state_extend(StreakState *st, DateADT day)
{
	/*
	 * Only here, where [lo, hi] grows, do non-working days have to be filtered out: inside
	 * [lo, hi] their bits are cleared when a value is built, so lo and hi stay working.
	 */
	if (!calendar_is_working(&st->cal, day))
		return st;
	st = state_widen(st, day, day);
	state_set(st, day);
	return st;
}

StreakState *
streak_state_add_days(StreakState *st, const StreakDays *s)
{
	int32		i;

	streak_check_same_calendar(&st->cal, &s->cal);
	if (s->ndays == 0)
		return st;
	st = state_widen(st, s->first, s->first + s->ndays - 1);
	for (i = 0; i < s->ndays; i += 8)
	{
		uint8		b = s->bits[i >> 3];

		while (b)
		{
			int			j = pg_rightmost_one_pos32(b);

			state_set(st, s->first + i + j);
			b &= b - 1;
		}
	}
	return st;
}

StreakState *
streak_state_add_state(StreakState *st, const StreakState *other)
{
	int32		w,
				wlo,
				whi;

	streak_check_same_calendar(&st->cal, &other->cal);
	if (state_empty(other))
		return st;
	st = state_widen(st, other->lo, other->hi);
	wlo = grid(other->lo) >> 6;
	whi = grid(other->hi) >> 6;
	for (w = wlo; w <= whi; w++)
		st->words[w - st->wbase] |= other->words[w - other->wbase];
	return st;
}

/*
 * Copies the state's bits of days lo .. lo + ndays - 1 to bits (bit i: day lo + i), a byte
 * at a time from 64-bit words: the state has no bit set past hi, so neither has the value.
 */
static void
state_copy_bits(const StreakState *st, uint8 *bits, int32 ndays)
{
	uint32		origin = grid(st->lo) - (uint32) st->wbase * 64;
	int32		i;

	for (i = 0; i < ndays; i += 8)
	{
		uint32		pos = origin + i;
		int32		word = pos >> 6;
		int			shift = pos & 63;
		uint64		v = st->words[word] >> shift;

		if (shift > 56 && word + 1 < st->nwords)
			v |= st->words[word + 1] << (64 - shift);
		bits[i >> 3] = (uint8) v;
	}
}

/* Clears the bits of non-working days; bit i of bits is day first + i. */
static void
clear_days_off(const Calendar *cal, DateADT first, uint8 *bits, int32 ndays)
{
	int32		i;
	DayWalk		w;

	walk_start(&w, cal, first);
	for (i = 0; i < ndays; i++)
		if (!walk_next(&w))
			bits[i >> 3] &= ~(1 << (i & 7));
}

StreakValue *
streak_state_value(const StreakState *st)
{
	int32		ndays = state_empty(st) ? 0 : st->hi - st->lo + 1;
	Size		size = STREAK_VALUE_SIZE(st->cal.nholidays, ndays);
	StreakValue *v = palloc0(size);
	uint8	   *bits;

	SET_VARSIZE(v, size);
	v->version = STREAK_FORMAT_VERSION;
	v->workdays = st->cal.workdays;
	v->nholidays = st->cal.nholidays;
	if (st->cal.nholidays > 0)
		memcpy(v->holidays, st->cal.holidays, st->cal.nholidays * sizeof(DateADT));
	v->first = ndays > 0 ? st->lo : 0;
	v->ndays = ndays;
	bits = (uint8 *) (v->holidays + v->nholidays);
	if (ndays == 0)
		return v;
	state_copy_bits(st, bits, ndays);
	/* the state may hold bits of days off inside [lo, hi]; the value holds none */
	if (!calendar_all_days_work(&st->cal))
		clear_days_off(&st->cal, v->first, bits, ndays);
	return v;
}

static void
streak_syntax_error(const char *whole, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type streak: \"%s\"", whole),
			 errdetail("%s", detail),
			 errhint("Write a calendar, a colon and the met days as dates or ranges, "
					 "e.g. \"Mon-Fri: 2026-10-01..2026-10-06, 2026-10-09\".")));
}

static DateADT
parse_date_item(const char *str, int start, int end)
{
	DateADT		d;

	calendar_trim_span(str, &start, &end);
	if (!calendar_parse_iso_date(str + start, end - start, &d))
		streak_syntax_error(str, psprintf("Invalid date \"%s\": dates are written YYYY-MM-DD with years 0001 to 9999.",
										  pnstrdup(str + start, end - start)));
	return d;
}

StreakValue *
streak_parse(const char *str)
{
	const char *colon = strchr(str, ':');
	int			len = strlen(str),
				pos,
				start,
				end;
	Calendar	cal;
	StreakState *st;

	if (colon == NULL)
		streak_syntax_error(str, "A colon must separate the calendar from the met days.");
	cal = calendar_parse(str, colon - str, "streak", str);
	st = streak_state_new(CurrentMemoryContext, &cal);

	pos = colon - str + 1;
	start = pos;
	end = len;
	calendar_trim_span(str, &start, &end);
	if (start == end)
		return streak_state_value(st);

	for (;;)
	{
		int			item_end = pos,
					istart,
					iend,
					dots;
		DateADT		a,
					b;

		while (item_end < len && str[item_end] != ',')
			item_end++;
		istart = pos;
		iend = item_end;
		calendar_trim_span(str, &istart, &iend);
		if (istart == iend)
			streak_syntax_error(str, "The met days have an empty item (two commas, or a comma at an end).");
		for (dots = istart; dots + 1 < iend; dots++)
			if (str[dots] == '.' && str[dots + 1] == '.')
				break;
		if (dots + 1 < iend)
		{
			a = parse_date_item(str, istart, dots);
			b = parse_date_item(str, dots + 2, iend);
			if (b < a)
				streak_syntax_error(str, psprintf("The range \"%s\" ends before it starts.",
												  pnstrdup(str + istart, iend - istart)));
		}
		else
			a = b = parse_date_item(str, istart, iend);

		/* non-working days of a range (or a lone one) are not met days: skipped */
		for (; a <= b; a++)
			st = streak_state_add_met(st, a);

		if (item_end == len)
			break;
		pos = item_end + 1;
	}
	return streak_state_value(st);
}

void
streak_write_binary(StringInfo buf, const StreakDays *s)
{
	pq_sendbyte(buf, STREAK_FORMAT_VERSION);
	calendar_write_binary(buf, &s->cal);
	pq_sendint32(buf, s->first);
	pq_sendint32(buf, s->ndays);
	pq_sendbytes(buf, (const char *) s->bits, (s->ndays + 7) / 8);
}

static void
streak_binary_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary data for type streak"),
			 errdetail("%s", detail)));
}

StreakValue *
streak_read_binary(StringInfo buf)
{
	int			version;
	Calendar	cal;
	DateADT		first;
	int32		ndays,
				nbytes,
				i;
	StreakValue *v;
	Size		size;
	uint8	   *bits;
	DayWalk		w;

	calendar_recv_need(buf, 1, "streak");
	version = pq_getmsgbyte(buf);
	if (version != STREAK_FORMAT_VERSION)
		streak_binary_error(psprintf("Unsupported format version %d (this version reads %d).",
									 version, STREAK_FORMAT_VERSION));
	cal = calendar_read_binary(buf, "streak");
	calendar_recv_need(buf, 8, "streak");
	first = (DateADT) pq_getmsgint(buf, 4);
	ndays = (int32) pq_getmsgint(buf, 4);
	if (ndays < 0)
		streak_binary_error("The day count is negative.");
	if (ndays > STREAK_MAX_SPAN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a streak may span at most %d days (100 years)", STREAK_MAX_SPAN),
				 errdetail("The data spans %d days.", ndays)));
	if (ndays == 0 && first != 0)
		streak_binary_error("An empty streak must have first day 0.");
	if (ndays > 0 && (!calendar_day_in_range(first) ||
					  !calendar_day_in_range(first + ndays - 1)))
		streak_binary_error("The met days lie outside years 0001 to 9999.");
	nbytes = (ndays + 7) / 8;
	calendar_recv_need(buf, nbytes, "streak");

	size = STREAK_VALUE_SIZE(cal.nholidays, ndays);
	v = palloc0(size);
	SET_VARSIZE(v, size);
	v->version = STREAK_FORMAT_VERSION;
	v->workdays = cal.workdays;
	v->nholidays = cal.nholidays;
	if (cal.nholidays > 0)
		memcpy(v->holidays, cal.holidays, cal.nholidays * sizeof(DateADT));
	v->first = first;
	v->ndays = ndays;
	bits = (uint8 *) (v->holidays + v->nholidays);
	pq_copymsgbytes(buf, (char *) bits, nbytes);

	if (ndays > 0)
	{
		StreakDays	s = streak_days(v);

		if (!streak_days_met(&s, 0) || !streak_days_met(&s, ndays - 1))
			streak_binary_error("The first and the last day must be met days.");
		if (ndays % 8 != 0 && (bits[nbytes - 1] >> (ndays % 8)) != 0)
			streak_binary_error("Bits past the last day are set.");
		walk_start(&w, &cal, first);
		for (i = 0; i < ndays; i++)
			if (!walk_next(&w) && streak_days_met(&s, i))
				streak_binary_error("A non-working day is marked met.");
	}
	return v;
}
