/*-------------------------------------------------------------------------
 *
 * ledger.c
 *	  Ledger entries (R3, 全程留痕): the row capture trigger and the event
 *	  entry point.
 *
 * Every tracked table carries the AFTER ROW trigger ptx.ledger_capture(),
 * which writes one entry per changed row in the same transaction.  Events
 * without a row go through ptx_ledger_record_event().  Both end in
 * ledger_write_entry(), which:
 *
 *	 1. takes RowExclusiveLock on ptx.ledger_entry, before anything else: the
 *		sealer waits for every holder of that lock to finish (seal.c), so an
 *		entry whose seq it has seen can no longer be in flight afterwards;
 *	 2. assigns the top transaction id, draws seq from ptx.ledger_seq;
 *	 3. serializes the entry canonically (ledger_format.c) and hashes it
 *		with SHA-256;
 *	 4. inserts it straight into the heap and the indexes of ptx.ledger_entry
 *		(ledger_insert()), without a plan or an executor per row.
 *
 * No shared row is locked and nothing waits: writers scale with clients.
 * Row images and keys are stored as json holding jsonb's canonical text, so
 * that the bytes an auditor selects are the bytes that were hashed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "commands/dbcommands.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inet.h"
#include "utils/datetime.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/xid8.h"

#include "pgtime.h"
#include "utils/bytea.h"
#include "utils/float.h"

#include "ptx.h"
#include "ledger.h"

/* ---------------------------------------------------------------------
 * OIDs of the ledger's relations, cached until a relcache invalidation
 * touches one of them (DROP EXTENSION, restore, ...).
 * ---------------------------------------------------------------------
 */
static Oid	cached_entry_relid = InvalidOid;
static Oid	cached_block_relid = InvalidOid;
static Oid	cached_seq_relid = InvalidOid;

/*
 * A column of a tracked table as its row image renders it directly
 * (row_image_direct()): the types whose jsonb text needs no jsonb value.
 */
typedef enum LedgerColKind
{
	LCOL_BOOL,
	LCOL_INT,					/* int2, int4, int8 */
	LCOL_NUMERIC,
	LCOL_TEXT,					/* text, varchar, bpchar */
	LCOL_DATETIME,				/* date, timestamp, timestamptz */
	LCOL_BYTEA,
	LCOL_OUTPUT					/* a JSON string of the output function's text */
} LedgerColKind;

typedef struct LedgerColumn
{
	int			attidx;			/* 0-based attribute number */
	Oid			typid;
	LedgerColKind kind;
	bool		is_key;			/* part of the primary key */
	char	   *name;
	int			namelen;
	char	   *label;			/* the escaped name and ": " */
	int			labellen;
	FmgrInfo	out;			/* LCOL_OUTPUT */
} LedgerColumn;

/* per tracked relation: its name, primary key and how to render its rows */
typedef struct LedgerRelInfo
{
	Oid			relid;			/* hash key */
	bool		valid;
	bool		is_project;		/* ptx.project: its own id is project_id */
	MemoryContext cxt;			/* holds everything below */
	char	   *name;			/* schema.table, quoted as needed */
	int			nkeys;
	char	  **keynames;
	bool		direct;			/* every column renders directly */
	int			ncols;
	LedgerColumn *cols;			/* live columns in jsonb key order */
	int			project_col;	/* in cols, -1 if none */
} LedgerRelInfo;

static HTAB *relinfo_hash = NULL;
static bool callbacks_registered = false;

/* UTC, for row images */
static pg_tz *utc_tz = NULL;

/* to_jsonb(record), called through fmgr with a fake argument expression */
static FmgrInfo to_jsonb_finfo;
static bool to_jsonb_ready = false;

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
} LedgerInsertState;

static LedgerInsertState insert_state;


/* the client address, fixed for the life of a backend */
static bool client_addr_done = false;
static Datum client_addr_datum = (Datum) 0;
static char *client_addr_text = NULL;

