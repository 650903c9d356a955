/*
 * scorecard.h: composite score definitions (type leaderboard.scorecard).
 *
 * A scorecard is written as JSON and stored parsed: a fixed header, one fixed-size entry
 * per metric, then the metric names (NUL-terminated) in a names area. Everything a score
 * needs is read straight from the entries, so scoring never re-parses anything.
 *
 * Scoring a kpis value: entry i reads kpis metric map[i] (map = NULL: metric i, and the
 * card and the kpis must have the same number of metrics). Each entry yields a stat value,
 * normalizes it (range, target, or the raw value), and
 *     score = scale * sum(w_i * norm_i) / sum(w_i)
 * over the entries not skipped as missing. Gates, min_n, if_missing and min_rows decide
 * whether the row is qualified; an unqualified row still gets its score.
 */
#ifndef LEADERBOARD_SCORECARD_H
#define LEADERBOARD_SCORECARD_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "kpis.h"

#define SCORECARD_MAX_METRICS	32
#define SCORECARD_MAX_NAME		(NAMEDATALEN - 1)	/* bytes in a metric name */

/* The enum values below are stored on disk and sent in binary: never renumber them. */
typedef enum ScorecardStat
{
	SCORECARD_STAT_COUNT,		/* non-null values of the metric */
	SCORECARD_STAT_SUM,
	SCORECARD_STAT_AVG,
	SCORECARD_STAT_MIN,
	SCORECARD_STAT_MAX,
	SCORECARD_STAT_RATE			/* avg of a boolean (true = 1) */
} ScorecardStat;

typedef enum ScorecardBetter
{
	SCORECARD_BETTER_HIGHER,
	SCORECARD_BETTER_LOWER
} ScorecardBetter;

typedef enum ScorecardIfMissing
{
	SCORECARD_MISSING_ZERO,		/* contributes 0, weight stays in the denominator */
	SCORECARD_MISSING_SKIP,		/* weight leaves the denominator */
	SCORECARD_MISSING_DISQUALIFY	/* contributes 0 and the row is unqualified */
} ScorecardIfMissing;

typedef enum ScorecardNorm
{
	SCORECARD_NORM_RAW,			/* the stat value itself */
	SCORECARD_NORM_RANGE,		/* linear in [lo, hi], clamped to [0, 1] */
	SCORECARD_NORM_TARGET		/* ratio to target, in [0, cap] */
} ScorecardNorm;

/* ScorecardEntry.flags */
#define SCORECARD_HAS_MIN	0x01	/* gate: stat value below min disqualifies */
#define SCORECARD_HAS_MAX	0x02	/* gate: stat value above max disqualifies */

typedef struct ScorecardEntry
{
	double		weight;			/* >= 0 */
	double		lo;				/* range: lo < hi */
	double		hi;
	double		target;			/* target: > 0 */
	double		cap;			/* target: > 0 */
	double		gate_min;		/* valid with SCORECARD_HAS_MIN */
	double		gate_max;		/* valid with SCORECARD_HAS_MAX */
	int64		min_n;			/* fewer non-null values: the metric is missing */
	uint32		name_off;		/* offset of the name from the start of the card */
	uint8		stat;			/* ScorecardStat */
	uint8		better;			/* ScorecardBetter */
	uint8		if_missing;		/* ScorecardIfMissing */
	uint8		norm;			/* ScorecardNorm */
	uint8		flags;			/* SCORECARD_HAS_* */
	uint8		pad[7];			/* always zero */
} ScorecardEntry;

typedef struct Scorecard
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int32		nmetrics;		/* 1 .. SCORECARD_MAX_METRICS */
	double		scale;			/* > 0 */
	int64		min_rows;		/* rows() below it: unqualified */
	ScorecardEntry entries[FLEXIBLE_ARRAY_MEMBER];
	/* names area follows the entries */
} Scorecard;

#define DatumGetScorecardP(d)		((Scorecard *) PG_DETOAST_DATUM(d))
#define PG_GETARG_SCORECARD_P(n)	DatumGetScorecardP(PG_GETARG_DATUM(n))
#define PG_RETURN_SCORECARD_P(p)	PG_RETURN_POINTER(p)

static inline int
scorecard_nmetrics(const Scorecard *card)
{
	return card->nmetrics;
}

static inline const ScorecardEntry *
scorecard_entry(const Scorecard *card, int i)
{
	return &card->entries[i];
}

/* Name of entry i (0-based), NUL-terminated, owned by the card. */
static inline const char *
scorecard_metric_name(const Scorecard *card, int i)
{
	return (const char *) card + card->entries[i].name_off;
}

static inline ScorecardStat
scorecard_metric_stat(const Scorecard *card, int i)
{
	return (ScorecardStat) card->entries[i].stat;
}

/* "count", "sum", "avg", "min", "max" or "rate". */
extern const char *scorecard_stat_name(ScorecardStat stat);

/* Appends d in the shortest form that reads back as the same double (valid JSON). */
extern void scorecard_append_double(StringInfo buf, double d);
/* The same as a palloc'd string (for messages). */
extern char *scorecard_double_cstring(double d);

/* Index of the entry called name, or -1. */
extern int	scorecard_find_metric(const Scorecard *card, const char *name);

/*
 * Parses and validates a scorecard written as JSON; the result is palloc'd in
 * CurrentMemoryContext. Errors (22P02) name the field and the metric.
 */
extern Scorecard *scorecard_parse(const char *json);

/* Canonical JSON text of a card (every default spelled out); re-parses to an equal card. */
extern char *scorecard_to_json(const Scorecard *card);

/*
 * Score of k under card. map[i] is the kpis metric (0-based) that entry i reads; map =
 * NULL reads metric i, and then the card and k must have the same number of metrics
 * (else 22023). *qualified (when not NULL) receives whether the row is qualified.
 * Allocates nothing.
 */
extern double scorecard_score(const Scorecard *card, const Kpis *k, const int *map,
							  bool *qualified);

/*
 * Significant decimal digits at which boards store, compare and rank scores. A float8
 * holds about 16; the handful of roundings in a score can leave the last two or three
 * uncertain, so scores equal in exact arithmetic but computed along different paths
 * (0.3 conversion with 280 s against 0.4 with 300 s) agree to 12 digits and then tie.
 */
#define SCORECARD_RANK_DIGITS	12

/*
 * score rounded to SCORECARD_RANK_DIGITS significant digits: what a board stores.
 * Monotonic (a > b gives a result >= b's); NaN and the infinities come back unchanged;
 * -0 becomes 0.
 */
extern double scorecard_rank_precision(double score);

/* The score of k under card with its reasons and per-metric breakdown, as jsonb. */
extern Jsonb *scorecard_explain(const Scorecard *card, const Kpis *k, const int *map);

#endif
