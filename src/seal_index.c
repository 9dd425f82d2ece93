/*-------------------------------------------------------------------------
 *
 * seal_index.c
 *	  The lookup index rows of the blocks the sealer writes
 *	  (30_ledger_index.sql): one row per (relation, key) and per project of
 *	  a block, with the seqs of its entries.
 *
 * The sealer reads every entry of a block once, for its hash (seal.c); it
 * hands the entry's relation, key and project here as it goes, so that the
 * lookup indexes need no second read of the block.  When the block is
 * written, its entries are sorted by (relation, key, seq) and by
 * (project, seq), grouped, and the rows inserted straight into the two
 * tables and their indexes, in the sealing transaction, in the order of
 * their primary keys.  The rows are those ptx.ledger_index_block() makes
 * from the same entries; ptx.verify_index() checks both ways.
 *
 * A block number sealed again after a superuser removed blocks finds its
 * old rows there, and the primary key refuses the new ones (23505), as it
 * would any INSERT.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "ptx.h"
#include "ledger_relids.h"
#include "seal_index.h"

typedef struct KeyEntry
{
	const char *relation;
	int			relation_len;
	const char *key;
	int			key_len;
	int64		seq;
} KeyEntry;

typedef struct ProjectEntry
{
	int64		project_id;
	int64		seq;
} ProjectEntry;

struct SealIndex
{
	MemoryContext cxt;			/* the entries and their strings; reset per block */
	KeyEntry   *keys;
	int			nkeys;
	int			maxkeys;
	ProjectEntry *projects;
	int			nprojects;
	int			maxprojects;
};

/* a table of the lookup indexes, open for inserts */
typedef struct IndexTable
{
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
} IndexTable;

SealIndex *
ptx_seal_index_create(void)
{
	SealIndex  *si = palloc0(sizeof(SealIndex));

	si->cxt = AllocSetContextCreate(CurrentMemoryContext, "ptx seal index",
									ALLOCSET_DEFAULT_SIZES);
	return si;
}

/* a NUL-terminated copy of len bytes, in the collection's context */
static const char *
copy_bytes(SealIndex *si, const char *s, int len)
{
	char	   *copy = MemoryContextAlloc(si->cxt, (Size) len + 1);

	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

/* grows an array of the collection by doubling, within its context */
static void *
grow(SealIndex *si, void *array, int *max, Size elem_size)
{
	int			newmax;

	if (*max == 0)
		newmax = 1024;
	else if (pg_mul_s32_overflow(*max, 2, &newmax) ||
			 (Size) newmax > MaxAllocSize / elem_size)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many ledger entries in one block for the lookup indexes"),
				 errhint("Lower ptx.block_max_entries.")));
	*max = newmax;
	if (array == NULL)
		return MemoryContextAlloc(si->cxt, elem_size * newmax);
	return repalloc(array, elem_size * newmax);
}

void
ptx_seal_index_add(SealIndex *si, int64 seq,
				   const char *relation, int relation_len,
				   const char *key, int key_len,
				   bool has_project_id, int64 project_id)
{
	if (relation != NULL)
	{
		KeyEntry   *k;

		if (si->nkeys == si->maxkeys)
			si->keys = grow(si, si->keys, &si->maxkeys, sizeof(KeyEntry));
		k = &si->keys[si->nkeys++];
		/* consecutive entries of one relation share its name */
		if (si->nkeys > 1 && k[-1].relation_len == relation_len &&
			memcmp(k[-1].relation, relation, relation_len) == 0)
			k->relation = k[-1].relation;
		else
			k->relation = copy_bytes(si, relation, relation_len);
		k->relation_len = relation_len;
		if (key != NULL)
		{
			k->key = copy_bytes(si, key, key_len);
			k->key_len = key_len;
		}
		else
		{
			k->key = "";
			k->key_len = 0;
		}
		k->seq = seq;
	}
	if (has_project_id)
	{
		if (si->nprojects == si->maxprojects)
			si->projects = grow(si, si->projects, &si->maxprojects, sizeof(ProjectEntry));
		si->projects[si->nprojects].project_id = project_id;
		si->projects[si->nprojects].seq = seq;
		si->nprojects++;
	}
}

/* bytes compared as COLLATE "C" does: memcmp, then the shorter first */
static inline int
bytes_cmp(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

static int
key_entry_cmp(const void *a, const void *b)
{
	const KeyEntry *x = a;
	const KeyEntry *y = b;
	int			c;

	c = bytes_cmp(x->relation, x->relation_len, y->relation, y->relation_len);
	if (c == 0)
		c = bytes_cmp(x->key, x->key_len, y->key, y->key_len);
	if (c == 0)
		c = (x->seq > y->seq) - (x->seq < y->seq);
	return c;
}

static inline bool
same_key(const KeyEntry *x, const KeyEntry *y)
{
	return bytes_cmp(x->relation, x->relation_len, y->relation, y->relation_len) == 0 &&
		bytes_cmp(x->key, x->key_len, y->key, y->key_len) == 0;
}

static int
project_entry_cmp(const void *a, const void *b)
{
	const ProjectEntry *x = a;
	const ProjectEntry *y = b;

	if (x->project_id != y->project_id)
		return (x->project_id > y->project_id) ? 1 : -1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void
index_table_open(IndexTable *t, const char *name)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("ptx", false));

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"ptx.%s\" does not exist", name),
				 errhint("Update the extension with ALTER EXTENSION ptx UPDATE.")));
	t->rel = table_open(relid, RowExclusiveLock);
	t->estate = CreateExecutorState();
	t->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(t->rri, t->rel, 1, NULL, 0);
	ExecOpenIndices(t->rri, false);
	t->slot = MakeSingleTupleTableSlot(RelationGetDescr(t->rel), &TTSOpsVirtual);
}

