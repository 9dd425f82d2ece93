/*-------------------------------------------------------------------------
 *
 * sha256.h
 *	  SHA-256, the one hashing path of ptx (sha256.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_SHA256_H
#define PTX_SHA256_H

#include "postgres.h"

#define PTX_SHA256_LEN	32

/* one hash */
extern void ptx_sha256(const void *data, size_t len, uint8 *out);

/*
 * A hash fed piecewise: begin, any number of updates, final.  One at a time
 * per backend (the context is the backend's): nothing may hash between
 * begin and final.  A hash abandoned by an error is simply begun again.
 */
extern void ptx_sha256_begin(void);
extern void ptx_sha256_update(const void *data, size_t len);
extern void ptx_sha256_final(uint8 *out);

#endif							/* PTX_SHA256_H */
