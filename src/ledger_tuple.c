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

/*
 * Readers of one column at offset off of the tuple's data; each returns the
 * offset after the column.
 */
/* an 8-byte, by-value column (int8, xid8, timestamptz) */
static inline uint32
read_fixed8(char *tp, uint32 off, Datum *value)
{
	off = TYPEALIGN(8, off);
	*value = Int64GetDatum(*(int64 *) (tp + off));
	return off + 8;
}

static inline uint32
read_int2(char *tp, uint32 off, Datum *value)
{
	off = TYPEALIGN(2, off);
	*value = Int16GetDatum(*(int16 *) (tp + off));
	return off + 2;
}

/* a variable-length column with int alignment (text, json, inet, bytea) */
static inline uint32
read_varlena(char *tp, uint32 off, Datum *value)
{
	off = att_align_pointer(off, TYPALIGN_INT, -1, tp + off);
	*value = PointerGetDatum(tp + off);
	return off + VARSIZE_ANY(tp + off);
}

/*
 * Column i, read with reader: NULL when the null bitmap says so or when the
 * tuple ends before it.
 */
#define READ_COLUMN(i, reader) \
	do { \
		if ((i) >= natts || (hasnulls && att_isnull((i), bp))) \
		{ \
			values[i] = (Datum) 0; \
			isnull[i] = true; \
		} \
		else \
		{ \
			off = reader(tp, off, &values[i]); \
			isnull[i] = false; \
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

	READ_COLUMN(0, read_fixed8);	/* seq */
	READ_COLUMN(1, read_fixed8);	/* xid */
	READ_COLUMN(2, read_fixed8);	/* logged_at */
	READ_COLUMN(3, read_fixed8);	/* business_at */
	READ_COLUMN(4, read_varlena);	/* session_user_name */
	READ_COLUMN(5, read_varlena);	/* current_user_name */
	READ_COLUMN(6, read_varlena);	/* application_name */
	READ_COLUMN(7, read_varlena);	/* client_addr */
	READ_COLUMN(8, read_varlena);	/* operation */
	READ_COLUMN(9, read_varlena);	/* kind */
	READ_COLUMN(10, read_varlena);	/* relation */
	READ_COLUMN(11, read_varlena);	/* key */
	READ_COLUMN(12, read_varlena);	/* row_image */
	READ_COLUMN(13, read_fixed8);	/* project_id */
	READ_COLUMN(14, read_int2); /* format */
	READ_COLUMN(15, read_varlena);	/* entry_hash */
}
