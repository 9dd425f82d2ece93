/*-------------------------------------------------------------------------
 *
 * seal.h
 *	  Sealing ledger entries into hash-chained blocks (seal.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_SEAL_H
#define PTX_SEAL_H

#include "postgres.h"

/* seals what can no longer change; returns the number of blocks written */
extern int64 ptx_ledger_seal(bool baseline);

/* the baseline of freshly tracked tables, in a transaction of its own */
extern int64 ptx_ledger_baseline(void);

/* a share lock on the extension object; false when ptx is not installed */
extern bool ptx_ledger_lock_extension(void);

/* defines ptx.block_max_entries and ptx.seal_max_lag; from _PG_init() */
extern void ptx_ledger_init(void);

#endif							/* PTX_SEAL_H */
