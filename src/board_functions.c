/*
 * board_functions.c: functions a board's metrics and filter call, replaced, altered,
 * renamed or dropped.
 *
 * A board counts each row with its metric and filter expressions as they are when the row
 * is written, and verify() and rebuild() count every row with them as they are then. So
 * CREATE OR REPLACE FUNCTION of a function an expression calls would leave the rows counted
 * before it disagreeing with a recomputation, silently. Two event triggers keep them
 * together:
 *  - at the start of DROP FUNCTION and of ALTER FUNCTION ... RENAME or SET SCHEMA, a
 *    function a board's expression calls is refused (2BP01): the stored expression would
 *    no longer analyze, and every later write to the source would fail on it; so is a
 *    DROP SCHEMA, ALTER SCHEMA ... RENAME, DROP OWNED, DROP EXTENSION or ALTER EXTENSION
 *    ... SET SCHEMA that would take such a function along, unless the board's source goes
 *    too (the board then goes with it);
 *  - at the end of CREATE FUNCTION and ALTER FUNCTION, each board whose expressions call a
 *    function the statement created or altered is marked for a rebuild from its source at
 *    commit, as TRUNCATE does (board_apply.c rebuilds it as the board owner); a change that
 *    leaves such an expression calling something not immutable is refused (42P17).
 * A function can also go as a dependent of what a DROP ... CASCADE drops: a type it takes
 * or returns, a function its SQL-standard body calls, a schema or extension it depends
 * on. A third pair of event triggers catches those: at the start of each DROP ... CASCADE
 * (and DROP OWNED ... CASCADE) it notes the functions each board's expressions call, and
 * at sql_drop it refuses (2BP01) the statement if one of them went, unless the board's
 * source went too.
 * What a function calls from its own body is not followed.
 *
 * C rather than PL/pgSQL, as in board_partitions.c: marking a board needs no SQL-callable
 * function that anyone could call to have another owner's board rebuilt. The expressions
 * are analyzed, never run, under a pinned search_path (they are stored fully qualified),
 * as the board's owner, whoever runs the DDL.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "board_context.h"
#include "board_expr.h"
#include "board_pending.h"

/*
 * Every metric and filter expression of every board, one row each; not those of a board
 * whose source this statement dropped (its objects are being dropped with it).
 */
static const char *expressions_query =
"SELECT b.name, b.source::pg_catalog.oid, e.expr, b.owner::pg_catalog.oid FROM leaderboard.boards b"
" JOIN pg_catalog.pg_class s ON s.oid OPERATOR(pg_catalog.=) b.source::pg_catalog.oid,"
" LATERAL pg_catalog.unnest(b.metric_exprs OPERATOR(pg_catalog.||)"
"  COALESCE(ARRAY[b.filter], '{}'::pg_catalog.text[])) AS e(expr)"
" ORDER BY b.name";

/* The functions a ddl_command_end event trigger's statement created or altered. */
static const char *functions_query =
"SELECT c.objid FROM pg_catalog.pg_event_trigger_ddl_commands() c"
" WHERE c.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass";

typedef struct BoardExpression
{
	char	   *board;
	Oid			source;
	char	   *expr;
	Oid			owner;
} BoardExpression;

/* Every board's metric and filter expressions (SPI connected). */
static List *
board_expressions(void)
{
	List	   *exprs = NIL;
	uint64		i;
	bool		isnull;

	if (SPI_execute(expressions_query, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: could not read the boards' expressions");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		BoardExpression *e = palloc(sizeof(BoardExpression));

		e->board = SPI_getvalue(row, SPI_tuptable->tupdesc, 1);
		e->source = DatumGetObjectId(SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &isnull));
		e->expr = SPI_getvalue(row, SPI_tuptable->tupdesc, 3);
		e->owner = DatumGetObjectId(SPI_getbinval(row, SPI_tuptable->tupdesc, 4, &isnull));
		exprs = lappend(exprs, e);
	}
	return exprs;
}

/*
 * Whether an error raised analyzing an expression says that it no longer analyzes (a name
 * it uses is gone, a literal no longer reads), rather than that the analysis was stopped
 * (a cancel, a timeout, memory, a broken server), which must end the statement.
 */
