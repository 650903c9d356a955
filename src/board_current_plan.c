/*
 * board_current_plan.c: <board>_current ... ORDER BY rank LIMIT n planned as a read of the
 * score index.
 *
 * The top of one scope, as an application or a wallboard asks for it:
 *
 *   SELECT rank, agent_id, score FROM floor_current
 *    WHERE period = 'month' AND team_id = $1 ORDER BY rank LIMIT 10
 *
 * Rank is in no index of the standings (an index on it would make every re-ranking update
 * of a writer a non-HOT one), so the planner reads the whole scope and sorts it: 5000 rows
 * for the 10 best of a floor. But rank order is score order, best first, which the
 * standings' (scope_id, score, agent) index gives. A planner hook recognizes this query
 * shape over a board's current view, the view's one relation in FROM, an equality on the
 * period and on every partition column and nothing else, and replaces the view by
 * leaderboard._current_top(view, partition values, period, n): the same rows of that
 * scope, ranked n or better (ties at n all in), then, when there are fewer than n, its
 * unqualified rows, which have no rank and which ORDER BY rank puts last. The query keeps
 * its WHERE and LIMIT, now over at most a few more than n rows, which come in rank order,
 * so it returns what the view would, with no sort.
 *
 * The plan is made only for a view whose query is still the one the board makes
 * (compared once per backend), and reads the tables as the view does: as the caller when
 * it may read them itself, else, for a caller who may read the view, as the view's owner
 * (or its reader, for a security_invoker view); never under row-level security. It
 * depends on the role. The view stays in the plan's range table, unscanned, so that the
 * caller's privilege on it is checked as before, and the plan depends on the view and its
 * tables, so that it is made again when they change. leaderboard._current_top, callable
 * by anyone, checks the rights on the tables itself.
 * The hook is in place once the library is loaded in the backend: the view's period start
 * is computed by a function of the library, so a backend's first read loads it, and
 * shared_preload_libraries or session_preload_libraries load it before that (plans the
 * backend made before are made again: board_current_plan_install).
 *
 * Which views are boards' and who may read through them: board_current_view.c; the read
 * itself: board_current_top.c.
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "catalog/pg_class.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/planner.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/typcache.h"

#include "board_current_plan.h"
#include "board_current_view.h"
#include "board_settings.h"

static planner_hook_type prev_planner_hook = NULL;

/* The conjuncts of an AND tree, flattened. */
static List *
conjuncts(Node *qual, List *out)
{
	if (qual == NULL)
		return out;
	if (is_andclause(qual))
	{
		ListCell   *lc;

		foreach(lc, ((BoolExpr *) qual)->args)
			out = conjuncts(lfirst(lc), out);
		return out;
	}
	return lappend(out, qual);
}

/*
 * An expression the executor can give the read as an argument: no column, nothing
 * volatile (and no subquery: the query has none).
 */
static bool
is_argument(Node *expr)
{
	return expr != NULL && !contain_vars_of_level(expr, 0) && !contain_volatile_functions(expr);
}

/*
 * The view column (1-based) a conjunct compares with a value, or 0: col = value or
 * value = col by the column type's equality, or col IS NULL (value a NULL of its type).
 */
static AttrNumber
column_equality(Node *qual, Index varno, Node **value)
{
	Var		   *var = NULL;
	Node	   *other = NULL;

	if (IsA(qual, OpExpr) && list_length(((OpExpr *) qual)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) qual;
		Node	   *l = linitial(op->args);
		Node	   *r = lsecond(op->args);

		if (IsA(l, Var))
			var = (Var *) l, other = r;
		else if (IsA(r, Var))
			var = (Var *) r, other = l;
		/* the type's own equality, in the column's collation, as the scopes' index has it */
		if (var == NULL || exprType(other) != var->vartype || op->inputcollid != var->varcollid ||
			lookup_type_cache(var->vartype, TYPECACHE_EQ_OPR)->eq_opr != op->opno)
			return 0;
	}
	else if (IsA(qual, NullTest) && ((NullTest *) qual)->nulltesttype == IS_NULL &&
			 !((NullTest *) qual)->argisrow && IsA(((NullTest *) qual)->arg, Var))
	{
		var = (Var *) ((NullTest *) qual)->arg;
		other = (Node *) makeNullConst(var->vartype, var->vartypmod, var->varcollid);
	}
	if (var == NULL || var->varno != varno || var->varlevelsup != 0 || !is_argument(other))
		return 0;
	*value = other;
	return var->varattno;
}

/* Whether a relation of a query is read under row-level security (its security quals). */
static bool
reads_under_row_security(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
		return ((RangeTblEntry *) node)->securityQuals != NIL;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, reads_under_row_security, context,
								 QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, reads_under_row_security, context);
}

/*
 * The view's rank column, in the order of the columns the board's view has (period,
 * period_start, the partition columns, the agent, kpis, score, qualified, rank, ...):
 * board_view_is_boards() holds the view to that query.
 */
