/*
 * streak.h: order-independent, mergeable streak state (type leaderboard.streak).
 *
 * A streak is a calendar plus the set of its met working days. Everything else follows:
 * a run is a sequence of met working days with no unmet working day between them
 * (non-working days inside a run neither break nor extend it); absent and unmet working
 * days are the same thing. A met non-working day is not recorded.
 *
 * The set is a bitmap over the calendar days from the first to the last met working day
 * (bit i: day first + i is met; bits of non-working days are zero). All met days lie
 * within STREAK_MAX_SPAN consecutive days (100 years).
 * On disk: 20 bytes + 4 per holiday + ceil(span / 8), about 46 bytes a year of span.
 *
 * The aggregate state (StreakState) is a growable bitmap of 64-bit words on a fixed grid
 * (word w covers days CALENDAR_MIN_DAY + 64w ...), so merging two states is a word-wise OR.
 */
#ifndef LEADERBOARD_STREAK_H
#define LEADERBOARD_STREAK_H

#include "postgres.h"

#include "calendar.h"

#define STREAK_FORMAT_VERSION	1
#define STREAK_MAX_SPAN			36525	/* days: 100 years of 365.25 days */
#define STREAK_INITIAL_WORDS	2		/* 128 days: room for a month either way */

/* The SQL value; the holidays and the bitmap follow the fixed fields. */
typedef struct StreakValue
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;		/* STREAK_FORMAT_VERSION */
	uint8		workdays;		/* the calendar's working weekdays */
	uint16		padding;		/* zero */
	int32		nholidays;
	DateADT		first;			/* first met day; 0 when there is none */
	int32		ndays;			/* last met day - first + 1; 0 when none is met */
	DateADT		holidays[FLEXIBLE_ARRAY_MEMBER];
	/* then uint8 bits[(ndays + 7) / 8]: bit i % 8 of byte i / 8 is day first + i */
} StreakValue;

#define STREAK_VALUE_SIZE(nholidays, ndays) \
	(offsetof(StreakValue, holidays) + (Size) (nholidays) * sizeof(DateADT) + \
	 ((Size) (ndays) + 7) / 8)

/* A read-only view of a streak value. */
typedef struct StreakDays
{
	Calendar	cal;
	DateADT		first;
	int32		ndays;
	const uint8 *bits;
} StreakDays;

/*
 * Aggregate state: one chunk, so the transition touches one cache line or two. Functions
 * that may grow it return it, perhaps moved (within the same memory context).
 */
typedef struct StreakState
{
	DateADT		lo;				/* first met working day; lo > hi when none */
	DateADT		hi;				/* last met working day */
	int32		wbase;			/* grid index of words[0] */
	int32		nwords;			/* capacity */
	Calendar	cal;			/* holidays live at least as long as the state */
	uint64		words[FLEXIBLE_ARRAY_MEMBER];	/* bits of non-working days inside
												 * [lo, hi] may be set */
} StreakState;

#define STREAK_STATE_SIZE(nwords)	(offsetof(StreakState, words) + (Size) (nwords) * sizeof(uint64))

extern StreakDays streak_days(const StreakValue *v);
static inline bool
streak_days_met(const StreakDays *s, int32 i)
{
	return (s->bits[i >> 3] >> (i & 7)) & 1;
}

/* Longest run of met working days (0 when none); *start gets its first day (earliest). */
extern int32 streak_longest(const StreakDays *s, DateADT *start);
/* Run length ending at as_of when met, else at the working day before as_of; 0 if none. */
extern int32 streak_current(const StreakDays *s, DateADT as_of);
extern int32 streak_met_days(const StreakDays *s);

/* Text form: "CALENDAR: DAY|DAY..DAY, ..." where each item is one run. */
extern void streak_append_text(StringInfo out, const StreakDays *s);
/* Parses the text form; errors 22P02 quoting str (54000 for more than 100 years). */
extern StreakValue *streak_parse(const char *str);
extern void streak_write_binary(StringInfo buf, const StreakDays *s);
/* Reads and checks the binary form (including its version byte); errors 22P03. */
extern StreakValue *streak_read_binary(StringInfo buf);

/* A new empty state in mcxt; holidays are not copied. */
extern StreakState *streak_state_new(MemoryContext mcxt, const Calendar *cal);
/* Slow path of streak_state_add_met: day outside [lo, hi]. */
extern StreakState *streak_state_extend(StreakState *st, DateADT day);
/* Records day (in range) as met, ignoring non-working days; returns the state. */
static inline StreakState *
streak_state_add_met(StreakState *st, DateADT day)
{
	if (day >= st->lo && day <= st->hi)
	{
		uint32		g = (uint32) (day - CALENDAR_MIN_DAY);

		st->words[(g >> 6) - st->wbase] |= UINT64CONST(1) << (g & 63);
		return st;
	}
	return streak_state_extend(st, day);
}
/* Adds the met days of s (same calendar, else 22023); returns the state. */
extern StreakState *streak_state_add_days(StreakState *st, const StreakDays *s);
/* Adds the met days of another state (same calendar, else 22023); returns the state. */
extern StreakState *streak_state_add_state(StreakState *st, const StreakState *other);
/* The canonical value of a state (the state is not changed). */
extern StreakValue *streak_state_value(const StreakState *st);

/* Raises 22023 unless a and b are the same calendar. */
extern void streak_check_same_calendar(const Calendar *a, const Calendar *b);

#endif