/* inserts the row in t->slot's values into the table and its indexes */
static void
index_table_insert(IndexTable *t)
{
	List	   *recheck;

	ExecStoreVirtualTuple(t->slot);
	table_tuple_insert(t->rel, t->slot, GetCurrentCommandId(true), 0, NULL);
	recheck = ptx_exec_insert_index_tuples(t->rri, t->slot, t->estate);
	list_free(recheck);
	ResetPerTupleExprContext(t->estate);
	ExecClearTuple(t->slot);
}

static void
index_table_close(IndexTable *t)
{
	ExecDropSingleTupleTableSlot(t->slot);
	ExecCloseIndices(t->rri);
	FreeExecutorState(t->estate);
	table_close(t->rel, NoLock);
}

static Datum
seqs_array(const int64 *seqs, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * n);
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = Int64GetDatum(seqs[i]);
	return PointerGetDatum(construct_array(elems, n, INT8OID, sizeof(int64),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static void
write_key_rows(SealIndex *si, int64 block_no, int64 *seqs)
{
	IndexTable	t;
	TupleDesc	desc;
	int			c_relation,
				c_key,
				c_block,
				c_seqs;
	int			i,
				j;

	index_table_open(&t, "ledger_key_index");
	desc = RelationGetDescr(t.rel);
	c_relation = ptx_ledger_column(desc, "relation");
	c_key = ptx_ledger_column(desc, "key");
	c_block = ptx_ledger_column(desc, "block_no");
	c_seqs = ptx_ledger_column(desc, "seqs");
	qsort(si->keys, si->nkeys, sizeof(KeyEntry), key_entry_cmp);
	for (i = 0; i < si->nkeys; i = j)
	{
		const KeyEntry *k = &si->keys[i];
		Datum	   *values = t.slot->tts_values;
		bool	   *nulls = t.slot->tts_isnull;
		int			n = 0;

		for (j = i; j < si->nkeys && same_key(k, &si->keys[j]); j++)
			seqs[n++] = si->keys[j].seq;
		ExecClearTuple(t.slot);
		memset(nulls, true, sizeof(bool) * desc->natts);
		values[c_relation] = PointerGetDatum(cstring_to_text_with_len(k->relation, k->relation_len));
		values[c_key] = PointerGetDatum(cstring_to_text_with_len(k->key, k->key_len));
		values[c_block] = Int64GetDatum(block_no);
		values[c_seqs] = seqs_array(seqs, n);
		nulls[c_relation] = nulls[c_key] = nulls[c_block] = nulls[c_seqs] = false;
		index_table_insert(&t);
	}
	index_table_close(&t);
}

static void
write_project_rows(SealIndex *si, int64 block_no, int64 *seqs)
{
	IndexTable	t;
	TupleDesc	desc;
	int			c_project,
				c_block,
				c_seqs;
	int			i,
				j;

	index_table_open(&t, "ledger_project_index");
	desc = RelationGetDescr(t.rel);
	c_project = ptx_ledger_column(desc, "project_id");
	c_block = ptx_ledger_column(desc, "block_no");
	c_seqs = ptx_ledger_column(desc, "seqs");
	qsort(si->projects, si->nprojects, sizeof(ProjectEntry), project_entry_cmp);
	for (i = 0; i < si->nprojects; i = j)
	{
		Datum	   *values = t.slot->tts_values;
		bool	   *nulls = t.slot->tts_isnull;
		int			n = 0;

		for (j = i; j < si->nprojects &&
			 si->projects[j].project_id == si->projects[i].project_id; j++)
			seqs[n++] = si->projects[j].seq;
		ExecClearTuple(t.slot);
		memset(nulls, true, sizeof(bool) * desc->natts);
		values[c_project] = Int64GetDatum(si->projects[i].project_id);
		values[c_block] = Int64GetDatum(block_no);
		values[c_seqs] = seqs_array(seqs, n);
		nulls[c_project] = nulls[c_block] = nulls[c_seqs] = false;
		index_table_insert(&t);
	}
	index_table_close(&t);
}

void
ptx_seal_index_write(SealIndex *si, int64 block_no)
{
	MemoryContext old = MemoryContextSwitchTo(si->cxt);
	int64	   *seqs = palloc(sizeof(int64) * Max(Max(si->nkeys, si->nprojects), 1));

	if (si->nkeys > 0)
		write_key_rows(si, block_no, seqs);
	if (si->nprojects > 0)
		write_project_rows(si, block_no, seqs);
	MemoryContextSwitchTo(old);

	MemoryContextReset(si->cxt);
	si->keys = NULL;
	si->nkeys = si->maxkeys = 0;
	si->projects = NULL;
	si->nprojects = si->maxprojects = 0;

	/* what was written is visible to the next query, as after SPI */
	CommandCounterIncrement();
}

void
ptx_seal_index_free(SealIndex *si)
{
	MemoryContextDelete(si->cxt);
	pfree(si);
}