static void
ledger_relcache_callback(Datum arg pg_attribute_unused(), Oid relid)
{
	if (!OidIsValid(relid) || relid == cached_entry_relid ||
		relid == cached_block_relid || relid == cached_seq_relid)
	{
		cached_entry_relid = InvalidOid;
		cached_block_relid = InvalidOid;
		cached_seq_relid = InvalidOid;
		insert_state.valid = false;
	}
	else if (insert_state.valid)
	{
		int			i;

		for (i = 0; i < insert_state.nindexes; i++)
			if (insert_state.indexoids[i] == relid)
				insert_state.valid = false;
	}
	if (relinfo_hash != NULL)
	{
		if (OidIsValid(relid))
		{
			LedgerRelInfo *info = hash_search(relinfo_hash, &relid, HASH_FIND, NULL);

			if (info)
				info->valid = false;
		}
		else
		{
			HASH_SEQ_STATUS status;
			LedgerRelInfo *info;

			hash_seq_init(&status, relinfo_hash);
			while ((info = hash_seq_search(&status)) != NULL)
				info->valid = false;
		}
	}
}

static void
ledger_register_callbacks(void)
{
	if (!callbacks_registered)
	{
		CacheRegisterRelcacheCallback(ledger_relcache_callback, (Datum) 0);
		callbacks_registered = true;
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

/* ---------------------------------------------------------------------
 * Row images and keys
 * ---------------------------------------------------------------------
 */
static Jsonb *
row_to_jsonb(HeapTuple tuple, TupleDesc tupdesc)
{
	Datum		composite;

	if (!to_jsonb_ready)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
		Node	   *arg = (Node *) makeNullConst(RECORDOID, -1, InvalidOid);
		FuncExpr   *expr = makeFuncExpr(F_TO_JSONB, JSONBOID, list_make1(arg),
										InvalidOid, InvalidOid,
										COERCE_EXPLICIT_CALL);

		fmgr_info_cxt(F_TO_JSONB, &to_jsonb_finfo, TopMemoryContext);
		fmgr_info_set_expr((Node *) expr, &to_jsonb_finfo);
		MemoryContextSwitchTo(old);
		to_jsonb_ready = true;
	}
	composite = heap_copy_tuple_as_datum(tuple, tupdesc);

	/*
	 * The image must not depend on the writer's session settings, or
	 * ptx.verify() would see a change where there is none: timestamps in
	 * UTC, intervals, floats and bytea in PostgreSQL's default styles
	 * (ptx.verify_rows() renders current rows with the same settings).
	 */
	if (utc_tz == NULL)
		utc_tz = pg_tzset("UTC");
	{
		pg_tz	   *save_tz = session_timezone;
		int			save_intervalstyle = IntervalStyle;
		int			save_float_digits = extra_float_digits;
		int			save_bytea_output = bytea_output;
		Jsonb	   *result;

		PG_TRY();
		{
			session_timezone = utc_tz;
			IntervalStyle = INTSTYLE_POSTGRES;
			extra_float_digits = 1;
			bytea_output = BYTEA_OUTPUT_HEX;
			result = DatumGetJsonbP(FunctionCall1(&to_jsonb_finfo, composite));
		}
		PG_FINALLY();
		{
			session_timezone = save_tz;
			IntervalStyle = save_intervalstyle;
			extra_float_digits = save_float_digits;
			bytea_output = save_bytea_output;
		}
		PG_END_TRY();
		return result;
	}
}

/*
 * Direct rendering of row images.
 *
 * to_jsonb(row)::text builds a jsonb value and prints it.  For the column
 * types below the printed text is known without that detour, and
 * row_image_direct() writes it straight away: the same bytes, as
 * docs/ledger-format.md defines them (keys ordered by length, then
 * bytewise; ", " and ": "; numbers as jsonb prints them; dates and times as
 * ISO 8601 in UTC; bytea in hex; strings escaped as JSON).  A table with a
 * column of any other type (float, interval, json, arrays, composites,
 * domains, ...) goes through to_jsonb() as before.  ptx.verify_rows()
 * compares every tracked row with to_jsonb(row)::text, so any difference
 * between the two paths shows as a problem there.
 */
static int
jsonb_key_cmp(const void *a, const void *b)
{
	const LedgerColumn *ca = (const LedgerColumn *) a;
	const LedgerColumn *cb = (const LedgerColumn *) b;

	if (ca->namelen != cb->namelen)
		return ca->namelen < cb->namelen ? -1 : 1;
	return memcmp(ca->name, cb->name, ca->namelen);
}

/* in info->cxt: the columns of desc in jsonb key order, and how to render them */
static void
relinfo_plan_columns(LedgerRelInfo *info, TupleDesc desc)
{
	int			i,
				k;
	const char *project_name = info->is_project ? "id" : "project_id";

	info->cols = palloc0(sizeof(LedgerColumn) * Max(desc->natts, 1));
	info->ncols = 0;
	info->direct = true;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		LedgerColumn *col = &info->cols[info->ncols];
		StringInfoData label;

		if (att->attisdropped)
			continue;
		col->attidx = i;
		col->typid = att->atttypid;
		col->name = pstrdup(NameStr(att->attname));
		col->namelen = strlen(col->name);
		switch (att->atttypid)
		{
			case BOOLOID:
				col->kind = LCOL_BOOL;
				break;
			case INT2OID:
			case INT4OID:
			case INT8OID:
				col->kind = LCOL_INT;
				break;
			case NUMERICOID:
				col->kind = LCOL_NUMERIC;
				break;
			case TEXTOID:
			case VARCHAROID:
			case BPCHAROID:
				col->kind = LCOL_TEXT;
				break;
			case DATEOID:
			case TIMESTAMPOID:
			case TIMESTAMPTZOID:
				col->kind = LCOL_DATETIME;
				break;
			case BYTEAOID:
				col->kind = LCOL_BYTEA;
				break;
			case UUIDOID:
				{
					Oid			outfn;
					bool		isvarlena;

					col->kind = LCOL_OUTPUT;
					getTypeOutputInfo(att->atttypid, &outfn, &isvarlena);
					fmgr_info_cxt(outfn, &col->out, info->cxt);
				}
				break;
			default:
				info->direct = false;
				break;
		}
		initStringInfo(&label);
		escape_json(&label, col->name);
		appendBinaryStringInfo(&label, ": ", 2);
		col->label = label.data;
		col->labellen = label.len;
		info->ncols++;
	}
	qsort(info->cols, info->ncols, sizeof(LedgerColumn), jsonb_key_cmp);
	for (i = 0; i < info->ncols; i++)
	{
		for (k = 0; k < info->nkeys; k++)
			if (strcmp(info->cols[i].name, info->keynames[k]) == 0)
				info->cols[i].is_key = true;
		if (strcmp(info->cols[i].name, project_name) == 0)
			info->project_col = i;
	}
}

