/*
 * board_constraints.c: what the transaction is in the middle of, for the calls that may
 * only run between its statements or in a set order.
 *
 * SET CONSTRAINTS ALL IMMEDIATE fires the board's deferred apply at once. Run as a
 * statement of its own, or inside a function or DO block between the statements that
 * write calls, every capture of those statements has arrived, and the apply may run there.
 * Run while a statement that writes is still executing (by its BEFORE or AFTER row
 * trigger, or a function it calls), that statement's capture, queued only when it ends,
 * has not arrived: an apply then could read the statement's rows from the source (a
 * recompute, a rebuild) and count them again when the capture comes. board_commit()
 * defers then. Writing statements are counted by executor hooks (INSERT, UPDATE, DELETE,
 * MERGE, data-modifying WITH) and by the utility hook (COPY FROM); an aborted
 * subtransaction takes back its own, and a transaction's end clears the counts.
 * close_periods() refuses to run inside such a statement, and the admin calls that lock a
 * board's scopes table skip the lock-order check for tables this transaction created.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "tcop/pquery.h"
#include "tcop/utility.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "board_constraints.h"

static ProcessUtility_hook_type prev_process_utility = NULL;
static ExecutorStart_hook_type prev_executor_start = NULL;
static ExecutorEnd_hook_type prev_executor_end = NULL;

/* SET CONSTRAINTS statements running inside another statement */
static int	nested_set_constraints = 0;

/* statements that write, started and not yet ended */
static int	writing_statements = 0;

/* both counts when each open subtransaction started, innermost last */
static int *subxact_counts = NULL;
static int	nsubxacts = 0;
static int	maxsubxacts = 0;

/* Whether a statement of the command type writes rows (itself, or by a data-modifying WITH). */
static bool
writes_rows(CmdType command, bool modifying_cte)
{
	return command == CMD_INSERT || command == CMD_UPDATE || command == CMD_DELETE ||
		command == CMD_MERGE || (command == CMD_SELECT && modifying_cte);
}

static bool
writes(QueryDesc *queryDesc)
{
	return writes_rows(queryDesc->operation,
					   queryDesc->plannedstmt != NULL && queryDesc->plannedstmt->hasModifyingCTE);
}

static void
board_executor_start_count(QueryDesc *queryDesc, int eflags)
{
	if (prev_executor_start != NULL)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
	if (writes(queryDesc))
		writing_statements++;
}

static void
board_executor_end_count(QueryDesc *queryDesc)
{
	bool		counted = writes(queryDesc);

	if (prev_executor_end != NULL)
		prev_executor_end(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
	if (counted && writing_statements > 0)
		writing_statements--;
}

static void
board_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					  ProcessUtilityContext context, ParamListInfo params,
					  QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;
	bool		nested = IsA(stmt, ConstraintsSetStmt) && context != PROCESS_UTILITY_TOPLEVEL;
	bool		copy_from = IsA(stmt, CopyStmt) && ((CopyStmt *) stmt)->is_from;

	/* an error leaves the counts to the (sub)transaction callbacks below */
	if (nested)
		nested_set_constraints++;
	if (copy_from)
		writing_statements++;
	if (prev_process_utility != NULL)
		prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv,
							 dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
	if (nested)
		nested_set_constraints--;
	if (copy_from && writing_statements > 0)
		writing_statements--;
}

static void
count_subxact(SubXactEvent event, SubTransactionId subid, SubTransactionId parent, void *arg)
{
	switch (event)
	{
		case SUBXACT_EVENT_START_SUB:
			if (nsubxacts == maxsubxacts)
			{
				maxsubxacts = Max(16, maxsubxacts * 2);
				subxact_counts = subxact_counts == NULL ?
					MemoryContextAlloc(TopMemoryContext, 2 * sizeof(int) * maxsubxacts) :
					repalloc(subxact_counts, 2 * sizeof(int) * maxsubxacts);
			}
			subxact_counts[2 * nsubxacts] = writing_statements;
			subxact_counts[2 * nsubxacts + 1] = nested_set_constraints;
			nsubxacts++;
			break;
		case SUBXACT_EVENT_ABORT_SUB:
			if (nsubxacts > 0)
			{
				nsubxacts--;
				writing_statements = subxact_counts[2 * nsubxacts];
				nested_set_constraints = subxact_counts[2 * nsubxacts + 1];
			}
			break;
		case SUBXACT_EVENT_COMMIT_SUB:
			if (nsubxacts > 0)
				nsubxacts--;
			break;
		default:
			break;
	}
}

static void
count_xact(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
	{
		writing_statements = 0;
		nested_set_constraints = 0;
		nsubxacts = 0;
	}
}

bool
board_apply_may_precede_captures(void)
{
	return nested_set_constraints > 0 && writing_statements > 0;
}

/*
 * Whether the statement the client sent writes: an INSERT, UPDATE, DELETE or MERGE, or a
 * query with a data-modifying WITH. Read from the active portal, so that it holds even in
 * a session that loaded the library during that statement, after the executor hook above
 * would have counted it.
 */
static bool
portal_writes(void)
{
	ListCell   *lc;

	if (ActivePortal == NULL)
		return false;
	foreach(lc, ActivePortal->stmts)
	{
		PlannedStmt *stmt = lfirst_node(PlannedStmt, lc);

		if (writes_rows(stmt->commandType, stmt->hasModifyingCTE))
			return true;
	}
	return false;
}

PG_FUNCTION_INFO_V1(board_writing_statement_running);
/*
 * _writing_statement_running(): whether the caller runs inside a statement that writes
 * (the client's statement, or one a function or trigger runs), whose statement triggers,
 * and so the boards' captures of its rows, come only when it ends.
 */
Datum
board_writing_statement_running(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(writing_statements > 0 || portal_writes());
}

void
board_constraints_install(void)
{
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = board_process_utility;
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = board_executor_start_count;
	prev_executor_end = ExecutorEnd_hook;
	ExecutorEnd_hook = board_executor_end_count;
	RegisterXactCallback(count_xact, NULL);
	RegisterSubXactCallback(count_subxact, NULL);
}

PG_FUNCTION_INFO_V1(board_created_in_transaction);
/*
 * _created_in_transaction(relation): whether this transaction (or one of its open
 * subtransactions) created the relation, so that no other transaction can have used it
 * yet; NULL for a relation that does not exist.
 */
Datum
board_created_in_transaction(PG_FUNCTION_ARGS)
{
	Relation	rel = RelationIdGetRelation(PG_GETARG_OID(0));
	bool		created;

	if (rel == NULL)
		PG_RETURN_NULL();
	created = rel->rd_createSubid != InvalidSubTransactionId;
	RelationClose(rel);
	PG_RETURN_BOOL(created);
}
