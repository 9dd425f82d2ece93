/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  What differs between the PostgreSQL major versions ptx builds on
 *	  (15 and 17), so that the modules can use one spelling.
 *
 * Included by ptx.h after postgres.h; nothing else includes it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_COMPAT_H
#define PTX_COMPAT_H

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 180000
#error "ptx builds on PostgreSQL 15, 16 and 17"
#endif

/* 16 moved the varlena access macros out of postgres.h */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/* 16 replaced the per-catalog ownership checks with object_ownercheck() */
#if PG_VERSION_NUM >= 160000
#include "catalog/pg_class.h"
#include "utils/acl.h"
#define ptx_relation_ownercheck(relid, roleid) \
	object_ownercheck(RelationRelationId, (relid), (roleid))
#else
#include "utils/acl.h"
#define ptx_relation_ownercheck(relid, roleid) \
	pg_class_ownercheck((relid), (roleid))
#endif

/*
 * A GUC check hook's "extra": 16 frees it with guc_free() (palloc'd in the
 * GUC memory context by guc_malloc()); 15 frees it with free().
 */
#if PG_VERSION_NUM >= 160000
#include "utils/guc.h"
#define ptx_guc_extra_alloc(size) guc_malloc(LOG, (size))
#else
#define ptx_guc_extra_alloc(size) malloc(size)
#endif

/*
 * 16 gave DecodeDateTime() a last argument that receives what an error is
 * about; ptx reports its own message and ignores it.
 */
#if PG_VERSION_NUM >= 160000
#define ptx_decode_datetime(field, ftype, nf, dtype, tm, fsec, tz) \
	DecodeDateTime((field), (ftype), (nf), (dtype), (tm), (fsec), (tz), \
				   &(DateTimeErrorExtra) {0})
#else
#define ptx_decode_datetime(field, ftype, nf, dtype, tm, fsec, tz) \
	DecodeDateTime((field), (ftype), (nf), (dtype), (tm), (fsec), (tz))
#endif

/* 17 gave LockHeldByMe() a third argument: whether a stronger lock counts */
#if PG_VERSION_NUM >= 170000
#define ptx_lock_held_by_me(tag, mode) LockHeldByMe((tag), (mode), false)
#else
#define ptx_lock_held_by_me(tag, mode) LockHeldByMe((tag), (mode))
#endif

/*
 * 16 gave ExecInsertIndexTuples() a last argument: whether only summarizing
 * indexes get the new tuple (after a HOT update); an insert feeds them all.
 */
#if PG_VERSION_NUM >= 160000
#define ptx_exec_insert_index_tuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL, false)
#else
#define ptx_exec_insert_index_tuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL)
#endif

#endif							/* PTX_COMPAT_H */
