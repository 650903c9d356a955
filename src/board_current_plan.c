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
 * depends on the role. The view's own relations stay in the plan's range table, unscanned,
 * so that the view's privileges are checked as before and the plan is made again when
 * they change. leaderboard._current_top, callable by anyone, checks the same itself.
 * The hook is in place once the library is loaded in the backend: the view's period start
 * is computed by a function of the library, so a backend's first read loads it, and
 * shared_preload_libraries or session_preload_libraries load it before that.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "catalog/pg_class.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "access/sysattr.h"
#include "optimizer/planner.h"
#include "parser/analyze.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/ruleutils.h"
#include "rewrite/rewriteHandler.h"
#include "utils/typcache.h"

#include "board_current_plan.h"
#include "board_index.h"
#include "board_reads.h"
#include "board_settings.h"

/* What the plan and the read need of the board whose current view a relation is. */
typedef struct CurrentView
{
	Oid			view;			/* hash key */
	bool		is_board;		/* false: a view of no board (remembered too) */
	Oid			standings;
	Oid			scopes;
	char		agent_column[NAMEDATALEN];
	int			nparts;
	char	  **parts;			/* the partition columns */
	ArrayType  *part_array;		/* the same, as the text[] board_find_scope takes */
	char	   *time_zone;
	char	   *rank_style;
	char		board[NAMEDATALEN];
	bool		checked;		/* own is known */
	bool		own;			/* the view's query is the one the board makes */
	MemoryContext cxt;			/* holds the above, or NULL */
} CurrentView;

static HTAB *current_views = NULL;
static planner_hook_type prev_planner_hook = NULL;

/* Forgets a view's entry and what it holds. */
static void
forget_entry(CurrentView *entry)
{
	Oid			view = entry->view;

	if (entry->cxt != NULL)
		MemoryContextDelete(entry->cxt);
	hash_search(current_views, &view, HASH_REMOVE, NULL);
}

/* Forgets the views of a relation that changed (all of them for InvalidOid). */
static void
forget_current_view(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS seq;
	CurrentView *entry;

	if (current_views == NULL)
		return;
	if (OidIsValid(relid))
	{
		entry = hash_search(current_views, &relid, HASH_FIND, NULL);
		if (entry != NULL)
			forget_entry(entry);
		return;
	}
	hash_seq_init(&seq, current_views);
	while ((entry = hash_seq_search(&seq)) != NULL)
		forget_entry(entry);
}

static char *
catalog_text(HeapTuple tup, Relation boards, const char *column, Oid type)
{
	AttrNumber	att = board_typed_column(boards, column, type);
	bool		isnull = true;
	Datum		d = (Datum) 0;

	if (att != InvalidAttrNumber)
		d = heap_getattr(tup, att, RelationGetDescr(boards), &isnull);
	if (isnull)
		return NULL;
	return type == NAMEOID ? pstrdup(NameStr(*DatumGetName(d))) : TextDatumGetCString(d);
}

static Oid
catalog_oid(HeapTuple tup, Relation boards, const char *column)
{
	AttrNumber	att = board_typed_column(boards, column, REGCLASSOID);
	bool		isnull = true;
	Datum		d = (Datum) 0;

	if (att != InvalidAttrNumber)
		d = heap_getattr(tup, att, RelationGetDescr(boards), &isnull);
	return isnull ? InvalidOid : DatumGetObjectId(d);
}

/*
 * Fills entry from the catalog row of the board whose current view entry->view is: a view
 * named <board>_current in the schema of the board's source. Leaves is_board false when it
 * is none (or the extension's catalog is not there).
 */
