/*
 * board_expr.c: checks the expressions a board declares over its source rows.
 *
 * Metric, filter and time expressions are analyzed against the source relation exactly
 * as PostgreSQL analyzes a generated column: no subqueries, aggregates, window or
 * set-returning functions; and, like an index expression, only immutable functions and
 * operators, since the same row must count the same way when it is folded, recomputed or
 * verified: a stable function (now(), a cast reading TimeZone) would make the standings
 * drift from a recomputation as time passes or from one session to another. It also says
 * which columns an expression reads, so that a change to their type can be refused, and
 * gives the checked text back as PostgreSQL deparses it, the only text of an expression a
 * board stores and puts in the statements it generates.
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#include "board_context.h"
#include "board_expr.h"

/* check_functions_in_node callback: true for a function that is not immutable. */
static bool
is_mutable_function(Oid funcid, void *context)
{
	return func_volatile(funcid) != PROVOLATILE_IMMUTABLE;
}

/* What node, a use of a mutable function, is called in an error message. */
static char *
describe_mutable_use(Node *node, const char *sql)
{
	switch (nodeTag(node))
	{
		case T_FuncExpr:
			{
				FuncExpr   *f = (FuncExpr *) node;

				if (f->funcformat == COERCE_EXPLICIT_CAST || f->funcformat == COERCE_IMPLICIT_CAST)
					return psprintf("the cast from %s to %s",
									format_type_be(exprType(linitial(f->args))),
									format_type_be(f->funcresulttype));
				return psprintf("function %s", format_procedure(f->funcid));
			}
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
			return psprintf("operator %s", format_operator(((OpExpr *) node)->opno));
		case T_ScalarArrayOpExpr:
			return psprintf("operator %s", format_operator(((ScalarArrayOpExpr *) node)->opno));
		case T_CoerceViaIO:
			return psprintf("the cast from %s to %s",
							format_type_be(exprType((Node *) ((CoerceViaIO *) node)->arg)),
							format_type_be(((CoerceViaIO *) node)->resulttype));
		case T_SQLValueFunction:
			/* current_date and its kin: the keyword as written */
			return pnstrdup(sql + ((SQLValueFunction *) node)->location,
							strspn(sql + ((SQLValueFunction *) node)->location,
								   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"));
		default:
			return pstrdup("a function that is not immutable");
	}
}

/*
 * Whether a string literal names the clock: date and time input reads 'now', 'today',
 * 'tomorrow' and 'yesterday' (alone or within a longer value) when the literal is parsed,
 * and a board's expressions are parsed again each time its statements are.
 */
static bool
names_the_clock(const char *value)
{
	static const char *const words[] = {"now", "today", "tomorrow", "yesterday"};
	const char *p = value;

	while (*p)
	{
		size_t		len = 0;

		while (isalpha((unsigned char) p[len]))
			len++;
		for (int i = 0; i < lengthof(words); i++)
			if (len == strlen(words[i]) && pg_strncasecmp(p, words[i], len) == 0)
				return true;
		p += Max(len, 1);
	}
	return false;
}

/* Collects the string literals of a raw expression that name the clock. */
static bool
collect_clock_literals(Node *node, List **literals)
{
	if (node == NULL)
		return false;
	if (IsA(node, A_Const) && !((A_Const *) node)->isnull &&
		IsA(&((A_Const *) node)->val, String) && names_the_clock(strVal(&((A_Const *) node)->val)))
		*literals = lappend(*literals, node);
	return raw_expression_tree_walker(node, collect_clock_literals, literals);
}

typedef struct MutableSearch
{
	const char *sql;			/* the text the expression was parsed from */
	List	   *clock_literals; /* the raw literals naming the clock (A_Const) */
	char	   *use;			/* out: the first mutable use found */
} MutableSearch;

/*
 * The literal naming the clock that node, a date or time constant, was read from (the
 * constant keeps the literal's location); NULL for any other node.
 */
static A_Const *
clock_literal_of(Node *node, List *clock_literals)
{
	ListCell   *lc;

	if (!IsA(node, Const) || ((Const *) node)->location < 0 ||
		TypeCategory(getBaseType(((Const *) node)->consttype)) != TYPCATEGORY_DATETIME)
		return NULL;
	foreach(lc, clock_literals)
		if (((A_Const *) lfirst(lc))->location == ((Const *) node)->location)
			return lfirst(lc);
	return NULL;
}

/*
 * Finds a use of a mutable function, innermost first: in "at > now() - interval '1 day'"
 * both now() and the timestamptz - interval operator are stable, and now() is what the
 * user wrote and must remove.
 */
static bool
find_mutable_use(Node *node, MutableSearch *search)
{
	A_Const    *literal;

	if (node == NULL)
		return false;
	if (expression_tree_walker(node, find_mutable_use, search))
		return true;
	if ((literal = clock_literal_of(node, search->clock_literals)) != NULL)
	{
		search->use = psprintf("the literal %s", quote_literal_cstr(strVal(&literal->val)));
		return true;
	}
	if (IsA(node, SQLValueFunction) ||
		check_functions_in_node(node, is_mutable_function, NULL))
	{
		search->use = describe_mutable_use(node, search->sql);
		return true;
	}
	return false;
}

/*
 * Refuses an analyzed board expression whose value could change while its row does not:
 * one with a stable or volatile function, operator or cast anywhere in it, or a date or
 * time read from 'now' or 'today'.
 */
static void
require_immutable(Node *node, const char *sql, List *clock_literals, const char *expr, const char *what)
{
	MutableSearch search = {sql, clock_literals, NULL};

	if (!find_mutable_use(node, &search) && !contain_mutable_functions(node))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			 errmsg("board %s \"%s\" is not immutable", what, expr),
			 search.use ?
			 errdetail("It uses %s, whose value can change with the time or the session's settings while the call row stays the same.",
					   search.use) :
			 errdetail("Its value can change with the time or the session's settings while the call row stays the same."),
			 errhint("Use only immutable functions, operators and casts of the row's columns and constants; for standings over the last days, use leaderboard.rolling().")));
}

