/*-------------------------------------------------------------------------
 *
 * seal.c
 *	  Sealing ledger entries into hash-chained blocks (DESIGN.md §3).
 *
 * The sealer never makes a writer wait and holds nothing a writer needs:
 *
 *	 1. It locks ptx.ledger_block in SHARE ROW EXCLUSIVE mode, which only
 *		other sealers want.
 *	 2. Tables tracked but not yet baselined (ptx's own tables right after
 *		CREATE EXTENSION) get a 'track' event and a SNAPSHOT of their rows
 *		(the workers do it in a transaction of their own beforehand, without
 *		waiting for locks, and only once the ledger's sequence has been used;
 *		see worker.c).
 *	 3. It reads L, the last value handed out by ptx.ledger_seq.
 *	 4. It waits until every transaction holding ROW EXCLUSIVE on
 *		ptx.ledger_seq has ended.  Writers take it in nextval(), before
 *		drawing a seq, and keep it to their end, so once they are gone no
 *		entry with seq <= L can still commit: the set of entries with
 *		seq <= L is final.  VACUUM and ANALYZE of the ledger do not lock the
 *		sequence and are not waited for.
 *	 5. It seals exactly the committed entries with seq in (previous L, L],
 *		in seq order, in blocks of at most ptx.block_max_entries entries,
 *		and commits synchronously whatever synchronous_commit says, so that
 *		no block is seen before it is durable.
 *
 * A block is (block_no, first_seq, last_seq, entry_count, merkle_root,
 * prev_hash, block_hash, sealed_at); block_hash covers all the others
 * (docs/ledger-format.md).  The ranges of consecutive blocks are adjacent:
 * seqs of rolled-back transactions are simply absent.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/int.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "ptx.h"
#include "ledger.h"
#include "seal.h"
#include "seal_index.h"
#include "spi_plan.h"

static int	block_max_entries = 10000;
static int	seal_max_lag = 60;

void
ptx_ledger_init(void)
{
	DefineCustomIntVariable("ptx.block_max_entries",
							"Largest number of entries sealed into one ledger block.",
							NULL,
							&block_max_entries,
							10000, 1, 1000000,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ptx.seal_max_lag",
							"Age in seconds past which ptx.verify() reports an entry not sealed yet.",
							"The sealing workers seal within about ptx.seal_interval; the ptx:seal job of pg_cron within a minute.",
							&seal_max_lag,
							60, 0, 86400 * 7,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
}

static void
spi_check(int rc, int expected, const char *what)
{
	if (rc != expected)
		elog(ERROR, "%s failed: %s", what, SPI_result_code_string(rc));
}

/* the queries of the sealer, prepared once per backend and kept */
typedef enum SealQuery
{
	SQ_UNTRACKED,				/* tracked tables without a baseline */
	SQ_LAST_SEQ,				/* the last seq handed out */
	SQ_LAST_BLOCK,				/* the newest block */
	SQ_ENTRIES,					/* a range of entries: hash, relation, key, project */
	SQ_INSERT_BLOCK,			/* a new block */
	SQ_COUNT
} SealQuery;

