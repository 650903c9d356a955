/*
 * board_partitions.c: partitions that leave or join a board's source without DML.
 *
 * DROP TABLE of a partition, ALTER TABLE ... DETACH PARTITION and ATTACH PARTITION take
 * rows out of a partitioned source or bring them in, and no trigger of the board sees
 * them. An event trigger marks each board concerned for a rebuild from its source at
 * commit, as TRUNCATE does (board_apply.c rebuilds it as the board owner), unless the
 * tables that moved are empty.
 *
 * This is C rather than PL/pgSQL for two reasons. Marking a board needs no SQL-callable
 * function that anyone could call to have another owner's board rebuilt. And only the
 * statement's parse tree tells an ATTACH or DETACH from the ALTER TABLEs that board
 * functions themselves run (ENABLE ALWAYS TRIGGER while they create triggers, which fires
 * the same event trigger). For the same reason, _changes_partitions() tells the event
 * trigger that keeps board triggers on partitions (51_board_api.sql) which statements
 * change a partition tree.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "commands/event_trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "tcop/deparse_utility.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "board_context.h"
#include "board_pending.h"

/*
 * The boards that lost a table with this DROP: those whose statement trigger lb_<board>_ins
 * was dropped together with the table it was on, and whose source remains (a dropped
 * source drops its boards). Dropping the trigger alone (drop_board, DETACH) moves no row.
 * The trigger is known by its name only: what it called cannot be looked up any more.
 */
static const char *dropped_query =
"SELECT DISTINCT b.name, NULL::pg_catalog.oid FROM leaderboard.boards b"
" JOIN pg_event_trigger_dropped_objects() g ON g.object_type = 'trigger'"
"  AND g.address_names[3] = 'lb_' || b.name || '_ins'"
" JOIN pg_event_trigger_dropped_objects() t ON t.classid = 'pg_class'::regclass AND t.objsubid = 0"
"  AND t.schema_name = g.address_names[1] AND t.object_name = g.address_names[2]"
" WHERE NOT EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects() s"
"                   WHERE s.classid = 'pg_class'::regclass AND s.objid = b.source::oid)";

/*
 * For each partitioned source whose tree holds the altered table, the tables of the tree
 * that do not carry the board's statement trigger yet (attached) and the tables that carry
 * it outside the tree (detached). This runs before leaderboard_follow_partitions puts the
 * triggers on the one and takes them off the other: event triggers fire in name order.
 */
static const char *moved_query =
"SELECT b.name, m.relid FROM leaderboard.boards b,"
" LATERAL (SELECT t.relid::oid FROM pg_partition_tree(b.source) t"
"          JOIN pg_class c ON c.oid = t.relid AND c.relkind IN ('r', 'p')"
"          WHERE NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = t.relid"
"                            AND g.tgname = 'lb_' || b.name || '_ins'"
"                            AND g.tgfoid = 'leaderboard._board_capture()'::regprocedure)"
"          UNION ALL"
"          SELECT g.tgrelid FROM pg_trigger g"
"          WHERE g.tgname = 'lb_' || b.name || '_ins'"
"            AND g.tgfoid = 'leaderboard._board_capture()'::regprocedure"
"            AND g.tgrelid NOT IN (SELECT t.relid FROM pg_partition_tree(b.source) t)) m"
" WHERE (SELECT c.relkind FROM pg_class c WHERE c.oid = b.source) = 'p'"
"   AND EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() a"
"               WHERE a.classid = 'pg_class'::regclass"
"                 AND a.objid IN (SELECT t.relid FROM pg_partition_tree(b.source) t))";

/* Whether an ALTER TABLE statement attaches or detaches a partition (or finalizes that). */
static bool
moves_partitions(Node *parsetree)
{
	ListCell   *lc;

	if (parsetree == NULL || !IsA(parsetree, AlterTableStmt))
		return false;
	foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype == AT_AttachPartition || cmd->subtype == AT_DetachPartition ||
			cmd->subtype == AT_DetachPartitionFinalize)
			return true;
	}
	return false;
}

/*
 * Whether a statement changes a partition tree: CREATE TABLE ... PARTITION OF, or an
 * ALTER TABLE that attaches or detaches a partition.
 */
static bool
changes_partition_tree(Node *parsetree)
{
	if (parsetree != NULL && IsA(parsetree, CreateStmt))
		return ((CreateStmt *) parsetree)->partbound != NULL;
	return moves_partitions(parsetree);
}

/*
 * Whether a statement can make a table a board's source depends on unseen rows, as
 * _check_source_family() has it: a table created with a parent (INHERITS, PARTITION OF,
 * a foreign table's too), or an ALTER TABLE that adds a parent, attaches a partition or
 * makes a table unlogged. Only those are checked, so that other DDL on a source a board
 * was kept over before the check existed still goes through.
 */
