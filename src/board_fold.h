/*
 * board_fold.h: folding a statement's rows into a transaction's captured groups, in C.
 *
 * A board's statement triggers hand their transition tables here. Each counted row
 * (agent and time not NULL, filter true) is evaluated once: its metric expressions, its
 * local day in the board's time zone, its partition and agent values. Rows fold first
 * into (day, partitions, agent) groups, then days into the board's periods, merged into
 * a hash per open subtransaction keyed by the typed values themselves (the types' own
 * hash and equality), so a transaction holds one entry per distinct group however many
 * rows or statements it writes.
 */
#ifndef LEADERBOARD_BOARD_FOLD_H
#define LEADERBOARD_BOARD_FOLD_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"
#include "nodes/primnodes.h"
#include "utils/date.h"
#include "pgtime.h"
#include "utils/relcache.h"
#include "utils/tuplestore.h"

#include "kpis.h"

typedef enum FoldPeriod
{
	FOLD_DAY,
	FOLD_WEEK,
	FOLD_MONTH,
	FOLD_QUARTER,
	FOLD_YEAR,
	FOLD_ALL
} FoldPeriod;

#define FOLD_MAX_PERIODS 6

/* How to hash and compare one key column, from its type's default operator classes. */
typedef struct FoldKeyColumn
{
	FmgrInfo	hash;
	FmgrInfo	eq;
	Oid			collation;
	int16		typlen;
	bool		typbyval;
	bool		bitwise;		/* by value, and equal exactly when the Datums are: hashed
								 * and compared without calling the type's functions */
	FmgrInfo	to_text;		/* the column's cast to text, for scope keys */
	bool		to_text_is_output;	/* the cast is the type's output function */
	bool		to_text_is_relabel; /* the value is already text */
	int			to_text_nargs;
} FoldKeyColumn;

/*
 * The columns of a board's captured groups and how to key them: what a transaction's
 * levels need for as long as they live (copied for the transaction, as a board's
 * statements may be reloaded while it runs).
 */
typedef struct FoldKeys
{
	int			nkeys;			/* the partitions, then the agent */
	FoldKeyColumn *keys;
	int			nmetrics;
	int			nperiods;
	char	   *period_name[FOLD_MAX_PERIODS];
	TupleDesc	group_desc;		/* scope_key, period, period_start, partitions, agent,
								 * kpis: the captured groups' columns */
} FoldKeys;

/* What folding a board's rows needs, read with its statements. */
typedef struct FoldShape
{
	Oid			source;
	TupleDesc	source_desc;	/* the source's row type, for partitions' rows */
	AttrNumber	agent_att;
	AttrNumber	at_att;
	Oid			at_type;		/* timestamptz, timestamp or date */
	text	   *time_zone;
	pg_tz	   *tz;				/* the zone, when a full zone name reads it; else NULL */
	bool		tz_fixed;		/* the name is an abbreviation of a fixed offset */
	int			tz_offset;		/* that offset, seconds east of UTC */
	int			nparts;
	AttrNumber *part_att;
	Expr	  **metric;			/* planned, over the source row */
	KpiInputKind *kind;
	uint32		fractional;
	Expr	   *filter;			/* planned, or NULL */
	int			ngenerated;		/* stored generated columns the fold computes itself */
	AttrNumber *generated_att;
	Expr	  **generated;		/* their expressions, planned, over the source row */
	FoldPeriod	period[FOLD_MAX_PERIODS];
	FoldKeys	keys;
} FoldShape;

/* One open subtransaction's captured groups of one board. */
typedef struct FoldLevel FoldLevel;

/*
 * Reads what folding needs for board "name" into cxt, inside an SPI connection, as
 * direct_shape_load() does. With fresh, reads with a new snapshot.
 */
extern FoldShape *fold_shape_load(const char *name, MemoryContext cxt, bool fresh);

/* A copy of keys in cxt. */
extern FoldKeys *fold_keys_copy(const FoldKeys *keys, MemoryContext cxt);

/*
 * Folds the rows of newrows (added) and oldrows (removed) of relation rel (the source or
 * one of its partitions) into level. Either store may be NULL. Runs as the board owner,
 * with the settings that shape scope keys pinned.
 */
extern void fold_rows_into(FoldShape *shape, FoldLevel *level, Relation rel,
						   Tuplestorestate *newrows, Tuplestorestate *oldrows);
/*
 * The same for one row change from the row trigger of replicated changes: the row added
 * and the row removed (either NULL).
 */
extern void fold_tuples_into(FoldShape *shape, FoldLevel *level, Relation rel,
							 HeapTuple added, HeapTuple removed);

/* A new empty level, in a memory context of its own under parent. */
extern FoldLevel *fold_level_create(FoldKeys *keys, MemoryContext parent);
/* Adds everything child holds into parent; child is left as it was. */
extern void fold_level_merge(FoldLevel *parent, FoldLevel *child);
/* Frees the level and everything in it. */
extern void fold_level_free(FoldLevel *level);
/* How many groups the level holds. */
extern long fold_level_count(FoldLevel *level);

/*
 * Calls emit for each group of the level but those whose removed rows were added back
 * unchanged, with a tuple of keys->group_desc allocated in CurrentMemoryContext and the
 * group's deltas: rows added and rows removed (either NULL when none), and whether rows
 * were removed after rows were added (then the removed ones may be among the added ones
 * rather than the stored ones). The tuple's kpis
 * are the rows added, or NULL for a group with rows removed (a correction: the SQL apply
 * recomputes it, the direct apply subtracts when it can).
 */
extern void fold_level_emit(FoldLevel *level,
							void (*emit) (HeapTuple group, const Kpis *added,
										  const Kpis *removed, bool removes_added,
										  void *arg),
							void *arg);

#endif
