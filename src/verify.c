/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  Verification of the ledger's entries, blocks and chain.
 *
 * ptx.verify_chain(from_block) walks the blocks from from_block on, in
 * block_no order, and the entries from the first seq of that block on, in
 * seq order.  For every entry it recomputes the hash over the canonical
 * serialization; for every block the entry count, the Merkle root of the
 * stored entry hashes, the block hash, the link to the previous block and
 * the adjacency of seq ranges.  Entries after the last block are checked
 * for their hash only.  It returns one row per problem; the SQL wrapper
 * ptx.verify() adds the comparison of tracked tables with their last images
 * and the check of the sealing lag.
 *
 * Entries are read in one sequential pass over the heap, in physical order,
 * which is the order they were written in up to the interleaving of
 * concurrent writers.  Each entry's hash is checked as it is read, and what
 * the blocks need of it (stored hash, verdict) goes into the slot of its
 * seq, 33 bytes per seq, so that the blocks then read them in seq order
 * without a sort.  When the slots would outgrow maintenance_work_mem, the
 * pass gives way to a walk of the primary key index, which needs no memory
 * per entry.  Either way the problems found, and their order, are the same.
 *
 * The pass reads the heap through the table AM (heap_getnext) and the
 * columns with heap_deform_tuple(); it uses no private field of the heap's
 * scan and no hand-written tuple layout.
 *
 * Entries are serialized from the heap tuple's columns into one buffer
 * reused from entry to entry, by the same code that serializes them for
 * the capture and for ptx.ledger_entry_bytes() (ledger_format.c).
 *
 * Verification starting at block n trusts block n-1's stored hash as its
 * anchor; a full verification, or ptx.verify(digests), anchors at genesis or
 * at hashes published outside the database.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include "ptx.h"
#include "ledger.h"
#include "verify.h"

static int	verify_progress = 1000;

void
ptx_verify_init(void)
{
	DefineCustomIntVariable("ptx.verify_progress",
							"Number of blocks between two progress notices of ptx.verify().",
							"0 turns the notices off.",
							&verify_progress,
							1000, 0, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
}

/* attribute numbers (0-based) of ptx.ledger_entry's columns */
typedef struct EntryAtts
{
	int			seq,
				xid,
				logged_at,
				business_at,
				session_user_name,
				current_user_name,
				application_name,
				client_addr,
				operation,
				kind,
				relation,
				key,
				row_image,
				project_id,
				format,
				entry_hash;
} EntryAtts;

typedef struct BlockAtts
{
	int			block_no,
				first_seq,
				last_seq,
				entry_count,
				merkle_root,
				prev_hash,
				block_hash,
				sealed_at,
				format;
} BlockAtts;

static void
entry_atts(TupleDesc d, EntryAtts *a)
{
	a->seq = ptx_ledger_column(d, "seq");
	a->xid = ptx_ledger_column(d, "xid");
	a->logged_at = ptx_ledger_column(d, "logged_at");
	a->business_at = ptx_ledger_column(d, "business_at");
	a->session_user_name = ptx_ledger_column(d, "session_user_name");
	a->current_user_name = ptx_ledger_column(d, "current_user_name");
	a->application_name = ptx_ledger_column(d, "application_name");
	a->client_addr = ptx_ledger_column(d, "client_addr");
	a->operation = ptx_ledger_column(d, "operation");
	a->kind = ptx_ledger_column(d, "kind");
	a->relation = ptx_ledger_column(d, "relation");
	a->key = ptx_ledger_column(d, "key");
	a->row_image = ptx_ledger_column(d, "row_image");
	a->project_id = ptx_ledger_column(d, "project_id");
	a->format = ptx_ledger_column(d, "format");
	a->entry_hash = ptx_ledger_column(d, "entry_hash");
}

static void
block_atts(TupleDesc d, BlockAtts *a)
{
	a->block_no = ptx_ledger_column(d, "block_no");
	a->first_seq = ptx_ledger_column(d, "first_seq");
	a->last_seq = ptx_ledger_column(d, "last_seq");
	a->entry_count = ptx_ledger_column(d, "entry_count");
	a->merkle_root = ptx_ledger_column(d, "merkle_root");
	a->prev_hash = ptx_ledger_column(d, "prev_hash");
	a->block_hash = ptx_ledger_column(d, "block_hash");
	a->sealed_at = ptx_ledger_column(d, "sealed_at");
	a->format = ptx_ledger_column(d, "format");
}

/* An ordered scan of a ledger table by its primary key, from a value on. */
typedef struct LedgerScan
{
	Relation	heap;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	Snapshot	snapshot;
	MemoryContext cxt;			/* where the index AM may allocate */
} LedgerScan;

static void
ledger_scan_begin(LedgerScan *ls, Oid relid, int64 from)
{
	ScanKeyData key;
	Oid			pk;

	ls->cxt = CurrentMemoryContext;
	ls->heap = table_open(relid, AccessShareLock);
	pk = RelationGetPrimaryKeyIndex(ls->heap);
	if (!OidIsValid(pk))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("ledger table %s has no primary key", RelationGetRelationName(ls->heap)),
				 errhint("Restore the ledger tables from a backup or reinstall ptx.")));
	ls->index = index_open(pk, AccessShareLock);
	ls->snapshot = RegisterSnapshot(GetTransactionSnapshot());
	ScanKeyInit(&key, 1, BTGreaterEqualStrategyNumber, F_INT8GE, Int64GetDatum(from));
	ls->scan = index_beginscan(ls->heap, ls->index, ls->snapshot, 1, 0);
	index_rescan(ls->scan, &key, 1, NULL, 0);
	ls->slot = table_slot_create(ls->heap, NULL);
}

