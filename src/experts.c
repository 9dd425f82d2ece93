/*-------------------------------------------------------------------------
 *
 * experts.c
 *	  Specialty codes of the national classification of evaluation experts
 *	  (评标专家专业分类标准): a class letter (A 工程, B 货物, C 服务) and two
 *	  digits per level, one to three levels: A08, A0801, A080101.  Each
 *	  level's digits run from 01 to 99.
 *
 * A need for A08 is met by any code under it; each expert's codes are
 * expanded to all their prefixes (A080101 → A08, A0801, A080101), which a
 * GIN index serves, so that a need is one containment test.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "ptx.h"

#define SPECIALTY_MAX_LEVELS	3

PG_FUNCTION_INFO_V1(ptx_specialty_code_valid);
PG_FUNCTION_INFO_V1(ptx_check_specialty_codes);
PG_FUNCTION_INFO_V1(ptx_specialty_prefixes);

static bool
specialty_valid(const char *code, int len)
{
	int			i;

	if (len < 3 || len > 1 + 2 * SPECIALTY_MAX_LEVELS || (len - 1) % 2 != 0)
		return false;
	if (code[0] != 'A' && code[0] != 'B' && code[0] != 'C')
		return false;
	for (i = 1; i < len; i += 2)
	{
		if (code[i] < '0' || code[i] > '9' || code[i + 1] < '0' || code[i + 1] > '9')
			return false;
		if (code[i] == '0' && code[i + 1] == '0')
			return false;
	}
	return true;
}

/* ptx.specialty_code_valid(text) → boolean; false, never an error */
Datum
ptx_specialty_code_valid(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(specialty_valid(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

/*
 * The codes of a text[], refusing NULL, malformed codes and an empty list
 * (PX010).  Returns palloc'd C strings.
 */
static char **
specialty_codes(ArrayType *arr, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	char	  **codes;
	int			i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("specialty codes must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
	if (count == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
				 errmsg("an expert needs at least one specialty code"),
				 errhint("Give codes of the national classification, e.g. A0801.")));
	codes = palloc(sizeof(char *) * count);
	for (i = 0; i < count; i++)
	{
		char	   *code;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
					 errmsg("a specialty code cannot be NULL")));
		code = TextDatumGetCString(elems[i]);
		if (!specialty_valid(code, strlen(code)))
			ereport(ERROR,
					(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
					 errmsg("invalid specialty code \"%s\"", code),
					 errdetail("A specialty code is a class letter (A engineering, B goods, C services) followed by one to three levels of two digits from 01 to 99."),
					 errhint("Write it like A08, A0801 or A080101.")));
		codes[i] = code;
	}
	*n = count;
	return codes;
}

/* ptx.check_specialty_codes(text[]) → boolean: true, or PX010 */
Datum
ptx_check_specialty_codes(PG_FUNCTION_ARGS)
{
	int			n;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
				 errmsg("an expert needs at least one specialty code")));
	(void) specialty_codes(PG_GETARG_ARRAYTYPE_P(0), &n);
	PG_RETURN_BOOL(true);
}

static int
cmp_cstring(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * ptx.specialty_prefixes(text[]) → text[]
 *
 * Every level of every code, sorted and without repetition:
 * {A080101, B02} → {A08, A0801, A080101, B02}.
 */
Datum
ptx_specialty_prefixes(PG_FUNCTION_ARGS)
{
	char	  **codes;
	char	  **prefixes;
	Datum	   *out;
	int			n;
	int			nprefixes = 0;
	int			nout = 0;
	int			i;

	codes = specialty_codes(PG_GETARG_ARRAYTYPE_P(0), &n);
	prefixes = palloc(sizeof(char *) * n * SPECIALTY_MAX_LEVELS);
	for (i = 0; i < n; i++)
	{
		int			len = strlen(codes[i]);
		int			l;

		for (l = 3; l <= len; l += 2)
			prefixes[nprefixes++] = pnstrdup(codes[i], l);
	}
	qsort(prefixes, nprefixes, sizeof(char *), cmp_cstring);
	out = palloc(sizeof(Datum) * nprefixes);
	for (i = 0; i < nprefixes; i++)
		if (i == 0 || strcmp(prefixes[i], prefixes[i - 1]) != 0)
			out[nout++] = CStringGetTextDatum(prefixes[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, nout, TEXTOID, -1, false, TYPALIGN_INT));
}