static void
read_current_view(CurrentView *entry)
{
	char	   *relname = get_rel_name(entry->view);
	Oid			nsp = get_rel_namespace(entry->view);
	Oid			catalog_nsp = get_namespace_oid("leaderboard", true);
	Oid			catalog = OidIsValid(catalog_nsp) ? get_relname_relid("boards", catalog_nsp) : InvalidOid;
	size_t		len = relname ? strlen(relname) : 0;
	const size_t suffix = strlen("_current");
	Relation	boards;
	Relation	index;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	char	   *board;

	entry->is_board = false;
	entry->cxt = NULL;
	if (relname == NULL || len <= suffix || strcmp(relname + len - suffix, "_current") != 0 ||
		!OidIsValid(catalog) || get_rel_relkind(entry->view) != RELKIND_VIEW)
		return;
	board = pnstrdup(relname, len - suffix);
	boards = table_open(catalog, AccessShareLock);
	index = board_index_on(boards, 1, (AttrNumber[]) {board_typed_column(boards, "name", TEXTOID)},
						   true, AccessShareLock);
	if (index == NULL)
	{
		table_close(boards, AccessShareLock);
		return;
	}
	board_index_key(&key, index, 1, 0, BTEqualStrategyNumber, CStringGetTextDatum(board));
	scan = systable_beginscan_ordered(boards, index, NULL, 1, &key);
	tup = systable_getnext_ordered(scan, ForwardScanDirection);
	if (HeapTupleIsValid(tup) && get_rel_namespace(catalog_oid(tup, boards, "source")) == nsp)
	{
		AttrNumber	parts_att = board_typed_column(boards, "partition_by", NAMEARRAYOID);
		bool		isnull;
		Datum		parts = heap_getattr(tup, parts_att, RelationGetDescr(boards), &isnull);
		Datum	   *names;
		Datum	   *texts;
		int			i;
		MemoryContext old;

		entry->cxt = AllocSetContextCreate(CacheMemoryContext, "leaderboard current view",
										   ALLOCSET_SMALL_SIZES);
		old = MemoryContextSwitchTo(entry->cxt);

		entry->standings = catalog_oid(tup, boards, "standings");
		entry->scopes = catalog_oid(tup, boards, "scopes");
		strlcpy(entry->agent_column, catalog_text(tup, boards, "agent_column", NAMEOID), NAMEDATALEN);
		entry->time_zone = catalog_text(tup, boards, "time_zone", TEXTOID);
		entry->rank_style = catalog_text(tup, boards, "rank_style", TEXTOID);
		deconstruct_array(DatumGetArrayTypeP(parts), NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR,
						  &names, NULL, &entry->nparts);
		entry->parts = palloc(sizeof(char *) * Max(1, entry->nparts));
		texts = palloc(sizeof(Datum) * Max(1, entry->nparts));
		for (i = 0; i < entry->nparts; i++)
		{
			entry->parts[i] = pstrdup(NameStr(*DatumGetName(names[i])));
			texts[i] = CStringGetTextDatum(entry->parts[i]);
		}
		entry->part_array = construct_array(texts, entry->nparts, TEXTOID, -1, false, TYPALIGN_INT);
		MemoryContextSwitchTo(old);
		strlcpy(entry->board, board, NAMEDATALEN);
		entry->checked = false;
		entry->is_board = OidIsValid(entry->standings) && OidIsValid(entry->scopes) &&
			entry->time_zone != NULL && entry->rank_style != NULL;
	}
	systable_endscan_ordered(scan);
	index_close(index, AccessShareLock);
	table_close(boards, AccessShareLock);
}

