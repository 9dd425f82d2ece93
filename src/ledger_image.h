/*-------------------------------------------------------------------------
 *
 * ledger_image.h
 *	  Row images and keys of tracked tables (ledger_image.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_LEDGER_IMAGE_H
#define PTX_LEDGER_IMAGE_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"

#include "ledger.h"

/* what the ledger writes of one row */
typedef struct PtxLedgerRow
{
	const char *relation;		/* schema.table */
	PtxLedgerText key;
	PtxLedgerText image;
	bool		has_project;
	int64		project_id;
} PtxLedgerRow;

/* the image, key and project of a row of a tracked table */
extern void ptx_ledger_row_image(Relation rel, HeapTuple tuple, PtxLedgerRow *row);

/*
 * The image and key of a row through to_jsonb(row), never the direct
 * renderer: what ptx.verify_rows() compares the ledger's images with.
 */
extern void ptx_ledger_row_image_jsonb(Relation rel, HeapTuple tuple,
									   PtxLedgerText *image, PtxLedgerText *key);

/* checks that rel can be tracked (a primary key) and caches how to render it */
extern void ptx_ledger_row_prepare(Relation rel);

/* whether an UPDATE changed the row's primary key */
extern bool ptx_ledger_key_changed(Relation rel, HeapTuple oldtup, HeapTuple newtup);

/* the canonical text of a jsonb value, {NULL, 0} for NULL */
extern PtxLedgerText ptx_ledger_jsonb_text(Jsonb *jb);

/* the integer under name at the top level of an object, if any */
extern bool ptx_ledger_jsonb_get_int64(Jsonb *jb, const char *name, int64 *out);

#endif							/* PTX_LEDGER_IMAGE_H */
