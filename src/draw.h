/*-------------------------------------------------------------------------
 *
 * draw.h
 *	  The deterministic sampler PTX-DRAW-1 shared by every random draw
 *	  (experts, replacements, agencies to inspect, inspectors).
 *
 * See docs/draw-algorithm.md for the exact definition, which anyone can
 * replay from the seed and the stored pool.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_DRAW_H
#define PTX_DRAW_H

#include "postgres.h"

#include "common/sha2.h"

/* A stream of uint64 values: block i = SHA-256(seed || uint64_be(i)). */
typedef struct PtxDrawStream
{
	uint8	   *seed;			/* copy of the seed, palloc'd */
	int			seedlen;
	uint64		block;			/* index of the next block to compute */
	int			next;			/* next value to hand out from values[] */
	uint64		values[PG_SHA256_DIGEST_LENGTH / 8];
	uint64		consumed;		/* values handed out so far */
} PtxDrawStream;

/* a composition rule: false skips the candidate (it is not picked) */
typedef bool (*PtxDrawAccept) (int64 candidate, void *arg);

extern void ptx_draw_stream_init(PtxDrawStream *s, const uint8 *seed, int seedlen);
extern uint64 ptx_draw_next(PtxDrawStream *s);
extern uint64 ptx_draw_uniform(PtxDrawStream *s, uint64 m);
extern int	ptx_draw_pick(PtxDrawStream *s, int64 *pool, int n, int k,
						  PtxDrawAccept accept, void *arg, int64 *picked);
extern int64 *ptx_draw_sorted_pool(ArrayType *pool, int *n);

#endif							/* PTX_DRAW_H */
