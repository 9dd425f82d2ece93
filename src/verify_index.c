/*-------------------------------------------------------------------------
 *
 * verify_index.c
 *	  The sealer's lookup indexes against the sealed entries.
 *
 * ptx.verify_index_compare(from_block, first_seq, last_seq) checks that
 * ptx.ledger_key_index and ptx.ledger_project_index, in their rows of the
 * blocks from from_block on, list every sealed entry of seqs first_seq ..
 * last_seq exactly once under its relation and key (project), and nothing
 * else.  It returns the rows of ptx.verify_index(): index_missing for an
 * entry no row lists, index_extra for a seq listed where no sealed entry of
 * that relation and key (project) is, or listed again.
 *
 * One pass over ptx.ledger_entry notes per seq of the range whether it is
 * there, the (relation, key) it has, as a number given to each distinct
 * pair the first time it is seen, and its project; one pass over each index
 * table then ticks off the seqs its rows list.  Memory: about 14 bytes per
 * seq and the distinct pairs' text; when that would outgrow
 * maintenance_work_mem, before anything is reported, the function runs
 * the set-based query ptx.verify_index_query() instead, which needs no
 * more than work_mem (and temporary files) and finds the same problems.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "ptx.h"
#include "ledger_relids.h"
#include "verify_index.h"

PG_FUNCTION_INFO_V1(ptx_verify_index_compare);

/* per seq */
#define SEQ_PRESENT			0x01	/* a sealed entry has it */
#define SEQ_HAS_RELATION	0x02
#define SEQ_HAS_PROJECT		0x04
#define SEQ_KEY_LISTED		0x08	/* a key index row lists it */
#define SEQ_PROJECT_LISTED	0x10	/* a project index row lists it */

/* a distinct (relation, key) pair: "relation\0key" */
typedef struct PairKey
{
	const char *ptr;
	uint32		len;
} PairKey;

typedef struct PairSlot
{
	PairKey		key;
	uint32		hash;
	char		status;
	uint32		id;				/* from 1 */
} PairSlot;

static inline uint32
pair_hash(PairKey k)
{
	return hash_bytes((const unsigned char *) k.ptr, (int) k.len);
}

