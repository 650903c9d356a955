/*
 * board_capture.c: the triggers that keep live boards in step with their source tables.
 *
 * Boards are maintained in two halves, so that concurrent writers can never deadlock
 * because of a board:
 *
 *  1. Here: statement-level AFTER triggers on the source (INSERT, UPDATE, DELETE with
 *     transition tables, and TRUNCATE) fold the statement's rows in C (board_fold.c) into
 *     per-group partial results (period, period_start, partition values, agent, kpis)
 *     merged in per-transaction memory (board_pending.c). They touch no shared standings
 *     row. A row trigger enabled for replicas only does the same for rows applied by
 *     logical replication.
 *  2. At commit (board_apply.c), the touched boards are applied in name order and their
 *     scopes locked in key order.
 *
 * Rows added (INSERT, an UPDATE's new rows) and rows removed (DELETE, an UPDATE's old rows)
 * fold into separate deltas of each (scope, agent) group; a group whose rows were removed
 * and added back unchanged (an UPDATE of columns the board does not read) drops out. At
 * commit a correction is subtracted where that is exact, else its group is recomputed
 * from the source. TRUNCATE marks the whole board for a rebuild.
 *
 * Both halves run as the board's owner in a restricted security context with a pinned
 * search_path; the firing trigger and table are checked against the catalog.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/partition.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "board_context.h"
#include "board_fold.h"
#include "board_merge.h"
#include "board_pending.h"
#include "board_statements.h"

/*
 * The board a trigger belongs to, or NULL. create_board names a board's triggers
 * lb_<board>_ins, _upd, _del and _trunc, one per event, and trigger names are unique per
 * table, so on the board's source only the board's own trigger has the name of the event
 * that fired it. Any other trigger calling this function there (one added by a role with
 * the TRIGGER privilege, say) would count the same rows twice. The row trigger that
 * captures replicated rows is lb_<board>_repl.
 */
static char *
board_name_from_trigger(const char *tgname, TriggerEvent event, bool replica_row)
{
	const char *suffix;
	size_t		len = strlen(tgname);
	size_t		suffix_len;

	if (replica_row)
		suffix = "_repl";
	else if (TRIGGER_FIRED_BY_INSERT(event))
		suffix = "_ins";
	else if (TRIGGER_FIRED_BY_UPDATE(event))
		suffix = "_upd";
	else if (TRIGGER_FIRED_BY_DELETE(event))
		suffix = "_del";
	else
		suffix = "_trunc";
	suffix_len = strlen(suffix);
	if (len <= 3 + suffix_len || strncmp(tgname, "lb_", 3) != 0 ||
		strcmp(tgname + len - suffix_len, suffix) != 0)
		return NULL;
	return pnstrdup(tgname + 3, len - 3 - suffix_len);
}

/* The board of a firing trigger, by its name; 42501 for any other trigger. */
static char *
board_of_trigger(TriggerData *trigdata, bool replica_row)
{
	char	   *board = board_name_from_trigger(trigdata->tg_trigger->tgname,
												trigdata->tg_event, replica_row);

	if (board == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("trigger \"%s\" on table \"%s\" is not a trigger of a leaderboard board",
						trigdata->tg_trigger->tgname,
						RelationGetRelationName(trigdata->tg_relation)),
				 errdetail("create_board names a board's triggers lb_<board>_ins, lb_<board>_upd, lb_<board>_del, lb_<board>_trunc and lb_<board>_repl."),
				 errhint("Drop the trigger.")));
	return board;
}

/*
 * Whether relid is source or a partition of it, at any depth; *detaching set when it is
 * one only through a partition being detached (DETACH PARTITION ... CONCURRENTLY
 * interrupted before FINALIZE), which get_partition_ancestors() stops at.
 */
static bool
is_source_or_partition(Oid relid, Oid source, bool *detaching)
{
	Oid			rel = relid;

	*detaching = false;
	if (relid == source || list_member_oid(get_partition_ancestors(relid), source))
		return true;
	/* get_partition_ancestors() stops at a partition being detached: walk past it */
	while (rel != source)
	{
		if (!get_rel_relispartition(rel))
			return false;
		rel = get_partition_parent(rel, true);
	}
	*detaching = true;
	return true;
}

/*
 * The statements a trigger firing on relation rel runs for board: the board's cached
 * ones, after checking that rel is the board's source or one of its partitions. A
 * partition being detached keeps the board's triggers, but queries of the source, and so
 * every recomputation of the board, leave it out: a write there is refused (55000) rather
 * than counted where a recomputation would not count it.
 */
static BoardStatements *
board_for_trigger(const char *board, Relation rel, const char *tgname)
{
	BoardStatements *bs = board_statements(board, false);
	bool		detaching;

	if (!is_source_or_partition(RelationGetRelid(rel), bs->source, &detaching))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("trigger \"%s\" on table \"%s\" does not belong to board \"%s\"",
						tgname, RelationGetRelationName(rel), board)));
	if (detaching)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is being detached from the source of board \"%s\"",
						RelationGetRelationName(rel), board),
				 errdetail("A DETACH PARTITION ... CONCURRENTLY was interrupted: queries of the source, and the board's recomputations, leave the table out."),
				 errhint("Complete it with ALTER TABLE ... DETACH PARTITION ... FINALIZE, then write to the table.")));
	return bs;
}