/*
 * The index AM allocates lazily (btree's list of dead items), and that
 * memory must live as long as the scan, not as long as a block's context.
 */
static bool
ledger_scan_next(LedgerScan *ls)
{
	MemoryContext old = MemoryContextSwitchTo(ls->cxt);
	bool		found;

	found = index_getnext_slot(ls->scan, ForwardScanDirection, ls->slot);
	if (found)
		slot_getallattrs(ls->slot);
	MemoryContextSwitchTo(old);
	return found;
}

static void
ledger_scan_end(LedgerScan *ls)
{
	index_endscan(ls->scan);
	ExecDropSingleTupleTableSlot(ls->slot);
	UnregisterSnapshot(ls->snapshot);
	index_close(ls->index, AccessShareLock);
	table_close(ls->heap, AccessShareLock);
}

static char *
hex(const uint8 *h)
{
	char	   *s = palloc(2 * PTX_LEDGER_HASH_LEN + 1);

	hex_encode((const char *) h, PTX_LEDGER_HASH_LEN, s);
	s[2 * PTX_LEDGER_HASH_LEN] = '\0';
	return s;
}

/* ---------------------------------------------------------------------
 * The serialization of an entry, from its columns
 *
 * The fields of docs/ledger-format.md, written straight into one buffer
 * sized beforehand.
 * ---------------------------------------------------------------------
 */

/* client address text, cached for runs of entries from one client */
typedef struct InetCache
{
	MemoryContext cxt;
	bytea	   *raw;
	char	   *text;
} InetCache;

static inline PtxLedgerText
datum_text(Datum d, bool isnull)
{
	PtxLedgerText t = {NULL, 0};

	if (!isnull)
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(d);

		/* only compressed or out-of-line values are copied */
		if (VARATT_IS_EXTENDED(v))
			v = pg_detoast_datum_packed(v);
		t.ptr = VARDATA_ANY(v);
		t.len = VARSIZE_ANY_EXHDR(v);
	}
	return t;
}

static PtxLedgerText
datum_inet_text(Datum d, bool isnull, InetCache *cache)
{
	PtxLedgerText t = {NULL, 0};
	struct varlena *v;

	if (isnull)
		return t;
	v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
	if (cache->raw == NULL ||
		VARSIZE_ANY(v) != VARSIZE_ANY(cache->raw) ||
		memcmp(v, cache->raw, VARSIZE_ANY(v)) != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(cache->cxt);

		if (cache->raw != NULL)
		{
			pfree(cache->raw);
			pfree(cache->text);
		}
		cache->raw = palloc(VARSIZE_ANY(v));
		memcpy(cache->raw, v, VARSIZE_ANY(v));
		cache->text = DatumGetCString(DirectFunctionCall1(inet_out, PointerGetDatum(v)));
		MemoryContextSwitchTo(old);
	}
	t.ptr = cache->text;
	t.len = strlen(cache->text);
	return t;
}

/* the state of one verification */
typedef struct Verifier
{
	ReturnSetInfo *rsinfo;
	EntryAtts	ea;
	InetCache	ic;
	char	   *buf;			/* the serialization of an entry */
	size_t		bufsize;
	MemoryContext rowcxt;		/* detoasted values of one entry */
	int64		entries;
	int64		bytes;
} Verifier;

/*
 * Serializes the entry whose columns are values/nulls into v->buf; returns
 * its length.
 */
static size_t
entry_serialize(Verifier *v, const Datum *values, const bool *nulls)
{
	const EntryAtts *a = &v->ea;
	PtxLedgerEntryFields f;
	size_t		need;

	f.seq = DatumGetInt64(values[a->seq]);
	f.xid = nulls[a->xid] ? 0 :
		U64FromFullTransactionId(DatumGetFullTransactionId(values[a->xid]));
	f.logged_at = nulls[a->logged_at] ? 0 : DatumGetTimestampTz(values[a->logged_at]);
	f.business_at = nulls[a->business_at] ? 0 : DatumGetTimestampTz(values[a->business_at]);
	f.session_user_name = datum_text(values[a->session_user_name], nulls[a->session_user_name]);
	f.current_user_name = datum_text(values[a->current_user_name], nulls[a->current_user_name]);
	f.application_name = datum_text(values[a->application_name], nulls[a->application_name]);
	f.client_addr = datum_inet_text(values[a->client_addr], nulls[a->client_addr], &v->ic);
	f.operation = datum_text(values[a->operation], nulls[a->operation]);
	f.kind = datum_text(values[a->kind], nulls[a->kind]);
	f.relation = datum_text(values[a->relation], nulls[a->relation]);
	f.key = datum_text(values[a->key], nulls[a->key]);
	f.row_image = datum_text(values[a->row_image], nulls[a->row_image]);
	f.has_project_id = !nulls[a->project_id];
	f.project_id = f.has_project_id ? DatumGetInt64(values[a->project_id]) : 0;

	need = ptx_ledger_entry_size_max(&f);
	if (need > v->bufsize)
	{
		v->bufsize = Max(need, 2 * v->bufsize);
		v->buf = repalloc_huge(v->buf, v->bufsize);
	}
	return ptx_ledger_serialize_entry_into(v->buf, &f);
}

