/*
 * board_ddl.c: what an ALTER TABLE did, as its ddl_command_end event trigger sees it.
 *
 * pg_event_trigger_ddl_commands() hands each command over as a pg_ddl_command, which only
 * C can read. An ALTER TABLE records every subcommand it ran on every table, with the
 * object it changed: a type change on a partitioned or inherited table records one per
 * table of the tree, each with that table's column.
 */
#include "postgres.h"

#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "tcop/deparse_utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* The names of the columns of relid whose type the command changed (ALTER COLUMN TYPE). */
static ArrayType *
retyped_columns(CollectedCommand *cmd, Oid relid)
{
	Datum	   *names;
	int			n = 0;
	ListCell   *lc;

	if (cmd->type != SCT_AlterTable)
		return construct_empty_array(NAMEOID);
	names = palloc(sizeof(Datum) * Max(list_length(cmd->d.alterTable.subcmds), 1));
	foreach(lc, cmd->d.alterTable.subcmds)
	{
		CollectedATSubcmd *sub = lfirst(lc);

		if (IsA(sub->parsetree, AlterTableCmd) &&
			((AlterTableCmd *) sub->parsetree)->subtype == AT_AlterColumnType &&
			sub->address.classId == RelationRelationId &&
			sub->address.objectId == relid && sub->address.objectSubId > 0)
		{
			Name		name = palloc0(NAMEDATALEN);

			namestrcpy(name, get_attname(relid, sub->address.objectSubId, false));
			names[n++] = NameGetDatum(name);
		}
	}
	return construct_array(names, n, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR);
}

PG_FUNCTION_INFO_V1(board_retyped_columns);
/* Returns the columns of a table whose type a collected DDL command changed. */
Datum
board_retyped_columns(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(retyped_columns((CollectedCommand *) PG_GETARG_POINTER(0),
										  PG_GETARG_OID(1)));
}