/*
 * Folds a statement's rows (the transition tables newrows and oldrows), or one replicated
 * row change (the tuples added and removed), into the board's groups of the current
 * subtransaction, as the board owner, and queues the commit-time apply.
 */
static void
capture_rows(BoardStatements *bs, PendingBoard *pb, Relation rel, Tuplestorestate *newrows,
			 Tuplestorestate *oldrows, HeapTuple added, HeapTuple removed)
{
	OwnerContext ctx;
	FoldLevel  *level;

	owner_context_enter(&ctx, bs->owner);
	level = pending_level(pb, bs->fold);
	if (added != NULL || removed != NULL)
		fold_tuples_into(bs->fold, level, rel, added, removed);
	else
		fold_rows_into(bs->fold, level, rel, newrows, oldrows);
	owner_context_exit(&ctx);
	if (pending_has_captures(pb))
		ensure_sentinel();
}

PG_FUNCTION_INFO_V1(board_capture);
/* Statement trigger on a board's source: returns NULL after capturing the statement. */
Datum
board_capture(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent ev;
	BoardStatements *bs;
	PendingBoard *pb;
	char	   *board;
	int			writer_nestlevel;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_capture() must be called as a trigger")));
	ev = trigdata->tg_event;
	if (!TRIGGER_FIRED_AFTER(ev) || !TRIGGER_FIRED_FOR_STATEMENT(ev))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_capture() must be an AFTER ... FOR EACH STATEMENT trigger")));

	board = board_of_trigger(trigdata, false);

	SPI_connect();
	writer_nestlevel = writer_context_enter();
	bs = board_for_trigger(board, trigdata->tg_relation, trigdata->tg_trigger->tgname);
	pb = pending_board_for(board);

	if (TRIGGER_FIRED_BY_TRUNCATE(ev))
	{
		/* the commit-time rebuild reads the source as it is then */
		pending_rebuild_at_commit(pb);
	}
	else
	{
		/* a MERGE the executor-start hook did not see may have moved rows unseen */
		if (TRIGGER_FIRED_BY_UPDATE(ev) &&
			board_merge_unseen_moves(trigdata->tg_relation, trigdata->tg_updatedcols))
			pending_rebuild_after_writers(board, RelationGetRelid(trigdata->tg_relation));
		capture_rows(bs, pb, trigdata->tg_relation, trigdata->tg_newtable,
					 trigdata->tg_oldtable, NULL, NULL);
	}
	AtEOXact_GUC(false, writer_nestlevel);
	SPI_finish();
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(board_capture_row);
/*
 * Row trigger lb_<board>_repl, enabled for replicas only: a logical-replication apply
 * worker fires row triggers only, so this captures replicated rows one by one, as the
 * statement triggers capture local statements. Returns NULL.
 *
 * It captures only under session_replication_role = replica, the one role in which the
 * board's statement triggers (enabled for ordinary sessions: roles origin and local) do not
 * fire. Should it fire in another role, because its mode was changed (ALTER TABLE ...
 * ENABLE TRIGGER USER makes it an ordinary trigger) before the event trigger put the mode
 * back or where that could not, the statement triggers capture the same rows, and
 * capturing them here would count them twice.
 */
Datum
board_capture_row(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent ev;
	BoardStatements *bs;
	PendingBoard *pb;
	char	   *board;
	int			writer_nestlevel;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_capture_row() must be called as a trigger")));
	ev = trigdata->tg_event;
	if (!TRIGGER_FIRED_AFTER(ev) || !TRIGGER_FIRED_FOR_ROW(ev) || TRIGGER_FIRED_BY_TRUNCATE(ev))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_capture_row() must be an AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW trigger")));
	board = board_of_trigger(trigdata, true);
	if (SessionReplicationRole != SESSION_REPLICATION_ROLE_REPLICA)
		return PointerGetDatum(NULL);

	SPI_connect();
	writer_nestlevel = writer_context_enter();
	bs = board_for_trigger(board, trigdata->tg_relation, trigdata->tg_trigger->tgname);
	pb = pending_board_for(board);
	/* tg_trigtuple is the row inserted, or the row an UPDATE or DELETE removed */
	if (TRIGGER_FIRED_BY_INSERT(ev))
		capture_rows(bs, pb, trigdata->tg_relation, NULL, NULL, trigdata->tg_trigtuple, NULL);
	else
		capture_rows(bs, pb, trigdata->tg_relation, NULL, NULL,
					 TRIGGER_FIRED_BY_UPDATE(ev) ? trigdata->tg_newtuple : NULL,
					 trigdata->tg_trigtuple);
	AtEOXact_GUC(false, writer_nestlevel);
	SPI_finish();
	return PointerGetDatum(NULL);
}

