/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  Verification of the ledger's entries, blocks and chain.
 *
 * ptx.verify_chain(from_block) walks the blocks from from_block on, in
 * block_no order, and the entries from the first seq of that block on, in
 * seq order, in one pass of each primary key index.  For every entry it
 * recomputes the hash over the canonical serialization; for every block the
 * entry count, the Merkle root of the stored entry hashes, the block hash,
 * the link to the previous block and the adjacency of seq ranges.  Entries
 * after the last block are checked for their hash only.  It returns one row
 * per problem; the SQL wrapper ptx.verify() adds the comparison of tracked
 * tables with their last images and the check of the sealing lag.
 *
 * Verification starting at block n trusts block n-1's stored hash as its
 * anchor; a full verification, or ptx.verify(digests), anchors at genesis or
 * at hashes published outside the database.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"

#include "ptx.h"
#include "ledger.h"

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

static int
att_index(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
			return i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("ledger column \"%s\" is missing", name),
			 errhint("Restore the ledger tables from a backup or reinstall ptx.")));
	return -1;					/* keep compiler quiet */
}

static void
entry_atts(TupleDesc d, EntryAtts *a)
{
	a->seq = att_index(d, "seq");
	a->xid = att_index(d, "xid");
	a->logged_at = att_index(d, "logged_at");
	a->business_at = att_index(d, "business_at");
	a->session_user_name = att_index(d, "session_user_name");
	a->current_user_name = att_index(d, "current_user_name");
	a->application_name = att_index(d, "application_name");
	a->client_addr = att_index(d, "client_addr");
	a->operation = att_index(d, "operation");
	a->kind = att_index(d, "kind");
	a->relation = att_index(d, "relation");
	a->key = att_index(d, "key");
	a->row_image = att_index(d, "row_image");
	a->project_id = att_index(d, "project_id");
	a->format = att_index(d, "format");
	a->entry_hash = att_index(d, "entry_hash");
}

static void
block_atts(TupleDesc d, BlockAtts *a)
{
	a->block_no = att_index(d, "block_no");
	a->first_seq = att_index(d, "first_seq");
	a->last_seq = att_index(d, "last_seq");
	a->entry_count = att_index(d, "entry_count");
	a->merkle_root = att_index(d, "merkle_root");
	a->prev_hash = att_index(d, "prev_hash");
	a->block_hash = att_index(d, "block_hash");
	a->sealed_at = att_index(d, "sealed_at");
	a->format = att_index(d, "format");
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

/* client address text, cached for runs of entries from one client */
typedef struct InetCache
{
	bytea	   *raw;
	char	   *text;
} InetCache;

static inline PtxLedgerText
slot_text(TupleTableSlot *slot, int att)
{
	PtxLedgerText t = {NULL, 0};

	if (!slot->tts_isnull[att])
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(slot->tts_values[att]);

		if (VARATT_IS_EXTENDED(v))
		{
			v = pg_detoast_datum_packed(v);
			if (VARATT_IS_EXTENDED(v))
				v = pg_detoast_datum(v);
		}
		t.ptr = VARDATA_ANY(v);
		t.len = VARSIZE_ANY_EXHDR(v);
	}
	return t;
}

static PtxLedgerText
slot_inet_text(TupleTableSlot *slot, int att, InetCache *cache)
{
	PtxLedgerText t = {NULL, 0};
	struct varlena *v;

	if (slot->tts_isnull[att])
		return t;
	v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(slot->tts_values[att]));
	if (cache->raw == NULL ||
		VARSIZE_ANY(v) != VARSIZE_ANY(cache->raw) ||
		memcmp(v, cache->raw, VARSIZE_ANY(v)) != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

		cache->raw = palloc(VARSIZE_ANY(v));
		memcpy(cache->raw, v, VARSIZE_ANY(v));
		cache->text = DatumGetCString(DirectFunctionCall1(inet_out, PointerGetDatum(v)));
		MemoryContextSwitchTo(old);
	}
	t.ptr = cache->text;
	t.len = strlen(cache->text);
	return t;
}

/* serializes the entry in the slot into buf (reset first) */
static void
entry_serialize_slot(TupleTableSlot *slot, const EntryAtts *a, InetCache *ic,
					 StringInfo buf)
{
	PtxLedgerEntryFields f;
	bool	   *n = slot->tts_isnull;
	Datum	   *v = slot->tts_values;

	f.seq = DatumGetInt64(v[a->seq]);
	f.xid = n[a->xid] ? 0 : U64FromFullTransactionId(DatumGetFullTransactionId(v[a->xid]));
	f.logged_at = n[a->logged_at] ? 0 : DatumGetTimestampTz(v[a->logged_at]);
	f.business_at = n[a->business_at] ? 0 : DatumGetTimestampTz(v[a->business_at]);
	f.session_user_name = slot_text(slot, a->session_user_name);
	f.current_user_name = slot_text(slot, a->current_user_name);
	f.application_name = slot_text(slot, a->application_name);
	f.client_addr = slot_inet_text(slot, a->client_addr, ic);
	f.operation = slot_text(slot, a->operation);
	f.kind = slot_text(slot, a->kind);
	f.relation = slot_text(slot, a->relation);
	f.key = slot_text(slot, a->key);
	f.row_image = slot_text(slot, a->row_image);
	f.has_project_id = !n[a->project_id];
	f.project_id = f.has_project_id ? DatumGetInt64(v[a->project_id]) : 0;
	resetStringInfo(buf);
	ptx_ledger_serialize_entry(buf, &f);
}