#define RANK_COLUMN(cv) (2 + (cv)->nparts + 1 + 4)

/* Where each column of a relation of the query went (to[old attno]). */
typedef struct ColumnMap
{
	Index		varno;
	AttrNumber *to;
} ColumnMap;

static bool
renumber_columns(Node *node, ColumnMap *map)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if (var->varno == map->varno && var->varlevelsup == 0 && var->varattno > 0)
		{
			if (var->varnosyn == var->varno && var->varattnosyn == var->varattno)
				var->varattnosyn = map->to[var->varattno];
			var->varattno = map->to[var->varattno];
		}
		return false;
	}
	return expression_tree_walker(node, renumber_columns, map);
}

/*
 * Replaces the view in parse by leaderboard._current_top when parse is the top of one
 * scope of a board's current view (see the head of this file); returns whether it did,
 * with the relations the plan then depends on beyond its range table in *depends.
 */
static bool
plan_current_top(Query *parse, List **depends)
{
	RangeTblRef *ref;
	RangeTblEntry *rte;
	RangeTblEntry *view_rte;
	CurrentView *cv;
	SortGroupClause *sort;
	TargetEntry *sort_tle;
	Var		   *sort_var;
	Node	  **part_values;
	Node	   *period = NULL;
	List	   *quals;
	ListCell   *lc;
	int			i;
	Oid			argtypes[4] = {REGCLASSOID, RECORDOID, TEXTOID, INT8OID};
	Oid			fn;
	FuncExpr   *call;
	RangeTblFunction *rtf;
	Node	   *partition;
	Bitmapset  *used = NULL;
	bool		all;
	ColumnMap	map;

	if (parse->commandType != CMD_SELECT || parse->utilityStmt != NULL || parse->hasAggs ||
		parse->hasWindowFuncs || parse->hasTargetSRFs || parse->hasSubLinks ||
		parse->hasDistinctOn || parse->hasRecursive || parse->hasModifyingCTE ||
		parse->hasForUpdate || parse->hasRowSecurity || parse->cteList != NIL ||
		parse->groupClause != NIL || parse->groupingSets != NIL || parse->havingQual != NULL ||
		parse->distinctClause != NIL || parse->setOperations != NULL || parse->rowMarks != NIL ||
		parse->limitOption != LIMIT_OPTION_COUNT || parse->limitOffset != NULL ||
		parse->limitCount == NULL || list_length(parse->sortClause) != 1 ||
		parse->jointree == NULL || list_length(parse->jointree->fromlist) != 1 ||
		!IsA(linitial(parse->jointree->fromlist), RangeTblRef))
		return false;
	ref = linitial(parse->jointree->fromlist);
	rte = rt_fetch(ref->rtindex, parse->rtable);
	if (rte->rtekind != RTE_SUBQUERY || rte->subquery == NULL || rte->lateral ||
		rte->security_barrier || rte->securityQuals != NIL || rte->subquery->rtable == NIL)
		return false;
	/* a view expanded by the rewriter: its first entry is the view, with its privileges */
	view_rte = linitial(rte->subquery->rtable);
	if (view_rte->rtekind != RTE_RELATION || view_rte->relkind != RELKIND_VIEW)
		return false;
	cv = board_current_view(view_rte->relid);
	if (cv == NULL || list_length(rte->subquery->targetList) < RANK_COLUMN(cv))
		return false;

	/* ORDER BY rank, ascending, NULLs last */
	sort = linitial(parse->sortClause);
	sort_tle = get_sortgroupclause_tle(sort, parse->targetList);
	sort_var = (Var *) sort_tle->expr;
	if (!IsA(sort_var, Var) || sort_var->varno != ref->rtindex || sort_var->varlevelsup != 0 ||
		sort_var->varattno != RANK_COLUMN(cv) || sort->sortop != Int8LessOperator || sort->nulls_first ||
		!is_argument(parse->limitCount) || exprType(parse->limitCount) != INT8OID)
		return false;

	/* WHERE: the period and every partition column, each equal to a value, and nothing else */
	part_values = palloc0(sizeof(Node *) * Max(1, cv->nparts));
	quals = conjuncts(parse->jointree->quals, NIL);
	foreach(lc, quals)
	{
		Node	   *value = NULL;
		AttrNumber	att = column_equality(lfirst(lc), ref->rtindex, &value);

		if (att == 1 && period == NULL)
			period = value;
		else if (att >= 3 && att < 3 + cv->nparts && part_values[att - 3] == NULL)
			part_values[att - 3] = value;
		else
			return false;
	}
	if (period == NULL || exprType(period) != TEXTOID)
		return false;
	for (i = 0; i < cv->nparts; i++)
		if (part_values[i] == NULL)
			return false;
	fn = LookupFuncName(list_make2(makeString("leaderboard"), makeString("_current_top")), 4,
						argtypes, true);
	if (!OidIsValid(fn))
		return false;
	/*
	 * The caller reads the tables itself, or through the view (checked by the executor,
	 * as before) as the view reads them; the view must be the board's own, and read its
	 * tables under no row-level security (the function applies none)
	 */
	if (!board_view_is_boards(cv) || reads_under_row_security((Node *) rte->subquery, NULL))
		return false;
	if (!(board_may_read(cv->standings) && board_may_read(cv->scopes)))
	{
		Oid			reader = board_view_reader(cv->view);

		/*
		 * the function returns every column of the view, which it gives only to a
		 * caller who may read them all (a grant of some columns keeps the view's plan)
		 */
		if (pg_class_aclcheck(cv->view, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
			!board_may_read_as(cv->standings, reader) || !board_may_read_as(cv->scopes, reader))
			return false;
	}

	if (cv->nparts == 0)
		partition = (Node *) makeNullConst(RECORDOID, -1, InvalidOid);
	else
	{
		RowExpr    *row = makeNode(RowExpr);

		for (i = 0; i < cv->nparts; i++)
		{
			row->args = lappend(row->args, copyObject(part_values[i]));
			row->colnames = lappend(row->colnames, makeString(pstrdup(cv->parts[i])));
		}
		row->row_typeid = RECORDOID;
		row->row_format = COERCE_IMPLICIT_CAST;
		row->location = -1;
		partition = (Node *) row;
	}
	call = makeFuncExpr(fn, RECORDOID,
						list_make4(makeConst(REGCLASSOID, -1, InvalidOid, sizeof(Oid),
											 ObjectIdGetDatum(cv->view), false, true),
								   partition, copyObject(period), copyObject(parse->limitCount)),
						InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	call->funcretset = true;

	/*
	 * The function returns the view's columns the query reads, under the view's names:
	 * the others (kpis, say) need not be copied for every row
	 */
	pull_varattnos((Node *) parse->targetList, ref->rtindex, &used);
	pull_varattnos(parse->jointree->quals, ref->rtindex, &used);
	all = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, used) ||
		(rte->alias != NULL && rte->alias->colnames != NIL);
	map.varno = ref->rtindex;
	map.to = palloc0(sizeof(AttrNumber) * (list_length(rte->subquery->targetList) + 1));
	rtf = makeNode(RangeTblFunction);
	rtf->funcexpr = (Node *) call;
	foreach(lc, rte->subquery->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->resjunk ||
			!(all || bms_is_member(tle->resno - FirstLowInvalidHeapAttributeNumber, used)))
			continue;
		rtf->funccolnames = lappend(rtf->funccolnames, makeString(pstrdup(tle->resname)));
		rtf->funccoltypes = lappend_oid(rtf->funccoltypes, exprType((Node *) tle->expr));
		rtf->funccoltypmods = lappend_int(rtf->funccoltypmods, exprTypmod((Node *) tle->expr));
		rtf->funccolcollations = lappend_oid(rtf->funccolcollations, exprCollation((Node *) tle->expr));
		rtf->funccolcount++;
		map.to[tle->resno] = rtf->funccolcount;
	}
	renumber_columns((Node *) parse->targetList, &map);
	renumber_columns(parse->jointree->quals, &map);
	rte->eref->colnames = rtf->funccolnames;

	/*
	 * The view stays in the range table, unscanned: the executor checks the caller's
	 * privilege on it and locks it, as it would for the view (the function checks the
	 * rights on its tables); the plan depends on it, and on the tables (*depends)
	 */
	rte->rtekind = RTE_FUNCTION;
	rte->subquery = NULL;
	rte->functions = list_make1(rtf);
	rte->funcordinality = false;
	view_rte = copyObject(view_rte);
	view_rte->inh = false;
	parse->rtable = lappend(parse->rtable, view_rte);
	*depends = list_make2_oid(cv->standings, cv->scopes);

	/*
	 * The function's rows come in the order ORDER BY rank asks for (rows tied in rank,
	 * and the unranked, in an order it leaves open): nothing is left to sort
	 */
	parse->sortClause = NIL;
	return true;
}

static PlannedStmt *
board_planner(Query *parse, const char *query_string, int cursorOptions, ParamListInfo boundParams)
{
	List	   *depends = NIL;
	bool		planned = board_top_n_plan && plan_current_top(parse, &depends);
	PlannedStmt *result;

	if (prev_planner_hook)
		result = prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	else
		result = standard_planner(parse, query_string, cursorOptions, boundParams);

	/*
	 * made for a caller who may read the board's tables, itself or through the view:
	 * made again for another role, and when the tables change (their privileges, row
	 * security)
	 */
	if (planned)
	{
		result->dependsOnRole = true;
		result->relationOids = list_concat(result->relationOids, depends);
	}
	return result;
}

void
board_current_plan_install(void)
{
	prev_planner_hook = planner_hook;
	planner_hook = board_planner;

	/*
	 * Loaded by the first read of a board's view (the view calls the library), this
	 * backend may already hold plans made without the hook: a prepared statement without
	 * parameters keeps its first plan for good. They are made again when next used.
	 */
	ResetPlanCache();
}