/* appends the jsonb text of one non-null value */
static void
render_value(StringInfo buf, LedgerColumn *col, Datum value)
{
	switch (col->kind)
	{
		case LCOL_BOOL:
			if (DatumGetBool(value))
				appendBinaryStringInfo(buf, "true", 4);
			else
				appendBinaryStringInfo(buf, "false", 5);
			break;
		case LCOL_INT:
			{
				char		tmp[MAXINT8LEN + 1];
				int64		v;
				int			len;

				if (col->typid == INT2OID)
					v = DatumGetInt16(value);
				else if (col->typid == INT4OID)
					v = DatumGetInt32(value);
				else
					v = DatumGetInt64(value);
				len = pg_lltoa(v, tmp);
				appendBinaryStringInfo(buf, tmp, len);
			}
			break;
		case LCOL_NUMERIC:
			{
				char	   *str = DatumGetCString(DirectFunctionCall1(numeric_out, value));

				/* NaN and infinities are strings in JSON (datum_to_jsonb) */
				if (strchr(str, 'N') != NULL || strchr(str, 'n') != NULL)
					escape_json(buf, str);
				else
					appendStringInfoString(buf, str);
				pfree(str);
			}
			break;
		case LCOL_TEXT:
			{
				char	   *str = TextDatumGetCString(value);

				escape_json(buf, str);
				pfree(str);
			}
			break;
		case LCOL_DATETIME:
			{
				char		tmp[MAXDATELEN + 1];

				/* session_timezone is UTC here (row_image_direct) */
				JsonEncodeDateTime(tmp, value, col->typid, NULL);
				escape_json(buf, tmp);
			}
			break;
		case LCOL_BYTEA:
			{
				bytea	   *b = DatumGetByteaPP(value);
				int			len = VARSIZE_ANY_EXHDR(b);

				/* byteaout in hex, escaped: "\\x0a1b..." */
				appendBinaryStringInfo(buf, "\"\\\\x", 4);
				enlargeStringInfo(buf, 2 * len + 1);
				buf->len += hex_encode(VARDATA_ANY(b), len, buf->data + buf->len);
				buf->data[buf->len] = '\0';
				appendStringInfoChar(buf, '"');
			}
			break;
		case LCOL_OUTPUT:
			{
				char	   *str = OutputFunctionCall(&col->out, value);

				escape_json(buf, str);
				pfree(str);
			}
			break;
	}
}