static const struct
{
	const char *sql;
	int			nargs;
	Oid			argtypes[9];
}			seal_queries[SQ_COUNT] =
{
	[SQ_UNTRACKED] = {
		"SELECT t.tgrelid FROM pg_catalog.pg_trigger t"
		"  JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
		" WHERE t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure"
		"   AND c.relkind = 'r'"
		"   AND c.relpersistence <> 't'"	/* another session's are unreadable */
		/* a 'track' event sealed (30_ledger_index.sql) ... */
		"   AND NOT EXISTS (SELECT 1"
		"                     FROM ptx.ledger_key_index k, unnest(k.seqs) s(seq),"
		"                          ptx.ledger_entry e"
		"                    WHERE k.relation = (ptx.ledger_relation_name(t.tgrelid) COLLATE \"C\")"
		"                      AND k.key = ''"
		"                      AND e.seq = s.seq"
		"                      AND e.operation = 'EVENT' AND e.kind = 'track')"
		/* ... or not sealed yet: the tail is read once */
		"   AND ptx.ledger_relation_name(t.tgrelid) NOT IN ("
		"         SELECT e.relation FROM ptx.ledger_entry e"
		"          WHERE e.seq > COALESCE((SELECT max(b.last_seq) FROM ptx.ledger_block b), 0)"
		"            AND e.operation = 'EVENT' AND e.kind = 'track'"
		"            AND e.relation IS NOT NULL)"
		" ORDER BY 1", 0, {0}
	},
	[SQ_LAST_SEQ] = {
		"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM ptx.ledger_seq",
		0, {0}
	},
	[SQ_LAST_BLOCK] = {
		"SELECT block_no, last_seq, block_hash FROM ptx.ledger_block"
		" ORDER BY block_no DESC LIMIT 1", 0, {0}
	},
	[SQ_ENTRIES] = {
		"SELECT seq, entry_hash, relation, key::text, project_id FROM ptx.ledger_entry"
		" WHERE seq > $1 AND seq <= $2 ORDER BY seq", 2, {INT8OID, INT8OID}
	},
	[SQ_INSERT_BLOCK] = {
		"INSERT INTO ptx.ledger_block (block_no, first_seq, last_seq, "
		"entry_count, merkle_root, prev_hash, block_hash, sealed_at, format) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", 9,
		{INT8OID, INT8OID, INT8OID, INT8OID, BYTEAOID, BYTEAOID, BYTEAOID,
		TIMESTAMPTZOID, INT2OID}
	},
};

static SPIPlanPtr seal_plans[SQ_COUNT];

static SPIPlanPtr
seal_plan(SealQuery q)
{
	return ptx_spi_plan(&seal_plans[q], seal_queries[q].sql, seal_queries[q].nargs,
						seal_queries[q].argtypes, "a sealer query");
}

/*
 * Baseline: a 'track' event and a SNAPSHOT of every row, once per tracked
 * table that has none.  Conditional (the workers): a table whose lock is not
 * free at once is left for the next round, so that the worker never waits
 * while holding locks that writers need.  Returns the number of tables done.
 */
static int64
seal_baseline(bool conditional)
{
	int			rc;
	int64		done = 0;
	uint64		i,
				n;
	Oid		   *relids;

	rc = SPI_execute_plan(seal_plan(SQ_UNTRACKED), NULL, NULL, false, 0);
	spi_check(rc, SPI_OK_SELECT, "finding tables to baseline");
	n = SPI_processed;
	if (n == 0)
		return 0;
	relids = palloc(sizeof(Oid) * n);
	for (i = 0; i < n; i++)
	{
		bool		isnull;

		relids[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
												   SPI_tuptable->tupdesc, 1, &isnull));
	}
	for (i = 0; i < n; i++)
	{
		/* rows in flight would make the snapshot disagree with the log */
		if (conditional)
		{
			if (!ConditionalLockRelationOid(relids[i], ShareLock))
				continue;
		}
		else
			LockRelationOid(relids[i], ShareLock);
		ptx_ledger_record_event("track", ptx_ledger_relation_name(relids[i]), NULL,
								DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
																   CStringGetDatum("{\"baseline\": true}"))));
		ptx_ledger_snapshot_relation(relids[i]);
		done++;
	}
	return done;
}

