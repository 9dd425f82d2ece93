/*-------------------------------------------------------------------------
 *
 * verify_index.h
 *	  The sealer's lookup indexes against the sealed entries
 *	  (verify_index.c).
 *
 * The module has no C interface: ptx.verify_index_compare(), the SQL
 * function it defines, is called by ptx.verify_index() (30_ledger_index.sql).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_VERIFY_INDEX_H
#define PTX_VERIFY_INDEX_H

#include "postgres.h"

#include "fmgr.h"

extern Datum ptx_verify_index_compare(PG_FUNCTION_ARGS);

#endif							/* PTX_VERIFY_INDEX_H */