static bool
slot_hash(TupleTableSlot *slot, int att, uint8 *out)
{
	struct varlena *v;

	if (slot->tts_isnull[att])
		return false;
	v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(slot->tts_values[att]));
	if (VARSIZE_ANY_EXHDR(v) != PTX_LEDGER_HASH_LEN)
		return false;
	memcpy(out, VARDATA_ANY(v), PTX_LEDGER_HASH_LEN);
	return true;
}

static void
hash_into(pg_cryptohash_ctx *ctx, const uint8 *data, size_t len, uint8 *out)
{
	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, data, len) < 0 ||
		pg_cryptohash_final(ctx, out, PTX_LEDGER_HASH_LEN) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute a SHA-256 hash: %s", pg_cryptohash_error(ctx))));
}

static char *
hex(const uint8 *h)
{
	char	   *s = palloc(2 * PTX_LEDGER_HASH_LEN + 1);

	hex_encode((const char *) h, PTX_LEDGER_HASH_LEN, s);
	s[2 * PTX_LEDGER_HASH_LEN] = '\0';
	return s;
}

/* the state of one verification */
typedef struct Verifier
{
	ReturnSetInfo *rsinfo;
	pg_cryptohash_ctx *ctx;
	StringInfoData buf;
	InetCache	ic;
	EntryAtts	ea;
	LedgerScan	es;
	bool		entry_pending;	/* es.slot holds an entry not yet consumed */
	bool		entries_done;
	int64		entries;
	int64		bytes;
} Verifier;

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

/* next entry in seq order into v->es.slot; false at the end */
static bool
next_entry(Verifier *v)
{
	if (v->entry_pending)
		return true;
	if (v->entries_done)
		return false;
	if (!ledger_scan_next(&v->es))
	{
		v->entries_done = true;
		return false;
	}
	v->entry_pending = true;
	return true;
}

/*
 * Checks the hash of the pending entry; copies its stored hash to out.
 * Returns false when the stored hash is unusable.
 */
static bool
check_entry(Verifier *v, bool has_block, int64 block_no, uint8 *stored)
{
	TupleTableSlot *slot = v->es.slot;
	int64		seq = DatumGetInt64(slot->tts_values[v->ea.seq]);
	uint8		computed[PTX_LEDGER_HASH_LEN];
	bool		ok;

	ok = slot_hash(slot, v->ea.entry_hash, stored);
	if (slot->tts_isnull[v->ea.format] ||
		DatumGetInt16(slot->tts_values[v->ea.format]) != PTX_LEDGER_FORMAT)
	{
		report(v, has_block, block_no, true, seq, "entry_format",
			   "The entry has an unknown serialization format.");
		return ok;
	}
	entry_serialize_slot(slot, &v->ea, &v->ic, &v->buf);
	hash_into(v->ctx, (uint8 *) v->buf.data, v->buf.len, computed);
	v->bytes += v->buf.len;
	v->entries++;
	if (!ok || memcmp(computed, stored, PTX_LEDGER_HASH_LEN) != 0)
		report(v, has_block, block_no, true, seq, "entry_hash",
			   psprintf("The entry's content hashes to %s, not to its stored hash.", hex(computed)));
	return ok;
}

PG_FUNCTION_INFO_V1(ptx_verify_chain);

