/*-------------------------------------------------------------------------
 *
 * verify_rows.c
 *	  Comparison of tracked tables with their last ledger images.
 *
 * ptx.verify_rows_compare(relids, relations) finds, for every row of the
 * given tables, the newest entry of its key in the ledger since the table's
 * baseline (the newest 'track' event about it, written when it came under
 * tracking with a SNAPSHOT of every row), and reports
 *	  - row_unlogged: a row whose key has no entry since, or whose newest
 *		entry is a DELETE (seq: that DELETE);
 *	  - row_changed: a row that differs from its newest image;
 *	  - row_missing: a newest entry other than a DELETE whose row is gone.
 * One row per problem: (relation_no, seq, problem, key), relation_no being
 * the 1-based position of the table in the arrays.  A table without a
 * baseline yet (a table of ptx just installed or restored gets it at the
 * next ptx.seal()) is not compared.  ptx.verify_rows() turns the rows into
 * its problems, in its order.
 *
 * It takes one sequential pass over ptx.ledger_entry for all the tables,
 * keeping per (table, key) the seq, operation and TID of the newest entry
 * in a hash table (and per table its baseline), then one pass over each
 * table, rendering every row with to_jsonb(row) (ledger_image.c; never the
 * capture's direct renderer, so that a difference between the two shows
 * here), fetching the newest entry by its TID and comparing the texts.
 * Neither pass sorts.
 *
 * When the hash table would outgrow maintenance_work_mem, the keys are
 * split into partitions by their hash, and both passes run once per
 * partition (all of them again, twice as many, at each overflow).  The
 * problems found are the same either way.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "ptx.h"
#include "args.h"
#include "ledger.h"
#include "ledger_image.h"
#include "ledger_relids.h"
#include "verify_rows.h"

PG_FUNCTION_INFO_V1(ptx_verify_rows_compare);

/* at most this many partitions (a key that alone outgrows memory) */
#define MAX_PARTITIONS		65536

/* a row's key: the table's position and the key's text */
typedef struct RowKey
{
	const char *ptr;			/* NULL: an entry without a key */
	uint32		len;
	int32		tbl;
} RowKey;

/* the newest entry of a key */
typedef struct RowSlot
{
	RowKey		key;
	uint32		hash;
	char		status;			/* simplehash's */
	char		op;				/* 'I', 'U', 'D' or 'S' */
	bool		seen;			/* a current row has this key */
	int64		seq;
	ItemPointerData tid;		/* of the entry, to read its image */
} RowSlot;

static inline uint32
row_key_hash(RowKey k)
{
	uint32		h = k.ptr ? hash_bytes((const unsigned char *) k.ptr, (int) k.len) : 0;

	return hash_combine(h, murmurhash32((uint32) k.tbl));
}

static inline bool
row_key_equal(RowKey a, RowKey b)
{
	if (a.tbl != b.tbl || (a.ptr == NULL) != (b.ptr == NULL))
		return false;
	return a.ptr == NULL || (a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0);
}

#define SH_PREFIX		rowslots
#define SH_ELEMENT_TYPE RowSlot
#define SH_KEY_TYPE		RowKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, k) row_key_hash(k)
#define SH_EQUAL(tb, a, b) row_key_equal(a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* the entries' columns read */
typedef struct EntryCols
{
	int			seq,
				operation,
				kind,
				relation,
				key;
} EntryCols;

typedef struct Compare
{
	int			ntables;
	Oid		   *relids;
	text	  **names;			/* as entries name the tables */
	int64	   *since;			/* per table: its baseline, PG_INT64_MAX: none */
	int			nparts;
	int			part;
	Size		limit;			/* bytes the slots may take */
	MemoryContext slotcxt;		/* the hash table and the keys' text */
	MemoryContext rowcxt;		/* reset per row */
	rowslots_hash *slots;
	char	   *arena;			/* where the next key's text goes */
	Size		arena_left;
	Relation	ledger;			/* ptx.ledger_entry */
	TupleTableSlot *entry;		/* an entry fetched by its TID */
	int			image_col;
	ReturnSetInfo *rsinfo;
	Snapshot	snapshot;
} Compare;

static bool
in_partition(Compare *c, uint32 hash)
{
	return c->nparts == 1 || murmurhash32(hash) % (uint32) c->nparts == (uint32) c->part;
}