/* The board of view, when view is a board's current view; else NULL. */
static CurrentView *
current_view(Oid view)
{
	CurrentView *entry;
	bool		found;

	if (current_views == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(CurrentView);
		current_views = hash_create("leaderboard current views", 16, &ctl, HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(forget_current_view, (Datum) 0);
	}
	entry = hash_search(current_views, &view, HASH_ENTER, &found);
	if (!found)
	{
		entry->cxt = NULL;
		entry->is_board = false;
		PG_TRY();
		{
			read_current_view(entry);
		}
		PG_CATCH();
		{
			forget_entry(entry);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return entry->is_board ? entry : NULL;
}

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

/*
 * The relations a view's query reads, a copy of the first range table entry of each (the
 * view itself, with the privilege its reader needs on it, and its tables, with the
 * privilege the view's owner needs on them), and whether any is read under row-level
 * security.
 */
typedef struct ViewRelations
{
	List	   *rtes;
	bool		secured;
} ViewRelations;

static bool
collect_relations(Node *node, ViewRelations *rels)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;
		ListCell   *lc;

		if (rte->securityQuals != NIL)
			rels->secured = true;
		if (rte->rtekind != RTE_RELATION)
			return false;
		foreach(lc, rels->rtes)
			if (((RangeTblEntry *) lfirst(lc))->relid == rte->relid)
				return false;
		rte = copyObject(rte);
		rte->inh = false;
		rels->rtes = lappend(rels->rtes, rte);
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, collect_relations, rels, QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, collect_relations, rels);
}

/*
 * Whether the view's query is still the one the board made: a UNION ALL reading only the
 * board's scopes and standings, none under row-level security, with the board's columns.
 */
static bool
is_board_view_query(Query *view_query, CurrentView *cv, ViewRelations *rels, int *rank_att)
{
	const char *const before[] = {"period", "period_start"};
	const char *const after[] = {"kpis", "score", "qualified", "rank", "tier", "updated_at"};
	int			natts = 0;
	ListCell   *lc;

	if (view_query->setOperations == NULL)
		return false;
	collect_relations((Node *) view_query, rels);
	if (rels->secured)
		return false;
	foreach(lc, rels->rtes)
	{
		Oid			relid = ((RangeTblEntry *) lfirst(lc))->relid;

		if (relid != cv->view && relid != cv->standings && relid != cv->scopes)
			return false;
	}
	foreach(lc, view_query->targetList)
	{
		TargetEntry *tle = lfirst(lc);
		const char *want;
		int			i = natts;

		if (tle->resjunk)
			continue;
		if (i < 2)
			want = before[i];
		else if (i < 2 + cv->nparts)
			want = cv->parts[i - 2];
		else if (i == 2 + cv->nparts)
			want = cv->agent_column;
		else if (i - 3 - cv->nparts < lengthof(after))
			want = after[i - 3 - cv->nparts];
		else
			return false;
		if (tle->resname == NULL || strcmp(tle->resname, want) != 0)
			return false;
		natts++;
		if (strcmp(want, "rank") == 0 && i == 3 + cv->nparts + 3)
		{
			if (exprType((Node *) tle->expr) != INT8OID)
				return false;
			*rank_att = natts;
		}
	}
	return natts == 3 + cv->nparts + lengthof(after);
}

/*
 * Whether the view's query is the one leaderboard._current_view_sql() gives for the board:
 * both parsed and written out again with search_path pinned as _board_views makes the
 * view, and compared. Worked out once per view and backend (a view made again is a
 * relcache invalidation, which forgets the entry).
 */
static bool
view_is_boards(CurrentView *cv)
{
	if (!cv->checked)
	{
		MemoryContext caller = CurrentMemoryContext;
		int			nest = NewGUCNestLevel();
		Datum		arg = CStringGetTextDatum(cv->board);
		Oid			argtype = TEXTOID;
		char	   *sql = NULL;
		bool		isnull = true;
		Relation	view;
		List	   *raw;
		Query	   *made;

		Oid			catalog_type = get_rel_type_id(get_relname_relid("boards", get_namespace_oid("leaderboard", false)));
		Oid			made_by;

		/* an extension not yet updated to the library's version has no such function */
		made_by = LookupFuncName(list_make2(makeString("leaderboard"), makeString("_current_view_sql")), 1,
								 &catalog_type, true);
		if (!OidIsValid(made_by))
		{
			cv->checked = true;
			cv->own = false;
			return false;
		}
		(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "leaderboard: SPI_connect failed");
		if (SPI_execute_with_args("SELECT leaderboard._current_view_sql(b) FROM leaderboard.boards b "
								  "WHERE b.name OPERATOR(pg_catalog.=) $1",
								  1, &argtype, &arg, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
			{
				MemoryContext spi = MemoryContextSwitchTo(caller);

				sql = TextDatumGetCString(d);
				MemoryContextSwitchTo(spi);
			}
		}
		SPI_finish();
		cv->own = false;
		if (sql != NULL)
		{
			raw = pg_parse_query(sql);
			made = parse_analyze_fixedparams(linitial_node(RawStmt, raw), sql, NULL, 0, NULL);
			view = relation_open(cv->view, AccessShareLock);
			cv->own = strcmp(pg_get_querydef(made, false),
							 pg_get_querydef(copyObject(get_view_query(view)), false)) == 0;
			relation_close(view, AccessShareLock);
		}
		AtEOXact_GUC(true, nest);
		cv->checked = true;
	}
	return cv->own;
}

/* The role the view reads its tables as: its owner, or its reader with security_invoker. */
static Oid
view_reader(Oid view)
{
	Relation	rel = relation_open(view, AccessShareLock);
	Oid			reader = RelationHasSecurityInvoker(rel) ? GetUserId() : rel->rd_rel->relowner;

	relation_close(rel, AccessShareLock);
	return reader;
}

/* Whether role may read rel as the view reads it: SELECT, no row-level security. */
static bool
may_read_as(Oid rel, Oid role)
{
	return pg_class_aclcheck(rel, role, ACL_SELECT) == ACLCHECK_OK &&
		check_enable_rls(rel, role, true) != RLS_ENABLED;
}

/* Whether the current user may read rel as leaderboard._current_top does. */
static bool
may_read(Oid rel)
{
	return pg_class_aclcheck(rel, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
		check_enable_rls(rel, InvalidOid, true) != RLS_ENABLED;
}

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
	int			rank_att = 0;
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
	ViewRelations rels = {NIL, false};
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
	cv = current_view(view_rte->relid);
	if (cv == NULL || !is_board_view_query(rte->subquery, cv, &rels, &rank_att))
		return false;

	/* ORDER BY rank, ascending, NULLs last */
	sort = linitial(parse->sortClause);
	sort_tle = get_sortgroupclause_tle(sort, parse->targetList);
	sort_var = (Var *) sort_tle->expr;
	if (!IsA(sort_var, Var) || sort_var->varno != ref->rtindex || sort_var->varlevelsup != 0 ||
		sort_var->varattno != rank_att || sort->sortop != Int8LessOperator || sort->nulls_first ||
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
	 * as before) as the view reads them; the view must be the board's own
	 */
	if (!view_is_boards(cv))
		return false;
	if (!(may_read(cv->standings) && may_read(cv->scopes)))
	{
		Oid			reader = view_reader(cv->view);

		/*
		 * the function returns every column of the view, which it gives only to a
		 * caller who may read them all (a grant of some columns keeps the view's plan)
		 */
		if (pg_class_aclcheck(cv->view, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
			!may_read_as(cv->standings, reader) || !may_read_as(cv->scopes, reader))
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
	foreach(lc, rels.rtes)
		if (((RangeTblEntry *) lfirst(lc))->relid == cv->view)
			parse->rtable = lappend(parse->rtable, lfirst(lc));
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

/*
 * The scope ids this backend found, by view, period kind, period start and partition
 * values (the bytes of the partition record, which equal values made alike share). A
 * scope keeps its id until rebuild or a rescoring alter_board gives it a new one, and
 * its rows under the old id are then deleted, and ids are never used again: a read by a
 * remembered id that comes by no row looks the scope up again. A read by a remembered id
 * counts rank() and dense_rank() ranks as it reads (what stored ranks hold, and what a
 * scope too large to store them needs), so it need not know whether the scope stores
 * them; row_number() scopes always do.
 */
#define SCOPE_KEY_BYTES 48
#define SCOPE_IDS_MAX 10000

typedef struct ScopeKey
{
	Oid			view;
	DateADT		start;
	int32		kind;
	int32		len;
	char		part[SCOPE_KEY_BYTES];
} ScopeKey;

typedef struct ScopeId
{
	ScopeKey	key;			/* hash key */
	int64		scope_id;
} ScopeId;

static HTAB *scope_ids = NULL;

/* Fills key; false when the partition record is too long to remember. */
static bool
scope_key(ScopeKey *key, Oid view, int kind, DateADT start, HeapTupleHeader part)
{
	memset(key, 0, sizeof(ScopeKey));
	key->view = view;
	key->kind = kind;
	key->start = start;
	if (part != NULL)
	{
		char	   *from = (char *) &part->t_infomask2;
		char	   *end = (char *) part + HeapTupleHeaderGetDatumLength(part);

		if (end - from > SCOPE_KEY_BYTES)
			return false;
		key->len = end - from;
		memcpy(key->part, from, key->len);
	}
	return true;
}

static ScopeId *
remembered_scope(ScopeKey *key)
{
	return scope_ids == NULL ? NULL : hash_search(scope_ids, key, HASH_FIND, NULL);
}

static void
remember_scope(ScopeKey *key, int64 scope_id)
{
	ScopeId    *entry;

	if (scope_ids == NULL || hash_get_num_entries(scope_ids) >= SCOPE_IDS_MAX)
	{
		HASHCTL		ctl;

		if (scope_ids != NULL)
			hash_destroy(scope_ids);
		ctl.keysize = sizeof(ScopeKey);
		ctl.entrysize = sizeof(ScopeId);
		scope_ids = hash_create("leaderboard scope ids", 256, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	entry = hash_search(scope_ids, key, HASH_ENTER, NULL);
	entry->scope_id = scope_id;
}

static void
forget_scope(ScopeKey *key)
{
	if (scope_ids != NULL)
		hash_search(scope_ids, key, HASH_REMOVE, NULL);
}

/*
 * Checks that the caller may read the board's tables as the plan reads them: itself, or
 * through the board's own view, which it may read, as the view reads them (42501 or
 * 0A000, for the caller's own reading, otherwise).
 */
static void
check_reader(CurrentView *cv)
{
	const char *reader = "the top-N plan of a board's current view";

	if (may_read(cv->standings) && may_read(cv->scopes))
		return;
	if (pg_class_aclcheck(cv->view, GetUserId(), ACL_SELECT) == ACLCHECK_OK && view_is_boards(cv))
	{
		Oid			as = view_reader(cv->view);

		if (may_read_as(cv->standings, as) && may_read_as(cv->scopes, as))
			return;
	}
	board_check_read(cv->scopes, reader);
	board_check_read(cv->standings, reader);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for the tables of view %s", get_rel_name(cv->view))));
}

/* Finds the scope of key in the scopes table, into read; false when there is none. */
static bool
look_up_scope(CurrentView *cv, text *kind, DateADT start, HeapTupleHeader part, BoardTopRead *read)
{
	Relation	scopes = table_open(cv->scopes, AccessShareLock);
	bool		found = board_find_scope(scopes, kind, start, cv->part_array, part,
										 &read->scope_id, &read->ranks_stored);

	table_close(scopes, AccessShareLock);
	return found;
}

PG_FUNCTION_INFO_V1(board_current_top);
/*
 * _current_top(view, partition record, period, n) returns the rows of <board>_current in
 * the scope of the partition values (NULL for a board without partition columns) and
 * period kind that ORDER BY rank LIMIT n needs: the qualified rows ranked n or better, in
 * rank order (ties at n all in), then, while fewer than n went out, unqualified ones. As
 * the view, a NULL or unknown period gives no rows; a NULL n gives the whole scope. Reads
 * as its caller: 42501 without SELECT on the board's standings and scopes.
 */
Datum
board_current_top(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	static const char *const kinds[] = {"day", "week", "month", "quarter", "year", "all"};
	BoardTopRead read = {0};
	CurrentView *cv;
	text	   *kind;
	char	   *kind_name;
	HeapTupleHeader part;
	DateADT		start;
	ScopeKey	key;
	bool		keyed;
	ScopeId    *remembered;
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the view of leaderboard._current_top must not be NULL")));
	cv = current_view(PG_GETARG_OID(0));
	if (cv == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not the current view of a board",
						get_rel_name(PG_GETARG_OID(0)) ? get_rel_name(PG_GETARG_OID(0)) : "?")));
	board_top_style(&read, cv->rank_style);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (PG_ARGISNULL(2))
		PG_RETURN_NULL();
	kind = PG_GETARG_TEXT_PP(2);
	kind_name = text_to_cstring(kind);
	for (i = 0; i < lengthof(kinds) && strcmp(kind_name, kinds[i]) != 0; i++)
		;
	read.n = PG_ARGISNULL(3) ? PG_INT64_MAX : PG_GETARG_INT64(3);
	if (i == lengthof(kinds) || read.n <= 0)
		PG_RETURN_NULL();
	read.with_unqualified = true;
	read.out = rsinfo->setResult;
	part = PG_ARGISNULL(1) ? NULL : PG_GETARG_HEAPTUPLEHEADER(1);
	start = board_current_period_start(kind, cstring_to_text(cv->time_zone));
	keyed = scope_key(&key, cv->view, i, start, part);
	remembered = keyed ? remembered_scope(&key) : NULL;
	check_reader(cv);
	if (remembered != NULL)
	{
		read.scope_id = remembered->scope_id;
		read.ranks_stored = read.row_number;
	}
	else if (!look_up_scope(cv, kind, start, part, &read))
		PG_RETURN_NULL();
	else if (keyed)
		remember_scope(&key, read.scope_id);
	board_begin_top(&read, table_open(cv->standings, AccessShareLock), cv->agent_column, rsinfo->setDesc);
	board_read_top(&read);
	/* no row under the remembered id: the scope has another one now, or none */
	if (remembered != NULL && read.rows_read == 0)
	{
		int64		old_id = read.scope_id;

		forget_scope(&key);
		if (look_up_scope(cv, kind, start, part, &read) && read.scope_id != old_id)
		{
			remember_scope(&key, read.scope_id);
			board_read_top(&read);
		}
	}
	board_end_top(&read);
	PG_RETURN_NULL();
}
