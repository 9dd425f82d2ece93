/*-------------------------------------------------------------------------
 *
 * ledger_insert.c
 *	  Writing one ledger entry: lock, seq, serialization, hash and the
 *	  insert into ptx.ledger_entry.
 *
 * ptx_ledger_write_entry():
 *
 *	 1. takes ROW EXCLUSIVE on ptx.ledger_entry, then reads the OIDs of the
 *		table and its sequence (ledger_lock_entry());
 *	 2. assigns the top transaction id and draws seq from ptx.ledger_seq:
 *		nextval() holds ROW EXCLUSIVE on the sequence to the end of the
 *		transaction, which is what the sealer waits for (seal.c);
 *	 3. serializes the entry canonically (ledger_format.c) and hashes it;
 *	 4. inserts it straight into the heap and the indexes of
 *		ptx.ledger_entry (ledger_insert()), without a plan or an executor per
 *		row, after checking the table's constraints.
 *
 * No shared row is locked and nothing waits: writers scale with clients.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/pg_class.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/prs2lock.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/xid8.h"

#include "ptx.h"
#include "ledger.h"
#include "ledger_insert.h"
#include "ledger_relids.h"

/*
 * What inserting an entry needs that does not change from row to row: a
 * copy of ptx.ledger_entry's tuple descriptor and, per index, its IndexInfo
 * with any expression and predicate compiled once (ledger_insert()).
 */
typedef struct LedgerInsertState
{
	bool		valid;
	Oid			relid;
	MemoryContext cxt;
	TupleDesc	tupdesc;
	TupleTableSlot *slot;
	EState	   *estate;
	int			nindexes;
	Oid		   *indexoids;
	IndexInfo **indexinfos;
	int			nchecks;		/* the table's CHECK constraints */
	char	  **checknames;
	ExprState **checks;
} LedgerInsertState;

static LedgerInsertState insert_state;


/* the client address, fixed for the life of a backend */
static bool client_addr_done = false;
static Datum client_addr_datum = (Datum) 0;
static char *client_addr_text = NULL;

static bool callback_registered = false;

/*
 * The names of the session and current users, looked up once and kept
 * until pg_authid changes (a role renamed): two lookups in the syscache per
 * entry otherwise.
 */
typedef struct RoleNameSlot
{
	Oid			roleid;
	NameData	name;
} RoleNameSlot;

static RoleNameSlot role_names[2];
static bool role_callback_registered = false;

static void
role_names_reset(Datum arg pg_attribute_unused(), int cacheid pg_attribute_unused(),
				 uint32 hashvalue pg_attribute_unused())
{
	role_names[0].roleid = InvalidOid;
	role_names[1].roleid = InvalidOid;
}

static const char *
role_name(int slot, Oid roleid)
{
	if (!role_callback_registered)
	{
		CacheRegisterSyscacheCallback(AUTHOID, role_names_reset, (Datum) 0);
		role_callback_registered = true;
	}
	if (role_names[slot].roleid != roleid || !OidIsValid(roleid))
	{
		namestrcpy(&role_names[slot].name, GetUserNameFromId(roleid, false));
		role_names[slot].roleid = roleid;
	}
	return NameStr(role_names[slot].name);
}

/* a change of the ledger's table or of one of its indexes: build again */
static void
insert_relcache_callback(Datum arg pg_attribute_unused(), Oid relid)
{
	int			i;

	if (!insert_state.valid)
		return;
	if (!OidIsValid(relid) || relid == insert_state.relid)
	{
		insert_state.valid = false;
		return;
	}
	for (i = 0; i < insert_state.nindexes; i++)
		if (insert_state.indexoids[i] == relid)
			insert_state.valid = false;
}

static inline PtxLedgerText
cstr_text(const char *s)
{
	PtxLedgerText t = {s, s ? (int) strlen(s) : 0};

	return t;
}

/* ---------------------------------------------------------------------
 * Writing an entry
 * ---------------------------------------------------------------------
 */
static void
client_addr_init(void)
{
	if (client_addr_done)
		return;
	if (MyProcPort != NULL)
	{
		LOCAL_FCINFO(fcinfo, 0);
		Datum		d;
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		InitFunctionCallInfoData(*fcinfo, NULL, 0, InvalidOid, NULL, NULL);
		d = inet_client_addr(fcinfo);
		if (!fcinfo->isnull)
		{
			client_addr_datum = d;
			client_addr_text = DatumGetCString(DirectFunctionCall1(inet_out, d));
		}
		MemoryContextSwitchTo(old);
	}
	client_addr_done = true;
}

