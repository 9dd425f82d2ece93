/*-------------------------------------------------------------------------
 *
 * ledger_tuple.c
 *	  The heap tuple of a ledger entry: the columns the C code writes.
 *
 * ledger.c writes entries around the executor (ledger_insert.c) and relies
 * on ptx.ledger_entry having the columns of src/sql/30_ledger.sql, which
 * ptx_ledger_entry_layout_diff() checks: every column's name, type, length,
 * alignment and by-value flag, and no dropped or defaulted ("missing")
 * column.  Entries are read back with heap_deform_tuple() (verify.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "catalog/pg_type.h"

#include "ptx.h"
#include "ledger.h"

/* the columns of ptx.ledger_entry, in order (src/sql/30_ledger.sql) */
typedef struct EntryColumn
{
	const char *name;
	Oid			typid;
	int16		len;
	char		align;
	bool		byval;
} EntryColumn;

static const EntryColumn entry_columns[PTX_LEDGER_ENTRY_NATTS] = {
	{"seq", INT8OID, 8, TYPALIGN_DOUBLE, true},
	{"xid", XID8OID, 8, TYPALIGN_DOUBLE, true},
	{"logged_at", TIMESTAMPTZOID, 8, TYPALIGN_DOUBLE, true},
	{"business_at", TIMESTAMPTZOID, 8, TYPALIGN_DOUBLE, true},
	{"session_user_name", TEXTOID, -1, TYPALIGN_INT, false},
	{"current_user_name", TEXTOID, -1, TYPALIGN_INT, false},
	{"application_name", TEXTOID, -1, TYPALIGN_INT, false},
	{"client_addr", INETOID, -1, TYPALIGN_INT, false},
	{"operation", TEXTOID, -1, TYPALIGN_INT, false},
	{"kind", TEXTOID, -1, TYPALIGN_INT, false},
	{"relation", TEXTOID, -1, TYPALIGN_INT, false},
	{"key", JSONOID, -1, TYPALIGN_INT, false},
	{"row_image", JSONOID, -1, TYPALIGN_INT, false},
	{"project_id", INT8OID, 8, TYPALIGN_DOUBLE, true},
	{"format", INT2OID, 2, TYPALIGN_SHORT, true},
	{"entry_hash", BYTEAOID, -1, TYPALIGN_INT, false},
};

int
ptx_ledger_entry_layout_diff(TupleDesc desc)
{
	int			i;

	for (i = 0; i < Min(desc->natts, PTX_LEDGER_ENTRY_NATTS); i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);
		const EntryColumn *c = &entry_columns[i];

		if (a->attisdropped || a->atthasmissing ||
			strcmp(NameStr(a->attname), c->name) != 0 ||
			a->atttypid != c->typid || a->attlen != c->len ||
			a->attalign != c->align || a->attbyval != c->byval)
			return i;
	}
	return desc->natts == PTX_LEDGER_ENTRY_NATTS ? -1 : i;
}
