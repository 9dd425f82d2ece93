/*-------------------------------------------------------------------------
 *
 * ledger_relids.h
 *	  The ledger's relations by OID, and relation names as entries write
 *	  them (ledger_relids.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_LEDGER_RELIDS_H
#define PTX_LEDGER_RELIDS_H

#include "postgres.h"

#include "access/tupdesc.h"

/* OIDs of the ledger's relations, InvalidOid when ptx is absent */
extern Oid	ptx_ledger_entry_relid(bool missing_ok);
extern Oid	ptx_ledger_block_relid(bool missing_ok);
extern Oid	ptx_ledger_seq_relid(bool missing_ok);

/* 0-based position of a ledger table's column; XX001 if it is missing */
extern int	ptx_ledger_column(TupleDesc desc, const char *name);

/* "schema.table" as entries name it, NULL for an unknown OID */
extern char *ptx_ledger_relation_name(Oid relid);

#endif							/* PTX_LEDGER_RELIDS_H */
