/*
 * board_merge.c: MERGE into a partitioned board source that may move rows between
 * partitions.
 *
 * PostgreSQL 15 runs an UPDATE action of MERGE that moves a row to another partition as a
 * DELETE from one partition and an INSERT into another, and puts the two rows into the
 * statement's DELETE and INSERT transition tables. Those reach statement triggers only
 * when the MERGE has DELETE and INSERT actions of its own: the AFTER triggers fire for the
 * action kinds a MERGE names. A MERGE with UPDATE actions but no DELETE action (or no
 * INSERT action) thus hands the board's triggers none of the rows it moves (or half of
 * them), and the board would silently disagree with its calls.
 *
 * So an executor-start hook refuses (0A000) a MERGE into a partitioned board source whose
 * UPDATE actions may move rows (they set a partition key column of the table or of a
 * partitioned partition, or a partition has a BEFORE UPDATE row trigger, which may set
 * one) unless it names both other action kinds; a MERGE may name them with a condition
 * that never holds. The hook is installed when the library loads, which a session's
 * first call to any of the extension's C functions does: the first board trigger that
 * fires in a new session may belong to a statement whose start the hook did not see.
 * Such an UPDATE trigger that cannot tell the statement is a plain UPDATE of the source
 * (the portal's one statement) rebuilds the board at commit instead, as TRUNCATE does,
 * once the writers in progress are done (board_pending.c).
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/sysattr.h"
#include "access/xact.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/plannodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "storage/proc.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/portal.h"
#include "utils/rel.h"

#include "board_merge.h"

static ExecutorStart_hook_type prev_executor_start = NULL;

/* The statement during which the library was loaded: the hook did not see its start. */
static LocalTransactionId loaded_in_lxid = InvalidLocalTransactionId;
static TimestampTz loaded_in_statement = 0;

/* Whether a statement trigger of the relation is a board's capture trigger for UPDATE. */
static bool
has_board_update_trigger(Relation rel)
{
	Oid			capture;
	int			i;

	if (rel->trigdesc == NULL)
		return false;
	capture = LookupFuncName(list_make2(makeString("leaderboard"), makeString("_board_capture")),
							 0, NULL, true);
	if (!OidIsValid(capture))
		return false;
	for (i = 0; i < rel->trigdesc->numtriggers; i++)
	{
		Trigger    *t = &rel->trigdesc->triggers[i];

		if (t->tgfoid == capture && TRIGGER_FOR_UPDATE(t->tgtype) && t->tgenabled != TRIGGER_DISABLED)
			return true;
	}
	return false;
}

/* Adds the names of the columns a partition key of rel reads (its expressions' too). */
static List *
key_column_names(Relation rel, List *names)
{
	PartitionKey key = RelationGetPartitionKey(rel);
	Bitmapset  *attnos = NULL;
	ListCell   *lc;
	int			i;

	for (i = 0; i < key->partnatts; i++)
		if (key->partattrs[i] != 0)
			attnos = bms_add_member(attnos, key->partattrs[i] - FirstLowInvalidHeapAttributeNumber);
	foreach(lc, key->partexprs)
		pull_varattnos(lfirst(lc), 1, &attnos);
	i = -1;
	while ((i = bms_next_member(attnos, i)) >= 0)
	{
		AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

		if (att > 0)
			names = lappend(names, get_attname(RelationGetRelid(rel), att, false));
	}
	return names;
}

/*
 * The names of the partition key columns of a partitioned table and of its partitioned
 * partitions, and whether a partition has a BEFORE UPDATE row trigger.
 */
static List *
tree_key_columns(Oid root, bool *before_update_trigger)
{
	List	   *names = NIL;
	ListCell   *lc;

	*before_update_trigger = false;
	foreach(lc, find_all_inheritors(root, AccessShareLock, NULL))
	{
		Relation	rel = relation_open(lfirst_oid(lc), NoLock);

		if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
			names = key_column_names(rel, names);
		if (rel->trigdesc != NULL && rel->trigdesc->trig_update_before_row)
			*before_update_trigger = true;
		relation_close(rel, NoLock);
	}
	return names;
}

static bool
list_member_name(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	return false;
}

/*
 * Refuses a MERGE into a partitioned board source whose UPDATE actions may move rows
 * between partitions, unless it also has DELETE and INSERT actions.
 */
