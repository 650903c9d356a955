/*
 * board_enums.c: an enum value renamed under a board's partition column.
 *
 * A board names each scope by a text key made from its partition values (the scopes'
 * scope_key), so ALTER TYPE ... RENAME VALUE of an enum that a partition column holds would
 * give the calls written after it a second scope beside the one holding the earlier calls
 * of the same value, silently. An event trigger at the end of ALTER TYPE marks each such
 * board for a rebuild from its source at commit, which makes every key again. It first
 * waits for the source's writers in progress, whose keys hold the old label, and keeps new
 * ones out until the rename commits.
 *
 * C rather than PL/pgSQL, as in board_partitions.c: marking a board needs no SQL-callable
 * function that anyone could call to have another owner's board rebuilt.
 */
#include "postgres.h"

#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "utils/guc.h"

#include "board_context.h"
#include "board_pending.h"

/*
 * The boards with a partition column of the enum type the statement altered: the enum
 * itself, or a type built on it through domains, arrays, ranges, multiranges and
 * composite types, to any depth.
 */
static const char *boards_query =
"SELECT DISTINCT b.name, b.source::pg_catalog.oid FROM leaderboard.boards b"
" CROSS JOIN LATERAL pg_catalog.unnest(b.partition_by) AS p(col)"
" JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) b.source"
"  AND a.attname OPERATOR(pg_catalog.=) p.col"
" CROSS JOIN LATERAL leaderboard._type_parts(a.atttypid::pg_catalog.regtype) AS parts(typ)"
" WHERE parts.typ::pg_catalog.oid IN (SELECT c.objid FROM pg_catalog.pg_event_trigger_ddl_commands() c"
"  WHERE c.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass)"
" ORDER BY 2, 1";

PG_FUNCTION_INFO_V1(board_enum_renamed);
/* Event trigger at the end of ALTER TYPE (see the head of this file). Returns nothing. */
Datum
board_enum_renamed(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	int			nestlevel;
	uint64		n;
	uint64		i;
	char	  **boards;
	Oid		   *sources;
	bool		isnull;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("board_enum_renamed() must be called as an event trigger")));
	trigdata = (EventTriggerData *) fcinfo->context;
	/* ADD VALUE changes no label a scope key holds */
	if (trigdata->parsetree == NULL || !IsA(trigdata->parsetree, AlterEnumStmt) ||
		((AlterEnumStmt *) trigdata->parsetree)->oldVal == NULL)
		PG_RETURN_VOID();

	SPI_connect();
	nestlevel = writer_context_enter();
	if (SPI_execute(boards_query, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: could not look up the boards partitioned by the enum");
	n = SPI_processed;
	boards = palloc(sizeof(char *) * Max(n, 1));
	sources = palloc(sizeof(Oid) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		boards[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		sources[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}
	AtEOXact_GUC(false, nestlevel);
	/*
	 * the rows are read first: queueing the apply runs a statement of its own; sources are
	 * locked in OID order, as board_functions.c locks them
	 */
	for (i = 0; i < n; i++)
		pending_rebuild_after_writers(boards[i], sources[i]);
	SPI_finish();
	PG_RETURN_VOID();
}