static bool
is_analysis_error(int sqlerrcode)
{
	/*
	 * By class: a name or a cast gone (42: cannot coerce, undefined function, no
	 * privilege), a literal that no longer reads (22), something no longer supported
	 * (0A). Whatever made another board's expression stop analyzing (a cast its owner
	 * dropped) must not fail every role's DDL from then on.
	 */
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION:
		case ERRCODE_DATA_EXCEPTION:
		case ERRCODE_FEATURE_NOT_SUPPORTED:
			return true;
		default:
			return false;
	}
}

/*
 * The expression analyzed over its source's columns, or NULL when it does not analyze: it
 * was broken before the statement at hand (a function it calls was dropped with the
 * schema holding it, say), which is not this statement's doing. The source is opened, and
 * locked, before the subtransaction that lets such an error be dropped; any other error is
 * raised again. It is analyzed as the board's owner, who declared it: the role running the
 * DDL may lack USAGE on a schema it names.
 */
static Node *
analyze_quietly(const BoardExpression *e)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Relation	rel = table_open(e->source, AccessShareLock);
	Node	   *node = NULL;
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(e->owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		node = board_analyze_source_expression(rel, e->expr, "expression");
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		SetUserIdAndSecContext(save_userid, save_sec_context);
		if (!is_analysis_error(edata->sqlerrcode))
			ReThrowError(edata);
		FreeErrorData(edata);
		node = NULL;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	SetUserIdAndSecContext(save_userid, save_sec_context);
	table_close(rel, NoLock);
	return node;
}

/* check_functions_in_node callback: adds funcid to the list in *context. */
static bool
note_function(Oid funcid, void *context)
{
	List	  **functions = (List **) context;

	*functions = list_append_unique_oid(*functions, funcid);
	return false;
}

static bool
called_functions_walker(Node *node, List **functions)
{
	if (node == NULL)
		return false;
	(void) check_functions_in_node(node, note_function, functions);
	return expression_tree_walker(node, called_functions_walker, functions);
}

/* The functions an analyzed expression calls anywhere (casts and operators too). */
static List *
called_functions(Node *node)
{
	List	   *functions = NIL;

	(void) called_functions_walker(node, &functions);
	return functions;
}

/* The first of the listed functions that an analyzed expression calls, or InvalidOid. */
static Oid
first_called(Node *node, List *functions)
{
	List	   *called = called_functions(node);
	ListCell   *lc;

	foreach(lc, functions)
		if (list_member_oid(called, lfirst_oid(lc)))
			return lfirst_oid(lc);
	return InvalidOid;
}

/* What a statement at hand drops or moves of the functions board expressions may call. */
typedef struct NamedFunctions
{
	List	   *functions;		/* the functions it drops, renames or moves */
	List	   *schemas_gone;	/* schemas it drops: a board over a table there goes too */
	List	   *owners_gone;	/* roles whose objects it drops: likewise */
} NamedFunctions;

/* The OIDs in the first column of the last SPI query's rows. */
static List *
result_oids(void)
{
	List	   *oids = NIL;
	uint64		i;
	bool		isnull;

	for (i = 0; i < SPI_processed; i++)
		oids = lappend_oid(oids, DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
																SPI_tuptable->tupdesc, 1, &isnull)));
	return oids;
}

/*
 * The OIDs a query gives for the schemas, roles or extensions in containers (the functions
 * they hold, or the extensions a role owns; SPI connected).
 */
