/*-------------------------------------------------------------------------
 *
 * canonical.c
 *	  The canonical session settings of ledger row images.
 *
 * A row image is to_jsonb(row)::text.  Most types print the same whatever
 * the session's settings, but some do not: timestamptz (TimeZone), float4
 * and float8 (extra_float_digits), interval (IntervalStyle), bytea
 * (bytea_output), money (lc_monetary), and anything printed by an output
 * function inside a range, a composite, a domain or an array (DateStyle,
 * and all the above).  The capture trigger (ledger.c) and the snapshot
 * render images under the values below, and ptx.verify_rows() renders the
 * current rows under the same ones (its SET clauses; sql/ledger_settings.sql
 * checks that they are this list, through ptx.ledger_canonical_settings()).
 *
 * The settings are changed through the GUC API as postgres_fdw's
 * set_transmission_modes() does: a new nest level, set_config_option()
 * with GUC_ACTION_SAVE, and AtEOXact_GUC() to return to the caller's
 * values.  Only settings that the relation's columns depend on and that
 * differ from their canonical value are set, so that the usual case (a
 * table of integers, text and timestamps, or a session with the default
 * settings) costs a string comparison per setting at most.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "ptx.h"
#include "canonical.h"

typedef struct CanonicalSetting
{
	int			bit;
	const char *name;
	const char *value;
} CanonicalSetting;

static const CanonicalSetting canonical_settings[] = {
	{PTX_CANON_DATESTYLE, "DateStyle", "ISO, MDY"},
	{PTX_CANON_INTERVALSTYLE, "IntervalStyle", "postgres"},
	{PTX_CANON_TIMEZONE, "TimeZone", "UTC"},
	{PTX_CANON_FLOAT_DIGITS, "extra_float_digits", "1"},
	{PTX_CANON_BYTEA_OUTPUT, "bytea_output", "hex"},
	{PTX_CANON_LC_MONETARY, "lc_monetary", "C"},
};

#define NUM_CANONICAL_SETTINGS ((int) lengthof(canonical_settings))

int
ptx_canonical_mask_for_type(Oid typid)
{
	switch (typid)
	{
			/* printed the same under any setting (jsonb's own encoding) */
		case BOOLOID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case NUMERICOID:
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case NAMEOID:
		case CHAROID:
		case UUIDOID:
		case JSONOID:
		case JSONBOID:
		case INETOID:
		case CIDROID:
		case DATEOID:
		case TIMESTAMPOID:
			return 0;
		case TIMESTAMPTZOID:
			return PTX_CANON_TIMEZONE;
		case FLOAT4OID:
		case FLOAT8OID:
			return PTX_CANON_FLOAT_DIGITS;
		case INTERVALOID:
			return PTX_CANON_INTERVALSTYLE;
		case BYTEAOID:
			return PTX_CANON_BYTEA_OUTPUT;
		case CASHOID:
			return PTX_CANON_LC_MONETARY;
		case TIMEOID:
		case TIMETZOID:
			return PTX_CANON_DATESTYLE | PTX_CANON_TIMEZONE;
		default:
			/* ranges, composites, domains, arrays, types of extensions */
			return PTX_CANON_ALL;
	}
}

int
ptx_canonical_begin(int mask)
{
	int			nestlevel = -1;
	int			i;

	for (i = 0; i < NUM_CANONICAL_SETTINGS; i++)
	{
		const CanonicalSetting *s = &canonical_settings[i];
		const char *cur;

		if ((mask & s->bit) == 0)
			continue;
		if (s->bit == PTX_CANON_TIMEZONE)
		{
			long int	gmtoff;

			/* any zone fixed at UTC+0 (Etc/UTC, GMT, ...) prints the same */
			if (session_timezone != NULL &&
				pg_get_timezone_offset(session_timezone, &gmtoff) && gmtoff == 0)
				continue;
		}
		else
		{
			cur = GetConfigOption(s->name, false, false);
			if (cur != NULL && strcmp(cur, s->value) == 0)
				continue;
		}
		if (nestlevel < 0)
			nestlevel = NewGUCNestLevel();
		(void) set_config_option(s->name, s->value, PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
	return nestlevel;
}

void
ptx_canonical_end(int nestlevel)
{
	if (nestlevel >= 0)
		AtEOXact_GUC(true, nestlevel);
}

PG_FUNCTION_INFO_V1(ptx_ledger_canonical_settings);

/*
 * ptx.ledger_canonical_settings() → text[]
 *
 * The canonical settings as name=value, in the form of pg_proc.proconfig,
 * so that a test can check that ptx.verify_rows() uses the same ones.
 */
Datum
ptx_ledger_canonical_settings(PG_FUNCTION_ARGS)
{
	Datum		elems[NUM_CANONICAL_SETTINGS];
	int			i;

	for (i = 0; i < NUM_CANONICAL_SETTINGS; i++)
		elems[i] = CStringGetTextDatum(psprintf("%s=%s", canonical_settings[i].name,
												canonical_settings[i].value));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, NUM_CANONICAL_SETTINGS, TEXTOID,
										  -1, false, TYPALIGN_INT));
}