/*
 * Entries go straight into the heap of ptx.ledger_entry and its indexes,
 * the way PostgreSQL writes its catalogs (CatalogTupleInsert()), not
 * through SPI: no plan, no executor start-up and no constraint expressions
 * rebuilt per row.  The index list and each index's IndexInfo, with its
 * expressions and predicate compiled once, are kept per backend until a
 * relcache invalidation of the table or of one of its indexes (ALTER
 * EXTENSION UPDATE, DROP EXTENSION).
 *
 * Going around the executor must not skip anything the executor would do
 * for this table, so insert_state_build() checks what the table has:
 *
 * - it must be a plain table (no partition routing here), without INSERT
 *	 triggers (row or statement) and without INSERT rules: the ledger has
 *	 none (32_ledger_guard.sql), and one added later is refused, not skipped;
 * - its CHECK constraints are compiled here and evaluated for every entry,
 *	 and its NOT NULL columns checked, as ExecConstraints() would;
 * - exclusion constraints are refused (only the executor checks them);
 *	 unique indexes are checked by index_insert() itself.
 *
 * Row-level security does not apply: entries are written by the ledger's
 * own code whatever the caller, and the table's owner is not subject to it.
 */
static void
insert_state_build(Relation rel)
{
	MemoryContext old;
	List	   *indexes;
	ListCell   *lc;
	int			differs = ptx_ledger_entry_layout_diff(RelationGetDescr(rel));
	int			i = 0;

	if (differs >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table ptx.ledger_entry does not have the columns this version of ptx writes"),
				 errdetail("Column %d differs from what the ledger's library expects.", differs + 1),
				 errhint("Bring the extension up to date with ALTER EXTENSION ptx UPDATE.")));

	if (rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table ptx.ledger_entry must be a plain table"),
				 errdetail("Ledger entries are inserted without the executor, which alone routes rows to partitions.")));
	if (rel->trigdesc != NULL &&
		(rel->trigdesc->trig_insert_before_row || rel->trigdesc->trig_insert_after_row ||
		 rel->trigdesc->trig_insert_instead_row || rel->trigdesc->trig_insert_before_statement ||
		 rel->trigdesc->trig_insert_after_statement || rel->trigdesc->trig_insert_new_table))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table ptx.ledger_entry has an INSERT trigger"),
				 errdetail("Ledger entries are inserted without the executor, which alone fires triggers."),
				 errhint("Drop the trigger: the ledger's own guards are UPDATE, DELETE and TRUNCATE triggers.")));
	if (rel->rd_rules != NULL)
	{
		int			r;

		for (r = 0; r < rel->rd_rules->numLocks; r++)
			if (rel->rd_rules->rules[r]->event == CMD_INSERT)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("table ptx.ledger_entry has an INSERT rule"),
						 errdetail("Ledger entries are inserted without the rewriter.")));
	}

	if (insert_state.cxt != NULL)
	{
		FreeExecutorState(insert_state.estate);
		MemoryContextDelete(insert_state.cxt);
	}
	memset(&insert_state, 0, sizeof(insert_state));
	insert_state.cxt = AllocSetContextCreate(CacheMemoryContext,
											 "ptx ledger insert",
											 ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(insert_state.cxt);
	insert_state.tupdesc = CreateTupleDescCopy(RelationGetDescr(rel));
	insert_state.slot = MakeSingleTupleTableSlot(insert_state.tupdesc,
												 &TTSOpsHeapTuple);
	insert_state.estate = CreateExecutorState();
	indexes = RelationGetIndexList(rel);
	insert_state.nindexes = list_length(indexes);
	insert_state.indexoids = palloc0(sizeof(Oid) * Max(insert_state.nindexes, 1));
	insert_state.indexinfos = palloc0(sizeof(IndexInfo *) * Max(insert_state.nindexes, 1));
	foreach(lc, indexes)
	{
		Relation	irel = index_open(lfirst_oid(lc), RowExclusiveLock);
		IndexInfo  *ii = BuildIndexInfo(irel);

		if (ii->ii_ExclusionOps != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("ledger index \"%s\" is an exclusion constraint",
							RelationGetRelationName(irel)),
					 errdetail("Ledger entries are inserted without the executor, which alone checks exclusion constraints.")));
		if (ii->ii_Expressions != NIL)
			ii->ii_ExpressionsState = ExecPrepareExprList(ii->ii_Expressions,
														  insert_state.estate);
		if (ii->ii_Predicate != NIL)
			ii->ii_PredicateState = ExecPrepareQual(ii->ii_Predicate,
													insert_state.estate);
		insert_state.indexoids[i] = RelationGetRelid(irel);
		insert_state.indexinfos[i] = ii;
		i++;
		index_close(irel, NoLock);
	}
	/* the CHECK constraints, as ExecRelCheck() compiles them */
	if (rel->rd_att->constr != NULL && rel->rd_att->constr->num_check > 0)
	{
		TupleConstr *constr = rel->rd_att->constr;

		insert_state.nchecks = constr->num_check;
		insert_state.checknames = palloc(sizeof(char *) * constr->num_check);
		insert_state.checks = palloc(sizeof(ExprState *) * constr->num_check);
		for (i = 0; i < constr->num_check; i++)
		{
			Expr	   *expr = (Expr *) stringToNode(constr->check[i].ccbin);

			insert_state.checknames[i] = pstrdup(constr->check[i].ccname);
			insert_state.checks[i] = ExecPrepareExpr(expression_planner(expr),
													 insert_state.estate);
		}
	}
	MemoryContextSwitchTo(old);
	insert_state.relid = RelationGetRelid(rel);
	insert_state.valid = true;
}