static bool
changes_source_family(Node *parsetree)
{
	ListCell   *lc;

	if (parsetree == NULL)
		return false;
	if (IsA(parsetree, CreateStmt))
		return ((CreateStmt *) parsetree)->inhRelations != NIL;
	if (IsA(parsetree, CreateForeignTableStmt))
		return ((CreateForeignTableStmt *) parsetree)->base.inhRelations != NIL;
	if (!IsA(parsetree, AlterTableStmt))
		return false;
	foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype == AT_AddInherit || cmd->subtype == AT_AttachPartition ||
			cmd->subtype == AT_SetUnLogged)
			return true;
	}
	return false;
}

PG_FUNCTION_INFO_V1(board_changes_source_family);
/* The same for a DDL command collected by a ddl_command_end event trigger. */
Datum
board_changes_source_family(PG_FUNCTION_ARGS)
{
	CollectedCommand *cmd = (CollectedCommand *) PG_GETARG_POINTER(0);

	PG_RETURN_BOOL(changes_source_family(cmd->parsetree));
}

PG_FUNCTION_INFO_V1(board_replaces_trigger);
/*
 * Whether a DDL command collected by a ddl_command_end event trigger is a CREATE OR
 * REPLACE TRIGGER (which resets the trigger's mode) rather than a plain CREATE TRIGGER.
 */
Datum
board_replaces_trigger(PG_FUNCTION_ARGS)
{
	CollectedCommand *cmd = (CollectedCommand *) PG_GETARG_POINTER(0);

	PG_RETURN_BOOL(cmd->parsetree != NULL && IsA(cmd->parsetree, CreateTrigStmt) &&
				   ((CreateTrigStmt *) cmd->parsetree)->replace);
}

PG_FUNCTION_INFO_V1(board_changes_partitions);
/*
 * Whether a DDL command collected by a ddl_command_end event trigger (a pg_ddl_command,
 * which only C can read) creates, attaches or detaches a partition.
 */
Datum
board_changes_partitions(PG_FUNCTION_ARGS)
{
	CollectedCommand *cmd = (CollectedCommand *) PG_GETARG_POINTER(0);

	PG_RETURN_BOOL(changes_partition_tree(cmd->parsetree));
}

/*
 * Whether a table has a row, read as it is now: the ATTACH or DETACH holds an
 * ACCESS EXCLUSIVE lock on the table that moves, so no writer is in progress there. A
 * partitioned table has no rows of its own; its partitions are checked on their own.
 */
static bool
has_rows(Oid relid)
{
	Relation	rel = table_open(relid, AccessShareLock);
	bool		found = false;

	if (rel->rd_rel->relkind == RELKIND_RELATION)
	{
		Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
		TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
		TupleTableSlot *slot = table_slot_create(rel, NULL);

		found = table_scan_getnextslot(scan, ForwardScanDirection, slot);
		ExecDropSingleTupleTableSlot(slot);
		table_endscan(scan);
		UnregisterSnapshot(snapshot);
	}
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * Marks for a rebuild at commit each board the query names (column 1) with a table that
 * moved (column 2; NULL for a dropped table, which cannot be read any more). The rows are
 * read first: queueing the apply runs a statement of its own.
 */
static void
mark_boards(const char *query)
{
	uint64		n;
	uint64		i;
	char	  **boards;
	Oid		   *relids;
	bool		isnull;

	if (SPI_execute(query, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: could not look up the boards whose partitions moved");
	n = SPI_processed;
	boards = palloc(sizeof(char *) * Max(n, 1));
	relids = palloc(sizeof(Oid) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		Datum		relid = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull);

		boards[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		relids[i] = isnull ? InvalidOid : DatumGetObjectId(relid);
	}
	for (i = 0; i < n; i++)
		if (!OidIsValid(relids[i]) || has_rows(relids[i]))
			pending_rebuild_at_commit(pending_board_for(boards[i]));
}

PG_FUNCTION_INFO_V1(board_partitions_moved);
/*
 * Event trigger at sql_drop and at the end of ALTER TABLE: marks the boards whose source
 * lost or gained a non-empty table for a rebuild at commit. Returns nothing.
 */
Datum
board_partitions_moved(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	const char *query;
	int			writer_nestlevel;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_partitions_moved() must be called as an event trigger")));
	trigdata = (EventTriggerData *) fcinfo->context;
	if (strcmp(trigdata->event, "sql_drop") == 0)
		query = dropped_query;
	else if (moves_partitions(trigdata->parsetree))
		query = moved_query;
	else
		PG_RETURN_VOID();

	SPI_connect();
	writer_nestlevel = writer_context_enter();
	mark_boards(query);
	AtEOXact_GUC(false, writer_nestlevel);
	SPI_finish();
	PG_RETURN_VOID();
}
