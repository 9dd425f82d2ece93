/*-------------------------------------------------------------------------
 *
 * clock.c
 *	  The business clock ptx.now().
 *
 * ptx.now() is now(), unless the superuser-only setting ptx.fake_now holds
 * a timestamp: tests and the demo use it to let weeks pass.  The ledger
 * records both clocks, so a faked clock never hides the real one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "ptx.h"
#include "clock.h"

static char *ptx_fake_now = NULL;

/* the parsed value of ptx.fake_now */
static TimestampTz fake_now_value = 0;
static bool fake_now_set = false;

/*
 * Parses the value without throwing, as check_recovery_target_time() does:
 * a GUC check hook reports a bad value by returning false, and must not
 * leave an error to be swallowed.
 */
static bool
check_fake_now(char **newval, void **extra, GucSource source pg_attribute_unused())
{
	char	   *str = *newval;
	fsec_t		fsec;
	struct pg_tm tt,
			   *tm = &tt;
	int			tz;
	int			dtype;
	int			nf;
	int			dterr;
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	TimestampTz timestamp;
	TimestampTz *parsed;

	if (str == NULL || str[0] == '\0')
		return true;

	dterr = ParseDateTime(str, workbuf, sizeof(workbuf),
						  field, ftype, MAXDATEFIELDS, &nf);
	if (dterr == 0)
		dterr = ptx_decode_datetime(field, ftype, nf, &dtype, tm, &fsec, &tz);
	if (dterr != 0)
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("invalid value for ptx.fake_now: \"%s\"", str);
		GUC_check_errhint("Give a timestamp with time zone, or an empty string for the real clock.");
		return false;
	}
	if (dtype != DTK_DATE)
	{
		/* infinity, -infinity, epoch handled as special values */
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("ptx.fake_now must be a finite timestamp");
		return false;
	}
	if (tm2timestamp(tm, fsec, &tz, &timestamp) != 0 ||
		!IS_VALID_TIMESTAMP(timestamp))
	{
		GUC_check_errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE);
		GUC_check_errmsg("ptx.fake_now is out of range: \"%s\"", str);
		return false;
	}

	parsed = (TimestampTz *) ptx_guc_extra_alloc(sizeof(TimestampTz));
	if (parsed == NULL)
		return false;
	*parsed = timestamp;
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
