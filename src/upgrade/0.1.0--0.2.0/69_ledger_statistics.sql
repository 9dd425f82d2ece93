-- The ledger's statistics target (30_ledger.sql): 10 on every column, so
-- that the analyses autovacuum runs as the ledger grows sample 3,000 rows.
-- Nothing is rewritten; the next ANALYZE uses the new target.
ALTER TABLE ptx.ledger_entry
    ALTER COLUMN seq SET STATISTICS 10, ALTER COLUMN xid SET STATISTICS 10,
    ALTER COLUMN logged_at SET STATISTICS 10, ALTER COLUMN business_at SET STATISTICS 10,
    ALTER COLUMN session_user_name SET STATISTICS 10, ALTER COLUMN current_user_name SET STATISTICS 10,
    ALTER COLUMN application_name SET STATISTICS 10, ALTER COLUMN client_addr SET STATISTICS 10,
    ALTER COLUMN operation SET STATISTICS 10, ALTER COLUMN kind SET STATISTICS 10,
    ALTER COLUMN relation SET STATISTICS 10, ALTER COLUMN key SET STATISTICS 10,
    ALTER COLUMN row_image SET STATISTICS 10, ALTER COLUMN project_id SET STATISTICS 10,
    ALTER COLUMN format SET STATISTICS 10, ALTER COLUMN entry_hash SET STATISTICS 10;
