/*-------------------------------------------------------------------------
 *
 * args.c
 *	  Checks of the array and seed arguments of ptx's C functions, shared by
 *	  the draws (draw.c, draw_exec.c) and the inspection sampler
 *	  (inspect.c), so that the same bad argument gets the same error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "ptx.h"
#include "args.h"

Datum *
ptx_array_elements(ArrayType *arr, Oid elemtype, const char *what, int *n, bool **nulls)
{
	Datum	   *elems;
	bool	   *isnull;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (ARR_ELEMTYPE(arr) != elemtype)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be an array of %s", what, format_type_be(elemtype))));
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, elemtype, typlen, typbyval, typalign, &elems, &isnull, n);
	if (nulls != NULL)
		*nulls = isnull;
	else
	{
		int			i;

		for (i = 0; i < *n; i++)
			if (isnull[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("%s cannot contain NULL", what)));
	}
	return elems;
}

int64 *
ptx_array_int64(ArrayType *arr, const char *what, int *n)
{
	Datum	   *elems = ptx_array_elements(arr, INT8OID, what, n, NULL);
	int64	   *ids = palloc(sizeof(int64) * Max(*n, 1));
	int			i;

	for (i = 0; i < *n; i++)
		ids[i] = DatumGetInt64(elems[i]);
	pfree(elems);
	return ids;
}

void
ptx_check_seed(const bytea *seed)
{
	if (VARSIZE_ANY_EXHDR(seed) < 16)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a draw seed must have at least 16 bytes"),
				 errdetail("The seed has %d bytes; draws use 32 bytes from pg_strong_random().",
						   (int) VARSIZE_ANY_EXHDR(seed))));
}