/*
 * The row image and the key, as text, and the project the row belongs to;
 * for tables whose columns all render directly.
 */
static void
row_image_direct(LedgerRelInfo *info, HeapTuple tuple, TupleDesc desc,
				 PtxLedgerText *image, PtxLedgerText *key,
				 bool *has_project, int64 *project_id)
{
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	int		   *start = palloc(sizeof(int) * Max(info->ncols, 1));
	int		   *end = palloc(sizeof(int) * Max(info->ncols, 1));
	StringInfoData img;
	StringInfoData kbuf;
	pg_tz	   *save_tz = session_timezone;
	int			i;
	bool		first;

	heap_deform_tuple(tuple, desc, values, nulls);
	initStringInfo(&img);
	appendStringInfoChar(&img, '{');
	if (utc_tz == NULL)
		utc_tz = pg_tzset("UTC");
	PG_TRY();
	{
		session_timezone = utc_tz;
		for (i = 0; i < info->ncols; i++)
		{
			LedgerColumn *col = &info->cols[i];

			if (i > 0)
				appendBinaryStringInfo(&img, ", ", 2);
			appendBinaryStringInfo(&img, col->label, col->labellen);
			start[i] = img.len;
			if (nulls[col->attidx])
				appendBinaryStringInfo(&img, "null", 4);
			else
				render_value(&img, col, values[col->attidx]);
			end[i] = img.len;
		}
	}
	PG_FINALLY();
	{
		session_timezone = save_tz;
	}
	PG_END_TRY();
	appendStringInfoChar(&img, '}');

	initStringInfo(&kbuf);
	appendStringInfoChar(&kbuf, '{');
	first = true;
	for (i = 0; i < info->ncols; i++)
	{
		LedgerColumn *col = &info->cols[i];

		if (!col->is_key)
			continue;
		if (!first)
			appendBinaryStringInfo(&kbuf, ", ", 2);
		first = false;
		appendBinaryStringInfo(&kbuf, col->label, col->labellen);
		appendBinaryStringInfo(&kbuf, img.data + start[i], end[i] - start[i]);
	}
	appendStringInfoChar(&kbuf, '}');

	/* as jsonb_get_int64() reads it from a jsonb image */
	*has_project = false;
	i = info->project_col;
	if (i >= 0 && !nulls[info->cols[i].attidx])
	{
		LedgerColumn *col = &info->cols[i];

		if (col->kind == LCOL_INT)
		{
			*has_project = true;
			if (col->typid == INT2OID)
				*project_id = DatumGetInt16(values[col->attidx]);
			else if (col->typid == INT4OID)
				*project_id = DatumGetInt32(values[col->attidx]);
			else
				*project_id = DatumGetInt64(values[col->attidx]);
		}
		else if (col->kind == LCOL_NUMERIC && img.data[start[i]] != '"')
		{
			char	   *s = pnstrdup(img.data + start[i], end[i] - start[i]);
			char	   *endp;

			errno = 0;
			*project_id = strtoi64(s, &endp, 10);
			*has_project = (errno == 0 && *endp == '\0' && endp != s);
			pfree(s);
		}
	}

	image->ptr = img.data;
	image->len = img.len;
	key->ptr = kbuf.data;
	key->len = kbuf.len;
	pfree(values);
	pfree(nulls);
	pfree(start);
	pfree(end);
}

