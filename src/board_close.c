/*
 * board_close.c: what close_periods() needs beyond SQL.
 *
 * close_periods() holds a board's scopes table in EXCLUSIVE mode while it records the
 * periods it closes and their winners, so no writer changes them meanwhile. Under READ
 * COMMITTED each of its statements then reads everything committed before the lock.
 * Under REPEATABLE READ or SERIALIZABLE it reads its transaction's snapshot, which may
 * predate a writer that committed into a closing scope: the close would freeze that
 * writer's rows without counting them in its winners, or miss a scope the writer created.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

/*
 * The text of the first column of the one row a query returns, read with a snapshot;
 * NULL for a NULL or no row. Runs inside SPI.
 */
static char *
query_result(const char *query, Snapshot snapshot)
{
	SPIPlanPtr	plan = SPI_prepare(query, 0, NULL);

	if (plan == NULL)
		elog(ERROR, "leaderboard: could not prepare \"%s\"", query);
	if (SPI_execute_snapshot(plan, NULL, NULL, snapshot, InvalidSnapshot, true, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "leaderboard: \"%s\" is not a query", query);
	return SPI_processed == 1 ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : NULL;
}

PG_FUNCTION_INFO_V1(board_check_snapshot_current);
/*
 * _check_snapshot_current(board, query): under REPEATABLE READ or SERIALIZABLE, raises
 * 40001 when the query (a digest of the rows a close reads, run as the caller) gives
 * another result with the latest snapshot than with the transaction's; returns nothing.
 * Under READ COMMITTED the statements after the lock read the latest rows anyway.
 */
Datum
board_check_snapshot_current(PG_FUNCTION_ARGS)
{
	char	   *board = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *seen;
	char	   *latest;
	Snapshot	snapshot;

	if (!IsolationUsesXactSnapshot())
		PG_RETURN_VOID();
	SPI_connect();
	seen = query_result(query, GetTransactionSnapshot());
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	latest = query_result(query, snapshot);
	UnregisterSnapshot(snapshot);
	if ((seen == NULL) != (latest == NULL) || (seen != NULL && strcmp(seen, latest) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent change of board \"%s\"",
						board),
				 errdetail("A transaction this transaction's snapshot does not see changed the periods being closed."),
				 errhint("The transaction might succeed if retried.")));
	SPI_finish();
	PG_RETURN_VOID();
}