static List *
oids_of(const char *query, List *containers)
{
	Datum	   *elems;
	Oid			argtype = OIDARRAYOID;
	Datum		arg;
	ListCell   *lc;
	int			n = 0;

	if (containers == NIL)
		return NIL;
	elems = palloc(sizeof(Datum) * list_length(containers));
	foreach(lc, containers)
		elems[n++] = ObjectIdGetDatum(lfirst_oid(lc));
	arg = PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
	if (SPI_execute_with_args(query, 1, &argtype, &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: could not read what a statement drops");
	return result_oids();
}

static const char *schema_functions_query =
"SELECT p.oid FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) ANY ($1)";
static const char *owned_functions_query =
"SELECT p.oid FROM pg_catalog.pg_proc p WHERE p.proowner OPERATOR(pg_catalog.=) ANY ($1)";
/* the extensions of the roles DROP OWNED drops: their member functions go with them */
static const char *owned_extensions_query =
"SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extowner OPERATOR(pg_catalog.=) ANY ($1)"
" AND e.extname OPERATOR(pg_catalog.<>) 'leaderboard'";
static const char *extension_functions_query =
"SELECT d.objid FROM pg_catalog.pg_depend d"
" WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass"
"  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass"
"  AND d.deptype OPERATOR(pg_catalog.=) 'e' AND d.refobjid OPERATOR(pg_catalog.=) ANY ($1)";

/*
 * An extension the caller owns, by name. Only objects the caller may drop or move are
 * looked at: for any other, PostgreSQL refuses the statement itself, and the refusal here
 * would name boards, their expressions and sources to a role that may not see them.
 */
static void
add_extension(List **extensions, const char *name)
{
	Oid			oid = get_extension_oid(name, true);

	if (OidIsValid(oid) && pg_extension_ownercheck(oid, GetUserId()))
		*extensions = lappend_oid(*extensions, oid);
}

/* A schema the caller owns, by name (see add_extension()). */
static Oid
owned_schema(const char *name)
{
	Oid			oid = get_namespace_oid(name, true);

	return OidIsValid(oid) && pg_namespace_ownercheck(oid, GetUserId()) ? oid : InvalidOid;
}

/* A function the caller owns (see add_extension()). */
static Oid
owned_function(Oid oid)
{
	return OidIsValid(oid) && pg_proc_ownercheck(oid, GetUserId()) ? oid : InvalidOid;
}

/* Whether the statement drops this extension, which takes every board along. */
static bool
drops_leaderboard(Node *parsetree)
{
	ListCell   *lc;

	if (!IsA(parsetree, DropStmt) || ((DropStmt *) parsetree)->removeType != OBJECT_EXTENSION)
		return false;
	foreach(lc, ((DropStmt *) parsetree)->objects)
		if (strcmp(strVal(lfirst(lc)), "leaderboard") == 0)
			return true;
	return false;
}

/*
 * The functions a DROP, RENAME or SET SCHEMA of functions names (user's search_path), and
 * those a DROP SCHEMA, ALTER SCHEMA ... RENAME, DROP OWNED, DROP EXTENSION or ALTER
 * EXTENSION ... SET SCHEMA takes or moves along (SPI connected).
 */
static NamedFunctions
named_functions(Node *parsetree)
{
	NamedFunctions named = {NIL, NIL, NIL};
	List	   *schemas = NIL;
	List	   *extensions = NIL;
	ListCell   *lc;
	Oid			oid;

	if (parsetree == NULL || drops_leaderboard(parsetree))
		return named;
	if (IsA(parsetree, DropStmt))
	{
		DropStmt   *drop = (DropStmt *) parsetree;

		if (drop->removeType == OBJECT_FUNCTION || drop->removeType == OBJECT_ROUTINE)
			foreach(lc, drop->objects)
				if (OidIsValid(oid = owned_function(LookupFuncWithArgs(drop->removeType, lfirst_node(ObjectWithArgs, lc), true))))
					named.functions = lappend_oid(named.functions, oid);
		if (drop->removeType == OBJECT_SCHEMA)
			foreach(lc, drop->objects)
				if (OidIsValid(oid = owned_schema(strVal(lfirst(lc)))))
					named.schemas_gone = schemas = lappend_oid(schemas, oid);
		if (drop->removeType == OBJECT_EXTENSION)
			foreach(lc, drop->objects)
				add_extension(&extensions, strVal(lfirst(lc)));
	}
	else if (IsA(parsetree, RenameStmt))
	{
		RenameStmt *rename = (RenameStmt *) parsetree;

		if ((rename->renameType == OBJECT_FUNCTION || rename->renameType == OBJECT_ROUTINE) &&
			OidIsValid(oid = owned_function(LookupFuncWithArgs(rename->renameType, castNode(ObjectWithArgs, rename->object), true))))
			named.functions = lappend_oid(named.functions, oid);
		if (rename->renameType == OBJECT_SCHEMA && OidIsValid(oid = owned_schema(rename->subname)))
			schemas = lappend_oid(schemas, oid);
	}
	else if (IsA(parsetree, AlterObjectSchemaStmt))
	{
		AlterObjectSchemaStmt *move = (AlterObjectSchemaStmt *) parsetree;

		if ((move->objectType == OBJECT_FUNCTION || move->objectType == OBJECT_ROUTINE) &&
			OidIsValid(oid = owned_function(LookupFuncWithArgs(move->objectType, castNode(ObjectWithArgs, move->object), true))))
			named.functions = lappend_oid(named.functions, oid);
		if (move->objectType == OBJECT_EXTENSION)
			add_extension(&extensions, strVal(move->object));
	}
	else if (IsA(parsetree, DropOwnedStmt))
	{
		foreach(lc, ((DropOwnedStmt *) parsetree)->roles)
			if (OidIsValid(oid = get_rolespec_oid(lfirst(lc), true)) && has_privs_of_role(GetUserId(), oid))
				named.owners_gone = lappend_oid(named.owners_gone, oid);
		named.functions = oids_of(owned_functions_query, named.owners_gone);
		extensions = oids_of(owned_extensions_query, named.owners_gone);
	}
	named.functions = list_concat(named.functions, oids_of(schema_functions_query, schemas));
	named.functions = list_concat(named.functions, oids_of(extension_functions_query, extensions));
	return named;
}

/* Whether the board's source goes with what the statement drops (and the board with it). */
static bool
source_goes_too(const BoardExpression *e, const NamedFunctions *named)
{
	HeapTuple	tup;
	Oid			owner;
	Oid			nsp = get_rel_namespace(e->source);

	if (list_member_oid(named->schemas_gone, nsp))
		return true;
	if (named->owners_gone == NIL)
		return false;
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(e->source));
	if (!HeapTupleIsValid(tup))
		return true;
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	if (list_member_oid(named->owners_gone, owner))
		return true;
	/* DROP OWNED drops the schemas the role owns, and what they hold */
	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	if (!HeapTupleIsValid(tup))
		return true;
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);
	return list_member_oid(named->owners_gone, owner);
}

