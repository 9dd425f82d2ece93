-- The statistics target of the ledger's tables: 10 on every column of
-- ptx.ledger_entry (30_ledger.sql) and of its lookup indexes
-- (30_ledger_index.sql).
--
-- ANALYZE samples 300 rows per unit of the largest statistics target,
-- reading up to one page per sampled row.  The ledger's queries go by seq
-- ranges (the primary key) and by the lookup indexes' primary keys, which a
-- target of 10 serves; the analyses that autovacuum runs as these tables
-- grow then read 3,000 pages instead of 30,000.  Setting a target rewrites
-- nothing, so the upgrade from 0.1.0 runs this file as it is.
ALTER TABLE ptx.ledger_entry
    ALTER COLUMN seq SET STATISTICS 10, ALTER COLUMN xid SET STATISTICS 10,
    ALTER COLUMN logged_at SET STATISTICS 10, ALTER COLUMN business_at SET STATISTICS 10,
    ALTER COLUMN session_user_name SET STATISTICS 10, ALTER COLUMN current_user_name SET STATISTICS 10,
    ALTER COLUMN application_name SET STATISTICS 10, ALTER COLUMN client_addr SET STATISTICS 10,
    ALTER COLUMN operation SET STATISTICS 10, ALTER COLUMN kind SET STATISTICS 10,
    ALTER COLUMN relation SET STATISTICS 10, ALTER COLUMN key SET STATISTICS 10,
    ALTER COLUMN row_image SET STATISTICS 10, ALTER COLUMN project_id SET STATISTICS 10,
    ALTER COLUMN format SET STATISTICS 10, ALTER COLUMN entry_hash SET STATISTICS 10;
ALTER TABLE ptx.ledger_key_index
    ALTER COLUMN relation SET STATISTICS 10, ALTER COLUMN key SET STATISTICS 10,
    ALTER COLUMN block_no SET STATISTICS 10, ALTER COLUMN seqs SET STATISTICS 10;
ALTER TABLE ptx.ledger_project_index
    ALTER COLUMN project_id SET STATISTICS 10, ALTER COLUMN block_no SET STATISTICS 10,
    ALTER COLUMN seqs SET STATISTICS 10;
