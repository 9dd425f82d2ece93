/*-------------------------------------------------------------------------
 *
 * ids.c
 *	  Checks of Chinese identifiers.
 *
 * - 统一社会信用代码 (unified social credit code, USCC), GB 32100-2015:
 *   18 characters from the 31-character set 0-9 A-H J-N P-R T U W-Y;
 *   positions 3-8 are the GB/T 2260 region code; the 18th character is
 *   the check character C18 = 31 - (sum of value(Ci) * Wi mod 31), with
 *   Wi = 3^(i-1) mod 31, and 31 written as 0.
 * - 公民身份号码 (resident identity number), GB 11643-1999: 17 digits and a
 *   check character (0-9 or X) over ISO 7064 MOD 11-2, with a valid birth
 *   date in positions 7-14.
 * - GB/T 2260 region codes: six digits, 省 XX0000, 市 XXYY00, 县 XXYYZZ.
 *
 * The *_valid functions answer false for a malformed identifier and never
 * raise an error; the ptx.check_* functions raise PX010 naming the expected
 * check character, for use in constraints.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"

#include "ptx.h"

static const char uscc_charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_weights[17] = {
	1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
};
static const int rid_weights[17] = {
	7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
};

static int
uscc_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(uscc_charset, c);
	return p ? (int) (p - uscc_charset) : -1;
}

/*
 * Computes the USCC check character over the first 17 characters of code.
 * Returns '\0' when one of them is outside the character set, or a region
 * position is not a digit.
 */
static char
uscc_check_char(const char *code)
{
	int			sum = 0;
	int			i;

	for (i = 0; i < 17; i++)
	{
		int			v = uscc_value(code[i]);

		if (v < 0)
			return '\0';
		if (i >= 2 && i <= 7 && !(code[i] >= '0' && code[i] <= '9'))
			return '\0';
		sum += v * uscc_weights[i];
	}
	return uscc_charset[(31 - sum % 31) % 31];
}

/* Resident ID check character over the first 17 digits, '\0' if malformed. */
static char
rid_check_char(const char *id)
{
	int			sum = 0;
	int			i;

	for (i = 0; i < 17; i++)
	{
		if (id[i] < '0' || id[i] > '9')
			return '\0';
		sum += (id[i] - '0') * rid_weights[i];
	}
	return "10X98765432"[sum % 11];
}

static bool
rid_birth_date_valid(const char *id)
{
	int			y = 0,
				m = 0,
				d = 0;
	int			i;

	for (i = 6; i < 10; i++)
		y = y * 10 + (id[i] - '0');
	for (i = 10; i < 12; i++)
		m = m * 10 + (id[i] - '0');
	for (i = 12; i < 14; i++)
		d = d * 10 + (id[i] - '0');

	if (y < 1850 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= day_tab[isleap(y)][m - 1];
}

static bool
region_code_ok(const char *code, int len)
{
	int			i;

	if (len != 6)
		return false;
	for (i = 0; i < 6; i++)
		if (code[i] < '0' || code[i] > '9')
			return false;
	/* the province part is never 00; a county never sits directly at XX00ZZ */
	if (code[0] == '0' && code[1] == '0')
		return false;
	if (code[2] == '0' && code[3] == '0' && !(code[4] == '0' && code[5] == '0'))
		return false;
	return true;
}

PG_FUNCTION_INFO_V1(ptx_uscc_valid);
PG_FUNCTION_INFO_V1(ptx_uscc_check_char);
PG_FUNCTION_INFO_V1(ptx_check_uscc);
PG_FUNCTION_INFO_V1(ptx_resident_id_valid);
PG_FUNCTION_INFO_V1(ptx_check_resident_id);
PG_FUNCTION_INFO_V1(ptx_region_code_valid);
PG_FUNCTION_INFO_V1(ptx_check_region_code);

/* ptx.uscc_valid(text) → boolean */
Datum
ptx_uscc_valid(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	   *code = text_to_cstring(t);
	char		c;

	if (strlen(code) != 18)
		PG_RETURN_BOOL(false);
	c = uscc_check_char(code);
	PG_RETURN_BOOL(c != '\0' && c == code[17]);
}

/*
 * ptx.uscc_check_char(text) → text: the check character for the first 17
 * characters of a code (given with or without its 18th), NULL if they are
 * malformed.  Used to build valid codes for test and demo data.
 */
Datum
ptx_uscc_check_char(PG_FUNCTION_ARGS)
{
	char	   *code = text_to_cstring(PG_GETARG_TEXT_PP(0));
	size_t		len = strlen(code);
	char		c;

	if (len != 17 && len != 18)
		PG_RETURN_NULL();
	c = uscc_check_char(code);
	if (c == '\0')
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(&c, 1));
}