/* The functions the statement of a ddl_command_end event trigger created or altered. */
static List *
changed_functions(void)
{
	if (SPI_execute(functions_query, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: could not read the functions the statement changed");
	return result_oids();
}

/* The qualified name of a relation, for messages. */
static char *
relation_name(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
}

static void
refuse(const BoardExpression *e, Oid funcid, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
			 errmsg("function %s is read by board \"%s\"", format_procedure(funcid), e->board),
			 errdetail("The board's expression %s over table %s calls it; %s.", e->expr,
					   relation_name(e->source), why),
			 errhint("Drop the board first (leaderboard.drop_board), then declare it again.")));
}

/*
 * ddl_command_start of DROP and ALTER of functions, schemas and extensions, and of DROP
 * OWNED: refuses dropping or moving a function a board's expression calls.
 */
static void
refuse_named_functions(Node *parsetree)
{
	NamedFunctions named = named_functions(parsetree);
	ListCell   *lc;
	int			nestlevel;

	if (named.functions == NIL)
		return;
	nestlevel = writer_context_enter();
	foreach(lc, board_expressions())
	{
		BoardExpression *e = lfirst(lc);
		Node	   *node;
		Oid			called;

		if (source_goes_too(e, &named))
			continue;
		node = analyze_quietly(e);
		if (node != NULL && OidIsValid(called = first_called(node, named.functions)))
			refuse(e, called,
				   IsA(parsetree, DropStmt) || IsA(parsetree, DropOwnedStmt) ?
				   "dropped (by itself, or with its schema, extension or owner), every later write to the table would fail" :
				   "renamed or moved to another schema (by itself, or with its schema or extension), it would no longer be found, and every later write to the table would fail");
	}
	AtEOXact_GUC(false, nestlevel);
}

/* Orders expressions by their source's OID, the order their sources are locked in. */
static int
compare_sources(const ListCell *a, const ListCell *b)
{
	Oid			x = ((const BoardExpression *) lfirst(a))->source;
	Oid			y = ((const BoardExpression *) lfirst(b))->source;

	return x < y ? -1 : x > y ? 1 : 0;
}

/*
 * ddl_command_end of CREATE FUNCTION, ALTER FUNCTION: marks the boards calling a function
 * the statement created or altered for a rebuild at commit.
 */
