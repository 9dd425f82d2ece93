/*-------------------------------------------------------------------------
 *
 * ledger_insert.h
 *	  Writing one ledger entry (ledger_insert.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_LEDGER_INSERT_H
#define PTX_LEDGER_INSERT_H

#include "postgres.h"

#include "ledger.h"

/*
 * Writes one entry in the current transaction; returns its seq.  operation
 * is INSERT, UPDATE, DELETE, SNAPSHOT or EVENT; kind is the event kind
 * (NULL for rows).
 */
extern int64 ptx_ledger_write_entry(const char *operation, const char *kind,
									const char *relation, PtxLedgerText key,
									PtxLedgerText image, bool has_project_id,
									int64 project_id);

#endif							/* PTX_LEDGER_INSERT_H */
