/*
 * board_key_types.c: whether equal values of a type are one value, as boards name them.
 *
 * A board names each scope by the text of its partition values, and goals name agents by
 * text: a type whose default btree equality holds between values of different bytes
 * (numeric 1.0 and 1.00, citext 'North' and 'north', float 0 and -0) would give one
 * partition value several names, and split its calls over several scopes. A btree
 * operator class says whether its equality means identical values through its optional
 * equalimage support function (the one B-tree deduplication asks), which knows every
 * type, those of extensions too, better than any list.
 */
#include "postgres.h"

#include "access/nbtree.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(board_equal_means_identical);
/*
 * _equal_means_identical(t regtype) → boolean: whether values of t that its default
 * btree operator class finds equal are always identical (its equalimage function says
 * so, in the type's own collation); NULL when t has no default btree operator class, or
 * is no type.
 * For a base type: the caller looks through domains, arrays, ranges and composites.
 */
Datum
board_equal_means_identical(PG_FUNCTION_ARGS)
{
	Oid			type = PG_GETARG_OID(0);
	Oid			opclass;
	Oid			opcintype;
	Oid			equalimage;

	/* no such type: nothing to say */
	if (!SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(type)))
		PG_RETURN_NULL();
	opclass = GetDefaultOpClass(type, BTREE_AM_OID);
	if (!OidIsValid(opclass))
		PG_RETURN_NULL();
	opcintype = get_opclass_input_type(opclass);
	equalimage = get_opfamily_proc(get_opclass_family(opclass), opcintype, opcintype,
								   BTEQUALIMAGE_PROC);
	if (!OidIsValid(equalimage))
		PG_RETURN_BOOL(false);
	PG_RETURN_DATUM(OidFunctionCall1Coll(equalimage, get_typcollation(type),
										 ObjectIdGetDatum(opcintype)));
}
