/*-------------------------------------------------------------------------
 *
 * ptx.c
 *	  Module entry point: each module defines its settings, and the sealing
 *	  workers are registered.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "ptx.h"
#include "clock.h"
#include "seal.h"
#include "verify.h"
#include "worker.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	pg_bindtextdomain(TEXTDOMAIN);
	ptx_clock_init();
	ptx_ledger_init();
	ptx_verify_init();
	ptx_seal_worker_init();
	MarkGUCPrefixReserved("ptx");
}