/* ---------------------------------------------------------------------
 * Checking entries
 * ---------------------------------------------------------------------
 */

/* what the blocks need of a checked entry */
typedef struct EntryCheck
{
	int64		seq;
	uint8		stored[PTX_LEDGER_HASH_LEN];	/* zeros when unusable */
	int32		computed;		/* index in Verifier's list, or -1 */
	uint8		verdict;
} EntryCheck;

#define ENTRY_OK			0
#define ENTRY_BAD_FORMAT	1	/* unknown format: not hashed */
#define ENTRY_BAD_HASH		2	/* hash unusable or not the content's */

/* a checked entry of a dense slot whose hash is not its content's */
typedef struct BadSlot
{
	int64		seq;
	int32		computed;		/* index in EntrySource's computed */
} BadSlot;

#define SLOT_ABSENT			0	/* else 1 + the entry's verdict */

/*
 * The entries, in seq order: from the arrays of the heap pass or from an
 * index scan.
 *
 * The heap pass keeps, for every seq from lo on, a slot: the stored hash
 * and the verdict.  Seqs are nearly dense (a sequence's gaps are rolled
 * back transactions), so a seq's slot is found from its value and the
 * entries come out in seq order without a sort.  An entry whose seq already
 * has a slot (only a tampered primary key allows it) goes to the list of
 * extras, sorted at the end and merged in.
 */
typedef struct EntrySource
{
	bool		dense;
	int64		lo;				/* seq of slot 0 */
	int64		nslots;
	uint8	   *hashes;			/* stored hash per slot, zeros when unusable */
	uint8	   *state;			/* SLOT_ABSENT or 1 + verdict, per slot */
	BadSlot    *bad;			/* ENTRY_BAD_HASH slots, sorted by seq */
	int64		nbad;
	int64		maxbad;
	EntryCheck *extra;			/* entries of seqs seen twice, sorted by seq */
	int64		nextra;
	int64		maxextra;
	int64		pos;			/* next slot */
	int64		extrapos;		/* next extra */
	int64		badpos;
	bool		cur_is_extra;
	uint8	   *computed;		/* hashes of ENTRY_BAD_HASH entries */
	int32		ncomputed;
	int32		maxcomputed;	/* the arrays hold < 2^31 entries */
	/* the index scan, when the slots would not fit in memory */
	LedgerScan	scan;
	bool		scan_open;
	bool		pending;
	bool		done;
	EntryCheck	cur;
} EntrySource;

static bool
datum_hash(Datum d, bool isnull, uint8 *out)
{
	struct varlena *v;

	if (isnull)
		return false;
	v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
	if (VARSIZE_ANY_EXHDR(v) != PTX_LEDGER_HASH_LEN)
		return false;
	memcpy(out, VARDATA_ANY(v), PTX_LEDGER_HASH_LEN);
	return true;
}

/*
 * Checks the entry whose columns are values/nulls into e; the hash it
 * computed, when it is not the stored one, goes to src->computed.
 */
static void
check_entry(Verifier *v, EntrySource *src, const Datum *values,
			const bool *nulls, EntryCheck *e)
{
	const EntryAtts *a = &v->ea;
	uint8		computed[PTX_LEDGER_HASH_LEN];
	bool		stored_ok;
	size_t		len;

	e->seq = DatumGetInt64(values[a->seq]);
	e->computed = -1;
	stored_ok = datum_hash(values[a->entry_hash], nulls[a->entry_hash], e->stored);
	if (!stored_ok)
		memset(e->stored, 0, PTX_LEDGER_HASH_LEN);
	if (nulls[a->format] || DatumGetInt16(values[a->format]) != PTX_LEDGER_FORMAT)
	{
		e->verdict = ENTRY_BAD_FORMAT;
		return;
	}
	len = entry_serialize(v, values, nulls);
	ptx_ledger_sha256(v->buf, len, computed);
	v->bytes += len;
	v->entries++;
	if (stored_ok && memcmp(computed, e->stored, PTX_LEDGER_HASH_LEN) == 0)
	{
		e->verdict = ENTRY_OK;
		return;
	}
	e->verdict = ENTRY_BAD_HASH;
	if (src->ncomputed == src->maxcomputed)
	{
		src->maxcomputed = Max(16, 2 * src->maxcomputed);
		src->computed = src->computed == NULL ?
			palloc_extended((Size) src->maxcomputed * PTX_LEDGER_HASH_LEN, MCXT_ALLOC_HUGE) :
			repalloc_huge(src->computed, (Size) src->maxcomputed * PTX_LEDGER_HASH_LEN);
	}
	memcpy(src->computed + src->ncomputed * PTX_LEDGER_HASH_LEN, computed,
		   PTX_LEDGER_HASH_LEN);
	e->computed = src->ncomputed++;
}