static void
rebuild_for_changed_functions(void)
{
	List	   *functions = changed_functions();
	List	   *marked = NIL;		/* one expression of each board to rebuild */
	ListCell   *lc;
	int			nestlevel;

	if (functions == NIL)
		return;
	nestlevel = writer_context_enter();
	foreach(lc, board_expressions())
	{
		BoardExpression *e = lfirst(lc);
		Node	   *node = analyze_quietly(e);
		Oid			called = node != NULL ? first_called(node, functions) : InvalidOid;

		if (!OidIsValid(called))
			continue;
		if (contain_mutable_functions(node))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("function %s is read by board \"%s\", whose expressions must be immutable",
							format_procedure(called), e->board),
					 errdetail("The board's expression %s over table %s calls it; not immutable, it would let the standings drift from a recomputation.",
							   e->expr, relation_name(e->source)),
					 errhint("Keep the function IMMUTABLE, or drop the board first (leaderboard.drop_board).")));
		/* the expressions come in board-name order */
		if (marked == NIL || strcmp(((BoardExpression *) llast(marked))->board, e->board) != 0)
			marked = lappend(marked, e);
	}
	AtEOXact_GUC(false, nestlevel);
	/*
	 * The writers of the source in progress counted their rows with the old definition; the
	 * ones after this transaction compile the expressions again (board_statements.c
	 * forgets them when a function changes).
	 */
	list_sort(marked, compare_sources);
	foreach(lc, marked)
	{
		BoardExpression *e = lfirst(lc);

		pending_rebuild_after_writers(e->board, e->source);
	}
}

PG_FUNCTION_INFO_V1(board_functions_ddl);
/*
 * Event trigger at the start of DROP and ALTER FUNCTION and at the end of CREATE and ALTER
 * FUNCTION (see the head of this file). Returns nothing.
 */
Datum
board_functions_ddl(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_functions_ddl() must be called as an event trigger")));
	trigdata = (EventTriggerData *) fcinfo->context;
	SPI_connect();
	if (strcmp(trigdata->event, "ddl_command_start") == 0)
		refuse_named_functions(trigdata->parsetree);
	else if (trigdata->parsetree != NULL &&
			 (IsA(trigdata->parsetree, CreateFunctionStmt) || IsA(trigdata->parsetree, AlterFunctionStmt)))
		rebuild_for_changed_functions();	/* not for a new owner, name or schema */
	SPI_finish();
	PG_RETURN_VOID();
}

/* ---- functions dropped as dependents of a DROP ... CASCADE ---- */

/* A function a board's expression calls, noted at the start of a cascading drop. */
typedef struct WatchedFunction
{
	Oid			funcid;
	BoardExpression expr;
} WatchedFunction;

/*
 * What the start of the cascading drop at hand noted: the functions, and the transaction
 * and subtransaction the statement runs in, so that a note left by a statement that failed
 * before its sql_drop is never read by another one.
 */
static List *watched = NIL;
static MemoryContext watched_cxt = NULL;
static LocalTransactionId watched_lxid = InvalidLocalTransactionId;
static SubTransactionId watched_subxid = InvalidSubTransactionId;

/* Whether the statement can drop objects it does not name (CASCADE). */
static bool
drops_dependents(Node *parsetree)
{
	if (parsetree == NULL || drops_leaderboard(parsetree))
		return false;
	if (IsA(parsetree, DropStmt))
		return ((DropStmt *) parsetree)->behavior == DROP_CASCADE;
	if (IsA(parsetree, DropOwnedStmt))
		return ((DropOwnedStmt *) parsetree)->behavior == DROP_CASCADE;
	return false;
}

/*
 * ddl_command_start of a drop that can take a function along: notes the called functions
 * when it cascades, and drops the note of an earlier statement otherwise.
 */