/*
 * Whether a parsed "SELECT expr" is that and nothing more: one unnamed target and no other
 * clause. The text around a board expression in its generated statements is the
 * statement's own, so "x AS y", "x ORDER BY 1" or "x LIMIT 0" would not be one
 * expression there.
 */
static bool
is_bare_expression(List *raw)
{
	SelectStmt *select;

	if (list_length(raw) != 1 || !IsA(((RawStmt *) linitial(raw))->stmt, SelectStmt))
		return false;
	select = (SelectStmt *) ((RawStmt *) linitial(raw))->stmt;
	return select->op == SETOP_NONE && list_length(select->targetList) == 1 &&
		((ResTarget *) linitial(select->targetList))->name == NULL &&
		select->distinctClause == NIL && select->intoClause == NULL &&
		select->fromClause == NIL && select->whereClause == NULL &&
		select->groupClause == NIL && select->havingClause == NULL &&
		select->windowClause == NIL && select->sortClause == NIL &&
		select->limitOffset == NULL && select->limitCount == NULL &&
		select->lockingClause == NIL && select->withClause == NULL;
}

/*
 * Parses expr, which must be one expression, from the text "SELECT expr" (returned in
 * *sql: locations in the tree point into it); returns its raw parse tree.
 */
static Node *
parse_board_expression(const char *expr, const char *what, char **sql)
{
	List	   *raw;

	*sql = psprintf("SELECT %s", expr);
	raw = raw_parser(*sql, RAW_PARSE_DEFAULT);
	if (!is_bare_expression(raw))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("board %s \"%s\" is not a single expression", what, expr),
				 errhint("Give one expression over the columns of a call row, with no alias, clause or statement after it.")));
	return ((ResTarget *) linitial(((SelectStmt *) ((RawStmt *) linitial(raw))->stmt)->targetList))->val;
}

/* The raw expression node (of statement text sql) analyzed over the columns of rel. */
static Node *
analyze_source_expression(Relation rel, Node *node, const char *sql)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;

	pstate->p_sourcetext = sql;
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL, false, true);
	addNSItemToQuery(pstate, nsitem, true, true, true);
	node = transformExpr(pstate, node, EXPR_KIND_GENERATED_COLUMN);
	assign_expr_collations(pstate, node);
	free_parsestate(pstate);
	return node;
}

/*
 * Refuses an analyzed board expression that reads the row itself (calls, calls.*): its
 * value changes when a column is added to or dropped from the table, while the calls
 * stay the same, as a generated column's may not either.
 */
static void
require_named_columns(Node *node, const char *expr, const char *what)
{
	Bitmapset  *attnos = NULL;

	pull_varattnos(node, 1, &attnos);
	if (bms_is_member(InvalidAttrNumber - FirstLowInvalidHeapAttributeNumber, attnos))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("board %s \"%s\" reads the whole row", what, expr),
				 errdetail("A whole-row value changes when a column is added to or dropped from the table, while the calls stay the same."),
				 errhint("Name the columns it reads.")));
}

/*
 * expr analyzed over the columns of relation relid, once the caller is found entitled to
 * read it, and refused unless immutable; *rel is left open. "what" names the expression
 * in error messages.
 */
