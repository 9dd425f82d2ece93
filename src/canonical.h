/*-------------------------------------------------------------------------
 *
 * canonical.h
 *	  The session settings under which ledger row images are rendered, so
 *	  that an image is the same bytes whatever the writer's or the
 *	  verifier's session has set (docs/ledger-format.md).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_CANONICAL_H
#define PTX_CANONICAL_H

#include "postgres.h"

/* the settings a value's text may depend on, one bit each */
#define PTX_CANON_DATESTYLE			0x01
#define PTX_CANON_INTERVALSTYLE		0x02
#define PTX_CANON_TIMEZONE			0x04
#define PTX_CANON_FLOAT_DIGITS		0x08
#define PTX_CANON_BYTEA_OUTPUT		0x10
#define PTX_CANON_LC_MONETARY		0x20
#define PTX_CANON_ALL				0x3F

/* the settings to_jsonb() of a column of this type depends on */
extern int	ptx_canonical_mask_for_type(Oid typid);

/*
 * Forces the settings of mask that differ from their canonical values, in
 * a new GUC nest level.  Returns the level to give to ptx_canonical_end(),
 * or -1 when every setting already had its canonical value.  On error the
 * level is unwound by the (sub)transaction's abort.
 */
extern int	ptx_canonical_begin(int mask);
extern void ptx_canonical_end(int nestlevel);

#endif							/* PTX_CANONICAL_H */
