/*-------------------------------------------------------------------------
 *
 * ledger_tuple.c
 *	  The heap tuple of a ledger entry: the columns the C code writes and
 *	  reads, and a deform written out for them.
 *
 * ledger.c writes entries around the executor and verify.c reads them in a
 * pass over the heap; both rely on ptx.ledger_entry having the columns of
 * src/sql/30_ledger.sql, which ptx_ledger_entry_layout_diff() checks: every
 * column's name, type, length, alignment and by-value flag, and no dropped
 * or defaulted ("missing") column.
 *
 * heap_deform_tuple() looks up each column's length, alignment and
 * by-value flag in the tuple descriptor, one column after the other.
 * ptx_ledger_entry_deform() reads the same Datums and nulls with the
 * layout of the sixteen columns written out, which takes about 3 % off a
 * full verification (docs/benchmarks.md).  It is right only for a table
 * whose layout check passed; verify.c reads any other with
 * heap_deform_tuple().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "access/tupmacs.h"
#include "catalog/pg_type.h"

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

/* column i is NULL, or beyond the attributes the tuple holds */
#define COLUMN_ABSENT(i) \
	((i) >= natts || (hasnulls && att_isnull((i), bp)))

/* an 8-byte, by-value column (int8, xid8, timestamptz) */
#define READ_FIXED8(i) \
	do { \
		if (COLUMN_ABSENT(i)) \
		{ \
			values[i] = (Datum) 0; \
			isnull[i] = true; \
		} \
		else \
		{ \
			off = TYPEALIGN(8, off); \
			values[i] = Int64GetDatum(*(int64 *) (tp + off)); \
			isnull[i] = false; \
			off += 8; \
		} \
	} while (0)

/* a variable-length column with int alignment (text, json, inet, bytea) */
#define READ_VARLENA(i) \
	do { \
		if (COLUMN_ABSENT(i)) \
		{ \
			values[i] = (Datum) 0; \
			isnull[i] = true; \
		} \
		else \
		{ \
			off = att_align_pointer(off, TYPALIGN_INT, -1, tp + off); \
			values[i] = PointerGetDatum(tp + off); \
			isnull[i] = false; \
			off += VARSIZE_ANY(tp + off); \
		} \
	} while (0)

void
ptx_ledger_entry_deform(HeapTuple tuple, Datum *values, bool *isnull)
{
	HeapTupleHeader tup = tuple->t_data;
	bool		hasnulls = HeapTupleHasNulls(tuple);
	bits8	   *bp = tup->t_bits;
	int			natts = HeapTupleHeaderGetNatts(tup);
	char	   *tp = (char *) tup + tup->t_hoff;
	uint32		off = 0;

	READ_FIXED8(0);				/* seq */
	READ_FIXED8(1);				/* xid */
	READ_FIXED8(2);				/* logged_at */
	READ_FIXED8(3);				/* business_at */
	READ_VARLENA(4);			/* session_user_name */
	READ_VARLENA(5);			/* current_user_name */
	READ_VARLENA(6);			/* application_name */
	READ_VARLENA(7);			/* client_addr */
	READ_VARLENA(8);			/* operation */
	READ_VARLENA(9);			/* kind */
	READ_VARLENA(10);			/* relation */
	READ_VARLENA(11);			/* key */
	READ_VARLENA(12);			/* row_image */
	READ_FIXED8(13);			/* project_id */
	if (COLUMN_ABSENT(14))		/* format */
	{
		values[14] = (Datum) 0;
		isnull[14] = true;
	}
	else
	{
		off = TYPEALIGN(2, off);
		values[14] = Int16GetDatum(*(int16 *) (tp + off));
		isnull[14] = false;
		off += 2;
	}
	READ_VARLENA(15);			/* entry_hash */
}
