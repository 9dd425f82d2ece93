/*-------------------------------------------------------------------------
 *
 * sha256.c
 *	  SHA-256, the one hashing path of ptx: entries, blocks and Merkle
 *	  nodes of the ledger, the draw stream, pool and pick hashes.
 *
 * Through OpenSSL's SHA256_Init(), SHA256_Update() and SHA256_Final(), on
 * one context per backend, a plain struct: beginning a hash only sets its
 * initial state.  OpenSSL 3.0 deprecates these functions in favour of the
 * EVP interface, but keeps them, and they are what hashes the short inputs
 * ptx has at the lowest cost.  Through EVP, every EVP_DigestInit_ex2() of
 * OpenSSL 3.0 frees the provider's digest context and allocates a new one,
 * even with the same digest on the same EVP_MD_CTX: measured in a writing
 * backend, that was three quarters of the capture trigger's hashing, and a
 * verification of 1.8 million entries took 1.6 s through EVP against
 * 1.3 s here (docs/benchmarks.md).  PostgreSQL's pg_cryptohash API goes
 * through EVP as well and also creates and registers a context per hash.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

/* the functions are deprecated in OpenSSL 3.0: see above */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "sha256.h"

#include "ptx.h"

/* the backend's context: one hash at a time (sha256.h) */
static SHA256_CTX sha_ctx;

static void
sha256_failed(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("could not compute a SHA-256 hash"),
			 errdetail("OpenSSL's SHA-256 functions failed.")));
}

void
ptx_sha256_begin(void)
{
	if (SHA256_Init(&sha_ctx) != 1)
		sha256_failed();
}

void
ptx_sha256_update(const void *data, size_t len)
{
	if (SHA256_Update(&sha_ctx, data, len) != 1)
		sha256_failed();
}

void
ptx_sha256_final(uint8 *out)
{
	if (SHA256_Final(out, &sha_ctx) != 1)
		sha256_failed();
}

void
ptx_sha256(const void *data, size_t len, uint8 *out)
{
	ptx_sha256_begin();
	ptx_sha256_update(data, len);
	ptx_sha256_final(out);
}
