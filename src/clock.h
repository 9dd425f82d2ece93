/*-------------------------------------------------------------------------
 *
 * clock.h
 *	  The business clock ptx.now() (clock.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_CLOCK_H
#define PTX_CLOCK_H

#include "postgres.h"

#include "utils/timestamp.h"

/* now(), or ptx.fake_now when a superuser has set it */
extern TimestampTz ptx_now(void);

/* defines ptx.fake_now; called from _PG_init() */
extern void ptx_clock_init(void);

#endif							/* PTX_CLOCK_H */
