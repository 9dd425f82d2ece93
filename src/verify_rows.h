/*-------------------------------------------------------------------------
 *
 * verify_rows.h
 *	  Comparison of tracked tables with their last ledger images
 *	  (verify_rows.c).
 *
 * The module has no C interface: ptx.verify_rows_compare(), the SQL
 * function it defines, is called by ptx.verify_rows() (31_ledger_api.sql).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_VERIFY_ROWS_H
#define PTX_VERIFY_ROWS_H

#include "postgres.h"

#include "fmgr.h"

extern Datum ptx_verify_rows_compare(PG_FUNCTION_ARGS);

#endif							/* PTX_VERIFY_ROWS_H */
