/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  The sealing background workers (worker.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_WORKER_H
#define PTX_WORKER_H

#include "postgres.h"

#include "fmgr.h"

/* registers the launcher and its settings; from _PG_init() */
extern void ptx_seal_worker_init(void);

/* entry points of the background workers */
extern PGDLLEXPORT void ptx_seal_launcher_main(Datum main_arg);
extern PGDLLEXPORT void ptx_seal_worker_main(Datum main_arg);

#endif							/* PTX_WORKER_H */
