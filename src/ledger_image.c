/*-------------------------------------------------------------------------
 *
 * ledger_image.c
 *	  Row images and keys of tracked tables, as jsonb's canonical text.
 *
 * The image of a row is to_jsonb(row)::text rendered under the canonical
 * settings (canonical.c); its key is the object of its primary key columns.
 * Per tracked relation, its name, primary key and how to render each column
 * are kept until a relcache invalidation of it.  For tables whose columns
 * all have a known text (integers, numeric, text, booleans, dates and
 * timestamps, bytea, uuid) the text is written directly, without building a
 * jsonb value first; ptx.verify_rows() compares both paths with
 * to_jsonb(row)::text, so any difference between them shows there.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"

#include "ptx.h"
#include "canonical.h"
#include "ledger_image.h"

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
	AttrNumber *keyattnums;		/* the primary key's columns */
	bool		direct;			/* every column renders directly */
	int			settings;		/* canonical.c: what to_jsonb() depends on */
	int			ncols;
	LedgerColumn *cols;			/* live columns in jsonb key order */
	int			project_col;	/* in cols, -1 if none */
} LedgerRelInfo;

static HTAB *relinfo_hash = NULL;
static bool callback_registered = false;

/* the UTC offset of timestamps in row images (JsonEncodeDateTime) */
static const int utc_offset = 0;

/* to_jsonb(record), called through fmgr with a fake argument expression */
static FmgrInfo to_jsonb_finfo;
static bool to_jsonb_ready = false;

static void
image_relcache_callback(Datum arg pg_attribute_unused(), Oid relid)
{
	if (relinfo_hash == NULL)
		return;
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

/* ---------------------------------------------------------------------
 * Row images and keys
 * ---------------------------------------------------------------------
 */
static Jsonb *
row_to_jsonb(HeapTuple tuple, TupleDesc tupdesc, int settings)
{
	Datum		composite;
	Jsonb	   *result;
	int			nestlevel;

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
	 * ptx.verify() would see a change where there is none: the settings the
	 * columns' types depend on take their canonical values (canonical.c),
	 * which ptx.verify_rows() renders current rows with too.
	 */
	nestlevel = ptx_canonical_begin(settings);
	result = DatumGetJsonbP(FunctionCall1(&to_jsonb_finfo, composite));
	ptx_canonical_end(nestlevel);
	return result;
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
	info->settings = 0;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		LedgerColumn *col = &info->cols[info->ncols];
		StringInfoData label;

		if (att->attisdropped)
			continue;
		col->attidx = i;
		col->typid = att->atttypid;
		info->settings |= ptx_canonical_mask_for_type(att->atttypid);
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

				/*
				 * In UTC whatever the session's TimeZone: the text to_jsonb()
				 * prints under the canonical settings (canonical.c).
				 */
				JsonEncodeDateTime(tmp, value, col->typid, &utc_offset);
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
	int			i;
	bool		first;

	heap_deform_tuple(tuple, desc, values, nulls);
	initStringInfo(&img);
	appendStringInfoChar(&img, '{');
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

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(image_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
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
		info->keyattnums = palloc(sizeof(AttrNumber) * info->nkeys);
		for (i = 0; i < info->nkeys; i++)
		{
			AttrNumber	att = idx->rd_index->indkey.values[i];

			info->keynames[i] = pstrdup(NameStr(TupleDescAttr(desc, att - 1)->attname));
			info->keyattnums[i] = att;
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
bool
ptx_ledger_jsonb_get_int64(Jsonb *jb, const char *name, int64 *out)
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

PtxLedgerText
ptx_ledger_jsonb_text(Jsonb *jb)
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

/* ---------------------------------------------------------------------
 * The interface of this file (ledger_image.h)
 * ---------------------------------------------------------------------
 */
void
ptx_ledger_row_image(Relation rel, HeapTuple tuple, PtxLedgerRow *row)
{
	LedgerRelInfo *info = relinfo_get(rel);

	row->relation = info->name;
	row->project_id = 0;
	if (info->direct)
		row_image_direct(info, tuple, RelationGetDescr(rel), &row->image, &row->key,
						 &row->has_project, &row->project_id);
	else
	{
		Jsonb	   *jimage = row_to_jsonb(tuple, RelationGetDescr(rel), info->settings);

		row->image = ptx_ledger_jsonb_text(jimage);
		row->key = ptx_ledger_jsonb_text(key_from_image(jimage, info));
		row->has_project = ptx_ledger_jsonb_get_int64(jimage,
													  info->is_project ? "id" : "project_id",
													  &row->project_id);
	}
}

void
ptx_ledger_row_image_jsonb(Relation rel, HeapTuple tuple,
						   PtxLedgerText *image, PtxLedgerText *key)
{
	LedgerRelInfo *info = relinfo_get(rel);
	Jsonb	   *jimage = row_to_jsonb(tuple, RelationGetDescr(rel), info->settings);

	*image = ptx_ledger_jsonb_text(jimage);
	*key = ptx_ledger_jsonb_text(key_from_image(jimage, info));
}

void
ptx_ledger_row_prepare(Relation rel)
{
	(void) relinfo_get(rel);
}

/*
 * Whether an UPDATE changed the row's primary key.  Binary-equal key
 * columns are unchanged; any other difference is a change (a value equal
 * but stored differently renders differently in the key too).
 */
bool
ptx_ledger_key_changed(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	LedgerRelInfo *info = relinfo_get(rel);
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < info->nkeys; i++)
	{
		AttrNumber	att = info->keyattnums[i];
		Form_pg_attribute a = TupleDescAttr(desc, att - 1);
		bool		oldnull,
					newnull;
		Datum		oldval = heap_getattr(oldtup, att, desc, &oldnull);
		Datum		newval = heap_getattr(newtup, att, desc, &newnull);

		if (oldnull != newnull)
			return true;
		if (!oldnull && !datumIsEqual(oldval, newval, a->attbyval, a->attlen))
			return true;
	}
	return false;
}