static int
entry_check_cmp(const void *a, const void *b)
{
	int64		x = ((const EntryCheck *) a)->seq;
	int64		y = ((const EntryCheck *) b)->seq;

	return (x > y) - (x < y);
}

static int
bad_slot_cmp(const void *a, const void *b)
{
	int64		x = ((const BadSlot *) a)->seq;
	int64		y = ((const BadSlot *) b)->seq;

	return (x > y) - (x < y);
}

/* grows an array of n elements of size sz to hold one more */
static void *
grow_array(void *items, int64 n, int64 *max, Size sz)
{
	if (n < *max)
		return items;
	*max = Max(16, 2 * *max);
	return items == NULL ?
		palloc_extended((Size) *max * sz, MCXT_ALLOC_HUGE) :
		repalloc_huge(items, (Size) *max * sz);
}

/*
 * The highest seq the primary key holds (seq_att is its 0-based column), or
 * from - 1 when there is none.
 */
static int64
ledger_max_seq(Relation heap, Snapshot snapshot, int seq_att, int64 from)
{
	Oid			pk = RelationGetPrimaryKeyIndex(heap);
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	int64		max = from - 1;
	bool		isnull;

	if (!OidIsValid(pk))
		return max;
	index = index_open(pk, AccessShareLock);
	scan = index_beginscan(heap, index, snapshot, 0, 0);
	index_rescan(scan, NULL, 0, NULL, 0);
	slot = table_slot_create(heap, NULL);
	if (index_getnext_slot(scan, BackwardScanDirection, slot))
	{
		Datum		d = slot_getattr(slot, seq_att + 1, &isnull);

		if (!isnull)
			max = Max(max, DatumGetInt64(d));
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	return max;
}

/*
 * Makes room for slot k in src's arrays, within limit slots; false when
 * that would exceed it.
 */
static bool
slots_reserve(EntrySource *src, int64 k, int64 limit)
{
	int64		n;

	if (k < src->nslots)
		return true;
	if (k >= limit)
		return false;
	n = Min(Max(k + 1, 2 * src->nslots), limit);
	src->hashes = repalloc_huge(src->hashes, (Size) n * PTX_LEDGER_HASH_LEN);
	src->state = repalloc_huge(src->state, (Size) n);
	memset(src->state + src->nslots, SLOT_ABSENT, n - src->nslots);
	src->nslots = n;
	return true;
}

/* frees the slots, for the walk in index order */
static void
slots_discard(Verifier *v, EntrySource *src)
{
	pfree(src->hashes);
	pfree(src->state);
	if (src->bad)
		pfree(src->bad);
	if (src->extra)
		pfree(src->extra);
	src->hashes = src->state = NULL;
	src->bad = NULL;
	src->extra = NULL;
	src->nslots = src->nbad = src->maxbad = src->nextra = src->maxextra = 0;
	src->ncomputed = 0;
	v->entries = 0;
	v->bytes = 0;
}

/*
 * One sequential pass over the entries from seq from on: every entry is
 * checked into its slot.  Returns false, with nothing kept, when the slots
 * would take more than maintenance_work_mem.
 */
static bool
read_entries_in_heap_order(Verifier *v, EntrySource *src, int64 from)
{
	Relation	rel = table_open(ptx_ledger_entry_relid(false), AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	Snapshot	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	TableScanDesc scan;
	HeapTuple	tuple;
	Datum	   *values = palloc(desc->natts * sizeof(Datum));
	bool	   *nulls = palloc(desc->natts * sizeof(bool));
	int64		limit = (int64) maintenance_work_mem * 1024 /
		(PTX_LEDGER_HASH_LEN + 1);
	bool		fits = true;
	int64		hi;

	entry_atts(desc, &v->ea);
	hi = ledger_max_seq(rel, snapshot, v->ea.seq, from);
	if (hi - from + 1 > limit)
	{
		/* too many for the slots, as far as the primary key tells */
		UnregisterSnapshot(snapshot);
		table_close(rel, AccessShareLock);
		return false;
	}
	src->lo = from;
	src->nslots = Max(hi - from + 1, 1);
	src->hashes = palloc_extended((Size) src->nslots * PTX_LEDGER_HASH_LEN, MCXT_ALLOC_HUGE);
	src->state = palloc_extended((Size) src->nslots, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);

	/* physical order from the start: no synchronized scan */
	scan = table_beginscan_strat(rel, snapshot, 0, NULL, true, false);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		EntryCheck	e;
		MemoryContext old;
		int64		k;

		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(tuple, desc, values, nulls);
		if (nulls[v->ea.seq] || DatumGetInt64(values[v->ea.seq]) < from)
			continue;
		k = DatumGetInt64(values[v->ea.seq]) - from;
		if (!slots_reserve(src, k, limit))
		{
			fits = false;
			break;
		}
		old = MemoryContextSwitchTo(v->rowcxt);
		check_entry(v, src, values, nulls, &e);
		MemoryContextSwitchTo(old);
		MemoryContextReset(v->rowcxt);
		if (src->state[k] != SLOT_ABSENT)
		{
			src->extra = grow_array(src->extra, src->nextra, &src->maxextra,
									sizeof(EntryCheck));
			src->extra[src->nextra++] = e;
			continue;
		}
		memcpy(src->hashes + k * PTX_LEDGER_HASH_LEN, e.stored, PTX_LEDGER_HASH_LEN);
		src->state[k] = 1 + e.verdict;
		if (e.verdict == ENTRY_BAD_HASH)
		{
			src->bad = grow_array(src->bad, src->nbad, &src->maxbad, sizeof(BadSlot));
			src->bad[src->nbad].seq = e.seq;
			src->bad[src->nbad].computed = e.computed;
			src->nbad++;
		}
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
	pfree(values);
	pfree(nulls);

	if (!fits)
	{
		slots_discard(v, src);
		return false;
	}
	if (src->nbad > 1)
		qsort(src->bad, src->nbad, sizeof(BadSlot), bad_slot_cmp);
	if (src->nextra > 1)
		qsort(src->extra, src->nextra, sizeof(EntryCheck), entry_check_cmp);
	src->dense = true;
	return true;
}

static void
entry_source_begin(Verifier *v, EntrySource *src, int64 from)
{
	memset(src, 0, sizeof(*src));
	if (read_entries_in_heap_order(v, src, from))
		return;
	ledger_scan_begin(&src->scan, ptx_ledger_entry_relid(false), from);
	entry_atts(RelationGetDescr(src->scan.heap), &v->ea);
	src->scan_open = true;
}

/* the next entry of the slots and extras, in seq order; NULL at the end */
static EntryCheck *
next_dense_entry(EntrySource *src)
{
	EntryCheck *e = &src->cur;
	uint8		state;

	while (src->pos < src->nslots && src->state[src->pos] == SLOT_ABSENT)
		src->pos++;
	if (src->extrapos < src->nextra &&
		(src->pos >= src->nslots ||
		 src->extra[src->extrapos].seq < src->lo + src->pos))
	{
		src->cur_is_extra = true;
		*e = src->extra[src->extrapos];
		return e;
	}
	if (src->pos >= src->nslots)
		return NULL;
	src->cur_is_extra = false;
	state = src->state[src->pos];
	e->seq = src->lo + src->pos;
	memcpy(e->stored, src->hashes + src->pos * PTX_LEDGER_HASH_LEN, PTX_LEDGER_HASH_LEN);
	e->verdict = state - 1;
	e->computed = -1;
	if (e->verdict == ENTRY_BAD_HASH)
	{
		while (src->badpos < src->nbad && src->bad[src->badpos].seq < e->seq)
			src->badpos++;
		Assert(src->badpos < src->nbad && src->bad[src->badpos].seq == e->seq);
		e->computed = src->bad[src->badpos].computed;
	}
	return e;
}

/* the next entry in seq order, NULL at the end; consumed by entry_done() */
static EntryCheck *
next_entry(Verifier *v, EntrySource *src)
{
	MemoryContext old;

	if (src->pending)
		return &src->cur;
	if (src->dense)
	{
		if (next_dense_entry(src) == NULL)
			return NULL;
		src->pending = true;
		return &src->cur;
	}
	if (src->done)
		return NULL;
	if (!ledger_scan_next(&src->scan))
	{
		src->done = true;
		return NULL;
	}
	old = MemoryContextSwitchTo(v->rowcxt);
	check_entry(v, src, src->scan.slot->tts_values, src->scan.slot->tts_isnull,
				&src->cur);
	MemoryContextSwitchTo(old);
	MemoryContextReset(v->rowcxt);
	src->pending = true;
	return &src->cur;
}

static void
entry_done(EntrySource *src)
{
	src->pending = false;
	if (src->dense)
	{
		if (src->cur_is_extra)
			src->extrapos++;
		else
			src->pos++;
	}
	else
	{
		/* one computed hash at a time is enough in index order */
		src->ncomputed = 0;
	}
}

static void
entry_source_end(EntrySource *src)
{
	if (src->scan_open)
		ledger_scan_end(&src->scan);
	src->scan_open = false;
}

static void
report(Verifier *v, bool has_block, int64 block_no, bool has_seq, int64 seq,
	   const char *problem, const char *detail)
{
	Datum		values[4];
	bool		nulls[4] = {!has_block, !has_seq, false, detail == NULL};

	values[0] = Int64GetDatum(block_no);
	values[1] = Int64GetDatum(seq);
	values[2] = CStringGetTextDatum(problem);
	values[3] = detail ? CStringGetTextDatum(detail) : (Datum) 0;
	tuplestore_putvalues(v->rsinfo->setResult, v->rsinfo->setDesc, values, nulls);
}

/* reports what is wrong with a checked entry */
static void
report_entry(Verifier *v, EntrySource *src, bool has_block, int64 block_no,
			 const EntryCheck *e)
{
	if (e->verdict == ENTRY_BAD_FORMAT)
		report(v, has_block, block_no, true, e->seq, "entry_format",
			   "The entry has an unknown serialization format.");
	else if (e->verdict == ENTRY_BAD_HASH)
		report(v, has_block, block_no, true, e->seq, "entry_hash",
			   psprintf("The entry's content hashes to %s, not to its stored hash.",
						hex(src->computed + e->computed * PTX_LEDGER_HASH_LEN)));
}

PG_FUNCTION_INFO_V1(ptx_verify_chain);

Datum
ptx_verify_chain(PG_FUNCTION_ARGS)
{
	int64		from_block = PG_ARGISNULL(0) ? 1 : PG_GETARG_INT64(0);
	Verifier	v;
	EntrySource src;
	LedgerScan	bs;
	BlockAtts	ba;
	uint8		expected_prev[PTX_LEDGER_HASH_LEN];
	bool		have_prev = true;
	bool		block_pending = false;
	int64		expected_no;
	int64		expected_first = 1;
	uint8	   *hashes;
	int64		cap = 1024;
	int64		blocks = 0;
	int64		unsealed = 0;
	int64		last_progress = 0;
	EntryCheck *e;
	StringInfoData buf;
	instr_time	start,
				elapsed;
	MemoryContext blockcxt,
				old;

	if (from_block < 1)
		from_block = 1;
	INSTR_TIME_SET_CURRENT(start);
	InitMaterializedSRF(fcinfo, 0);
	memset(&v, 0, sizeof(v));
	v.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	v.ic.cxt = CurrentMemoryContext;
	v.bufsize = 1024;
	v.buf = palloc(v.bufsize);
	v.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ptx verify entry",
									 ALLOCSET_DEFAULT_SIZES);
	initStringInfo(&buf);
	hashes = palloc(cap * PTX_LEDGER_HASH_LEN);
	blockcxt = AllocSetContextCreate(CurrentMemoryContext, "ptx verify block",
									 ALLOCSET_DEFAULT_SIZES);

	memset(expected_prev, 0, sizeof(expected_prev));
	expected_no = from_block;

	/* blocks, from the anchor (the block before from_block) on */
	ledger_scan_begin(&bs, ptx_ledger_block_relid(false),
					  from_block > 1 ? from_block - 1 : PG_INT64_MIN);
	block_atts(RelationGetDescr(bs.heap), &ba);
	if (from_block > 1)
	{
		bool		found = false;

		if (ledger_scan_next(&bs))
		{
			if (DatumGetInt64(bs.slot->tts_values[ba.block_no]) == from_block - 1)
			{
				found = datum_hash(bs.slot->tts_values[ba.block_hash],
								   bs.slot->tts_isnull[ba.block_hash], expected_prev);
				expected_first = DatumGetInt64(bs.slot->tts_values[ba.last_seq]) + 1;
			}
			else
			{
				/* no anchor: this is already the first block to check */
				block_pending = true;
				expected_first = DatumGetInt64(bs.slot->tts_values[ba.first_seq]);
			}
		}
		if (!found)
		{
			report(&v, true, from_block - 1, false, 0, "block_missing",
				   "The block before the first one to verify is missing; its successor's link cannot be checked.");
			have_prev = false;
		}
	}

	entry_source_begin(&v, &src, expected_first);

	for (;;)
	{
		TupleTableSlot *slot = bs.slot;
		int64		block_no,
					first_seq,
					last_seq,
					entry_count;
		uint8		root[PTX_LEDGER_HASH_LEN],
					stored_root[PTX_LEDGER_HASH_LEN],
					stored_prev[PTX_LEDGER_HASH_LEN],
					stored_hash[PTX_LEDGER_HASH_LEN],
					computed[PTX_LEDGER_HASH_LEN];
		bool		root_ok,
					prev_ok,
					hash_ok;
		int64		n = 0;
		PtxLedgerBlockFields bf;

		if (block_pending)
			block_pending = false;
		else if (!ledger_scan_next(&bs))
			break;
		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(blockcxt);
		block_no = DatumGetInt64(slot->tts_values[ba.block_no]);
		if (block_no < from_block)
		{
			/*
			 * from_block = 1 reads no anchor and scans from the smallest
			 * number: a block numbered below 1 was not written by the sealer
			 * (which starts at 1 and refuses to wrap round).  Report it and
			 * check its successors as if it were not there.
			 */
			if (from_block == 1)
				report(&v, true, block_no, false, 0, "block_missing",
					   psprintf("Block %lld has a number below 1: blocks are numbered from 1 on, so it is not part of the chain.",
								(long long) block_no));
			MemoryContextSwitchTo(old);
			continue;
		}
		first_seq = slot->tts_isnull[ba.first_seq] ? 0 : DatumGetInt64(slot->tts_values[ba.first_seq]);
		last_seq = slot->tts_isnull[ba.last_seq] ? 0 : DatumGetInt64(slot->tts_values[ba.last_seq]);
		entry_count = slot->tts_isnull[ba.entry_count] ? -1 : DatumGetInt64(slot->tts_values[ba.entry_count]);
		root_ok = datum_hash(slot->tts_values[ba.merkle_root], slot->tts_isnull[ba.merkle_root], stored_root);
		prev_ok = datum_hash(slot->tts_values[ba.prev_hash], slot->tts_isnull[ba.prev_hash], stored_prev);
		hash_ok = datum_hash(slot->tts_values[ba.block_hash], slot->tts_isnull[ba.block_hash], stored_hash);

		if (block_no != expected_no)
			report(&v, true, block_no, false, 0, "block_missing",
				   psprintf("Block %lld follows block %lld: blocks are missing or out of order.",
							(long long) block_no, (long long) expected_no - 1));
		if (first_seq != expected_first)
			report(&v, true, block_no, false, 0, "block_range",
				   psprintf("The block starts at seq %lld, where the chain expects %lld.",
							(long long) first_seq, (long long) expected_first));
		if (last_seq < first_seq)
			report(&v, true, block_no, false, 0, "block_range",
				   psprintf("The block ends at seq %lld, before its start %lld.",
							(long long) last_seq, (long long) first_seq));
		if (slot->tts_isnull[ba.format] ||
			DatumGetInt16(slot->tts_values[ba.format]) != PTX_LEDGER_FORMAT)
			report(&v, true, block_no, false, 0, "block_format",
				   "The block has an unknown serialization format.");

		/* the entries of its range, and any that lie before it */
		while ((e = next_entry(&v, &src)) != NULL && e->seq <= last_seq)
		{
			if (e->seq < first_seq)
			{
				report(&v, true, block_no, true, e->seq, "entry_outside_block",
					   "The entry lies between two blocks' ranges.");
				report_entry(&v, &src, true, block_no, e);
			}
			else
			{
				if (n == cap)
				{
					cap *= 2;
					hashes = repalloc_huge(hashes, cap * PTX_LEDGER_HASH_LEN);
				}
				report_entry(&v, &src, true, block_no, e);
				memcpy(hashes + n * PTX_LEDGER_HASH_LEN, e->stored, PTX_LEDGER_HASH_LEN);
				n++;
			}
			entry_done(&src);
		}

		if (n != entry_count)
			report(&v, true, block_no, false, 0, "entry_count",
				   psprintf("The block was sealed with %lld entries; its range holds %lld: entries were removed or inserted.",
							(long long) entry_count, (long long) n));
		if (n > 0)
			v.bytes += ptx_ledger_merkle_root(hashes, n, root);
		else
			memset(root, 0, sizeof(root));
		if (!root_ok || memcmp(root, stored_root, PTX_LEDGER_HASH_LEN) != 0)
			report(&v, true, block_no, false, 0, "merkle_root",
				   psprintf("The entries of the block have the Merkle root %s, not the sealed one.", hex(root)));
		if (have_prev && (!prev_ok || memcmp(stored_prev, expected_prev, PTX_LEDGER_HASH_LEN) != 0))
			report(&v, true, block_no, false, 0, "chain_link",
				   psprintf("The block's previous hash is not the hash %s of the block before it.",
							hex(expected_prev)));

		bf.block_no = block_no;
		bf.first_seq = first_seq;
		bf.last_seq = last_seq;
		bf.entry_count = entry_count;
		bf.merkle_root = stored_root;
		bf.prev_hash = stored_prev;
		bf.sealed_at = slot->tts_isnull[ba.sealed_at] ? 0 : DatumGetTimestampTz(slot->tts_values[ba.sealed_at]);
		resetStringInfo(&buf);
		ptx_ledger_serialize_block(&buf, &bf);
		ptx_ledger_sha256(buf.data, buf.len, computed);
		v.bytes += buf.len;
		if (!hash_ok || memcmp(computed, stored_hash, PTX_LEDGER_HASH_LEN) != 0)
			report(&v, true, block_no, false, 0, "block_hash",
				   psprintf("The block's content hashes to %s, not to its stored hash.", hex(computed)));

		memcpy(expected_prev, stored_hash, PTX_LEDGER_HASH_LEN);
		have_prev = true;
		expected_first = last_seq + 1;
		expected_no = block_no + 1;
		blocks++;
		MemoryContextSwitchTo(old);
		MemoryContextReset(blockcxt);

		if (verify_progress > 0 && blocks - last_progress >= verify_progress)
		{
			last_progress = blocks;
			ereport(NOTICE,
					(errmsg("ptx.verify: %lld blocks and %lld entries verified, up to block %lld",
							(long long) blocks, (long long) v.entries, (long long) block_no)));
		}
	}
	ledger_scan_end(&bs);

	/* entries after the last block: not sealed yet, checked all the same */
	while ((e = next_entry(&v, &src)) != NULL)
	{
		old = MemoryContextSwitchTo(blockcxt);
		report_entry(&v, &src, false, 0, e);
		MemoryContextSwitchTo(old);
		entry_done(&src);
		if (++unsealed % 10000 == 0)
		{
			MemoryContextReset(blockcxt);
			CHECK_FOR_INTERRUPTS();
		}
	}
	entry_source_end(&src);

	if (last_progress > 0)
	{
		double		ms;

		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);
		ms = INSTR_TIME_GET_MILLISEC(elapsed);
		ereport(NOTICE,
				(errmsg("ptx.verify: done, %lld blocks and %lld entries, %lld bytes hashed in %.1f ms",
						(long long) blocks, (long long) v.entries, (long long) v.bytes, ms)));
	}
	return (Datum) 0;
}

