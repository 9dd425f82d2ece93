/*-------------------------------------------------------------------------
 *
 * draw.c
 *	  PTX-DRAW-1: the exact sampler behind every random draw of ptx.
 *
 * - Pool: candidate ids (bigint), sorted ascending, n of them.
 * - Stream: block i = SHA-256(seed || uint64_be(i)), i = 0, 1, ...; each
 *   block gives 4 values, read as uint64 big-endian, in order.
 * - uniform(m): take the next value u; while u >= 2^64 - (2^64 mod m),
 *   take another; return u mod m.
 * - Pick k: for j = 0, 1, ...: r = j + uniform(n - j); swap pool[j] and
 *   pool[r]; pool[j] is the candidate.  A candidate that a composition rule
 *   refuses is skipped; stop at k picks or when the pool is exhausted.
 *
 * The seed is drawn by the caller from pg_strong_random() and committed
 * before the draw executes; this file only turns (seed, pool) into picks,
 * deterministically, so that anyone can replay a draw.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "sha256.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "funcapi.h"

#include "ptx.h"
#include "args.h"
#include "draw.h"

void
ptx_draw_stream_init(PtxDrawStream *s, const uint8 *seed, int seedlen)
{
	s->seed = palloc(seedlen > 0 ? seedlen : 1);
	memcpy(s->seed, seed, seedlen);
	s->seedlen = seedlen;
	s->block = 0;
	s->next = lengthof(s->values);	/* no block computed yet */
	s->consumed = 0;
}

static void
draw_next_block(PtxDrawStream *s)
{
	uint8		counter[8];
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	int			i;

	for (i = 0; i < 8; i++)
		counter[i] = (uint8) (s->block >> (56 - 8 * i));

	ptx_sha256_begin();
	ptx_sha256_update(s->seed, s->seedlen);
	ptx_sha256_update(counter, sizeof(counter));
	ptx_sha256_final(digest);

	for (i = 0; i < (int) lengthof(s->values); i++)
	{
		uint64		v = 0;
		int			b;

		for (b = 0; b < 8; b++)
			v = (v << 8) | digest[i * 8 + b];
		s->values[i] = v;
	}
	s->block++;
	s->next = 0;
}

uint64
ptx_draw_next(PtxDrawStream *s)
{
	if (s->next >= (int) lengthof(s->values))
		draw_next_block(s);
	s->consumed++;
	return s->values[s->next++];
}

uint64
ptx_draw_uniform(PtxDrawStream *s, uint64 m)
{
	uint64		u;
	uint64		rem;

	Assert(m > 0);
	u = ptx_draw_next(s);
	rem = (0 - m) % m;			/* 2^64 mod m */
	if (rem != 0)
	{
		uint64		limit = 0 - rem;	/* 2^64 - (2^64 mod m) */

		while (u >= limit)
			u = ptx_draw_next(s);
	}
	return u % m;
}

/*
 * Picks up to k candidates from pool[0..n-1] (sorted ascending by the
 * caller), partially shuffling pool in place.  accept may be NULL.
 * Returns the number picked; picked[] receives them in seat order.
 */
int
ptx_draw_pick(PtxDrawStream *s, int64 *pool, int n, int k,
			  PtxDrawAccept accept, void *arg, int64 *picked)
{
	int			npicked = 0;
	int			j;

	for (j = 0; j < n && npicked < k; j++)
	{
		uint64		r = (uint64) j + ptx_draw_uniform(s, (uint64) (n - j));
		int64		candidate = pool[r];

		pool[r] = pool[j];
		pool[j] = candidate;
		if (accept == NULL || accept(candidate, arg))
			picked[npicked++] = candidate;
	}
	return npicked;
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/*
 * The pool of an int8[] as a sorted palloc'd array; refuses NULLs and
 * duplicates, which would make the draw ambiguous.
 */
int64 *
ptx_draw_sorted_pool(ArrayType *pool, int *n)
{
	int64	   *ids = ptx_array_int64(pool, "a draw pool", n);
	int			i;

	qsort(ids, *n, sizeof(int64), cmp_int64);
	for (i = 1; i < *n; i++)
		if (ids[i] == ids[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a draw pool cannot contain candidate %lld twice",
							(long long) ids[i])));
	return ids;
}

PG_FUNCTION_INFO_V1(ptx_draw_sample);
PG_FUNCTION_INFO_V1(ptx_draw_stream_values);

/*
 * ptx.draw_sample(seed bytea, pool bigint[], k int) → bigint[]
 *
 * The picks of PTX-DRAW-1 with no composition rule, in seat order: what an
 * auditor replays.  Fewer than k candidates is PX007.
 */
Datum
ptx_draw_sample(PG_FUNCTION_ARGS)
{
	bytea	   *seed = PG_GETARG_BYTEA_PP(0);
	ArrayType  *pool_arr = PG_GETARG_ARRAYTYPE_P(1);
	int32		k = PG_GETARG_INT32(2);
	PtxDrawStream s;
	int64	   *pool;
	int64	   *picked;
	Datum	   *out;
	int			n;
	int			got;
	int			i;

	ptx_check_seed(seed);
	if (k < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot draw %d candidates", k)));
	pool = ptx_draw_sorted_pool(pool_arr, &n);
	if (n < k)
		ereport(ERROR,
				(errcode(ERRCODE_PTX_POOL_TOO_SMALL),
				 errmsg("pool too small for the draw"),
				 errdetail("The draw needs %d candidates; the pool has %d.", k, n),
				 errhint("Widen the pool or draw fewer.")));

	ptx_draw_stream_init(&s, (uint8 *) VARDATA_ANY(seed), VARSIZE_ANY_EXHDR(seed));
	picked = palloc(sizeof(int64) * (k > 0 ? k : 1));
	got = ptx_draw_pick(&s, pool, n, k, NULL, NULL, picked);
	Assert(got == k);

	out = palloc(sizeof(Datum) * (got > 0 ? got : 1));
	for (i = 0; i < got; i++)
		out[i] = Int64GetDatum(picked[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, got, INT8OID, 8,
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * ptx.draw_stream(seed bytea, count int) → setof numeric
 *
 * The first count uint64 values of the stream, as numeric (they exceed
 * bigint): lets an auditor check an independent implementation.
 */
Datum
ptx_draw_stream_values(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bytea	   *seed = PG_GETARG_BYTEA_PP(0);
	int32		count = PG_GETARG_INT32(1);
	PtxDrawStream s;
	int			i;

	ptx_check_seed(seed);
	if (count < 0 || count > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot list %d stream values", count),
				 errhint("Ask for 0 to 1000000 values.")));

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	ptx_draw_stream_init(&s, (uint8 *) VARDATA_ANY(seed), VARSIZE_ANY_EXHDR(seed));
	for (i = 0; i < count; i++)
	{
		char		buf[32];
		Datum		value;
		bool		isnull = false;

		snprintf(buf, sizeof(buf), UINT64_FORMAT, ptx_draw_next(&s));
		value = DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
									ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	}
	return (Datum) 0;
}
