/*-------------------------------------------------------------------------
 *
 * ledger_kinds.c
 *	  Application events and the kinds reserved to ptx (DESIGN.md §11.3).
 *
 * ptx's verification and trails rely on events that its own code writes:
 * track and untrack (where a table's rows start and stop being logged),
 * draw_requested and draw_executed (what ptx.verify_draw replays), the
 * records of reads of secret data, and so on.  A forged one makes honest
 * data look wrong, so ptx.ledger_event, the entry point of applications,
 * refuses them with PX009; ptx's own code writes them through
 * ptx.ledger_event_internal, which is granted to no one.
 *
 * SECURITY INVOKER like ptx_ledger_event: the entry records the caller's
 * current_user.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "ledger.h"
#include "ledger_kinds.h"
#include "ptx.h"

static const char *const reserved_kinds[] = {
	"track", "untrack", "transition", "snapshot", "seal",
	"draw_requested", "draw_executed", "draw_result_read",
	"draw_cancelled", "draw_replaced",
	"personal_data_read", "committee_read",
};

#define N_RESERVED_KINDS lengthof(reserved_kinds)

/* true when kind, compared without case and surrounding blanks, is reserved */
bool
ptx_ledger_kind_reserved(const char *kind)
{
	size_t		start = 0;
	size_t		len;

	if (kind == NULL)
		return false;
	len = strlen(kind);
	while (start < len && (kind[start] == ' ' || kind[start] == '\t' ||
						   kind[start] == '\n' || kind[start] == '\r'))
		start++;
	while (len > start && (kind[len - 1] == ' ' || kind[len - 1] == '\t' ||
						   kind[len - 1] == '\n' || kind[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < N_RESERVED_KINDS; i++)
	{
		if (strlen(reserved_kinds[i]) == len - start &&
			pg_strncasecmp(kind + start, reserved_kinds[i], len - start) == 0)
			return true;
	}
	return false;
}

PG_FUNCTION_INFO_V1(ptx_ledger_app_event);

Datum
ptx_ledger_app_event(PG_FUNCTION_ARGS)
{
	char	   *kind = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *relation = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	Jsonb	   *key = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	Jsonb	   *payload = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);

	if (ptx_ledger_kind_reserved(kind))
		ereport(ERROR,
				(errcode(ERRCODE_PTX_LEDGER_IMMUTABLE),
				 errmsg("ledger events of kind \"%s\" are written by ptx only", kind),
				 errdetail("ptx's verification and trails rely on these events; a forged one would make honest data look wrong."),
				 errhint("Name an application event otherwise; ptx.ledger_reserved_kinds() lists the reserved kinds.")));
	PG_RETURN_INT64(ptx_ledger_record_event(kind, relation, key, payload));
}

PG_FUNCTION_INFO_V1(ptx_ledger_reserved_kinds);

Datum
ptx_ledger_reserved_kinds(PG_FUNCTION_ARGS)
{
	Datum		elems[N_RESERVED_KINDS];

	for (size_t i = 0; i < N_RESERVED_KINDS; i++)
		elems[i] = CStringGetTextDatum(reserved_kinds[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, (int) N_RESERVED_KINDS, TEXTOID,
										  -1, false, TYPALIGN_INT));
}
