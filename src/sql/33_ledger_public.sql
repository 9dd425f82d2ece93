-- The ledger's blocks for the public (公开): what ptx.digest() returns for
-- the newest block, for every block, so that anyone can keep the hashes
-- and later hold the operator to them with ptx.verify(digests).  Block
-- hashes and ranges reveal nothing of the entries.
CREATE VIEW ptx_public.ledger_block WITH (security_barrier = true) AS
SELECT b.block_no,
       pg_catalog.encode(b.block_hash, 'hex') AS block_hash,
       b.first_seq,
       b.last_seq,
       b.entry_count,
       b.sealed_at,
       b.format
  FROM ptx.ledger_block b;
COMMENT ON VIEW ptx_public.ledger_block IS
    'every sealed block of the ledger (区块): number, hash, range and time, for publication; pass rows to ptx.verify(digests)';

GRANT SELECT ON ptx_public.ledger_block TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
