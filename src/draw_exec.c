/*-------------------------------------------------------------------------
 *
 * draw_exec.c
 *	  The pieces of a recorded draw (DESIGN.md §4) that are written in C:
 *	  fresh seeds from pg_strong_random(), the hash of a stored pool, and
 *	  the multi-need sampler that serves several needs from one PTX-DRAW-1
 *	  stream under a per-group limit (at most n experts of one employer).
 *
 * ptx.draw_pick_needs() is a pure function of its arguments: execution
 * calls it with the pools it has just computed and stored, verification
 * and auditors call it again with the stored pools, and must get the same
 * picks.  The algorithm is the one of docs/draw-algorithm.md:
 *
 * - needs are served in the order given, from one stream;
 * - the pool of need i is its own pool (sorted ascending) less the
 *   candidates already picked for needs before it;
 * - a candidate whose group already holds max_per_group seats (counting
 *   the groups of members seated before the draw) is skipped;
 * - a need that cannot be filled is PX007, and nothing is returned.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "sha256.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "port.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "ptx.h"
#include "args.h"
#include "draw.h"

PG_FUNCTION_INFO_V1(ptx_strong_random_bytes);
PG_FUNCTION_INFO_V1(ptx_draw_pool_hash);
PG_FUNCTION_INFO_V1(ptx_draw_pick_needs);
PG_FUNCTION_INFO_V1(ptx_draw_pool_sorted);
PG_FUNCTION_INFO_V1(ptx_draw_groups_hash);
PG_FUNCTION_INFO_V1(ptx_draw_picks_hash);

/*
 * ptx.strong_random_bytes(n int) → bytea
 *
 * n bytes from the operating system's cryptographic generator.  Seeds of
 * draws and the keys of personal data come from here.
 */
Datum
ptx_strong_random_bytes(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	bytea	   *out;

	if (n < 1 || n > 1024)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot generate %d random bytes", n),
				 errhint("Ask for 1 to 1024 bytes.")));
	out = (bytea *) palloc(VARHDRSZ + n);
	SET_VARSIZE(out, VARHDRSZ + n);
	if (!pg_strong_random(VARDATA(out), n))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not generate random bytes"),
				 errdetail("pg_strong_random() failed.")));
	PG_RETURN_BYTEA_P(out);
}

/* SHA-256 of the ids in order, each as 8 bytes big-endian (int8send) */
static void
pool_digest(const int64 *ids, int n, uint8 *digest)
{
	uint8		buf[8 * 256];
	int			i;
	int			used = 0;

	ptx_sha256_begin();
	for (i = 0; i < n; i++)
	{
		uint64		v = (uint64) ids[i];
		int			b;

		for (b = 0; b < 8; b++)
			buf[used++] = (uint8) (v >> (56 - 8 * b));
		if (used == sizeof(buf))
		{
			ptx_sha256_update(buf, used);
			used = 0;
		}
	}
	if (used > 0)
		ptx_sha256_update(buf, used);
	ptx_sha256_final(digest);
}

/*
 * ptx.draw_pool_hash(pool bigint[]) → bytea
 *
 * The hash stored with every pool: SHA-256 of the sorted ids, each as
 * 8 bytes big-endian; in SQL,
 * sha256(string_agg(int8send(id), ''::bytea ORDER BY id)).
 */
