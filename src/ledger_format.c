/*-------------------------------------------------------------------------
 *
 * ledger_format.c
 *	  The canonical serialization of ledger entries and blocks, and their
 *	  hashes (docs/ledger-format.md).
 *
 * One implementation serves the capture (ledger.c), the sealer (seal.c) and
 * the verifier (verify.c), so that the bytes written and the bytes checked
 * cannot drift apart.
 *
 * A serialization is a sequence of fields; each is a 4-byte big-endian
 * length followed by that many bytes, or the length 0xFFFFFFFF and no bytes
 * for NULL.  Numbers are written in decimal ASCII, timestamps as
 * microseconds since 1970-01-01 00:00:00 UTC in decimal, hashes as their
 * raw 32 bytes.  Fields are written straight into a buffer sized beforehand.
 *
 * Hashes are SHA-256 through sha256.c, the one hashing path of ptx.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/datetime.h"

#include "ptx.h"
#include "ledger.h"
#include "sha256.h"

/* what a serialization takes besides its text fields, with a spare byte */
#define ENTRY_FIXED_BYTES \
	(15 * 4 + (int) sizeof(PTX_LEDGER_ENTRY_TAG) + 5 * (MAXINT8LEN + 1))
#define BLOCK_BYTES \
	(8 * 4 + (int) sizeof(PTX_LEDGER_BLOCK_TAG) + 5 * (MAXINT8LEN + 1) + \
	 2 * PTX_LEDGER_HASH_LEN)

static inline char *
put_len(char *p, uint32 n)
{
	p[0] = (char) (n >> 24);
	p[1] = (char) (n >> 16);
	p[2] = (char) (n >> 8);
	p[3] = (char) n;
	return p + 4;
}

static inline char *
put_bytes(char *p, const void *data, int len)
{
	if (data == NULL)
		return put_len(p, 0xFFFFFFFF);
	p = put_len(p, (uint32) len);
	memcpy(p, data, len);
	return p + len;
}

static inline char *
put_text(char *p, PtxLedgerText t)
{
	return put_bytes(p, t.ptr, t.len);
}

/* pg_lltoa writes a terminating zero: the buffer keeps a byte spare */
static inline char *
put_int64(char *p, int64 v)
{
	int			len = pg_lltoa(v, p + 4);

	put_len(p, (uint32) len);
	return p + 4 + len;
}

static inline char *
put_uint64(char *p, uint64 v)
{
	int			len = pg_ulltoa_n(v, p + 4);

	put_len(p, (uint32) len);
	return p + 4 + len;
}

static inline int
text_len(PtxLedgerText t)
{
	return t.ptr == NULL ? 0 : t.len;
}

int64
ptx_ledger_unix_micros(TimestampTz ts)
{
	return ts + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
}

size_t
ptx_ledger_entry_size_max(const PtxLedgerEntryFields *f)
{
	return ENTRY_FIXED_BYTES +
		text_len(f->session_user_name) + text_len(f->current_user_name) +
		text_len(f->application_name) + text_len(f->client_addr) +
		text_len(f->operation) + text_len(f->kind) + text_len(f->relation) +
		text_len(f->key) + text_len(f->row_image);
}

size_t
ptx_ledger_serialize_entry_into(char *dst, const PtxLedgerEntryFields *f)
{
	char	   *p = dst;

	p = put_bytes(p, PTX_LEDGER_ENTRY_TAG, sizeof(PTX_LEDGER_ENTRY_TAG) - 1);
	p = put_int64(p, f->seq);
	p = put_uint64(p, f->xid);
	p = put_int64(p, ptx_ledger_unix_micros(f->logged_at));
	p = put_int64(p, ptx_ledger_unix_micros(f->business_at));
	p = put_text(p, f->session_user_name);
	p = put_text(p, f->current_user_name);
	p = put_text(p, f->application_name);
	p = put_text(p, f->client_addr);
	p = put_text(p, f->operation);
	p = put_text(p, f->kind);
	p = put_text(p, f->relation);
	p = put_text(p, f->key);
	p = put_text(p, f->row_image);
	if (f->has_project_id)
		p = put_int64(p, f->project_id);
	else
		p = put_len(p, 0xFFFFFFFF);
	Assert((size_t) (p - dst) < ptx_ledger_entry_size_max(f));
	return p - dst;
}

void
ptx_ledger_serialize_entry(StringInfo buf, const PtxLedgerEntryFields *f)
{
	enlargeStringInfo(buf, ptx_ledger_entry_size_max(f));
	buf->len += ptx_ledger_serialize_entry_into(buf->data + buf->len, f);
	buf->data[buf->len] = '\0';
}

void
ptx_ledger_serialize_block(StringInfo buf, const PtxLedgerBlockFields *b)
{
	char	   *p;

	enlargeStringInfo(buf, BLOCK_BYTES);
	p = buf->data + buf->len;
	p = put_bytes(p, PTX_LEDGER_BLOCK_TAG, sizeof(PTX_LEDGER_BLOCK_TAG) - 1);
	p = put_int64(p, b->block_no);
	p = put_int64(p, b->first_seq);
	p = put_int64(p, b->last_seq);
	p = put_int64(p, b->entry_count);
	p = put_bytes(p, b->merkle_root, PTX_LEDGER_HASH_LEN);
	p = put_bytes(p, b->prev_hash, PTX_LEDGER_HASH_LEN);
	p = put_int64(p, ptx_ledger_unix_micros(b->sealed_at));
	buf->len = p - buf->data;
	Assert(buf->len < buf->maxlen);
	buf->data[buf->len] = '\0';
}

/* one SHA-256 (sha256.c) */
void
ptx_ledger_sha256(const void *data, size_t len, uint8 *out)
{
	ptx_sha256(data, len, out);
}

/*
 * Merkle root of n >= 1 hashes stored back to back in hashes (overwritten):
 * a parent is SHA-256(0x01 || left || right), the last node of an odd level
 * goes up unchanged.  Returns the number of bytes hashed.
 */
int64
ptx_ledger_merkle_root(uint8 *hashes, int64 n, uint8 *root)
{
	uint8		node[1 + 2 * PTX_LEDGER_HASH_LEN];
	int64		bytes = 0;

	Assert(n >= 1);
	node[0] = PTX_LEDGER_NODE_PREFIX;
	while (n > 1)
	{
		int64		i,
					m = 0;

		for (i = 0; i + 1 < n; i += 2)
		{
			memcpy(node + 1, hashes + i * PTX_LEDGER_HASH_LEN, 2 * PTX_LEDGER_HASH_LEN);
			ptx_sha256(node, sizeof(node), hashes + m * PTX_LEDGER_HASH_LEN);
			bytes += sizeof(node);
			m++;
		}
		if (i < n)
		{
			memmove(hashes + m * PTX_LEDGER_HASH_LEN,
					hashes + i * PTX_LEDGER_HASH_LEN, PTX_LEDGER_HASH_LEN);
			m++;
		}
		n = m;
	}
	memcpy(root, hashes, PTX_LEDGER_HASH_LEN);
	return bytes;
}