/*
 * ptx.ledger_entry_bytes(seq): the exact bytes whose SHA-256 is the entry
 * hash, for auditors and for the worked example of docs/ledger-format.md.
 */
PG_FUNCTION_INFO_V1(ptx_ledger_entry_bytes);

Datum
ptx_ledger_entry_bytes(PG_FUNCTION_ARGS)
{
	int64		seq = PG_GETARG_INT64(0);
	LedgerScan	ls;
	EntryAtts	ea;
	InetCache	ic = {CurrentMemoryContext, NULL, NULL};
	bytea	   *result = NULL;

	ledger_scan_begin(&ls, ptx_ledger_entry_relid(false), seq);
	entry_atts(RelationGetDescr(ls.heap), &ea);
	if (ledger_scan_next(&ls) && DatumGetInt64(ls.slot->tts_values[ea.seq]) == seq)
	{
		Datum	   *v = ls.slot->tts_values;
		bool	   *n = ls.slot->tts_isnull;
		PtxLedgerEntryFields f;
		StringInfoData buf;

		/* the serialization of the capture (ledger.c), not the verifier's */
		f.seq = DatumGetInt64(v[ea.seq]);
		f.xid = n[ea.xid] ? 0 : U64FromFullTransactionId(DatumGetFullTransactionId(v[ea.xid]));
		f.logged_at = n[ea.logged_at] ? 0 : DatumGetTimestampTz(v[ea.logged_at]);
		f.business_at = n[ea.business_at] ? 0 : DatumGetTimestampTz(v[ea.business_at]);
		f.session_user_name = datum_text(v[ea.session_user_name], n[ea.session_user_name]);
		f.current_user_name = datum_text(v[ea.current_user_name], n[ea.current_user_name]);
		f.application_name = datum_text(v[ea.application_name], n[ea.application_name]);
		f.client_addr = datum_inet_text(v[ea.client_addr], n[ea.client_addr], &ic);
		f.operation = datum_text(v[ea.operation], n[ea.operation]);
		f.kind = datum_text(v[ea.kind], n[ea.kind]);
		f.relation = datum_text(v[ea.relation], n[ea.relation]);
		f.key = datum_text(v[ea.key], n[ea.key]);
		f.row_image = datum_text(v[ea.row_image], n[ea.row_image]);
		f.has_project_id = !n[ea.project_id];
		f.project_id = f.has_project_id ? DatumGetInt64(v[ea.project_id]) : 0;
		initStringInfo(&buf);
		ptx_ledger_serialize_entry(&buf, &f);
		result = palloc(VARHDRSZ + buf.len);
		SET_VARSIZE(result, VARHDRSZ + buf.len);
		memcpy(VARDATA(result), buf.data, buf.len);
	}
	ledger_scan_end(&ls);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(result);
}