static LedgerRelInfo *
relinfo_get(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	LedgerRelInfo *info;
	bool		found;
	Oid			pkoid;
	MemoryContext old;

	ledger_register_callbacks();
	if (relinfo_hash == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(LedgerRelInfo);
		ctl.hcxt = CacheMemoryContext;
		relinfo_hash = hash_create("ptx ledger relations", 64, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	info = hash_search(relinfo_hash, &relid, HASH_ENTER, &found);
	if (found && info->valid)
		return info;
	if (found && info->cxt != NULL)
		MemoryContextDelete(info->cxt);
	info->valid = false;
	info->cxt = NULL;
	info->name = NULL;
	info->keynames = NULL;
	info->nkeys = 0;
	info->direct = false;
	info->ncols = 0;
	info->cols = NULL;
	info->project_col = -1;

	pkoid = RelationGetPrimaryKeyIndex(rel);
	if (!OidIsValid(pkoid))
	{
		hash_search(relinfo_hash, &relid, HASH_REMOVE, NULL);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table %s has no primary key",
						quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												   RelationGetRelationName(rel))),
				 errdetail("The ledger identifies every row by its primary key."),
				 errhint("Add a primary key to the table, or untrack it with ptx.untrack().")));
	}

	info->cxt = AllocSetContextCreate(CacheMemoryContext, "ptx ledger relation",
									  ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(info->cxt);
	{
		Relation	idx = index_open(pkoid, AccessShareLock);
		int			i;
		TupleDesc	desc = RelationGetDescr(rel);
		char	   *nspname = get_namespace_name(RelationGetNamespace(rel));

		info->nkeys = idx->rd_index->indnkeyatts;
		info->keynames = palloc(sizeof(char *) * info->nkeys);
		for (i = 0; i < info->nkeys; i++)
		{
			AttrNumber	att = idx->rd_index->indkey.values[i];

			info->keynames[i] = pstrdup(NameStr(TupleDescAttr(desc, att - 1)->attname));
		}
		index_close(idx, AccessShareLock);
		info->name = pstrdup(quote_qualified_identifier(nspname, RelationGetRelationName(rel)));
		info->is_project = (strcmp(nspname, "ptx") == 0 &&
							strcmp(RelationGetRelationName(rel), "project") == 0);
		relinfo_plan_columns(info, desc);
	}
	MemoryContextSwitchTo(old);
	info->valid = true;
	return info;
}