/* NOT NULL and CHECK constraints of the entry in insert_state.slot */
static void
ledger_check_constraints(Relation rel, bool *isnull)
{
	ExprContext *econtext = GetPerTupleExprContext(insert_state.estate);
	TupleDesc	desc = insert_state.tupdesc;
	int			i;

	for (i = 0; i < desc->natts; i++)
		if (TupleDescAttr(desc, i)->attnotnull && isnull[i])
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("null value in column \"%s\" of relation \"%s\" violates not-null constraint",
							NameStr(TupleDescAttr(desc, i)->attname),
							RelationGetRelationName(rel))));
	econtext->ecxt_scantuple = insert_state.slot;
	for (i = 0; i < insert_state.nchecks; i++)
		if (!ExecCheck(insert_state.checks[i], econtext))
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("new row for relation \"%s\" violates check constraint \"%s\"",
							RelationGetRelationName(rel), insert_state.checknames[i]),
					 errtableconstraint(rel, insert_state.checknames[i])));
}

static void
ledger_insert(Oid relid, Datum *values, bool *isnull)
{
	Relation	rel = table_open(relid, RowExclusiveLock);
	HeapTuple	tuple;
	int			i;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(insert_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	if (!insert_state.valid || insert_state.relid != relid)
		insert_state_build(rel);
	tuple = heap_form_tuple(insert_state.tupdesc, values, isnull);
	ExecStoreHeapTuple(tuple, insert_state.slot, false);
	ledger_check_constraints(rel, isnull);
	heap_insert(rel, tuple, GetCurrentCommandId(true), 0, NULL);

	if (insert_state.nindexes > 0)
	{
		ExprContext *econtext = GetPerTupleExprContext(insert_state.estate);

		econtext->ecxt_scantuple = insert_state.slot;
		for (i = 0; i < insert_state.nindexes; i++)
		{
			IndexInfo  *ii = insert_state.indexinfos[i];
			Relation	irel;
			Datum		ivalues[INDEX_MAX_KEYS];
			bool		inulls[INDEX_MAX_KEYS];

			if (!ii->ii_ReadyForInserts)
				continue;
			if (ii->ii_PredicateState != NULL &&
				!ExecQual(ii->ii_PredicateState, econtext))
				continue;
			irel = index_open(insert_state.indexoids[i], RowExclusiveLock);
			FormIndexDatum(ii, insert_state.slot, insert_state.estate,
						   ivalues, inulls);
			index_insert(irel, ivalues, inulls, &tuple->t_self, rel,
						 (irel->rd_index->indisunique && irel->rd_index->indimmediate)
						 ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
						 false, ii);
			index_close(irel, NoLock);
		}
	}
	ExecClearTuple(insert_state.slot);
	ResetExprContext(GetPerTupleExprContext(insert_state.estate));
	heap_freetuple(tuple);
	table_close(rel, NoLock);

	/* what was written is visible to the next query, as after SPI */
	CommandCounterIncrement();
}

static inline Datum
text_datum(PtxLedgerText t, bool *null)
{
	if (t.ptr == NULL)
	{
		*null = true;
		return (Datum) 0;
	}
	*null = false;
	return PointerGetDatum(cstring_to_text_with_len(t.ptr, t.len));
}

/*
 * Takes ROW EXCLUSIVE on ptx.ledger_entry, which the sealer relies on being
 * held before a seq is drawn (seal.c), and returns the OIDs of the table
 * and of its sequence as they are under the lock.  Taking the lock accepts
 * invalidation messages, and any relcache invalidation of the ledger (an
 * ANALYZE of it, by autovacuum too) resets the cached OIDs: they are read
 * again after the lock, never used from before it.
 */
static Oid
ledger_lock_entry(Oid *seq_relid)
{
	for (;;)
	{
		Oid			entry_relid = ptx_ledger_entry_relid(false);

		LockRelationOid(entry_relid, RowExclusiveLock);
		if (ptx_ledger_entry_relid(false) == entry_relid)
		{
			*seq_relid = ptx_ledger_seq_relid(false);
			return entry_relid;
		}
		/* the ledger was dropped and created again meanwhile */
		UnlockRelationOid(entry_relid, RowExclusiveLock);
	}
}

/*
 * Writes one entry; returns its seq.  operation is INSERT, UPDATE, DELETE,
 * SNAPSHOT or EVENT; kind is the event kind (NULL for rows).
 */
int64
ptx_ledger_write_entry(const char *operation, const char *kind,
				   const char *relation, PtxLedgerText key,
				   PtxLedgerText image, bool has_project_id,
				   int64 project_id)
{
	PtxLedgerEntryFields f;
	StringInfoData buf;
	uint8		hash[PTX_LEDGER_HASH_LEN];
	Oid			entry_relid;
	Oid			seq_relid;
	Datum		values[PTX_LEDGER_ENTRY_NATTS];
	bool		nulls[PTX_LEDGER_ENTRY_NATTS];
	bytea	   *hashbytes;

	entry_relid = ledger_lock_entry(&seq_relid);

	memset(&f, 0, sizeof(f));
	f.xid = U64FromFullTransactionId(GetTopFullTransactionId());
	f.seq = nextval_internal(seq_relid, false);
	f.logged_at = GetCurrentTimestamp();
	f.business_at = ptx_now();
	f.session_user_name = cstr_text(role_name(0, GetSessionUserId()));
	f.current_user_name = cstr_text(role_name(1, GetUserId()));
	f.application_name = cstr_text(application_name);
	client_addr_init();
	f.client_addr = cstr_text(client_addr_text);
	f.operation = cstr_text(operation);
	f.kind = cstr_text(kind);
	f.relation = cstr_text(relation);
	f.key = key;
	f.row_image = image;
	f.has_project_id = has_project_id;
	f.project_id = project_id;

	initStringInfo(&buf);
	ptx_ledger_serialize_entry(&buf, &f);
	ptx_ledger_sha256((uint8 *) buf.data, buf.len, hash);

	hashbytes = palloc(VARHDRSZ + PTX_LEDGER_HASH_LEN);
	SET_VARSIZE(hashbytes, VARHDRSZ + PTX_LEDGER_HASH_LEN);
	memcpy(VARDATA(hashbytes), hash, PTX_LEDGER_HASH_LEN);

	memset(nulls, false, sizeof(nulls));
	values[0] = Int64GetDatum(f.seq);
	values[1] = FullTransactionIdGetDatum(FullTransactionIdFromU64(f.xid));
	values[2] = TimestampTzGetDatum(f.logged_at);
	values[3] = TimestampTzGetDatum(f.business_at);
	values[4] = text_datum(f.session_user_name, &nulls[4]);
	values[5] = text_datum(f.current_user_name, &nulls[5]);
	values[6] = text_datum(f.application_name, &nulls[6]);
	if (client_addr_text != NULL)
		values[7] = client_addr_datum;
	else
	{
		values[7] = (Datum) 0;
		nulls[7] = true;
	}
	values[8] = text_datum(f.operation, &nulls[8]);
	values[9] = text_datum(f.kind, &nulls[9]);
	values[10] = text_datum(f.relation, &nulls[10]);
	values[11] = text_datum(f.key, &nulls[11]);
	values[12] = text_datum(f.row_image, &nulls[12]);
	values[13] = Int64GetDatum(project_id);
	nulls[13] = !has_project_id;
	values[14] = Int16GetDatum(PTX_LEDGER_FORMAT);
	values[15] = PointerGetDatum(hashbytes);

	ledger_insert(entry_relid, values, nulls);

	pfree(buf.data);
	return f.seq;
}

