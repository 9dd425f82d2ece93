/*-------------------------------------------------------------------------
 *
 * seal_index.h
 *	  The lookup index rows of the blocks the sealer writes (seal_index.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_SEAL_INDEX_H
#define PTX_SEAL_INDEX_H

#include "postgres.h"

typedef struct SealIndex SealIndex;

/* an empty collection, in a memory context of its own under the current one */
extern SealIndex *ptx_seal_index_create(void);

/*
 * One entry of the block being sealed, in seq order: relation and key as
 * ptx.ledger_entry holds them (key as text, NULL for none; relation NULL
 * for events about no relation), and its project when it has one.
 */
extern void ptx_seal_index_add(SealIndex *si, int64 seq,
							   const char *relation, int relation_len,
							   const char *key, int key_len,
							   bool has_project_id, int64 project_id);

/*
 * Inserts the block's rows into ptx.ledger_key_index and
 * ptx.ledger_project_index, then forgets the entries added so far.
 */
extern void ptx_seal_index_write(SealIndex *si, int64 block_no);

extern void ptx_seal_index_free(SealIndex *si);

#endif							/* PTX_SEAL_INDEX_H */
