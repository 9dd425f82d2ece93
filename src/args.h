/*-------------------------------------------------------------------------
 *
 * args.h
 *	  Checks of the array and seed arguments of ptx's C functions (args.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_ARGS_H
#define PTX_ARGS_H

#include "postgres.h"

#include "utils/array.h"

/*
 * The elements of a one-dimensional array of elemtype.  what names the
 * argument in errors.  With nulls NULL, a NULL element is refused (22004);
 * otherwise *nulls receives the null flags.
 */
extern Datum *ptx_array_elements(ArrayType *arr, Oid elemtype, const char *what,
								 int *n, bool **nulls);

/* the elements of a bigint[] without NULLs, as int64, in array order */
extern int64 *ptx_array_int64(ArrayType *arr, const char *what, int *n);

/* a draw seed: at least 16 bytes (22023) */
extern void ptx_check_seed(const bytea *seed);

#endif							/* PTX_ARGS_H */
