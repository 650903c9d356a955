/*
 * board_event_goals.h: a board's goals as its commit-time apply reads them, and the
 * goal_met and goal_at_risk events of a standings row's change, decided in C exactly as
 * the board's events statement decides them (leaderboard._event_branches()).
 */
#ifndef LEADERBOARD_BOARD_EVENT_GOALS_H
#define LEADERBOARD_BOARD_EVENT_GOALS_H

#include "postgres.h"

#include "utils/date.h"
#include "utils/jsonb.h"
#include "utils/snapshot.h"

#include "board_event_rows.h"
#include "board_statements.h"

/* One row of leaderboard.goals. */
typedef struct GoalRung
{
	int64		id;
	char	   *metric_name;
	char	   *stat_name;
	char	   *period;
	int			metric;			/* index in the kpis; -1: not one of the board's */
	char		stat;			/* 'c'ount, 's'um, else an average (avg, rate) */
	Datum		target;			/* numeric */
	char	   *agent;			/* NULL: every agent */
	Jsonb	   *partition;		/* NULL: every partition */
	char	   *partition_text; /* and as its text, which orders audiences */
	bool		has_from;
	DateADT		from;
	bool		has_to;
	DateADT		to;
} GoalRung;

typedef struct GoalRungs
{
	GoalRung   *rungs;
	int			n;
	DateADT		today;			/* in the board's time zone, as the statement's today */
} GoalRungs;

/*
 * Every goal of the board, read with snapshot; the rungs belong to the board's cache
 * (valid until the next call or until its statements are made again).
 */
extern GoalRungs board_goal_rungs(BoardStatements *bs, Snapshot snapshot);

/*
 * A goal's stat in kpis as a numeric, as _goal_actual_sql() makes it (a count from int8,
 * a sum or an average from float8); false when it is NULL (an average of no values, or
 * a metric the board does not have).
 */
extern bool board_goal_actual(const GoalRung *rung, Datum kpis, Datum *actual);

/* What of a standings row's change the goal events read. */
typedef struct GoalRow
{
	const char *period;
	DateADT		period_start;
	const char *agent;
	Jsonb	   *partition;		/* as the events' partition object */
	Datum		old_kpis;		/* 0: no row before */
	Datum		new_kpis;		/* 0: no row after */
} GoalRow;

/*
 * The days of a row's period a goal_at_risk paces over: its first and last day (a
 * campaign's window for its period all; false for another board's all, which never
 * ends), and the working days from the first to today and in all.
 */
typedef struct GoalDays
{
	DateADT		first;
	DateADT		last;
	int32		elapsed;
	int32		total;
} GoalDays;

extern bool board_goal_days(const GoalRow *row, const BoardStatements *bs, DateADT today,
							GoalDays *days);

/*
 * The goal_met events of the row's change (into rows, at most board_goal_rungs()'s n),
 * and, when the board emits goal_at_risk, the goal_at_risk events due but for the
 * "announced once" rule: each carries its goal's id in *at_risk_goal, and the caller
 * drops those already announced. Returns the number of events; -1 when only the
 * statement can decide (a goal on a metric past the row's kpis, which it refuses).
 */
extern int	board_goal_events(const GoalRungs *goals, const GoalRow *row, const BoardStatements *bs,
							  bool goal_met, bool at_risk, BoardEventRow *rows, int64 *at_risk_goal);

#endif