static void
watch_called_functions(Node *parsetree)
{
	ListCell   *lc;
	int			nestlevel;

	if (watched_cxt == NULL)
		watched_cxt = AllocSetContextCreate(TopMemoryContext, "leaderboard watched functions",
											ALLOCSET_SMALL_SIZES);
	MemoryContextReset(watched_cxt);
	watched = NIL;
	watched_lxid = InvalidLocalTransactionId;
	if (!drops_dependents(parsetree))
		return;
	nestlevel = writer_context_enter();
	foreach(lc, board_expressions())
	{
		BoardExpression *e = lfirst(lc);
		Node	   *node = analyze_quietly(e);
		List	   *functions = called_functions(node);
		ListCell   *fc;
		MemoryContext old = MemoryContextSwitchTo(watched_cxt);

		foreach(fc, functions)
		{
			WatchedFunction *w = palloc(sizeof(WatchedFunction));

			w->funcid = lfirst_oid(fc);
			w->expr.board = pstrdup(e->board);
			w->expr.source = e->source;
			w->expr.expr = pstrdup(e->expr);
			w->expr.owner = e->owner;
			watched = lappend(watched, w);
		}
		MemoryContextSwitchTo(old);
	}
	AtEOXact_GUC(false, nestlevel);
	watched_lxid = MyProc->lxid;
	watched_subxid = GetCurrentSubTransactionId();
}

static const char *dropped_objects_query =
"SELECT d.classid, d.objid, d.object_identity FROM pg_catalog.pg_event_trigger_dropped_objects() d"
" WHERE d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_proc'::pg_catalog.regclass,"
"  'pg_catalog.pg_class'::pg_catalog.regclass]::pg_catalog.oid[])";

/*
 * sql_drop: refuses the statement when it dropped a function noted at its start and the
 * board calling it stays. The board is named only to a role with its owner's rights.
 */
static void
refuse_dropped_functions(void)
{
	List	   *tables = NIL;
	List	   *functions = NIL;
	List	   *identities = NIL;
	ListCell   *lc;
	uint64		i;
	bool		isnull;

	if (watched == NIL || watched_lxid != MyProc->lxid ||
		watched_subxid != GetCurrentSubTransactionId())
		return;
	if (SPI_execute(dropped_objects_query, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: could not read the objects the statement dropped");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		Oid			classid = DatumGetObjectId(SPI_getbinval(row, SPI_tuptable->tupdesc, 1, &isnull));
		Oid			objid = DatumGetObjectId(SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &isnull));

		if (classid == RelationRelationId)
			tables = lappend_oid(tables, objid);
		else
		{
			functions = lappend_oid(functions, objid);
			identities = lappend(identities, SPI_getvalue(row, SPI_tuptable->tupdesc, 3));
		}
	}
	foreach(lc, watched)
	{
		WatchedFunction *w = lfirst(lc);
		int			at = -1;
		ListCell   *fc;

		foreach(fc, functions)
			if (lfirst_oid(fc) == w->funcid)
				at = foreach_current_index(fc);
		if (at < 0 || list_member_oid(tables, w->expr.source))
			continue;
		if (has_privs_of_role(GetUserId(), w->expr.owner))
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("function %s is read by board \"%s\"",
							(char *) list_nth(identities, at), w->expr.board),
					 errdetail("The statement drops it along with what it depends on; the board's expression %s over table %s calls it, and every later write to the table would fail.",
							   w->expr.expr, relation_name(w->expr.source)),
					 errhint("Drop the board first (leaderboard.drop_board), then declare it again.")));
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("function %s is read by a board", (char *) list_nth(identities, at)),
				 errdetail("The statement drops it along with what it depends on; a board's metric or filter calls it, and every later write to its table would fail.")));
	}
	watched = NIL;
	watched_lxid = InvalidLocalTransactionId;
}

PG_FUNCTION_INFO_V1(board_functions_cascade);
/*
 * Event trigger at the start of the drops that can take a function along and at their
 * sql_drop: catches a DROP ... CASCADE that takes a function a board calls along as a
 * dependent. Returns nothing.
 */
Datum
board_functions_cascade(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_functions_cascade() must be called as an event trigger")));
	trigdata = (EventTriggerData *) fcinfo->context;
	if (strcmp(trigdata->event, "ddl_command_start") == 0)
	{
		/* only a cascading drop connects: the others just drop a stale note */
		if (!drops_dependents(trigdata->parsetree))
		{
			watch_called_functions(NULL);
			PG_RETURN_VOID();
		}
		SPI_connect();
		watch_called_functions(trigdata->parsetree);
		SPI_finish();
	}
	else if (watched != NIL)
	{
		SPI_connect();
		refuse_dropped_functions();
		SPI_finish();
	}
	PG_RETURN_VOID();
}
