/*
 * board_constraints.c: where a SET CONSTRAINTS runs, for the commit-time apply.
 *
 * SET CONSTRAINTS ALL IMMEDIATE fires the board's deferred apply at once. Run as a
 * statement of its own, between the transaction's other statements, every capture of
 * those statements has arrived, and the apply may run there. Run inside another
 * statement (by a trigger, a function or a DO block), the statement that called it may
 * still be writing a board's source, and its capture, queued only when it ends, has not
 * arrived: an apply then could read the statement's rows from the source (a recompute, a
 * rebuild) and count them again when the capture comes. board_commit() defers then.
 */
#include "postgres.h"

#include "nodes/parsenodes.h"
#include "tcop/utility.h"

#include "board_constraints.h"

static ProcessUtility_hook_type prev_process_utility = NULL;

/* SET CONSTRAINTS statements running inside another statement */
static int	nested_set_constraints = 0;

static void
board_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					  ProcessUtilityContext context, ParamListInfo params,
					  QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	bool		nested = IsA(pstmt->utilityStmt, ConstraintsSetStmt) &&
		context != PROCESS_UTILITY_TOPLEVEL;

	if (nested)
		nested_set_constraints++;
	PG_TRY();
	{
		if (prev_process_utility != NULL)
			prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv,
								 dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
									queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		if (nested)
			nested_set_constraints--;
	}
	PG_END_TRY();
}

bool
board_set_constraints_nested(void)
{
	return nested_set_constraints > 0;
}

void
board_constraints_install(void)
{
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = board_process_utility;
}
