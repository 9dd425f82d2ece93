/*-------------------------------------------------------------------------
 *
 * ledger_relids.c
 *	  The OIDs of the ledger's relations (ptx.ledger_entry, ptx.ledger_block,
 *	  ptx.ledger_seq), cached per backend until a relcache invalidation
 *	  touches one of them (DROP EXTENSION, restore, also ANALYZE), and the
 *	  names entries give relations.
 *
 * A cached OID may be reset whenever invalidation messages are accepted
 * (taking any lock): callers read it again after taking their lock
 * (ledger_insert.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"

#include "ptx.h"
#include "ledger_relids.h"

static Oid	cached_entry_relid = InvalidOid;
static Oid	cached_block_relid = InvalidOid;
static Oid	cached_seq_relid = InvalidOid;
static bool callback_registered = false;

static void
relids_relcache_callback(Datum arg pg_attribute_unused(), Oid relid)
{
	if (!OidIsValid(relid) || relid == cached_entry_relid ||
		relid == cached_block_relid || relid == cached_seq_relid)
	{
		cached_entry_relid = InvalidOid;
		cached_block_relid = InvalidOid;
		cached_seq_relid = InvalidOid;
	}
}

static void
ledger_register_callbacks(void)
{
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(relids_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
}

static void
ledger_lookup_relids(bool missing_ok)
{
	Oid			nsp;

	ledger_register_callbacks();
	if (OidIsValid(cached_entry_relid))
		return;
	nsp = get_namespace_oid("ptx", true);
	if (OidIsValid(nsp))
	{
		Oid			entry = get_relname_relid("ledger_entry", nsp);
		Oid			block = get_relname_relid("ledger_block", nsp);
		Oid			seq = get_relname_relid("ledger_seq", nsp);

		if (OidIsValid(entry) && OidIsValid(block) && OidIsValid(seq))
		{
			cached_block_relid = block;
			cached_seq_relid = seq;
			cached_entry_relid = entry;
			return;
		}
	}
	if (!missing_ok)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_EXTENSION_MISSING),
				 errmsg("the ptx ledger is not installed in database \"%s\"",
						get_database_name(MyDatabaseId)),
				 errhint("Install it with CREATE EXTENSION ptx CASCADE.")));
}

Oid
ptx_ledger_entry_relid(bool missing_ok)
{
	ledger_lookup_relids(missing_ok);
	return cached_entry_relid;
}

Oid
ptx_ledger_block_relid(bool missing_ok)
{
	ledger_lookup_relids(missing_ok);
	return cached_block_relid;
}

Oid
ptx_ledger_seq_relid(bool missing_ok)
{
	ledger_lookup_relids(missing_ok);
	return cached_seq_relid;
}

/* 0-based position of a ledger table's column; XX001 if it is missing */
int
ptx_ledger_column(TupleDesc desc, const char *name)
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

/* the relation name as the ledger writes it, NULL for an unknown OID */
char *
ptx_ledger_relation_name(Oid relid)
{
	char	   *rel = get_rel_name(relid);
	char	   *nsp;

	if (rel == NULL)
		return NULL;
	nsp = get_namespace_name(get_rel_namespace(relid));
	if (nsp == NULL)
		return NULL;
	return pstrdup(quote_qualified_identifier(nsp, rel));
}

PG_FUNCTION_INFO_V1(ptx_ledger_relation_name_sql);

Datum
ptx_ledger_relation_name_sql(PG_FUNCTION_ARGS)
{
	char	   *name = ptx_ledger_relation_name(PG_GETARG_OID(0));

	if (name == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(name));
}

/* true while CREATE EXTENSION or ALTER EXTENSION runs a script */
PG_FUNCTION_INFO_V1(ptx_in_extension_script);

Datum
ptx_in_extension_script(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(creating_extension);
}
