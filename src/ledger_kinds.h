/*-------------------------------------------------------------------------
 *
 * ledger_kinds.h
 *	  Event kinds that ptx itself writes and trusts (DESIGN.md §11.3).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PTX_LEDGER_KINDS_H
#define PTX_LEDGER_KINDS_H

extern bool ptx_ledger_kind_reserved(const char *kind);

#endif							/* PTX_LEDGER_KINDS_H */
