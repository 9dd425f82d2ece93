/*-------------------------------------------------------------------------
 *
 * spi_plan.h
 *	  Plans of SPI queries prepared once per backend and kept (spi_plan.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_SPI_PLAN_H
#define PTX_SPI_PLAN_H

#include "postgres.h"

#include "executor/spi.h"

/*
 * The kept plan of a query, prepared on first use into *cache.  Call between
 * SPI_connect() and SPI_finish().  what names the query in errors.
 */
extern SPIPlanPtr ptx_spi_plan(SPIPlanPtr *cache, const char *sql, int nargs,
							   const Oid *argtypes, const char *what);

#endif							/* PTX_SPI_PLAN_H */
