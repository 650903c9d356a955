/*
  * board_statements.h: the per-backend cache of each board's generated statements.
 *
 * A board's triggers run SQL generated from its catalog row by
 * leaderboard._board_statements(). Generating and planning it for every statement would
 * dominate single-row inserts, so each backend keeps the text and prepared plans per board,
 * checked against the catalog row's version (xmin and ctid: a transaction that changes a
 * board twice leaves the same xmin) on every use (one indexed lookup).
 */
#ifndef LEADERBOARD_BOARD_STATEMENTS_H
#define LEADERBOARD_BOARD_STATEMENTS_H

#include "postgres.h"
#include "executor/spi.h"
#include "storage/buf.h"
#include "storage/itemptr.h"
#include "utils/date.h"

typedef enum BoardStatement
{
	BOARD_LOCK_SCOPES,			/* commit: upsert scope rows of lb_pending, in key order */
	BOARD_RECOMPUTE,			/* commit: recompute marked groups from the source */
	BOARD_ADD_DELTAS,			/* commit: add folded kpis to the other groups */
	BOARD_RERANK,				/* commit, large batches: re-rank the touched scopes in
								 * full (but those of BOARD_INSERT_NEW) */
	BOARD_REBUILD,				/* several statements: reload everything from the source */
	BOARD_BEFORE_MOVES,			/* commit: touched rows before the change (NULL: no
								 * incremental re-rank for this board) */
	BOARD_RERANK_MULTI,			/* commit: re-rank in full the scopes where several
								 * agents moved (all touched scopes without
								 * BOARD_BEFORE_MOVES) */
	BOARD_RERANK_SINGLE,		/* commit: re-rank incrementally the scopes where one
								 * agent moved, from lb_before */
	BOARD_INSERT_NEW,			/* commit, large batches: rows of the scopes the batch
								 * created, inserted ranked */
	BOARD_ADD_DELTAS_LARGE,		/* commit, large batches: BOARD_ADD_DELTAS but for the
								 * scopes of BOARD_INSERT_NEW */
	BOARD_NSTATEMENTS
} BoardStatement;

/* The event kinds a board can emit, in the order of board_event_kinds. */
typedef enum BoardEventKind
{
	BOARD_EVENT_TIER_UP = 1 << 0,
	BOARD_EVENT_TIER_DOWN = 1 << 1,
	BOARD_EVENT_NEW_LEADER = 1 << 2,
	BOARD_EVENT_ENTERED_TOP_N = 1 << 3,
	BOARD_EVENT_RANK_CLIMB = 1 << 4,
	BOARD_EVENT_PERSONAL_BEST = 1 << 5,
	BOARD_EVENT_GOAL_MET = 1 << 6,
	BOARD_EVENT_GOAL_AT_RISK = 1 << 7,
	BOARD_EVENT_STREAK_MILESTONE = 1 << 8
} BoardEventKind;

#define BOARD_EVENT_KINDS 9
/* how many sets of kinds a board keeps an events plan for (see plan_kinds()) */
#define BOARD_EVENT_PLANS 16
/* their names, as the events setting and leaderboard.events spell them */
extern const char *const board_event_kinds[BOARD_EVENT_KINDS];

/* The period kinds that close, in the order of BoardStatements.closed_before. */
#define BOARD_CLOSING_KINDS 6
extern const char *const board_closing_kinds[BOARD_CLOSING_KINDS];

typedef struct BoardStatements
{
	char		name[NAMEDATALEN];	/* hash key: the board name */
	TransactionId xmin;			/* of the catalog row the statements come from */
	ItemPointerData ctid;		/* of that row version */
	Oid			boards_node;	/* the catalog's relfilenode ctid points into */
	Buffer		boards_buffer;	/* the shared buffer that last held ctid's block */
	Oid			source;
	Oid			owner;
	Oid			scopes;			/* the scopes table, locked by the commit-time apply */
	char	   *names;			/* the source, standings and scopes names the SQL uses */
	bool		names_checked;	/* no relation or schema renamed since they were read */
	char	   *sql[BOARD_NSTATEMENTS];
	SPIPlanPtr	plan[BOARD_NSTATEMENTS];
	MemoryContext shape_cxt;	/* holds fold, direct and goals, reset when the
								 * statements are */
	struct FoldShape *fold;		/* what the capture triggers fold rows with */
	struct DirectShape *direct; /* what the direct apply needs (board_direct.h), or
								 * NULL: always the SQL path */
	struct GoalCache *goals;	/* the goals as a commit last read them
								 * (board_event_goals.c), or NULL */
	Oid			standings;
	char		agent_column[NAMEDATALEN];
	char	   *events_sql;		/* derives and writes the events of the apply's row
								 * changes (board_events.h), or NULL: no events */
	bool		events_by_kind; /* the catalog can generate it for some kinds only */
	/* its plans for the sets of kinds commits needed, made as they came */
	struct
	{
		uint32		kinds;
		SPIPlanPtr	plan;		/* NULL: no branch for those kinds, nothing to run */
	}			events_plans[BOARD_EVENT_PLANS];
	int			events_nplans;
	/*
	 * The event kinds the board emits (bits of BoardEventKind), with the thresholds of
	 * entered_top_n and rank_climb (0: off): the apply works out which kinds each row
	 * change may announce and runs events_sql only for rows that may announce one.
	 */
	uint32		events_kinds;
	int32		events_top_n;
	int32		events_climb;
	/* the board's metric names, in kpis order: the goals name the metric they read */
	char	  **events_metrics;
	int			events_nmetrics;
	/* its partition columns: the keys of its events' partition */
	char	  **events_partition_by;
	int			events_npartition_by;
	/* the period kinds it announces events of (its "periods" setting, else all its own) */
	char	  **events_periods;
	int			events_nperiods;
	/* 1 is one of its streak milestones (a run of one met day announces one) */
	bool		events_streak_one;
	/* its ladder (a detoasted leaderboard.ladder), or 0: no tier events */
	Datum		events_ladder;
	/* what goal_at_risk paces by: the board's calendar, time zone and share of a period */
	Datum		events_calendar;	/* leaderboard.calendar; every day works without one */
	char	   *events_time_zone;
	Datum		events_at_risk_share;	/* numeric, as the statement compares it */
	/* a campaign's window, the days its period all runs (first to last, local) */
	bool		events_has_window;
	DateADT		events_window_first;
	DateADT		events_window_last;
	/*
	 * Per period kind of board_closing_kinds, the start of its first open period
	 * (DATEVAL_NOBEGIN: none is closed); the commit-time apply leaves the groups of
	 * earlier, closed periods out. Read with the catalog row version the entry is made
	 * from (closing a period writes a new one).
	 */
	DateADT		closed_before[BOARD_CLOSING_KINDS];
} BoardStatements;

/* Whether a period (kind and start) of the board is closed. */
extern bool board_period_closed(const BoardStatements *bs, text *period, DateADT start);

/*
 * The current statements of a board; raises 42704 when there is no such board. Call it
 * inside an SPI connection, as a user who can read leaderboard.boards. With fresh, the
 * catalog is read with a new snapshot (under READ COMMITTED: every committed change).
 */
extern BoardStatements *board_statements(const char *name, bool fresh);

/*
 * Runs one statement (not BOARD_REBUILD) inside the current SPI connection, preparing it
 * on first use with whatever ephemeral relations the connection has registered.
 */
extern int	board_statement_execute(BoardStatements *bs, BoardStatement which, bool read_only);

#endif