static Node *
checked_source_expression(Oid relid, const char *expr, const char *what, Relation *rel)
{
	char	   *sql;
	Node	   *node = parse_board_expression(expr, what, &sql);
	List	   *clock_literals = NIL;

	collect_clock_literals(node, &clock_literals);
	require_select_privilege(relid);
	*rel = table_open(relid, AccessShareLock);
	node = analyze_source_expression(*rel, node, sql);
	require_immutable(node, sql, clock_literals, expr, what);
	require_named_columns(node, expr, what);
	return node;
}

static Oid
source_expression_type(Oid relid, const char *expr, const char *what)
{
	Relation	rel;
	Oid			type = exprType(checked_source_expression(relid, expr, what, &rel));

	table_close(rel, AccessShareLock);
	return type;
}

/*
 * The text of a checked expression as PostgreSQL prints it back (pg_get_expr does the
 * same for a column default): no comment, literals quoted and typed, every name resolved
 * and quoted as search_path "pg_catalog, pg_temp" needs it, which the statements a board
 * generates run under. Columns are unqualified: the statements read them from their own
 * alias of the source. This, not the text given, is what a board stores and splices into
 * its statements.
 */
static char *
source_expression_sql(Oid relid, const char *expr, const char *what)
{
	int			nestlevel = writer_context_enter();	/* pins search_path */
	Relation	rel;
	Node	   *node = checked_source_expression(relid, expr, what, &rel);
	char	   *sql = deparse_expression(node, deparse_context_for(RelationGetRelationName(rel), relid),
										 false, false);

	table_close(rel, AccessShareLock);
	AtEOXact_GUC(false, nestlevel);
	return sql;
}

Node *
board_analyze_source_expression(Relation rel, const char *expr, const char *what)
{
	char	   *sql;
	Node	   *node = parse_board_expression(expr, what, &sql);

	return analyze_source_expression(rel, node, sql);
}

Expr *
board_plan_source_expression(Relation rel, const char *expr, const char *what)
{
	return expression_planner((Expr *) board_analyze_source_expression(rel, expr, what));
}

PG_FUNCTION_INFO_V1(board_expression_sql);
/* Returns the checked, canonical text of an expression over a row of the source relation. */
Datum
board_expression_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(source_expression_sql(PG_GETARG_OID(0),
														   text_to_cstring(PG_GETARG_TEXT_PP(1)),
														   text_to_cstring(PG_GETARG_TEXT_PP(2)))));
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

typedef struct ColumnSearch
{
	Oid			relid;
	Bitmapset  *attnums;		/* out: the columns named */
	bool		whole_row;		/* out: the row itself is named (calls, calls.*) */
} ColumnSearch;

/* Collects the source columns a raw expression names. */
static bool
collect_column_refs(Node *node, ColumnSearch *search)
{
	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		Node	   *last = llast(((ColumnRef *) node)->fields);
		AttrNumber	attnum = IsA(last, String) ? get_attnum(search->relid, strVal(last)) : InvalidAttrNumber;

		if (attnum > 0)
			search->attnums = bms_add_member(search->attnums, attnum);
		else if (attnum == InvalidAttrNumber)
			search->whole_row = true;
		return false;
	}
	return raw_expression_tree_walker(node, collect_column_refs, search);
}

/*
 * The columns of relid that expr reads, from its raw parse tree: it is read while the
 * source is being altered, when the expression may no longer analyze against the
 * changed columns. A name that is not a column is the row itself, which reads them all.
 */
static ArrayType *
expression_columns(Oid relid, const char *expr)
{
	char	   *sql;
	ColumnSearch search = {relid, NULL, false};
	Relation	rel;
	TupleDesc	desc;
	Datum	   *names;
	int			n = 0;
	ArrayType  *result;

	require_select_privilege(relid);
	collect_column_refs(parse_board_expression(expr, "expression", &sql), &search);
	rel = relation_open(relid, AccessShareLock);
	desc = RelationGetDescr(rel);
	names = palloc(sizeof(Datum) * Max(desc->natts, 1));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && (search.whole_row || bms_is_member(att->attnum, search.attnums)))
			names[n++] = NameGetDatum(&att->attname);
	}
	result = construct_array(names, n, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR);
	relation_close(rel, AccessShareLock);
	return result;
}

PG_FUNCTION_INFO_V1(board_expression_columns);
/* Returns the names of the source columns an expression over a source row reads. */
Datum
board_expression_columns(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(expression_columns(PG_GETARG_OID(0),
											 text_to_cstring(PG_GETARG_TEXT_PP(1))));
}