Datum
ptx_draw_pool_hash(PG_FUNCTION_ARGS)
{
	ArrayType  *pool_arr = PG_GETARG_ARRAYTYPE_P(0);
	int64	   *ids;
	int			n;
	bytea	   *out;

	ids = ptx_draw_sorted_pool(pool_arr, &n);
	out = (bytea *) palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	SET_VARSIZE(out, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	pool_digest(ids, n, (uint8 *) VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

/*
 * ptx.draw_pool_sorted(pool bigint[]) → boolean
 *
 * True when the ids are strictly ascending and none is NULL: the form in
 * which pools are stored.
 */
Datum
ptx_draw_pool_sorted(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (ARR_ELEMTYPE(arr) != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("a draw pool must be an array of bigint")));
	if (ARR_NDIM(arr) > 1)
		PG_RETURN_BOOL(false);
	deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			PG_RETURN_BOOL(false);
		if (i > 0 && DatumGetInt64(elems[i]) <= DatumGetInt64(elems[i - 1]))
			PG_RETURN_BOOL(false);
	}
	PG_RETURN_BOOL(true);
}

/*
 * SHA-256 of text lines, fed piecewise (sha256.c: one such hash at a time,
 * nothing else hashes between its lines)
 */
typedef struct LineHash
{
	StringInfoData buf;
} LineHash;

static void
line_hash_init(LineHash *h, const char *what pg_attribute_unused())
{
	initStringInfo(&h->buf);
	ptx_sha256_begin();
}

/* hands the buffered lines to the hash once they pass 8 kB, or at the end */
static void
line_hash_flush(LineHash *h, bool force)
{
	if (h->buf.len > 0 && (force || h->buf.len >= 8192))
	{
		ptx_sha256_update(h->buf.data, h->buf.len);
		resetStringInfo(&h->buf);
	}
}

static bytea *
line_hash_final(LineHash *h)
{
	bytea	   *out = (bytea *) palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

	line_hash_flush(h, true);
	SET_VARSIZE(out, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	ptx_sha256_final((uint8 *) VARDATA(out));
	pfree(h->buf.data);
	return out;
}

/*
 * ptx.draw_groups_hash(groups bigint[]) → bytea
 *
 * The hash of the groups of a stored pool (the employer of each expert,
 * in the order of the pool): SHA-256 of one line per element, the group in
 * decimal followed by a newline, an empty line for NULL; in SQL,
 * sha256(convert_to(string_agg(coalesce(g::text, '') || E'\n', '' ORDER BY i), 'UTF8')).
 * The draw's ledger event records it beside the pool's hash.
 */
Datum
ptx_draw_groups_hash(PG_FUNCTION_ARGS)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	LineHash	h;

	elems = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(0), INT8OID, "groups", &n, &nulls);
	line_hash_init(&h, "the groups of a draw pool");
	for (i = 0; i < n; i++)
	{
		if (!nulls[i])
			appendStringInfo(&h.buf, INT64_FORMAT, DatumGetInt64(elems[i]));
		appendStringInfoChar(&h.buf, '\n');
		line_hash_flush(&h, false);
	}
	PG_RETURN_BYTEA_P(line_hash_final(&h));
}

/*
 * ptx.draw_picks_hash(seats int[], subjects bigint[], roles text[],
 *					   assigned bigint[]) → bytea
 *
 * The hash of the picks of a draw, given in seat order: SHA-256 of one
 * line per pick, "seat,subject_id,role,assigned_to" and a newline,
 * assigned_to empty when NULL; in SQL,
 * sha256(convert_to(string_agg(seat || ',' || subject_id || ',' || role || ','
 *                   || coalesce(assigned_to::text, '') || E'\n', '' ORDER BY seat), 'UTF8')).
 * The draw's ledger event records it, so that the stored picks
 * (ptx.draw_pick) are checked against the ledger by ptx.verify_draw.
 */
Datum
ptx_draw_picks_hash(PG_FUNCTION_ARGS)
{
	Datum	   *seats;
	Datum	   *subjects;
	Datum	   *roles;
	Datum	   *assigned;
	bool	   *assigned_null;
	int			nseats;
	int			nsubjects;
	int			nroles;
	int			nassigned;
	int			i;
	LineHash	h;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the picks of a draw need seats, subjects, roles and assignments")));
	seats = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(0), INT4OID, "seats", &nseats, NULL);
	subjects = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(1), INT8OID, "subjects", &nsubjects, NULL);
	roles = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(2), TEXTOID, "roles", &nroles, NULL);
	assigned = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(3), INT8OID, "assignments", &nassigned,
							  &assigned_null);
	if (nsubjects != nseats || nroles != nseats || nassigned != nseats)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the picks of a draw have %d seats, %d subjects, %d roles and %d assignments",
						nseats, nsubjects, nroles, nassigned),
				 errhint("Give one element of each for every pick.")));
	line_hash_init(&h, "the picks of a draw");
	for (i = 0; i < nseats; i++)
	{
		text	   *role = DatumGetTextPP(roles[i]);

		appendStringInfo(&h.buf, "%d," INT64_FORMAT ",", DatumGetInt32(seats[i]),
						 DatumGetInt64(subjects[i]));
		appendBinaryStringInfo(&h.buf, VARDATA_ANY(role), VARSIZE_ANY_EXHDR(role));
		appendStringInfoChar(&h.buf, ',');
		if (!assigned_null[i])
			appendStringInfo(&h.buf, INT64_FORMAT, DatumGetInt64(assigned[i]));
		appendStringInfoChar(&h.buf, '\n');
		line_hash_flush(&h, false);
	}
	PG_RETURN_BYTEA_P(line_hash_final(&h));
}