/* ptx.ledger_block_bytes(block_no): the bytes whose SHA-256 is the block hash */
PG_FUNCTION_INFO_V1(ptx_ledger_block_bytes);

Datum
ptx_ledger_block_bytes(PG_FUNCTION_ARGS)
{
	int64		block_no = PG_GETARG_INT64(0);
	LedgerScan	ls;
	BlockAtts	ba;
	bytea	   *result = NULL;

	ledger_scan_begin(&ls, ptx_ledger_block_relid(false), block_no);
	block_atts(RelationGetDescr(ls.heap), &ba);
	if (ledger_scan_next(&ls) && DatumGetInt64(ls.slot->tts_values[ba.block_no]) == block_no)
	{
		PtxLedgerBlockFields bf;
		uint8		root[PTX_LEDGER_HASH_LEN],
					prev[PTX_LEDGER_HASH_LEN];
		StringInfoData buf;

		memset(root, 0, sizeof(root));
		memset(prev, 0, sizeof(prev));
		(void) datum_hash(ls.slot->tts_values[ba.merkle_root], ls.slot->tts_isnull[ba.merkle_root], root);
		(void) datum_hash(ls.slot->tts_values[ba.prev_hash], ls.slot->tts_isnull[ba.prev_hash], prev);
		bf.block_no = block_no;
		bf.first_seq = DatumGetInt64(ls.slot->tts_values[ba.first_seq]);
		bf.last_seq = DatumGetInt64(ls.slot->tts_values[ba.last_seq]);
		bf.entry_count = DatumGetInt64(ls.slot->tts_values[ba.entry_count]);
		bf.merkle_root = root;
		bf.prev_hash = prev;
		bf.sealed_at = DatumGetTimestampTz(ls.slot->tts_values[ba.sealed_at]);
		initStringInfo(&buf);
		ptx_ledger_serialize_block(&buf, &bf);
		result = palloc(VARHDRSZ + buf.len);
		SET_VARSIZE(result, VARHDRSZ + buf.len);
		memcpy(VARDATA(result), buf.data, buf.len);
	}
	ledger_scan_end(&ls);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(result);
}
