/*
 * board_expr.c: checks the expressions a board declares over its source rows.
 *
 * Metric, filter and time expressions are analyzed against the source relation exactly
 * as PostgreSQL analyzes a generated column: no subqueries, aggregates, window or
 * set-returning functions; and a board also refuses volatile functions, since the same
 * row must always count the same way when it is folded, recomputed or verified.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/*
 * Parses and analyzes expr over the columns of relation relid; returns its type.
 * "what" names the expression in error messages.
 */
static Oid
source_expression_type(Oid relid, const char *expr, const char *what)
{
	List	   *raw;
	Node	   *node;
	ParseState *pstate;
	ParseNamespaceItem *nsitem;
	Relation	rel;
	char	   *sql = psprintf("SELECT %s", expr);
	Oid			type;

	raw = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1 ||
		!IsA(((RawStmt *) linitial(raw))->stmt, SelectStmt) ||
		list_length(((SelectStmt *) ((RawStmt *) linitial(raw))->stmt)->targetList) != 1 ||
		((SelectStmt *) ((RawStmt *) linitial(raw))->stmt)->fromClause != NIL ||
		((SelectStmt *) ((RawStmt *) linitial(raw))->stmt)->whereClause != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("board %s \"%s\" is not a single expression", what, expr)));
	node = ((ResTarget *) linitial(((SelectStmt *) ((RawStmt *) linitial(raw))->stmt)->targetList))->val;

	rel = table_open(relid, AccessShareLock);
	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = sql;
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL, false, true);
	addNSItemToQuery(pstate, nsitem, true, true, true);

	node = transformExpr(pstate, node, EXPR_KIND_GENERATED_COLUMN);
	assign_expr_collations(pstate, node);
	if (contain_volatile_functions(node))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("board %s \"%s\" uses a volatile function", what, expr),
				 errdetail("A call row must count the same way each time it is read.")));
	type = exprType(node);
	free_parsestate(pstate);
	table_close(rel, AccessShareLock);
	return type;
}

PG_FUNCTION_INFO_V1(board_expression_type);
/* Returns the type of an expression over a row of the source relation. */
Datum
board_expression_type(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *expr = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(2));

	PG_RETURN_OID(source_expression_type(relid, expr, what));
}