/* a candidate of one need with its group (0 = none) */
typedef struct NeedCandidate
{
	int64		id;
	int64		group;
	bool		has_group;
} NeedCandidate;

static int
cmp_candidate(const void *a, const void *b)
{
	int64		x = ((const NeedCandidate *) a)->id;
	int64		y = ((const NeedCandidate *) b)->id;

	return (x > y) - (x < y);
}

/* state of the composition rule across the needs of one draw */
typedef struct GroupRule
{
	int			max_per_group;	/* 0: no rule */
	int64	   *groups;			/* groups holding a seat, with repetition */
	int			ngroups;
	NeedCandidate *candidates;	/* the current need, sorted by id */
	int			ncandidates;
	int			skipped;		/* candidates refused in the current need */
} GroupRule;

static NeedCandidate *
find_candidate(GroupRule *rule, int64 id)
{
	int			lo = 0;
	int			hi = rule->ncandidates - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (rule->candidates[mid].id == id)
			return &rule->candidates[mid];
		if (rule->candidates[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/* the accept callback of ptx_draw_pick: the per-group limit */
static bool
accept_group(int64 candidate, void *arg)
{
	GroupRule  *rule = (GroupRule *) arg;
	NeedCandidate *c;
	int			held = 0;
	int			i;

	if (rule->max_per_group <= 0)
		return true;
	c = find_candidate(rule, candidate);
	if (c == NULL || !c->has_group)
		return true;
	for (i = 0; i < rule->ngroups; i++)
		if (rule->groups[i] == c->group)
			held++;
	if (held >= rule->max_per_group)
	{
		rule->skipped++;
		return false;
	}
	rule->groups[rule->ngroups++] = c->group;
	return true;
}

static bool
picked_before(const int64 *picked, int npicked, int64 id)
{
	int			i;

	for (i = 0; i < npicked; i++)
		if (picked[i] == id)
			return true;
	return false;
}

/*
 * ptx.draw_pick_needs(seed bytea, pool bigint[], sizes int[], counts int[],
 *                     groups bigint[], max_per_group int,
 *                     seated_groups bigint[], labels text[])
 *   → table(seat int, need_no int, subject_id bigint)
 *
 * pool holds the pools of the needs one after the other, sizes[i] ids for
 * need i; counts[i] is how many need i asks for.  groups (NULL, or one
 * per pool element, NULL elements for none) and max_per_group (NULL or 0
 * for no rule) give the composition rule; seated_groups the groups of
 * members already seated.  labels name the needs in messages.
 */
Datum
ptx_draw_pick_needs(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bytea	   *seed;
	Datum	   *pool_d;
	Datum	   *size_d;
	Datum	   *count_d;
	Datum	   *group_d = NULL;
	bool	   *group_null = NULL;
	Datum	   *seated_d = NULL;
	Datum	   *label_d = NULL;
	bool	   *label_null = NULL;
	int			npool;
	int			nneeds;
	int			ncounts;
	int			ngroup_elems = 0;
	int			nseated = 0;
	int			nlabels = 0;
	int			total_k = 0;
	int			sum;
	int			max_per_group = 0;
	int			offset = 0;
	int			npicked = 0;
	int64	   *picked;
	int		   *picked_need;
	GroupRule	rule;
	PtxDrawStream s;
	int			i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a draw needs a seed, a pool, pool sizes and counts")));
	seed = PG_GETARG_BYTEA_PP(0);
	ptx_check_seed(seed);

	pool_d = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(1), INT8OID, "a draw pool", &npool, NULL);
	size_d = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(2), INT4OID, "pool sizes", &nneeds, NULL);
	count_d = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(3), INT4OID, "counts", &ncounts, NULL);
	if (ncounts != nneeds)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a draw has %d pool sizes but %d counts", nneeds, ncounts),
				 errhint("Give one pool size and one count for each need.")));
	for (i = 0; i < nneeds; i++)
	{
		int32		size = DatumGetInt32(size_d[i]);
		int32		k = DatumGetInt32(count_d[i]);

		if (size < 0 || k < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("need %d has a negative pool size or count", i + 1)));
		if (size > npool - offset)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pool sizes do not add up to the %d candidates of the pool", npool)));
		offset += size;

		/*
		 * A need never gets more picks than its pool holds (a larger count
		 * is refused below, PX007, with the need's label), so the picks are
		 * bounded by npool and the sum cannot overflow.
		 */
		total_k += Min(k, size);
	}
	if (offset != npool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pool sizes do not add up to the %d candidates of the pool", npool)));

	if (!PG_ARGISNULL(4))
	{
		group_d = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(4), INT8OID, "groups",
								 &ngroup_elems, &group_null);
		if (ngroup_elems != npool)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a draw pool has %d candidates but %d groups", npool, ngroup_elems),
					 errhint("Give one group (or NULL) for each candidate.")));
	}
	if (!PG_ARGISNULL(5))
		max_per_group = PG_GETARG_INT32(5);
	if (max_per_group < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the limit per group cannot be negative")));
	if (!PG_ARGISNULL(6))
		seated_d = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(6), INT8OID, "seated groups",
								  &nseated, NULL);
	if (!PG_ARGISNULL(7))
		label_d = ptx_array_elements(PG_GETARG_ARRAYTYPE_P(7), TEXTOID, "labels",
								 &nlabels, &label_null);

	/*
	 * total_k <= npool (checked above) and both arrays were deconstructed,
	 * so they fit in memory; still check the sum before allocating by it.
	 */
	if (pg_add_s32_overflow(nseated, total_k, &sum) ||
		pg_add_s32_overflow(sum, 1, &sum) ||
		!AllocSizeIsValid(sizeof(int64) * (Size) sum))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a draw with %d seated members and %d picks is too large",
						nseated, total_k)));

	rule.max_per_group = group_d != NULL ? max_per_group : 0;
	rule.groups = palloc(sizeof(int64) * (Size) sum);
	rule.ngroups = 0;
	for (i = 0; i < nseated; i++)
		rule.groups[rule.ngroups++] = DatumGetInt64(seated_d[i]);

	picked = palloc(sizeof(int64) * (total_k + 1));
	picked_need = palloc(sizeof(int) * (total_k + 1));
	ptx_draw_stream_init(&s, (uint8 *) VARDATA_ANY(seed), VARSIZE_ANY_EXHDR(seed));

	offset = 0;
	for (i = 0; i < nneeds; i++)
	{
		int			size = DatumGetInt32(size_d[i]);
		int			k = DatumGetInt32(count_d[i]);
		NeedCandidate *cands = palloc(sizeof(NeedCandidate) * (size + 1));
		int64	   *sample = palloc(sizeof(int64) * (size + 1));
		int			nsample = 0;
		int			got;
		int			j;

		for (j = 0; j < size; j++)
		{
			cands[j].id = DatumGetInt64(pool_d[offset + j]);
			cands[j].has_group = group_d != NULL && !group_null[offset + j];
			cands[j].group = cands[j].has_group ? DatumGetInt64(group_d[offset + j]) : 0;
		}
		qsort(cands, size, sizeof(NeedCandidate), cmp_candidate);
		for (j = 0; j < size; j++)
		{
			if (j > 0 && cands[j].id == cands[j - 1].id)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the pool of need %d contains candidate %lld twice",
								i + 1, (long long) cands[j].id)));
			/* its own pool less those already picked */
			if (!picked_before(picked, npicked, cands[j].id))
				sample[nsample++] = cands[j].id;
		}

		rule.candidates = cands;
		rule.ncandidates = size;
		rule.skipped = 0;
		got = ptx_draw_pick(&s, sample, nsample, k, accept_group, &rule,
							picked + npicked);
		if (got < k)
		{
			const char *label = (i < nlabels && !label_null[i])
				? TextDatumGetCString(label_d[i]) : NULL;

			ereport(ERROR,
					(errcode(ERRCODE_PTX_POOL_TOO_SMALL),
					 label ? errmsg("pool too small for need %d (%s) of the draw", i + 1, label)
					 : errmsg("pool too small for need %d of the draw", i + 1),
					 errdetail("The need asks for %d; %d candidates were eligible, %d after the picks of earlier needs, and %d of them were skipped by the limit of %d per employer.",
							   k, size, nsample, rule.skipped, rule.max_per_group),
					 errhint("Widen the pool (regions, specialty) or ask for fewer; nothing has been picked.")));
		}
		for (j = 0; j < got; j++)
			picked_need[npicked + j] = i + 1;
		npicked += got;
		offset += size;
		pfree(cands);
		pfree(sample);
	}

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	for (i = 0; i < npicked; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int32GetDatum(i + 1);
		values[1] = Int32GetDatum(picked_need[i]);
		values[2] = Int64GetDatum(picked[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
