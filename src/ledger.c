/*-------------------------------------------------------------------------
 *
 * ledger.c
 *	  Ledger entries (R3, 全程留痕): the row capture trigger, the event
 *	  entry point and snapshots.
 *
 * Every tracked table carries the AFTER ROW trigger ptx.ledger_capture(),
 * which writes one entry per changed row in the same transaction (its image
 * from ledger_image.c, written by ledger_insert.c).  Events without a row
 * go through ptx_ledger_record_event().  A table coming under tracking gets
 * a SNAPSHOT entry of every row.
 *
 * Row images and keys are stored as json holding jsonb's canonical text, so
 * that the bytes an auditor selects are the bytes that were hashed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "ptx.h"
#include "ledger.h"
#include "ledger_image.h"
#include "ledger_insert.h"

/* ---------------------------------------------------------------------
 * The capture trigger
 * ---------------------------------------------------------------------
 */
static void
write_row_entry(const char *operation, Relation rel, HeapTuple tuple)
{
	PtxLedgerRow row;

	ptx_ledger_row_image(rel, tuple, &row);
	ptx_ledger_write_entry(operation, NULL, row.relation, row.key, row.image,
						   row.has_project, row.project_id);
}

PG_FUNCTION_INFO_V1(ptx_ledger_capture);

Datum
ptx_ledger_capture(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TriggerEvent ev;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ptx.ledger_capture() must be called as a trigger")));
	ev = td->tg_event;
	if (!TRIGGER_FIRED_AFTER(ev) || !TRIGGER_FIRED_FOR_ROW(ev))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ptx.ledger_capture() must be an AFTER ROW trigger"),
				 errhint("Use ptx.track() to attach it.")));

	if (TRIGGER_FIRED_BY_INSERT(ev))
		write_row_entry("INSERT", td->tg_relation, td->tg_trigtuple);
	else if (TRIGGER_FIRED_BY_UPDATE(ev))
	{
		/*
		 * A new primary key: the row is gone under its old key, and the
		 * ledger says so with a DELETE of the old image before the UPDATE
		 * under the new key, so that verification never misses the old key.
		 */
		if (ptx_ledger_key_changed(td->tg_relation, td->tg_trigtuple, td->tg_newtuple))
			write_row_entry("DELETE", td->tg_relation, td->tg_trigtuple);
		write_row_entry("UPDATE", td->tg_relation, td->tg_newtuple);
	}
	else if (TRIGGER_FIRED_BY_DELETE(ev))
		write_row_entry("DELETE", td->tg_relation, td->tg_trigtuple);
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ptx.ledger_capture() fires for INSERT, UPDATE and DELETE only")));

	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * Events
 * ---------------------------------------------------------------------
 */
int64
ptx_ledger_record_event(const char *kind, const char *relation,
						Jsonb *key, Jsonb *payload)
{
	int64		project_id = 0;
	bool		has_project;

	if (kind == NULL || kind[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a ledger event needs a kind"),
				 errhint("Name what happened, e.g. transition, draw, sealed_read or credit_revocation.")));
	has_project = ptx_ledger_jsonb_get_int64(payload, "project_id", &project_id) ||
		ptx_ledger_jsonb_get_int64(key, "project_id", &project_id) ||
		(relation != NULL && strcmp(relation, "ptx.project") == 0 &&
		 ptx_ledger_jsonb_get_int64(key, "id", &project_id));
	return ptx_ledger_write_entry("EVENT", kind, relation, ptx_ledger_jsonb_text(key),
								  ptx_ledger_jsonb_text(payload), has_project, project_id);
}

PG_FUNCTION_INFO_V1(ptx_ledger_event);

Datum
ptx_ledger_event(PG_FUNCTION_ARGS)
{
	char	   *kind = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *relation = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	Jsonb	   *key = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	Jsonb	   *payload = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);

	PG_RETURN_INT64(ptx_ledger_record_event(kind, relation, key, payload));
}

/* ---------------------------------------------------------------------
 * Snapshots: the image of every row of a relation, written when it comes
 * under tracking, so that verification knows each row's starting point.
 * ---------------------------------------------------------------------
 */
int64
ptx_ledger_snapshot_relation(Oid relid)
{
	Relation	rel;
	TableScanDesc scan;
	Snapshot	snap;
	HeapTuple	tuple;
	int64		n = 0;
	MemoryContext rowcxt,
				old;

	rel = try_table_open(relid, AccessShareLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (rel->rd_rel->relkind != RELKIND_RELATION)
	{
		/* partitioned tables hold no rows; their partitions do */
		table_close(rel, AccessShareLock);
		return 0;
	}
	ptx_ledger_row_prepare(rel);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ptx ledger snapshot",
								   ALLOCSET_DEFAULT_SIZES);
	snap = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snap, 0, NULL);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		old = MemoryContextSwitchTo(rowcxt);
		write_row_entry("SNAPSHOT", rel, tuple);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
		n++;
		CHECK_FOR_INTERRUPTS();
	}
	table_endscan(scan);
	UnregisterSnapshot(snap);
	MemoryContextDelete(rowcxt);
	table_close(rel, AccessShareLock);
	return n;
}

PG_FUNCTION_INFO_V1(ptx_ledger_snapshot);

Datum
ptx_ledger_snapshot(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);

	if (!ptx_relation_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(get_rel_relkind(relid)),
					   get_rel_name(relid));
	PG_RETURN_INT64(ptx_ledger_snapshot_relation(relid));
}