/* whether a slot's newest entry is of its table's baseline or later */
static bool
since_baseline(Compare *c, RowSlot *slot)
{
	int64		since = c->since[slot->key.tbl];

	return since != PG_INT64_MAX && slot->seq >= since;
}

/* the table an entry's relation names, -1 if none of those compared */
static int
table_of(Compare *c, const char *name, int len, int *last)
{
	int			i;

	if (*last >= 0 && VARSIZE_ANY_EXHDR(c->names[*last]) == (Size) len &&
		memcmp(VARDATA_ANY(c->names[*last]), name, len) == 0)
		return *last;
	for (i = 0; i < c->ntables; i++)
	{
		if (VARSIZE_ANY_EXHDR(c->names[i]) == (Size) len &&
			memcmp(VARDATA_ANY(c->names[i]), name, len) == 0)
		{
			*last = i;
			return i;
		}
	}
	return -1;
}

/* a key's text, kept with the slots */
static const char *
arena_copy(Compare *c, const char *ptr, uint32 len)
{
	char	   *dst;

	if (len > c->arena_left)
	{
		Size		size = Max((Size) len, 65536);

		c->arena = MemoryContextAlloc(c->slotcxt, size);
		c->arena_left = size;
	}
	dst = c->arena;
	memcpy(dst, ptr, len);
	c->arena += len;
	c->arena_left -= len;
	return dst;
}

static char
operation_code(text *op)
{
	const char *p = VARDATA_ANY(op);
	Size		len = VARSIZE_ANY_EXHDR(op);

	if (len == 6 && memcmp(p, "INSERT", 6) == 0)
		return 'I';
	if (len == 6 && memcmp(p, "UPDATE", 6) == 0)
		return 'U';
	if (len == 6 && memcmp(p, "DELETE", 6) == 0)
		return 'D';
	if (len == 8 && memcmp(p, "SNAPSHOT", 8) == 0)
		return 'S';
	return 'E';					/* EVENT: not a row */
}

/*
 * One entry of the ledger's pass: a table's baseline, or the newest entry
 * of its key so far.  Returns true when the key is new to the slots.
 */
static bool
note_entry(Compare *c, EntryCols *ec, HeapTuple tuple, Datum *values, bool *nulls,
		   int *last)
{
	text	   *relname;
	RowKey		k;
	RowSlot    *slot;
	int64		seq;
	int			tbl;
	char		op;
	bool		found;

	if (nulls[ec->relation] || nulls[ec->seq] || nulls[ec->operation])
		return false;
	relname = DatumGetTextPP(values[ec->relation]);
	tbl = table_of(c, VARDATA_ANY(relname), VARSIZE_ANY_EXHDR(relname), last);
	if (tbl < 0)
		return false;
	seq = DatumGetInt64(values[ec->seq]);
	op = operation_code(DatumGetTextPP(values[ec->operation]));
	if (op == 'E')
	{
		if (nulls[ec->key] && !nulls[ec->kind] &&
			VARSIZE_ANY_EXHDR(DatumGetTextPP(values[ec->kind])) == 5 &&
			memcmp(VARDATA_ANY(DatumGetTextPP(values[ec->kind])), "track", 5) == 0 &&
			(c->since[tbl] == PG_INT64_MAX || seq > c->since[tbl]))
			c->since[tbl] = seq;	/* a baseline, maybe the newest */
		return false;
	}
	k.tbl = tbl;
	k.ptr = NULL;
	k.len = 0;
	if (!nulls[ec->key])
	{
		text	   *key = DatumGetTextPP(values[ec->key]);

		k.ptr = VARDATA_ANY(key);
		k.len = VARSIZE_ANY_EXHDR(key);
	}
	if (!in_partition(c, row_key_hash(k)))
		return false;
	slot = rowslots_insert(c->slots, k, &found);
	if (!found)
	{
		if (k.ptr != NULL)
			slot->key.ptr = arena_copy(c, k.ptr, k.len);
		slot->seen = false;
		slot->seq = PG_INT64_MIN;
	}
	if (seq > slot->seq)
	{
		slot->seq = seq;
		slot->op = op;
		slot->tid = tuple->t_self;
	}
	return !found;
}

/*
 * The ledger's pass: the newest entry of every key of the partition.
 * Returns false, the slots being over their limit, to be run again with
 * more partitions.
 */
