/*
 * board_context.c: the security and planner context board maintenance runs in.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "jit/jit.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "parser/parser.h"
#include "pgtime.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/guc.h"
#include "utils/builtins.h"
#include "utils/bytea.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/xml.h"

#include "board_context.h"
#include "board_settings.h"

/* Sets a setting until the GUC nest level in force is closed. */
static void
pin_setting(const char *name, const char *value)
{
	(void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
}

/*
 * pin_setting(), unless the setting already has the value (read from the variable the
 * setting sets): a set costs a lookup by name, a parse and a check hook, and this runs
 * twice a writing transaction. A change made inside the nest level is undone when it
 * closes either way.
 */
static void
pin_unless(bool already, const char *name, const char *value)
{
	if (!already)
		pin_setting(name, value);
}

/* search_path, pinned for what runs as the owner or, for the catalog lookups, the writer */
static void
pin_search_path(void)
{
	pin_unless(namespace_search_path != NULL &&
			   strcmp(namespace_search_path, "pg_catalog, pg_temp") == 0,
			   "search_path", "pg_catalog, pg_temp");
}

/*
 * Becomes the board owner in a restricted security context with search_path and the
 * settings that shape text keys pinned. Every reference in the generated SQL is
 * schema-qualified anyway; the pinned path keeps functions the owner did not write out of
 * reach of name resolution. standard_conforming_strings is pinned because the statements
 * are parsed here, with the owner's metric and filter expressions in them: the writer's
 * setting would change what a backslash in the owner's string literals means; array_nulls,
 * xmlbinary and xmloption likewise what the owner's literals and xml values mean.
 */
void
owner_context_enter(OwnerContext *ctx, Oid owner)
{
	GetUserIdAndSecContext(&ctx->save_userid, &ctx->save_sec_context);
	SetUserIdAndSecContext(owner, ctx->save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	ctx->save_nestlevel = NewGUCNestLevel();
	pin_search_path();
	pin_unless(DateStyle == USE_ISO_DATES && DateOrder == DATEORDER_YMD, "DateStyle", "ISO, YMD");
	pin_unless(IntervalStyle == INTSTYLE_POSTGRES, "IntervalStyle", "postgres");
	pin_unless(session_timezone != NULL &&
			   strcmp(pg_get_timezone_name(session_timezone), "UTC") == 0, "TimeZone", "UTC");
	pin_unless(extra_float_digits == 1, "extra_float_digits", "1");
	pin_unless(bytea_output == BYTEA_OUTPUT_HEX, "bytea_output", "hex");
	pin_unless(standard_conforming_strings, "standard_conforming_strings", "on");
	/* what an array literal's NULL and an xml value's binary data mean in the owner's expressions */
	pin_unless(Array_nulls, "array_nulls", "on");
	pin_unless(xmlbinary == XMLBINARY_BASE64, "xmlbinary", "base64");
	pin_unless(xmloption == XMLOPTION_CONTENT, "xmloption", "content");
	/* compiling these short statements costs more than it saves */
	pin_unless(!jit_enabled, "jit", "off");
}

/* Planner settings for the cached small-batch plans (reset by owner_context_exit). */
void
prefer_index_lookups(void)
{
	pin_unless(!enable_seqscan, "enable_seqscan", "off");
	pin_unless(!enable_hashjoin, "enable_hashjoin", "off");
	pin_unless(!enable_mergejoin, "enable_mergejoin", "off");
}

void
owner_context_exit(OwnerContext *ctx)
{
	AtEOXact_GUC(false, ctx->save_nestlevel);
	SetUserIdAndSecContext(ctx->save_userid, ctx->save_sec_context);
}

/*
 * Pins search_path for what runs as the writing user (the catalog lookup, the sentinel
 * insert) until AtEOXact_GUC(false, <returned level>).
 * Resolved through the writer's own search_path, an operator of the catalog lookup could
 * be a function of the writer's, answering for the catalog.
 */
int
writer_context_enter(void)
{
	int			nestlevel = NewGUCNestLevel();

	pin_search_path();
	return nestlevel;
}

/*
 * Internal functions given a relation by OID check, before they open it, that the caller
 * may read it, as PostgreSQL checks a named relation before locking it: taking even an
 * ACCESS SHARE lock first would let a role with no right to the table queue behind (and
 * block) its owner's ALTER TABLE. The checks read the syscache only; a relation dropped
 * after them fails to open.
 */
void
require_select_privilege(Oid relid)
{
	AclResult	aclresult;

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	aclresult = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, get_relkind_objtype(get_rel_relkind(relid)),
					   get_rel_name(relid));
}

/*
 * Row-level security on a board's source: the triggers count every row (transition tables
 * bypass it), and a recomputation the policies filter for the current user would silently
 * drop the rows they hide (the owner is subject to them under FORCE ROW LEVEL SECURITY,
 * or once the table has another owner). verify(), rebuild() and the commit-time
 * recomputations refuse instead.
 */
void
require_source_unfiltered(Oid source, const char *board)
{
	if (check_enable_rls(source, InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("row-level security hides rows of table %s from the owner of board \"%s\"",
						quote_qualified_identifier(get_namespace_name(get_rel_namespace(source)),
												   get_rel_name(source)), board),
				 errdetail("The board counts every row its triggers see; recomputing it from the rows the policies let its owner read would drop the others."),
				 errhint("Give the board's owner BYPASSRLS, or turn FORCE ROW LEVEL SECURITY off for the table its owner owns.")));
}

PG_FUNCTION_INFO_V1(board_require_source_unfiltered);
/* _require_source_unfiltered(board row): require_source_unfiltered() for verify() and rebuild(). */
Datum
board_require_source_unfiltered(PG_FUNCTION_ARGS)
{
	HeapTupleHeader board = PG_GETARG_HEAPTUPLEHEADER(0);
	bool		isnull;
	Datum		source = GetAttributeByName(board, "source", &isnull);
	Datum		name = GetAttributeByName(board, "name", &isnull);

	require_source_unfiltered(DatumGetObjectId(source), TextDatumGetCString(name));
	PG_RETURN_VOID();
}

/* Large batches group and sort their pending groups in memory rather than on disk. */
void
allow_large_batch_memory(void)
{
	char		value[32];

	snprintf(value, sizeof(value), "%dkB", board_large_batch_work_mem);
	pin_setting("work_mem", value);
}

Tuplestorestate *
register_rows(const char *name, TupleDesc desc, HeapTuple *rows, uint64 nrows)
{
	EphemeralNamedRelation enr = palloc0(sizeof(EphemeralNamedRelationData));
	Tuplestorestate *ts = tuplestore_begin_heap(false, false, work_mem);
	uint64		i;

	for (i = 0; i < nrows; i++)
		tuplestore_puttuple(ts, rows[i]);
	enr->md.name = pstrdup(name);
	enr->md.reliddesc = InvalidOid;
	enr->md.tupdesc = CreateTupleDescCopy(desc);
	enr->md.enrtype = ENR_NAMED_TUPLESTORE;
	enr->md.enrtuples = nrows;
	enr->reldata = ts;
	if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER)
		elog(ERROR, "leaderboard: could not register %s", name);
	return ts;
}

Snapshot
register_own_writes_snapshot(void)
{
	Snapshot	snapshot;

	CommandCounterIncrement();
	PushCopiedSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	snapshot = RegisterSnapshot(GetActiveSnapshot());
	PopActiveSnapshot();
	return snapshot;
}
