/*
 * board_current_top.c: leaderboard._current_top(view, partition values, period, n), what
 * the planner puts in place of a board's current view for the top of one of its scopes
 * (board_current_plan.c): the scope's rows ranked n or better, best first from the score
 * index (board_top.c), then its unqualified ones while fewer than n went out. The scope is
 * found by the id the backend found it by before, when it did.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"

#include "board_current_view.h"
#include "board_reads.h"

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

	if (board_may_read(cv->standings) && board_may_read(cv->scopes))
		return;
	if (pg_class_aclcheck(cv->view, GetUserId(), ACL_SELECT) == ACLCHECK_OK && board_view_is_boards(cv))
	{
		Oid			as = board_view_reader(cv->view);

		if (board_may_read_as(cv->standings, as) && board_may_read_as(cv->scopes, as))
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
	BoardTopRead read = {0};
	CurrentView *cv;
	text	   *kind;
	int			kind_index;
	HeapTupleHeader part;
	DateADT		start;
	ScopeKey	key;
	bool		keyed;
	ScopeId    *remembered;
	bool		by_remembered_id;
	int64		remembered_id = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the view of leaderboard._current_top must not be NULL")));
	cv = board_current_view(PG_GETARG_OID(0));
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
	kind_index = board_period_kind(kind);
	read.n = PG_ARGISNULL(3) ? PG_INT64_MAX : PG_GETARG_INT64(3);
	if (kind_index < 0 || read.n <= 0)
		PG_RETURN_NULL();
	read.with_unqualified = true;
	read.out = rsinfo->setResult;
	part = PG_ARGISNULL(1) ? NULL : PG_GETARG_HEAPTUPLEHEADER(1);
	start = board_current_period_start(kind, cstring_to_text(cv->time_zone));
	keyed = scope_key(&key, cv->view, kind_index, start, part);
	/* the id, not the entry: what runs before the read may change the memory */
	remembered = keyed ? remembered_scope(&key) : NULL;
	by_remembered_id = remembered != NULL;
	if (by_remembered_id)
		remembered_id = remembered->scope_id;
	check_reader(cv);
	if (by_remembered_id)
	{
		read.scope_id = remembered_id;
		read.ranks_stored = read.row_number;
	}
	else if (!look_up_scope(cv, kind, start, part, &read))
		PG_RETURN_NULL();
	else if (keyed)
		remember_scope(&key, read.scope_id);
	board_begin_top(&read, table_open(cv->standings, AccessShareLock), cv->agent_column, rsinfo->setDesc);
	board_read_top(&read);
	/* no row under the remembered id: the scope has another one now, or none */
	if (by_remembered_id && read.rows_read == 0)
	{
		forget_scope(&key);
		if (look_up_scope(cv, kind, start, part, &read) && read.scope_id != remembered_id)
		{
			remember_scope(&key, read.scope_id);
			board_read_top(&read);
		}
	}
	board_end_top(&read);
	PG_RETURN_NULL();
}
