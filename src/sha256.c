/*-------------------------------------------------------------------------
 *
 * sha256.c
 *	  SHA-256, the one hashing path of ptx: entries, blocks and Merkle
 *	  nodes of the ledger, the draw stream, pool and pick hashes.
 *
 * Through OpenSSL's EVP interface, with one digest context per backend,
 * created on first use and kept (OpenSSL allocates it, outside any memory
 * context or resource owner, so an error between two calls leaks nothing),
 * and, with OpenSSL 3, the SHA-256 implementation fetched once.  The
 * per-hash cost then is EVP_DigestInit_ex2() on a context that already has
 * its digest.  PostgreSQL's pg_cryptohash API, the obvious candidate,
 * creates and registers a context per hash; on OpenSSL 3.0 that made a
 * full verification of the ledger 2 to 3 times slower (docs/benchmarks.md),
 * since most of what the verifier hashes are short entries and 65-byte
 * Merkle nodes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/evp.h>

#include "sha256.h"

#include "ptx.h"

static EVP_MD_CTX *sha_ctx = NULL;
static const EVP_MD *sha_md = NULL;

static void
sha256_failed(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("could not compute a SHA-256 hash"),
			 errdetail("OpenSSL's EVP digest functions failed.")));
}

void
ptx_sha256_begin(void)
{
	if (sha_md == NULL)
	{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
		sha_md = EVP_MD_fetch(NULL, "SHA256", NULL);
#else
		sha_md = EVP_sha256();
#endif
		if (sha_md == NULL)
			sha256_failed();
	}
	if (sha_ctx == NULL)
	{
		sha_ctx = EVP_MD_CTX_new();
		if (sha_ctx == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("OpenSSL could not allocate a digest context.")));
	}
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	if (EVP_DigestInit_ex2(sha_ctx, sha_md, NULL) != 1)
#else
	if (EVP_DigestInit_ex(sha_ctx, sha_md, NULL) != 1)
#endif
		sha256_failed();
}

void
ptx_sha256_update(const void *data, size_t len)
{
	if (EVP_DigestUpdate(sha_ctx, data, len) != 1)
		sha256_failed();
}

void
ptx_sha256_final(uint8 *out)
{
	if (EVP_DigestFinal_ex(sha_ctx, out, NULL) != 1)
		sha256_failed();
}

void
ptx_sha256(const void *data, size_t len, uint8 *out)
{
	ptx_sha256_begin();
	ptx_sha256_update(data, len);
	ptx_sha256_final(out);
}