/* ptx.check_uscc(text) → boolean: true, or PX010 explaining what is wrong */
Datum
ptx_check_uscc(PG_FUNCTION_ARGS)
{
	char	   *code;
	size_t		len;
	char		c;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(true);
	code = text_to_cstring(PG_GETARG_TEXT_PP(0));
	len = strlen(code);

	if (len != 18)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
				 errmsg("invalid unified social credit code \"%s\"", code),
				 errdetail("A unified social credit code has 18 characters; this one has %zu.", len),
				 errhint("Copy the code from the business licence (营业执照).")));

	c = uscc_check_char(code);
	if (c == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
				 errmsg("invalid unified social credit code \"%s\"", code),
				 errdetail("Only digits and the letters ABCDEFGHJKLMNPQRTUWXY may appear, and positions 3 to 8 must be a region code."),
				 errhint("Letters I, O, S, V and Z are never used; check for a misread character.")));
	if (c != code[17])
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
				 errmsg("invalid unified social credit code \"%s\"", code),
				 errdetail("The check character is \"%c\"; GB 32100-2015 expects \"%c\".",
						   code[17], c),
				 errhint("One of the 18 characters is mistyped.")));
	PG_RETURN_BOOL(true);
}

/* ptx.resident_id_valid(text) → boolean */
Datum
ptx_resident_id_valid(PG_FUNCTION_ARGS)
{
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char		c;

	if (strlen(id) != 18)
		PG_RETURN_BOOL(false);
	c = rid_check_char(id);
	if (c == '\0' || c != id[17])
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(rid_birth_date_valid(id));
}

/* ptx.check_resident_id(text) → boolean: true, or PX010 */
Datum
ptx_check_resident_id(PG_FUNCTION_ARGS)
{
	char	   *id;
	char		c;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(true);
	id = text_to_cstring(PG_GETARG_TEXT_PP(0));

	/* never echo a personal number: name only its length and check character */
	if (strlen(id) != 18)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
				 errmsg("invalid resident identity number"),
				 errdetail("A resident identity number has 18 characters; this one has %zu.",
						   strlen(id))));
	c = rid_check_char(id);
	if (c == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
				 errmsg("invalid resident identity number"),
				 errdetail("The first 17 characters must be digits.")));
	if (c != id[17])
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
				 errmsg("invalid resident identity number"),
				 errdetail("The check character is \"%c\"; GB 11643-1999 expects \"%c\".",
						   id[17], c),
				 errhint("One of the 18 characters is mistyped.")));
	if (!rid_birth_date_valid(id))
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
				 errmsg("invalid resident identity number"),
				 errdetail("Positions 7 to 14 are not a valid date of birth.")));
	PG_RETURN_BOOL(true);
}

/* ptx.region_code_valid(text) → boolean */
Datum
ptx_region_code_valid(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(region_code_ok(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

/* ptx.check_region_code(text) → boolean: true, or PX010 */
Datum
ptx_check_region_code(PG_FUNCTION_ARGS)
{
	text	   *t;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(true);
	t = PG_GETARG_TEXT_PP(0);
	if (!region_code_ok(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)))
		ereport(ERROR,
				(errcode(ERRCODE_PTX_INVALID_IDENTIFIER),
				 errmsg("invalid region code \"%s\"", text_to_cstring(t)),
				 errdetail("A GB/T 2260 region code is six digits: XX0000 for a province, XXYY00 for a prefecture or league, XXYYZZ for a county."),
				 errhint("Use the code of the administrative division, for example 150100 for 呼和浩特市.")));
	PG_RETURN_BOOL(true);
}
