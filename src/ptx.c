/*-------------------------------------------------------------------------
 *
 * ptx.c
 *	  Module entry point and the business clock ptx.now().
 *
 * ptx.now() is now(), unless the superuser-only setting ptx.fake_now holds
 * a timestamp: tests and the demo use it to let weeks pass.  The ledger
 * records both clocks, so a faked clock never hides the real one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "ptx.h"
#include "ledger.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static char *ptx_fake_now = NULL;

/* cache of the parsed value of ptx.fake_now */
static TimestampTz fake_now_value = 0;
static bool fake_now_set = false;

static bool
check_fake_now(char **newval, void **extra, GucSource source pg_attribute_unused())
{
	TimestampTz value = 0;
	TimestampTz *parsed;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;

	PG_TRY();
	{
		value = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
														CStringGetDatum(*newval),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	}
	PG_CATCH();
	{
		FlushErrorState();
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("invalid value for ptx.fake_now: \"%s\"", *newval);
		GUC_check_errhint("Give a timestamp with time zone, or an empty string for the real clock.");
		return false;
	}
	PG_END_TRY();

	if (TIMESTAMP_NOT_FINITE(value))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("ptx.fake_now must be a finite timestamp");
		return false;
	}
	parsed = (TimestampTz *) ptx_guc_extra_alloc(sizeof(TimestampTz));
	if (parsed == NULL)
		return false;
	*parsed = value;
	*extra = parsed;
	return true;
}

static void
assign_fake_now(const char *newval pg_attribute_unused(), void *extra)
{
	if (extra != NULL)
	{
		fake_now_value = *(TimestampTz *) extra;
		fake_now_set = true;
	}
	else
		fake_now_set = false;
}

void
ptx_clock_init(void)
{
	DefineCustomStringVariable("ptx.fake_now",
							   "Business clock used by ptx.now() instead of now(), for tests and demos.",
							   "Empty means the real transaction time.  Only superusers may set it.",
							   &ptx_fake_now,
							   "",
							   PGC_SUSET,
							   0,
							   check_fake_now,
							   assign_fake_now,
							   NULL);
}

TimestampTz
ptx_now(void)
{
	if (fake_now_set)
		return fake_now_value;
	return GetCurrentTransactionStartTimestamp();
}

PG_FUNCTION_INFO_V1(ptx_now_sql);

Datum
ptx_now_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(ptx_now());
}

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