static inline bool
pair_equal(PairKey a, PairKey b)
{
	return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

#define SH_PREFIX		pairs
#define SH_ELEMENT_TYPE PairSlot
#define SH_KEY_TYPE		PairKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, k) pair_hash(k)
#define SH_EQUAL(tb, a, b) pair_equal(a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* a second entry under a seq already taken (only a dropped key allows it) */
typedef struct DupEntry
{
	int64		seq;
	uint8		state;
	uint32		pair;
	int64		project;
} DupEntry;

typedef struct IndexCheck
{
	int64		from_block;
	int64		first;			/* the sealed seqs checked */
	int64		count;
	uint8	   *state;			/* per seq */
	uint32	   *pair;			/* per seq: its pair's id, 0: none */
	int64	   *project;		/* per seq */
	DupEntry   *dups;			/* sorted by seq once all are read */
	int			ndups;
	int			maxdups;
	pairs_hash *pairs;
	const char **pair_text;		/* by id: the pair's text */
	uint32		npairs;
	uint32		maxpairs;
	char	   *arena;
	Size		arena_left;
	Size		limit;
	MemoryContext cxt;			/* all of the above */
	MemoryContext rowcxt;
	Snapshot	snapshot;
	ReturnSetInfo *rsinfo;
	StringInfoData buf;			/* a pair's text being looked up */
	bool		overflow;		/* over maintenance_work_mem: the query instead */
} IndexCheck;

/* the caller must be allowed to read what is compared */
static void
check_select(Relation rel)
{
	if (pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
}

/* notes when the slots have outgrown maintenance_work_mem */
static void
check_memory(IndexCheck *ic)
{
	if (MemoryContextMemAllocated(ic->cxt, true) > ic->limit)
		ic->overflow = true;
}

/* buf = "relation\0key" */
static void
pair_text(IndexCheck *ic, text *relation, text *key)
{
	resetStringInfo(&ic->buf);
	appendBinaryStringInfo(&ic->buf, VARDATA_ANY(relation), VARSIZE_ANY_EXHDR(relation));
	appendStringInfoChar(&ic->buf, '\0');
	if (key != NULL)
		appendBinaryStringInfo(&ic->buf, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));
}

/* the id of the pair in buf, a new one if insert; 0 if absent */
static uint32
pair_id(IndexCheck *ic, bool insert)
{
	PairKey		k;
	PairSlot   *slot;
	bool		found;

	k.ptr = ic->buf.data;
	k.len = ic->buf.len;
	if (!insert)
	{
		slot = pairs_lookup(ic->pairs, k);
		return slot ? slot->id : 0;
	}
	slot = pairs_insert(ic->pairs, k, &found);
	if (!found)
	{
		MemoryContext old = MemoryContextSwitchTo(ic->cxt);
		char	   *dst;

		if (k.len > ic->arena_left)
		{
			ic->arena_left = Max((Size) k.len, 65536);
			ic->arena = palloc(ic->arena_left);
		}
		dst = ic->arena;
		memcpy(dst, k.ptr, k.len);
		ic->arena += k.len;
		ic->arena_left -= k.len;
		slot->key.ptr = dst;
		if (ic->npairs + 1 >= ic->maxpairs)
		{
			ic->maxpairs *= 2;
			ic->pair_text = repalloc_huge(ic->pair_text, ic->maxpairs * sizeof(char *));
		}
		slot->id = ++ic->npairs;
		ic->pair_text[slot->id] = dst;
		MemoryContextSwitchTo(old);
		if (ic->npairs % 4096 == 0)
			check_memory(ic);
	}
	return slot->id;
}

static void
put_problem(IndexCheck *ic, bool has_block, int64 block_no, bool has_seq, int64 seq,
			const char *problem, char *detail)
{
	Datum		values[4];
	bool		nulls[4] = {!has_block, !has_seq, false, false};

	values[0] = Int64GetDatum(block_no);
	values[1] = Int64GetDatum(seq);
	values[2] = CStringGetTextDatum(problem);
	values[3] = CStringGetTextDatum(detail);
	tuplestore_putvalues(ic->rsinfo->setResult, ic->rsinfo->setDesc, values, nulls);
}

static void
add_dup(IndexCheck *ic, int64 seq, uint8 state, uint32 pair, int64 project)
{
	MemoryContext old = MemoryContextSwitchTo(ic->cxt);

	if (ic->ndups >= ic->maxdups)
	{
		ic->maxdups = Max(ic->maxdups * 2, 16);
		ic->dups = ic->dups ? repalloc_huge(ic->dups, ic->maxdups * sizeof(DupEntry))
			: palloc(ic->maxdups * sizeof(DupEntry));
	}
	ic->dups[ic->ndups].seq = seq;
	ic->dups[ic->ndups].state = state;
	ic->dups[ic->ndups].pair = pair;
	ic->dups[ic->ndups].project = project;
	ic->ndups++;
	MemoryContextSwitchTo(old);
	if (ic->ndups % 4096 == 0)
		check_memory(ic);
}

static int
dup_cmp(const void *a, const void *b)
{
	int64		x = ((const DupEntry *) a)->seq;
	int64		y = ((const DupEntry *) b)->seq;

	return (x > y) - (x < y);
}

/* the first of the second entries under seq, NULL if none */
static DupEntry *
first_dup(IndexCheck *ic, int64 seq)
{
	int			lo = 0;
	int			hi = ic->ndups;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (ic->dups[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < ic->ndups && ic->dups[lo].seq == seq) ? &ic->dups[lo] : NULL;
}

/*
 * Ticks off an entry under seq with these state bits and this pair or
 * project: the first one of seq not listed yet.
 */
static bool
tick_entry(IndexCheck *ic, int64 seq, uint8 has, uint8 listed, uint32 pair, int64 project)
{
	int64		k = seq - ic->first;
	uint8		want = SEQ_PRESENT | has;
	DupEntry   *d;

	if (k < 0 || k >= ic->count)
		return false;
	if ((ic->state[k] & (want | listed)) == want &&
		(has == SEQ_HAS_RELATION ? ic->pair[k] == pair : ic->project[k] == project))
	{
		ic->state[k] |= listed;
		return true;
	}
	for (d = first_dup(ic, seq); d && d < ic->dups + ic->ndups && d->seq == seq; d++)
	{
		if ((d->state & (want | listed)) == want &&
			(has == SEQ_HAS_RELATION ? d->pair == pair : d->project == project))
		{
			d->state |= listed;
			return true;
		}
	}
	return false;
}

/* the sealed entries of the range */
static void
read_entries(IndexCheck *ic)
{
	Relation	rel = table_open(ptx_ledger_entry_relid(false), AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	int			c_seq;
	int			c_relation;
	int			c_key;
	int			c_project;
	Datum	   *values = palloc(desc->natts * sizeof(Datum));
	bool	   *nulls = palloc(desc->natts * sizeof(bool));
	TableScanDesc scan;
	HeapTuple	tuple;

	check_select(rel);
	c_seq = ptx_ledger_column(desc, "seq");
	c_relation = ptx_ledger_column(desc, "relation");
	c_key = ptx_ledger_column(desc, "key");
	c_project = ptx_ledger_column(desc, "project_id");
	scan = table_beginscan_strat(rel, ic->snapshot, 0, NULL, true, false);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		int64		k;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(tuple, desc, values, nulls);
		if (nulls[c_seq])
			continue;
		k = DatumGetInt64(values[c_seq]) - ic->first;
		if (k < 0 || k >= ic->count)
			continue;
		old = MemoryContextSwitchTo(ic->rowcxt);
		{
			uint8		state = SEQ_PRESENT;
			uint32		pair = 0;
			int64		project = 0;

			if (!nulls[c_relation])
			{
				pair_text(ic, DatumGetTextPP(values[c_relation]),
						  nulls[c_key] ? NULL : DatumGetTextPP(values[c_key]));
				pair = pair_id(ic, true);
				state |= SEQ_HAS_RELATION;
			}
			if (!nulls[c_project])
			{
				project = DatumGetInt64(values[c_project]);
				state |= SEQ_HAS_PROJECT;
			}
			if (ic->state[k] & SEQ_PRESENT)
				add_dup(ic, ic->first + k, state, pair, project);
			else
			{
				ic->state[k] = state;
				ic->pair[k] = pair;
				ic->project[k] = project;
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(ic->rowcxt);
		if (ic->overflow)
			break;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* the seqs of an index row, one call of tick() each */
static void
for_each_seq(ArrayType *seqs, void (*tick) (IndexCheck *, void *, bool, int64),
			 IndexCheck *ic, void *row)
{
	Datum	   *d;
	bool	   *n;
	int			count;
	int			i;

	deconstruct_array(seqs, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &d, &n, &count);
	for (i = 0; i < count; i++)
		tick(ic, row, n[i], n[i] ? 0 : DatumGetInt64(d[i]));
}

typedef struct KeyRow
{
	int64		block_no;
	text	   *relation;
	text	   *key;
	uint32		id;
} KeyRow;

static void
tick_key(IndexCheck *ic, void *arg, bool isnull, int64 seq)
{
	KeyRow	   *row = arg;

	if (!isnull && row->id != 0 &&
		tick_entry(ic, seq, SEQ_HAS_RELATION, SEQ_KEY_LISTED, row->id, 0))
		return;
	put_problem(ic, true, row->block_no, !isnull, seq, "index_extra",
				psprintf("ptx.ledger_key_index lists seq %s under %s %s, which no sealed entry has.",
						 isnull ? "" : psprintf(INT64_FORMAT, seq),
						 text_to_cstring(row->relation), text_to_cstring(row->key)));
}

typedef struct ProjectRow
{
	int64		block_no;
	int64		project_id;
} ProjectRow;

static void
tick_project(IndexCheck *ic, void *arg, bool isnull, int64 seq)
{
	ProjectRow *row = arg;

	if (!isnull &&
		tick_entry(ic, seq, SEQ_HAS_PROJECT, SEQ_PROJECT_LISTED, 0, row->project_id))
		return;
	put_problem(ic, true, row->block_no, !isnull, seq, "index_extra",
				psprintf("ptx.ledger_project_index lists seq %s under project " INT64_FORMAT ", which no sealed entry has.",
						 isnull ? "" : psprintf(INT64_FORMAT, seq), row->project_id));
}

/* the rows of an index table of the blocks from from_block on */
static void
read_index(IndexCheck *ic, const char *relname, bool is_key)
{
	Oid			relid = get_relname_relid(relname, get_namespace_oid("ptx", false));
	Relation	rel;
	TupleDesc	desc;
	int			c_block;
	int			c_seqs;
	int			c_a;
	int			c_b = -1;
	Datum	   *values;
	bool	   *nulls;
	TableScanDesc scan;
	HeapTuple	tuple;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("ledger table ptx.%s is missing", relname),
				 errhint("Restore the ledger tables from a backup or reinstall ptx.")));
	rel = table_open(relid, AccessShareLock);
	check_select(rel);
	desc = RelationGetDescr(rel);
	c_block = ptx_ledger_column(desc, "block_no");
	c_seqs = ptx_ledger_column(desc, "seqs");
	if (is_key)
	{
		c_a = ptx_ledger_column(desc, "relation");
		c_b = ptx_ledger_column(desc, "key");
	}
	else
		c_a = ptx_ledger_column(desc, "project_id");
	values = palloc(desc->natts * sizeof(Datum));
	nulls = palloc(desc->natts * sizeof(bool));

	scan = table_beginscan_strat(rel, ic->snapshot, 0, NULL, true, false);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(tuple, desc, values, nulls);
		/* the columns are NOT NULL */
		if (nulls[c_block] || nulls[c_seqs] || nulls[c_a] || (is_key && nulls[c_b]))
			continue;
		if (DatumGetInt64(values[c_block]) < ic->from_block)
			continue;
		old = MemoryContextSwitchTo(ic->rowcxt);
		if (is_key)
		{
			KeyRow		row;
			text	   *key;

			row.block_no = DatumGetInt64(values[c_block]);
			row.relation = DatumGetTextPP(values[c_a]);
			row.key = DatumGetTextPP(values[c_b]);
			/* an entry without a key is listed under the empty key */
			key = VARSIZE_ANY_EXHDR(row.key) == 0 ? NULL : row.key;
			pair_text(ic, row.relation, key);
			row.id = pair_id(ic, false);
			for_each_seq(DatumGetArrayTypeP(values[c_seqs]), tick_key, ic, &row);
		}
		else
		{
			ProjectRow	row;

			row.block_no = DatumGetInt64(values[c_block]);
			row.project_id = DatumGetInt64(values[c_a]);
			for_each_seq(DatumGetArrayTypeP(values[c_seqs]), tick_project, ic, &row);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(ic->rowcxt);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* an entry no index row listed, if so */
static void
report_entry(IndexCheck *ic, int64 seq, uint8 s, uint32 pair, int64 project)
{
	MemoryContext old;

	if ((s & (SEQ_KEY_LISTED | SEQ_PROJECT_LISTED)) == (s & (SEQ_HAS_RELATION | SEQ_HAS_PROJECT)) << 2)
		return;					/* the common case: listed where it should be */
	old = MemoryContextSwitchTo(ic->rowcxt);
	if ((s & (SEQ_HAS_RELATION | SEQ_KEY_LISTED)) == SEQ_HAS_RELATION)
		put_problem(ic, false, 0, true, seq, "index_missing",
					psprintf("Entry " INT64_FORMAT " of %s is missing from ptx.ledger_key_index.",
							 seq, ic->pair_text[pair]));
	if ((s & (SEQ_HAS_PROJECT | SEQ_PROJECT_LISTED)) == SEQ_HAS_PROJECT)
		put_problem(ic, false, 0, true, seq, "index_missing",
					psprintf("Entry " INT64_FORMAT " of project " INT64_FORMAT " is missing from ptx.ledger_project_index.",
							 seq, project));
	MemoryContextSwitchTo(old);
	MemoryContextReset(ic->rowcxt);
}

/* the sealed entries no index row listed */
static void
report_missing(IndexCheck *ic)
{
	int64		k;
	int			i;

	for (k = 0; k < ic->count; k++)
	{
		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (ic->state[k] & SEQ_PRESENT)
			report_entry(ic, ic->first + k, ic->state[k], ic->pair[k], ic->project[k]);
	}
	for (i = 0; i < ic->ndups; i++)
		report_entry(ic, ic->dups[i].seq, ic->dups[i].state, ic->dups[i].pair,
					 ic->dups[i].project);
}

/*
 * The set-based query, ptx.verify_index_query(), for when the slots do not
 * fit: its rows go to the result as they are.
 */
static void
run_query(IndexCheck *ic, int64 last)
{
	Oid			types[3] = {INT8OID, INT8OID, INT8OID};
	Datum		args[3];
	uint64		i;

	args[0] = Int64GetDatum(ic->from_block);
	args[1] = Int64GetDatum(ic->first);
	args[2] = Int64GetDatum(last);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT block_no, seq, problem, detail"
							  "  FROM ptx.verify_index_query($1, $2, $3)",
							  3, types, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "ptx.verify_index_query() failed");
	for (i = 0; i < SPI_processed; i++)
	{
		Datum		values[4];
		bool		nulls[4];
		int			c;

		for (c = 0; c < 4; c++)
			values[c] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, c + 1, &nulls[c]);
		tuplestore_putvalues(ic->rsinfo->setResult, ic->rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
}

/*
 * ptx.verify_index_compare(from_block bigint, first_seq bigint, last_seq bigint)
 *	  RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
 */
Datum
ptx_verify_index_compare(PG_FUNCTION_ARGS)
{
	IndexCheck	ic;
	int64		last;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the block and the seqs to check from must not be null")));
	memset(&ic, 0, sizeof(ic));
	ic.from_block = PG_GETARG_INT64(0);
	ic.first = PG_GETARG_INT64(1);
	last = PG_GETARG_INT64(2);
	ic.limit = (Size) maintenance_work_mem * 1024;
	if (last < ic.first)
		ic.count = 0;
	else if (pg_sub_s64_overflow(last, ic.first, &ic.count) ||
			 pg_add_s64_overflow(ic.count, 1, &ic.count))
		ic.count = PG_INT64_MAX;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	ic.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	if (ic.count > (int64) (ic.limit / (sizeof(uint8) + sizeof(uint32) + sizeof(int64))))
	{
		run_query(&ic, last);
		return (Datum) 0;
	}
	ic.snapshot = RegisterSnapshot(GetActiveSnapshot() ? GetActiveSnapshot()
								   : GetTransactionSnapshot());
	ic.cxt = AllocSetContextCreate(CurrentMemoryContext, "ptx verify_index",
								   ALLOCSET_DEFAULT_SIZES);
	ic.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ptx verify_index row",
									  ALLOCSET_DEFAULT_SIZES);
	ic.state = MemoryContextAllocExtended(ic.cxt, Max(ic.count, 1) * sizeof(uint8),
										  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	ic.pair = MemoryContextAllocExtended(ic.cxt, Max(ic.count, 1) * sizeof(uint32),
										 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	ic.project = MemoryContextAllocExtended(ic.cxt, Max(ic.count, 1) * sizeof(int64),
											MCXT_ALLOC_HUGE);
	ic.maxpairs = 1024;
	ic.pair_text = MemoryContextAlloc(ic.cxt, ic.maxpairs * sizeof(char *));
	ic.pair_text[0] = "";
	ic.pairs = pairs_create(ic.cxt, 1024, NULL);
	initStringInfo(&ic.buf);

	read_entries(&ic);
	check_memory(&ic);
	if (!ic.overflow)
	{
		if (ic.ndups > 1)
			qsort(ic.dups, ic.ndups, sizeof(DupEntry), dup_cmp);
		read_index(&ic, "ledger_key_index", true);
		read_index(&ic, "ledger_project_index", false);
		report_missing(&ic);
	}
	MemoryContextDelete(ic.rowcxt);
	MemoryContextDelete(ic.cxt);
	UnregisterSnapshot(ic.snapshot);
	if (ic.overflow)
		run_query(&ic, last);
	return (Datum) 0;
}
