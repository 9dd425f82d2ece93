/*-------------------------------------------------------------------------
 *
 * ptx.h
 *	  Declarations shared by the C modules of ptx, the integrity core of a
 *	  public resource trading platform (公共资源交易平台).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_H
#define PTX_H

#include "postgres.h"

#include "compat.h"
#include "utils/timestamp.h"

/*
 * Every C module includes this header, and reports in ptx's own text domain
 * (ptx-<major>), the catalogue that nls.mk installs from po/zh_CN.po.
 * elog.h defines TEXTDOMAIN unconditionally, so it is replaced here.
 */
#undef TEXTDOMAIN
#define TEXTDOMAIN PG_TEXTDOMAIN("ptx")

/*
 * SQLSTATEs of class PX (see docs/sqlstates.md).  The numbers are part of the
 * public contract: they never change meaning.
 */
#define ERRCODE_PTX_MUST_ENTER_VIOLATION	MAKE_SQLSTATE('P','X','0','0','1')
#define ERRCODE_PTX_SUPERVISOR_REQUIRED		MAKE_SQLSTATE('P','X','0','0','2')
#define ERRCODE_PTX_INVALID_TRANSITION		MAKE_SQLSTATE('P','X','0','0','3')
#define ERRCODE_PTX_DEADLINE_VIOLATION		MAKE_SQLSTATE('P','X','0','0','4')
#define ERRCODE_PTX_TOO_FEW_BIDS			MAKE_SQLSTATE('P','X','0','0','5')
#define ERRCODE_PTX_SUBJECT_RESTRICTED		MAKE_SQLSTATE('P','X','0','0','6')
#define ERRCODE_PTX_POOL_TOO_SMALL			MAKE_SQLSTATE('P','X','0','0','7')
#define ERRCODE_PTX_DRAW_EXISTS				MAKE_SQLSTATE('P','X','0','0','8')
#define ERRCODE_PTX_LEDGER_IMMUTABLE		MAKE_SQLSTATE('P','X','0','0','9')
#define ERRCODE_PTX_INVALID_IDENTIFIER		MAKE_SQLSTATE('P','X','0','1','0')
#define ERRCODE_PTX_STEP_SUSPENDED			MAKE_SQLSTATE('P','X','0','1','1')
#define ERRCODE_PTX_COMMITTEE_INVALID		MAKE_SQLSTATE('P','X','0','1','2')
#define ERRCODE_PTX_DRAW_NOT_COMMITTED		MAKE_SQLSTATE('P','X','0','1','3')
#define ERRCODE_PTX_EXTENSION_MISSING		MAKE_SQLSTATE('P','X','0','1','4')

/* ptx.c: the business clock */
extern TimestampTz ptx_now(void);

/* ptx.c: module initialisation hooks, one per module that defines GUCs */
extern void ptx_clock_init(void);

#endif							/* PTX_H */
