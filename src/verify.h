/*-------------------------------------------------------------------------
 *
 * verify.h
 *	  Verification of the ledger (verify.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_VERIFY_H
#define PTX_VERIFY_H

#include "postgres.h"

/* defines the verifier's settings; from _PG_init() */
extern void ptx_verify_init(void);

#endif							/* PTX_VERIFY_H */
