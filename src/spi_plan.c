/*-------------------------------------------------------------------------
 *
 * spi_plan.c
 *	  Plans of SPI queries prepared once per backend and kept.
 *
 * The modules that run fixed queries through SPI (the lifecycle machine,
 * the sealer) keep one plan per query in a static array and get it here.
 * A kept plan whose tables are dropped (DROP EXTENSION) or altered is
 * analysed again from its text by the plan cache when next used.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"

#include "ptx.h"
#include "spi_plan.h"

SPIPlanPtr
ptx_spi_plan(SPIPlanPtr *cache, const char *sql, int nargs,
			 const Oid *argtypes, const char *what)
{
	if (*cache == NULL)
	{
		SPIPlanPtr	plan;

		plan = SPI_prepare(sql, nargs, (Oid *) argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for %s: %s", what,
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed for %s", what);
		*cache = plan;
	}
	return *cache;
}
