/*
 * board_event_rows.h: events the commit-time apply writes itself, without the board's
 * events statement.
 *
 * The rank and tier kinds and personal_best follow from a row's change alone (and, for a
 * personal best, one index lookup), so the apply decides them in C; when a commit
 * announces only such kinds, it writes them here: the rows the events statement would
 * insert, in its order, and the same NOTIFY payload. The statement's plan would cost more
 * to start than these few rows cost to write.
 */
#ifndef LEADERBOARD_BOARD_EVENT_ROWS_H
#define LEADERBOARD_BOARD_EVENT_ROWS_H

#include "postgres.h"

#include "utils/date.h"
#include "utils/jsonb.h"

/* One event: what leaderboard.events holds of it but its id, at and xid. */
typedef struct BoardEventRow
{
	int			kind;			/* index in board_event_kinds */
	const char *agent;			/* as the agent type's output function prints it */
	Jsonb	   *partition;
	const char *period;
	DateADT		period_start;
	Jsonb	   *old;			/* NULL: SQL NULL */
	Jsonb	   *new;
} BoardEventRow;

/* A JSON value as to_jsonb() makes it of a bigint, a numeric, a float8, a text or NULL. */
extern JsonbValue board_json_int8(int64 value);
extern JsonbValue board_json_numeric(Datum value);
extern JsonbValue board_json_float8(double value);
extern JsonbValue board_json_text(const char *value);
extern JsonbValue board_json_null(void);

/* The object jsonb_build_object(keys[0], values[0], ...) gives. */
extern Jsonb *board_json_object(int n, const char *const *keys, const JsonbValue *values);

/*
 * Writes the n events of board into leaderboard.events, ordered as the events statement
 * orders them (rows is sorted in place), and queues one NOTIFY leaderboard with the
 * payload leaderboard._events_payload() makes. Returns false, having written nothing,
 * when the events table has triggers of its own (only a statement fires them all).
 */
extern bool board_event_rows_write(const char *board, BoardEventRow *rows, int n);

#endif
