/*-------------------------------------------------------------------------
 *
 * autonomous.h
 *	  Statements run and committed in a transaction of their own, by a
 *	  dynamic background worker acting for the caller (DESIGN.md §11.1,
 *	  §11.2): a draw's execution and the record of a read of secret data
 *	  survive the caller's rollback.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_AUTONOMOUS_H
#define PTX_AUTONOMOUS_H

#include "postgres.h"

/*
 * Runs one SQL statement in a new background worker connected to the
 * caller's database as the caller (session user, current user and security
 * context, settings), commits it and waits for it.  Returns the first
 * column of the first row as text, or NULL (*isnull) when there is none.
 * The worker's errors and notices are raised in the caller as they were.
 */
extern text *ptx_autonomous_run(const char *sql, bool *isnull);

/* true in a worker started by ptx_autonomous_run */
extern bool ptx_in_autonomous_worker(void);

/* the worker's entry point, named in the worker's registration */
extern PGDLLEXPORT void ptx_autonomous_main(Datum main_arg);

#endif							/* PTX_AUTONOMOUS_H */