/* the last seq handed out, 0 when none was */
static int64
seal_last_value(void)
{
	int			rc;
	bool		isnull;

	rc = SPI_execute_plan(seal_plan(SQ_LAST_SEQ), NULL, NULL, false, 0);
	spi_check(rc, SPI_OK_SELECT, "reading ptx.ledger_seq");
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * Waits until no transaction that may still commit an entry is running.
 *
 * A writer draws its seq with nextval(), which takes ROW EXCLUSIVE on
 * ptx.ledger_seq before drawing and keeps it to the end of its transaction.
 * So the transactions holding that lock are exactly those that may still
 * commit an entry with a seq already handed out.  Nothing else takes a lock
 * on the sequence that conflicts with SHARE: VACUUM and ANALYZE of the
 * ledger (SHARE UPDATE EXCLUSIVE on ptx.ledger_entry), autovacuum among
 * them, no longer hold the sealer up.  Our own transaction is never among
 * them (ptx_ledger_seal() refuses to run in a transaction that wrote).
 */
static void
seal_wait_for_writers(Oid seq_relid)
{
	LOCKTAG		tag;
	VirtualTransactionId *vxids;

	SET_LOCKTAG_RELATION(tag, MyDatabaseId, seq_relid);
	vxids = GetLockConflicts(&tag, ShareLock, NULL);
	while (VirtualTransactionIdIsValid(*vxids))
	{
		VirtualXactLock(*vxids, true);
		vxids++;
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * The number of the block after *block_no.  The sealer never writes block
 * PG_INT64_MAX + 1: numbers wrapping round to negative ones would break the
 * chain's order (verification reports any block below 1).
 */
static void
seal_next_block_no(int64 *block_no)
{
	if (pg_add_s64_overflow(*block_no, 1, block_no))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("ledger block numbers are exhausted"),
				 errdetail("The last block is numbered %lld, the largest bigint.",
						   (long long) PG_INT64_MAX),
				 errhint("A block of that number was not written by the sealer; run ptx.verify() to find how it came there.")));
}

static void
seal_write_block(int64 block_no, int64 first_seq, int64 last_seq,
				 uint8 *hashes, int64 count, const uint8 *prev_hash,
				 uint8 *block_hash, SealIndex *si)
{
	PtxLedgerBlockFields b;
	uint8		root[PTX_LEDGER_HASH_LEN];
	StringInfoData buf;
	Datum		values[9];
	bytea	   *r,
			   *p,
			   *h;
	int			rc;

	(void) ptx_ledger_merkle_root(hashes, count, root);
	b.block_no = block_no;
	b.first_seq = first_seq;
	b.last_seq = last_seq;
	b.entry_count = count;
	b.merkle_root = root;
	b.prev_hash = prev_hash;
	b.sealed_at = GetCurrentTimestamp();
	initStringInfo(&buf);
	ptx_ledger_serialize_block(&buf, &b);
	ptx_ledger_sha256((uint8 *) buf.data, buf.len, block_hash);


#define HASH_BYTEA(var, src) \
	do { \
		var = palloc(VARHDRSZ + PTX_LEDGER_HASH_LEN); \
		SET_VARSIZE(var, VARHDRSZ + PTX_LEDGER_HASH_LEN); \
		memcpy(VARDATA(var), src, PTX_LEDGER_HASH_LEN); \
	} while (0)
	HASH_BYTEA(r, root);
	HASH_BYTEA(p, prev_hash);
	HASH_BYTEA(h, block_hash);
#undef HASH_BYTEA

	values[0] = Int64GetDatum(block_no);
	values[1] = Int64GetDatum(first_seq);
	values[2] = Int64GetDatum(last_seq);
	values[3] = Int64GetDatum(count);
	values[4] = PointerGetDatum(r);
	values[5] = PointerGetDatum(p);
	values[6] = PointerGetDatum(h);
	values[7] = TimestampTzGetDatum(b.sealed_at);
	values[8] = Int16GetDatum(PTX_LEDGER_FORMAT);
	rc = SPI_execute_plan(seal_plan(SQ_INSERT_BLOCK), values, NULL, false, 0);
	spi_check(rc, SPI_OK_INSERT, "inserting a ledger block");
	/* the lookup indexes, in the same transaction (seal_index.c) */
	ptx_seal_index_write(si, block_no);
	pfree(buf.data);
}

/* hands an entry read for its hash to the lookup indexes (seal_index.c) */
static void
seal_index_entry(SealIndex *si, int64 seq, HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	Datum		d;
	Datum		key_datum;
	text	   *relation = NULL;
	text	   *key = NULL;
	int64		project_id = 0;
	bool		has_project_id;

	d = SPI_getbinval(tup, desc, 3, &isnull);
	if (!isnull)
		relation = DatumGetTextPP(d);
	key_datum = SPI_getbinval(tup, desc, 4, &isnull);
	if (!isnull)
		key = DatumGetTextPP(key_datum);
	d = SPI_getbinval(tup, desc, 5, &isnull);
	has_project_id = !isnull;
	if (has_project_id)
		project_id = DatumGetInt64(d);
	ptx_seal_index_add(si, seq,
					   relation ? VARDATA_ANY(relation) : NULL,
					   relation ? VARSIZE_ANY_EXHDR(relation) : 0,
					   key ? VARDATA_ANY(key) : NULL,
					   key ? VARSIZE_ANY_EXHDR(key) : 0,
					   has_project_id, project_id);
	/* a long key may have come detoasted: the collection keeps its copy */
	if (key != NULL && (Pointer) key != DatumGetPointer(key_datum))
		pfree(key);
}

/*
 * The baseline in a transaction of its own (the workers): only once the
 * ledger's sequence has been used, never waiting for a lock.
 */
int64
ptx_ledger_baseline(void)
{
	int64		done = 0;

	ptx_ledger_entry_relid(false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (seal_last_value() > 0 &&
		ConditionalLockRelationOid(ptx_ledger_block_relid(false), ShareRowExclusiveLock))
		done = seal_baseline(true);
	SPI_finish();
	return done;
}

int64
ptx_ledger_seal(bool baseline)
{
	Oid			block_relid;
	Oid			seq_relid;
	int			rc;
	bool		isnull;
	int64		last_value;
	int64		prev_last = 0;
	int64		block_no = 1;
	uint8		prev_hash[PTX_LEDGER_HASH_LEN];
	uint8		new_hash[PTX_LEDGER_HASH_LEN];
	uint8	   *hashes;
	int64		count = 0;
	int64		first_seq;
	int64		last_entry_seq = 0;
	int64		blocks = 0;
	Portal		portal;
	Datum		args[2];
	SealIndex  *si;

	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("ptx.seal() must run at isolation level READ COMMITTED"),
				 errdetail("A transaction snapshot taken before the wait would miss entries committed during it."),
				 errhint("Call ptx.seal() in its own transaction.")));

	(void) ptx_ledger_entry_relid(false);
	block_relid = ptx_ledger_block_relid(false);
	seq_relid = ptx_ledger_seq_relid(false);

	/*
	 * A transaction that has drawn a seq would wait for itself here, or
	 * deadlock with a sealer that waits for it while holding the block
	 * table's lock (the workers): refuse it plainly.
	 */
	{
		LOCKTAG		tag;

		SET_LOCKTAG_RELATION(tag, MyDatabaseId, seq_relid);
		if (ptx_lock_held_by_me(&tag, RowExclusiveLock))
			ereport(ERROR,
					(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
					 errmsg("ptx.seal() cannot run in a transaction that has written ledger entries"),
					 errdetail("The sealer waits for every transaction that can still commit an entry, this one too."),
					 errhint("Commit first, then call ptx.seal() in a transaction of its own.")));
	}

	/*
	 * A block must be durable before anyone can see it (ptx.digest(),
	 * ptx_public.ledger_block): with synchronous_commit = off a crash could
	 * lose a block already published, and the same number would be sealed
	 * again with another hash.  The sealing transaction commits
	 * synchronously, which also flushes the entries it seals.
	 */
	(void) set_config_option("synchronous_commit", "on", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	LockRelationOid(block_relid, ShareRowExclusiveLock);
	if (baseline)
		(void) seal_baseline(false);
	last_value = seal_last_value();

	seal_wait_for_writers(seq_relid);

	memset(prev_hash, 0, sizeof(prev_hash));
	rc = SPI_execute_plan(seal_plan(SQ_LAST_BLOCK), NULL, NULL, false, 0);
	spi_check(rc, SPI_OK_SELECT, "reading the last ledger block");
	if (SPI_processed > 0)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bytea	   *h;

		block_no = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		seal_next_block_no(&block_no);
		prev_last = DatumGetInt64(SPI_getbinval(tup, desc, 2, &isnull));
		h = DatumGetByteaPP(SPI_getbinval(tup, desc, 3, &isnull));
		if (!isnull && VARSIZE_ANY_EXHDR(h) == PTX_LEDGER_HASH_LEN)
			memcpy(prev_hash, VARDATA_ANY(h), PTX_LEDGER_HASH_LEN);
	}
	if (last_value <= prev_last)
	{
		SPI_finish();
		return 0;
	}

	args[0] = Int64GetDatum(prev_last);
	args[1] = Int64GetDatum(last_value);
	portal = SPI_cursor_open(NULL, seal_plan(SQ_ENTRIES), args, NULL, false);
	hashes = palloc(PTX_LEDGER_HASH_LEN * (Size) block_max_entries);
	si = ptx_seal_index_create();
	first_seq = prev_last + 1;
	for (;;)
	{
		uint64		i,
					nrows;
		SPITupleTable *rows;

		SPI_cursor_fetch(portal, true, 1000);
		/* writing a block below replaces SPI_tuptable and SPI_processed */
		rows = SPI_tuptable;
		nrows = SPI_processed;
		if (nrows == 0)
			break;
		for (i = 0; i < nrows; i++)
		{
			HeapTuple	tup = rows->vals[i];
			TupleDesc	desc = rows->tupdesc;
			bytea	   *h;

			last_entry_seq = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
			h = DatumGetByteaPP(SPI_getbinval(tup, desc, 2, &isnull));
			if (isnull || VARSIZE_ANY_EXHDR(h) != PTX_LEDGER_HASH_LEN)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("ledger entry %lld has no valid hash", (long long) last_entry_seq),
						 errhint("Run ptx.verify() to find what was changed.")));
			memcpy(hashes + count * PTX_LEDGER_HASH_LEN, VARDATA_ANY(h), PTX_LEDGER_HASH_LEN);
			count++;
			seal_index_entry(si, last_entry_seq, tup, desc);
			if (count == block_max_entries)
			{
				seal_write_block(block_no, first_seq, last_entry_seq, hashes, count,
								 prev_hash, new_hash, si);
				memcpy(prev_hash, new_hash, PTX_LEDGER_HASH_LEN);
				blocks++;
				seal_next_block_no(&block_no);
				first_seq = last_entry_seq + 1;
				count = 0;
			}
		}
		SPI_freetuptable(rows);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	if (count > 0)
	{
		seal_write_block(block_no, first_seq, last_value, hashes, count,
						 prev_hash, new_hash, si);
		blocks++;
	}
	ptx_seal_index_free(si);
	pfree(hashes);
	SPI_finish();
	return blocks;
}

/*
 * Takes a share lock on the extension object, as DROP EXTENSION takes its
 * exclusive lock on it before it locks any of ptx's tables.  A seal that
 * holds it keeps the drop waiting until it ends; a seal that waits for it
 * holds no lock on ptx's tables yet.  Either way the two cannot deadlock.
 * Returns false when ptx is not (or no longer) installed.
 */
bool
ptx_ledger_lock_extension(void)
{
	Oid			extoid = get_extension_oid("ptx", true);

	if (!OidIsValid(extoid))
		return false;
	LockDatabaseObject(ExtensionRelationId, extoid, 0, AccessShareLock);
	/* the lock manager accepted invalidations: a drop that won is seen */
	return get_extension_oid("ptx", true) == extoid;
}

PG_FUNCTION_INFO_V1(ptx_seal);

Datum
ptx_seal(PG_FUNCTION_ARGS)
{
	(void) ptx_ledger_lock_extension();
	PG_RETURN_INT64(ptx_ledger_seal(true));
}
