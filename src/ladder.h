/*
 * ladder.h: tier ladders (type leaderboard.ladder) and tier placement.
 *
 * A ladder is either points based ("Bronze: 0, Silver: 60, Gold: 75; hold 5": a score at
 * or above a threshold reaches that tier) or rank based ("Gold: top 10%, Podium: top 3":
 * a rank within the cutoff reaches that tier). Tiers are numbered by level: level 1 is the
 * lowest tier (the first one written in a points ladder, the last one written in a rank
 * ladder, which is listed best first) and higher levels are better; level 0 means no tier.
 *
 * On disk: a varlena with a 24-byte header, 24 bytes per tier in level order, then the
 * NUL-terminated tier names. Every field, padding included, is set deterministically, so
 * equal ladders have equal bytes.
 */
#ifndef LEADERBOARD_LADDER_H
#define LEADERBOARD_LADDER_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

#define LADDER_MAX_TIERS		64
#define LADDER_MAX_NAME_BYTES	128
/* Percentages are stored exactly, in millionths of a percent. */
#define LADDER_PERCENT_SCALE	INT64CONST(1000000)
#define LADDER_PERCENT_DIGITS	6

typedef enum LadderKind
{
	LADDER_POINTS = 1,			/* tiers reached by score thresholds */
	LADDER_RANK = 2				/* tiers reached by rank cutoffs */
} LadderKind;

typedef enum LadderCutoff
{
	LADDER_CUTOFF_POINTS = 0,	/* points ladder: "threshold" is used */
	LADDER_CUTOFF_COUNT = 1,	/* "top N": rank <= top */
	LADDER_CUTOFF_PERCENT = 2	/* "top p%": rank <= ceil(p * of / 100), top = p * 10^6 */
} LadderCutoff;

typedef struct LadderTier
{
	float8		threshold;		/* points ladders: lowest score of the tier */
	int64		top;			/* rank ladders: N, or the percentage in millionths */
	uint32		name_offset;	/* offset of the NUL-terminated name in the names area */
	uint8		cutoff;			/* a LadderCutoff */
	uint8		padding[3];
} LadderTier;

typedef struct Ladder
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		kind;			/* a LadderKind */
	uint8		padding[3];
	int32		ntiers;
	int32		names_size;		/* bytes in the names area */
	float8		hold;			/* points ladders: demotion margin, >= 0 */
	LadderTier	tiers[FLEXIBLE_ARRAY_MEMBER];	/* level 1 first; names follow */
} Ladder;

#define LADDER_HEADER_SIZE	offsetof(Ladder, tiers)

#define DatumGetLadderP(d)		((Ladder *) PG_DETOAST_DATUM(d))
#define PG_GETARG_LADDER_P(n)	DatumGetLadderP(PG_GETARG_DATUM(n))
#define PG_RETURN_LADDER_P(p)	PG_RETURN_POINTER(p)

/* Parses ladder text (grammar in the README); invalid text raises 22P02 quoting it. */
extern Ladder *ladder_parse(const char *text);
/* The canonical text of a ladder, palloc'd; ladder_parse of it gives equal bytes. */
extern char *ladder_to_cstring(const Ladder *ladder);
/* Binary form (version byte first); recv repeats every check of parse, 22P03 when bad. */
extern void ladder_send_to(StringInfo buf, const Ladder *ladder);
extern Ladder *ladder_recv_from(StringInfo buf);

extern bool ladder_is_rank_based(const Ladder *ladder);
/* Number of tiers, i.e. the highest level. */
extern int	ladder_tier_count(const Ladder *ladder);
/* Name of the tier at a level (1..count), NULL for level 0; other levels raise 22023. */
extern const char *ladder_tier_name(const Ladder *ladder, int level);
/* Level of a tier name (exact, case-sensitive match): 0 for NULL, -1 when absent. */
extern int	ladder_level_of_name(const Ladder *ladder, const char *name);
/* Points ladders: the lowest score of a tier (level 1..count), and the hold margin. */
extern double ladder_threshold(const Ladder *ladder, int level);
extern double ladder_hold(const Ladder *ladder);

/*
 * Level reached by a score on a points ladder. previous_level is the level held before
 * (0 = no tier or none known): the holder keeps it, or the best tier below it, while the
 * score stays at or above threshold - hold; promotion needs the full threshold.
 * NaN scores, rank ladders and previous levels outside 0..count raise 22023.
 */
extern int	ladder_level_for_score(const Ladder *ladder, double score, int previous_level);

/*
 * Level reached by rank (1 = best) among "of" ranked agents on a rank ladder: the first
 * tier listed whose cutoff covers the rank ("top p%" covers rank <= ceil(p * of / 100),
 * computed exactly). rank < 1, rank > of and points ladders raise 22023.
 */
extern int	ladder_level_for_rank(const Ladder *ladder, int64 rank, int64 of);

#endif