Datum
ptx_verify_chain(PG_FUNCTION_ARGS)
{
	int64		from_block = PG_ARGISNULL(0) ? 1 : PG_GETARG_INT64(0);
	Verifier	v;
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
	initStringInfo(&v.buf);
	v.ctx = pg_cryptohash_create(PG_SHA256);
	if (v.ctx == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	hashes = palloc(cap * PTX_LEDGER_HASH_LEN);
	blockcxt = AllocSetContextCreate(CurrentMemoryContext, "ptx verify block",
									 ALLOCSET_DEFAULT_SIZES);

	memset(expected_prev, 0, sizeof(expected_prev));
	expected_no = from_block;

	/* blocks, from the anchor (the block before from_block) on */
	ledger_scan_begin(&bs, ptx_ledger_block_relid(false), from_block - 1);
	block_atts(RelationGetDescr(bs.heap), &ba);
	if (from_block > 1)
	{
		bool		found = false;

		if (ledger_scan_next(&bs))
		{
			if (DatumGetInt64(bs.slot->tts_values[ba.block_no]) == from_block - 1)
			{
				found = slot_hash(bs.slot, ba.block_hash, expected_prev);
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

	ledger_scan_begin(&v.es, ptx_ledger_entry_relid(false), expected_first);
	entry_atts(RelationGetDescr(v.es.heap), &v.ea);

	for (;;)
	{
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
		block_no = DatumGetInt64(bs.slot->tts_values[ba.block_no]);
		if (block_no < from_block)
		{
			/* from_block = 1 reads no anchor; skip anything below it */
			MemoryContextSwitchTo(old);
			continue;
		}
		first_seq = bs.slot->tts_isnull[ba.first_seq] ? 0 : DatumGetInt64(bs.slot->tts_values[ba.first_seq]);
		last_seq = bs.slot->tts_isnull[ba.last_seq] ? 0 : DatumGetInt64(bs.slot->tts_values[ba.last_seq]);
		entry_count = bs.slot->tts_isnull[ba.entry_count] ? -1 : DatumGetInt64(bs.slot->tts_values[ba.entry_count]);
		root_ok = slot_hash(bs.slot, ba.merkle_root, stored_root);
		prev_ok = slot_hash(bs.slot, ba.prev_hash, stored_prev);
		hash_ok = slot_hash(bs.slot, ba.block_hash, stored_hash);

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
		if (bs.slot->tts_isnull[ba.format] ||
			DatumGetInt16(bs.slot->tts_values[ba.format]) != PTX_LEDGER_FORMAT)
			report(&v, true, block_no, false, 0, "block_format",
				   "The block has an unknown serialization format.");

		/* the entries of its range, and any that lie before it */
		while (next_entry(&v))
		{
			int64		seq = DatumGetInt64(v.es.slot->tts_values[v.ea.seq]);

			if (seq > last_seq)
				break;
			if (seq < first_seq)
			{
				uint8		dummy[PTX_LEDGER_HASH_LEN];

				report(&v, true, block_no, true, seq, "entry_outside_block",
					   "The entry lies between two blocks' ranges.");
				(void) check_entry(&v, true, block_no, dummy);
			}
			else
			{
				if (n == cap)
				{
					cap *= 2;
					hashes = repalloc(hashes, cap * PTX_LEDGER_HASH_LEN);
				}
				if (!check_entry(&v, true, block_no, hashes + n * PTX_LEDGER_HASH_LEN))
					memset(hashes + n * PTX_LEDGER_HASH_LEN, 0, PTX_LEDGER_HASH_LEN);
				n++;
			}
			v.entry_pending = false;
		}

		if (n != entry_count)
			report(&v, true, block_no, false, 0, "entry_count",
				   psprintf("The block was sealed with %lld entries; its range holds %lld: entries were removed or inserted.",
							(long long) entry_count, (long long) n));
		if (n > 0)
		{
			v.bytes += (n - 1) * (1 + 2 * PTX_LEDGER_HASH_LEN);
			ptx_ledger_merkle_root(hashes, n, root);
		}
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
		bf.sealed_at = bs.slot->tts_isnull[ba.sealed_at] ? 0 : DatumGetTimestampTz(bs.slot->tts_values[ba.sealed_at]);
		resetStringInfo(&v.buf);
		ptx_ledger_serialize_block(&v.buf, &bf);
		hash_into(v.ctx, (uint8 *) v.buf.data, v.buf.len, computed);
		v.bytes += v.buf.len;
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
	while (next_entry(&v))
	{
		uint8		dummy[PTX_LEDGER_HASH_LEN];

		old = MemoryContextSwitchTo(blockcxt);
		(void) check_entry(&v, false, 0, dummy);
		MemoryContextSwitchTo(old);
		v.entry_pending = false;
		unsealed++;
		if (unsealed % 10000 == 0)
		{
			MemoryContextReset(blockcxt);
			CHECK_FOR_INTERRUPTS();
		}
	}
	ledger_scan_end(&v.es);
	pg_cryptohash_free(v.ctx);

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
	InetCache	ic = {NULL, NULL};
	StringInfoData buf;
	bytea	   *result = NULL;

	ledger_scan_begin(&ls, ptx_ledger_entry_relid(false), seq);
	entry_atts(RelationGetDescr(ls.heap), &ea);
	if (ledger_scan_next(&ls) && DatumGetInt64(ls.slot->tts_values[ea.seq]) == seq)
	{
		initStringInfo(&buf);
		entry_serialize_slot(ls.slot, &ea, &ic, &buf);
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
		(void) slot_hash(ls.slot, ba.merkle_root, root);
		(void) slot_hash(ls.slot, ba.prev_hash, prev);
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