static void
check_merge(PlannedStmt *stmt)
{
	ModifyTable *mt = (ModifyTable *) stmt->planTree;
	Relation	root;
	List	   *keys;
	bool		before_update_trigger;
	bool		has_update = false;
	bool		has_insert = false;
	bool		has_delete = false;
	bool		sets_key = false;
	ListCell   *per_rel;
	ListCell   *rti;

	if (mt == NULL || !IsA(mt, ModifyTable) || mt->rootRelation == 0)
		return;
	root = relation_open(rt_fetch(mt->rootRelation, stmt->rtable)->relid, NoLock);
	if (root->rd_rel->relkind != RELKIND_PARTITIONED_TABLE || !has_board_update_trigger(root))
	{
		relation_close(root, NoLock);
		return;
	}
	keys = tree_key_columns(RelationGetRelid(root), &before_update_trigger);
	forboth(per_rel, mt->mergeActionLists, rti, mt->resultRelations)
	{
		Oid			relid = rt_fetch(lfirst_int(rti), stmt->rtable)->relid;
		ListCell   *lc;

		foreach(lc, (List *) lfirst(per_rel))
		{
			MergeAction *action = lfirst_node(MergeAction, lc);
			ListCell   *col;

			has_insert |= action->commandType == CMD_INSERT;
			has_delete |= action->commandType == CMD_DELETE;
			if (action->commandType != CMD_UPDATE)
				continue;
			has_update = true;
			/* the columns it sets, numbered as in the result relation */
			foreach(col, action->updateColnos)
				if (list_member_name(keys, get_attname(relid, lfirst_int(col), false)))
					sets_key = true;
		}
	}
	if (has_update && (sets_key || before_update_trigger) && !(has_insert && has_delete))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("MERGE into %s may move rows between partitions of a board's source unseen by the board",
						RelationGetRelationName(root)),
				 errdetail("PostgreSQL hands the rows an UPDATE action moves to another partition only to the DELETE and INSERT statement triggers, and those fire only when the MERGE has DELETE and INSERT actions of its own."),
				 errhint("Run the change as UPDATE, or give the MERGE the missing kinds of action, even ones that never run: WHEN MATCHED AND false THEN DELETE, WHEN NOT MATCHED AND false THEN INSERT DEFAULT VALUES.")));
	relation_close(root, NoLock);
}

static void
board_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (queryDesc->operation == CMD_MERGE && (eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0)
		check_merge(queryDesc->plannedstmt);
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

void
board_merge_install(void)
{
	if (MyProc != NULL && IsTransactionState())
	{
		loaded_in_lxid = MyProc->lxid;
		loaded_in_statement = GetCurrentStatementStartTimestamp();
	}
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = board_executor_start;
}

/* Whether the portal's one statement is an UPDATE of the relation (not a MERGE, say). */
static bool
is_plain_update_of(Relation rel)
{
	PlannedStmt *stmt;
	ModifyTable *mt;
	Index		target;

	if (ActivePortal == NULL || list_length(ActivePortal->stmts) != 1 ||
		!IsA(linitial(ActivePortal->stmts), PlannedStmt))
		return false;
	stmt = linitial_node(PlannedStmt, ActivePortal->stmts);
	mt = (ModifyTable *) stmt->planTree;
	if (stmt->commandType != CMD_UPDATE || mt == NULL || !IsA(mt, ModifyTable))
		return false;
	target = mt->rootRelation != 0 ? mt->rootRelation : mt->nominalRelation;
	return rt_fetch(target, stmt->rtable)->relid == RelationGetRelid(rel);
}

bool
board_merge_unseen_moves(Relation rel, const Bitmapset *updated)
{
	List	   *keys;
	bool		before_update_trigger;
	int			i = -1;

	/* the hook saw the statement start, or no statement is in progress at all */
	if (loaded_in_lxid != MyProc->lxid || loaded_in_statement != GetCurrentStatementStartTimestamp())
		return false;
	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE || is_plain_update_of(rel))
		return false;
	keys = tree_key_columns(RelationGetRelid(rel), &before_update_trigger);
	if (before_update_trigger)
		return true;
	while ((i = bms_next_member(updated, i)) >= 0)
	{
		AttrNumber	att = i + FirstLowInvalidHeapAttributeNumber;

		if (att > 0 && list_member_name(keys, get_attname(RelationGetRelid(rel), att, false)))
			return true;
	}
	return false;
}