static bool
read_ledger(Compare *c)
{
	Relation	rel = c->ledger;
	TupleDesc	desc = RelationGetDescr(rel);
	Datum	   *values = palloc(desc->natts * sizeof(Datum));
	bool	   *nulls = palloc(desc->natts * sizeof(bool));
	EntryCols	ec;
	TableScanDesc scan;
	HeapTuple	tuple;
	int			last = -1;
	uint64		inserted = 0;
	bool		fits = true;

	ec.seq = ptx_ledger_column(desc, "seq");
	ec.operation = ptx_ledger_column(desc, "operation");
	ec.kind = ptx_ledger_column(desc, "kind");
	ec.relation = ptx_ledger_column(desc, "relation");
	ec.key = ptx_ledger_column(desc, "key");

	scan = table_beginscan_strat(rel, c->snapshot, 0, NULL, true, false);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		MemoryContext old;
		bool		new_key;

		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(tuple, desc, values, nulls);
		old = MemoryContextSwitchTo(c->rowcxt);
		new_key = note_entry(c, &ec, tuple, values, nulls, &last);
		MemoryContextSwitchTo(old);
		MemoryContextReset(c->rowcxt);
		if (new_key && ++inserted % 4096 == 0 &&
			MemoryContextMemAllocated(c->slotcxt, true) > c->limit)
		{
			fits = false;
			break;
		}
	}
	table_endscan(scan);
	pfree(values);
	pfree(nulls);
	return fits && MemoryContextMemAllocated(c->slotcxt, true) <= c->limit;
}

static void
put_problem(Compare *c, int tbl, int64 seq, const char *problem, RowKey *key)
{
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	values[0] = Int32GetDatum(tbl + 1);
	if (seq == PG_INT64_MIN)
		nulls[1] = true;
	else
		values[1] = Int64GetDatum(seq);
	values[2] = CStringGetTextDatum(problem);
	if (key->ptr == NULL)
		nulls[3] = true;
	else
		values[3] = PointerGetDatum(cstring_to_text_with_len(key->ptr, key->len));
	tuplestore_putvalues(c->rsinfo->setResult, c->rsinfo->setDesc, values, nulls);
}

/* whether the newest entry's image is the row's */
static bool
image_equal(Compare *c, RowSlot *slot, PtxLedgerText *image)
{
	Datum		d;
	bool		isnull;
	text	   *stored;
	bool		equal;

	if (!table_tuple_fetch_row_version(c->ledger, &slot->tid, c->snapshot, c->entry))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("ledger entry %lld vanished during verification", (long long) slot->seq)));
	d = slot_getattr(c->entry, c->image_col + 1, &isnull);
	if (isnull)
		equal = false;
	else
	{
		stored = DatumGetTextPP(d);
		equal = VARSIZE_ANY_EXHDR(stored) == (Size) image->len &&
			memcmp(VARDATA_ANY(stored), image->ptr, image->len) == 0;
	}
	ExecClearTuple(c->entry);
	return equal;
}