/* the object {pk column: value, ...} built from the row image */
static Jsonb *
key_from_image(Jsonb *image, LedgerRelInfo *info)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;
	int			i;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < info->nkeys; i++)
	{
		JsonbValue	k;
		JsonbValue *v;
		JsonbValue	null;

		k.type = jbvString;
		k.val.string.val = info->keynames[i];
		k.val.string.len = strlen(info->keynames[i]);
		pushJsonbValue(&state, WJB_KEY, &k);
		v = getKeyJsonValueFromContainer(&image->root, k.val.string.val,
										 k.val.string.len, NULL);
		if (v == NULL)
		{
			null.type = jbvNull;
			v = &null;
		}
		pushJsonbValue(&state, WJB_VALUE, v);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/* the integer under name at the top level of an object, if any */
static bool
jsonb_get_int64(Jsonb *jb, const char *name, int64 *out)
{
	JsonbValue *v;
	char	   *s;
	char	   *end;

	if (jb == NULL || !JB_ROOT_IS_OBJECT(jb))
		return false;
	v = getKeyJsonValueFromContainer(&jb->root, name, strlen(name), NULL);
	if (v == NULL || v->type != jbvNumeric)
		return false;
	s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	errno = 0;
	*out = strtoi64(s, &end, 10);
	return errno == 0 && *end == '\0' && end != s;
}

static PtxLedgerText
jsonb_text(Jsonb *jb)
{
	PtxLedgerText t = {NULL, 0};
	StringInfoData buf;

	if (jb == NULL)
		return t;
	initStringInfo(&buf);
	JsonbToCString(&buf, &jb->root, VARSIZE(jb));
	t.ptr = buf.data;
	t.len = buf.len;
	return t;
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
 * Going around the executor skips the table's CHECK constraints and insert
 * triggers: ledger_write_entry() builds only rows that meet the checks, and
 * the ledger has no insert trigger (32_ledger_guard.sql).  A partitioned
 * ledger would need its partition routing here.
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
	MemoryContextSwitchTo(old);
	insert_state.relid = RelationGetRelid(rel);
	insert_state.valid = true;
}

static void
ledger_insert(Oid relid, Datum *values, bool *isnull)
{
	Relation	rel = table_open(relid, RowExclusiveLock);
	HeapTuple	tuple;
	int			i;

	if (!insert_state.valid || insert_state.relid != relid)
		insert_state_build(rel);
	tuple = heap_form_tuple(insert_state.tupdesc, values, isnull);
	heap_insert(rel, tuple, GetCurrentCommandId(true), 0, NULL);

	if (insert_state.nindexes > 0)
	{
		ExprContext *econtext = GetPerTupleExprContext(insert_state.estate);

		ExecStoreHeapTuple(tuple, insert_state.slot, false);
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
		ExecClearTuple(insert_state.slot);
		ResetExprContext(econtext);
	}
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
 * Writes one entry; returns its seq.  operation is INSERT, UPDATE, DELETE,
 * SNAPSHOT or EVENT; kind is the event kind (NULL for rows).
 */
static int64
ledger_write_entry(const char *operation, const char *kind,
				   const char *relation, PtxLedgerText key,
				   PtxLedgerText image, bool has_project_id,
				   int64 project_id)
{
	PtxLedgerEntryFields f;
	StringInfoData buf;
	uint8		hash[PTX_LEDGER_HASH_LEN];
	Oid			entry_relid;
	Datum		values[PTX_LEDGER_ENTRY_NATTS];
	bool		nulls[PTX_LEDGER_ENTRY_NATTS];
	bytea	   *hashbytes;

	entry_relid = ptx_ledger_entry_relid(false);

	/* the sealer relies on this lock being taken before seq is drawn */
	LockRelationOid(entry_relid, RowExclusiveLock);

	memset(&f, 0, sizeof(f));
	f.xid = U64FromFullTransactionId(GetTopFullTransactionId());
	f.seq = nextval_internal(cached_seq_relid, false);
	f.logged_at = GetCurrentTimestamp();
	f.business_at = ptx_now();
	f.session_user_name = cstr_text(GetUserNameFromId(GetSessionUserId(), false));
	f.current_user_name = cstr_text(GetUserNameFromId(GetUserId(), false));
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

/* ---------------------------------------------------------------------
 * The capture trigger
 * ---------------------------------------------------------------------
 */
static void
write_row_entry(const char *operation, Relation rel, HeapTuple tuple)
{
	LedgerRelInfo *info = relinfo_get(rel);
	PtxLedgerText image;
	PtxLedgerText key;
	int64		project_id = 0;
	bool		has_project;

	if (info->direct)
		row_image_direct(info, tuple, RelationGetDescr(rel), &image, &key,
						 &has_project, &project_id);
	else
	{
		Jsonb	   *jimage = row_to_jsonb(tuple, RelationGetDescr(rel));

		image = jsonb_text(jimage);
		key = jsonb_text(key_from_image(jimage, info));
		has_project = jsonb_get_int64(jimage, info->is_project ? "id" : "project_id",
									  &project_id);
	}
	ledger_write_entry(operation, NULL, info->name, key, image,
					   has_project, project_id);
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
		write_row_entry("UPDATE", td->tg_relation, td->tg_newtuple);
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
	has_project = jsonb_get_int64(payload, "project_id", &project_id) ||
		jsonb_get_int64(key, "project_id", &project_id) ||
		(relation != NULL && strcmp(relation, "ptx.project") == 0 &&
		 jsonb_get_int64(key, "id", &project_id));
	return ledger_write_entry("EVENT", kind, relation, jsonb_text(key),
							  jsonb_text(payload), has_project, project_id);
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

	rel = table_open(relid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION)
	{
		/* partitioned tables hold no rows; their partitions do */
		table_close(rel, AccessShareLock);
		return 0;
	}
	(void) relinfo_get(rel);
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
