/*-------------------------------------------------------------------------
 *
 * ledger.h
 *	  The tamper-evident ledger of ptx (DESIGN.md §3, rule R3): entries,
 *	  their canonical serialization, blocks and verification.
 *
 * Other C modules record events without a row (state transitions, draws,
 * reads of sealed lists, credit revocations) with ptx_ledger_record_event();
 * SQL code calls ptx.ledger_event(kind, relation, key, payload), which is the
 * same function.  The entry is written in the caller's transaction.
 *
 * The serialization is documented in docs/ledger-format.md; any change to it
 * is a new format number, never an edit of format 1.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_LEDGER_H
#define PTX_LEDGER_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

/* format number of entries and blocks written by this version */
#define PTX_LEDGER_FORMAT			1
#define PTX_LEDGER_HASH_LEN			32
#define PTX_LEDGER_ENTRY_TAG		"ptx-ledger-entry/1"
#define PTX_LEDGER_BLOCK_TAG		"ptx-ledger-block/1"
#define PTX_LEDGER_NODE_PREFIX		0x01

/* name of the capture trigger attached to every tracked table */
#define PTX_LEDGER_TRIGGER_NAME		"ptx_ledger"

/* a text field of the serialization: ptr NULL means SQL NULL */
typedef struct PtxLedgerText
{
	const char *ptr;
	int			len;
} PtxLedgerText;

/* the hashed fields of one entry, in serialization order */
typedef struct PtxLedgerEntryFields
{
	int64		seq;
	uint64		xid;
	TimestampTz logged_at;
	TimestampTz business_at;
	PtxLedgerText session_user_name;
	PtxLedgerText current_user_name;
	PtxLedgerText application_name;
	PtxLedgerText client_addr;
	PtxLedgerText operation;
	PtxLedgerText kind;
	PtxLedgerText relation;
	PtxLedgerText key;
	PtxLedgerText row_image;
	bool		has_project_id;
	int64		project_id;
} PtxLedgerEntryFields;

/* the hashed fields of one block */
typedef struct PtxLedgerBlockFields
{
	int64		block_no;
	int64		first_seq;
	int64		last_seq;
	int64		entry_count;
	const uint8 *merkle_root;	/* PTX_LEDGER_HASH_LEN bytes */
	const uint8 *prev_hash;		/* PTX_LEDGER_HASH_LEN bytes */
	TimestampTz sealed_at;
} PtxLedgerBlockFields;

/*
 * Records an event in the ledger, in the current transaction; returns its
 * seq.  kind is required; relation, key and payload may be NULL.
 */
extern int64 ptx_ledger_record_event(const char *kind, const char *relation,
									 Jsonb *key, Jsonb *payload);

/* SQL: ptx.ledger_event(kind text, relation text, key jsonb, payload jsonb) */
extern Datum ptx_ledger_event(PG_FUNCTION_ARGS);

/* ledger_format.c: serialization and hashing shared by capture, seal and verify */
extern size_t ptx_ledger_entry_size_max(const PtxLedgerEntryFields *f);
extern size_t ptx_ledger_serialize_entry_into(char *dst, const PtxLedgerEntryFields *f);
extern void ptx_ledger_serialize_entry(StringInfo buf, const PtxLedgerEntryFields *f);
extern void ptx_ledger_serialize_block(StringInfo buf, const PtxLedgerBlockFields *b);
extern void ptx_ledger_sha256(const void *data, size_t len, uint8 *out);

extern int64 ptx_ledger_merkle_root(uint8 *hashes, int64 n, uint8 *root);
extern int64 ptx_ledger_unix_micros(TimestampTz ts);

/*
 * ledger_tuple.c: the columns of ptx.ledger_entry; the layout check returns
 * the first column (0-based) that differs from them, -1 when none does
 */
#define PTX_LEDGER_ENTRY_NATTS		16
extern int	ptx_ledger_entry_layout_diff(TupleDesc desc);

/* ledger_relids.c: the ledger's relations */
#include "ledger_relids.h"

/* ledger.c: writes SNAPSHOT entries for every row of a relation */
extern int64 ptx_ledger_snapshot_relation(Oid relid);

#endif							/* PTX_LEDGER_H */