/* one table's pass: each row of the partition against its key's slot */
static void
read_table(Compare *c, int tbl)
{
	Relation	rel = table_open(c->relids[tbl], AccessShareLock);
	TableScanDesc scan;
	HeapTuple	tuple;

	scan = table_beginscan_strat(rel, c->snapshot, 0, NULL, true, false);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		MemoryContext old;
		PtxLedgerText image;
		PtxLedgerText keytext;
		RowKey		k;
		RowSlot    *slot;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(c->rowcxt);
		ptx_ledger_row_image_jsonb(rel, tuple, &image, &keytext);
		k.tbl = tbl;
		k.ptr = keytext.ptr;
		k.len = keytext.len;
		if (in_partition(c, row_key_hash(k)))
		{
			slot = rowslots_lookup(c->slots, k);
			if (slot != NULL && !since_baseline(c, slot))
				slot = NULL;	/* entries of before the baseline */
			if (slot == NULL)
				put_problem(c, tbl, PG_INT64_MIN, "row_unlogged", &k);
			else
			{
				slot->seen = true;
				if (slot->op == 'D')
					put_problem(c, tbl, slot->seq, "row_unlogged", &k);
				else if (!image_equal(c, slot, &image))
					put_problem(c, tbl, slot->seq, "row_changed", &k);
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(c->rowcxt);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* the newest entries whose row was not found, unless DELETEs */
static void
report_missing(Compare *c)
{
	rowslots_iterator it;
	RowSlot    *slot;

	rowslots_start_iterate(c->slots, &it);
	while ((slot = rowslots_iterate(c->slots, &it)) != NULL)
	{
		if (!slot->seen && slot->op != 'D' && since_baseline(c, slot))
			put_problem(c, slot->key.tbl, slot->seq, "row_missing", &slot->key);
	}
}

static void
read_arguments(FunctionCallInfo fcinfo, Compare *c)
{
	Datum	   *d;
	int			count;
	int			i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the tables and their names must not be null")));

	d = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(0), OIDOID, "the tables", &count, NULL);
	c->ntables = count;
	c->relids = palloc0(Max(count, 1) * sizeof(Oid));
	c->names = palloc0(Max(count, 1) * sizeof(text *));
	c->since = palloc0(Max(count, 1) * sizeof(int64));
	for (i = 0; i < count; i++)
	{
		char	   *relname;

		c->relids[i] = DatumGetObjectId(d[i]);
		relname = get_rel_name(c->relids[i]);
		if (relname == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("no table has OID %u", c->relids[i])));
		if (get_rel_relkind(c->relids[i]) != RELKIND_RELATION)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not a table", relname)));
		if (pg_class_aclcheck(c->relids[i], GetUserId(), ACL_SELECT) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, relname);
	}

	d = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, "the names of the tables",
						   &count, NULL);
	if (count != c->ntables)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%d tables but %d names", c->ntables, count)));
	for (i = 0; i < count; i++)
		c->names[i] = DatumGetTextPP(d[i]);
}

/*
 * ptx.verify_rows_compare(relids oid[], relations text[])
 *	  RETURNS TABLE (relation_no int, seq bigint, problem text, key text)
 */
Datum
ptx_verify_rows_compare(PG_FUNCTION_ARGS)
{
	Compare		c;
	int			i;

	memset(&c, 0, sizeof(c));
	read_arguments(fcinfo, &c);

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	c.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	c.snapshot = RegisterSnapshot(GetActiveSnapshot() ? GetActiveSnapshot()
								  : GetTransactionSnapshot());
	c.limit = (Size) maintenance_work_mem * 1024;
	c.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ptx verify_rows row",
									 ALLOCSET_DEFAULT_SIZES);
	c.ledger = table_open(ptx_ledger_entry_relid(false), AccessShareLock);
	if (pg_class_aclcheck(RelationGetRelid(c.ledger), GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(c.ledger));
	c.entry = table_slot_create(c.ledger, NULL);
	c.image_col = ptx_ledger_column(RelationGetDescr(c.ledger), "row_image");
	c.nparts = 1;
	for (c.part = 0; c.part < c.nparts; c.part++)
	{
		c.slotcxt = AllocSetContextCreate(CurrentMemoryContext, "ptx verify_rows slots",
										  ALLOCSET_DEFAULT_SIZES);
		c.slots = rowslots_create(c.slotcxt, 1024, NULL);
		c.arena = NULL;
		c.arena_left = 0;
		for (i = 0; i < c.ntables; i++)
			c.since[i] = PG_INT64_MAX;
		if (!read_ledger(&c))
		{
			MemoryContextDelete(c.slotcxt);
			if (c.nparts >= MAX_PARTITIONS)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("the ledger's keys do not fit in maintenance_work_mem"),
						 errdetail("%d partitions of the keys still do not fit.", c.nparts),
						 errhint("Raise maintenance_work_mem and verify again.")));
			/* start over with twice as many: what was found is found again */
			tuplestore_clear(c.rsinfo->setResult);
			c.nparts *= 2;
			c.part = -1;
			continue;
		}
		elog(DEBUG1, "ptx verify_rows: partition %d of %d: " UINT64_FORMAT " keys in %zu bytes",
			 c.part + 1, c.nparts, (uint64) c.slots->members,
			 MemoryContextMemAllocated(c.slotcxt, true));
		for (i = 0; i < c.ntables; i++)
		{
			if (c.since[i] != PG_INT64_MAX)
				read_table(&c, i);
		}
		report_missing(&c);
		MemoryContextDelete(c.slotcxt);
	}
	ExecDropSingleTupleTableSlot(c.entry);
	table_close(c.ledger, AccessShareLock);
	MemoryContextDelete(c.rowcxt);
	UnregisterSnapshot(c.snapshot);
	return (Datum) 0;
}
