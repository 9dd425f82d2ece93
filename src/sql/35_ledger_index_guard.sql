-- The sealer's lookup indexes (30_ledger_index.sql) are append-only like
-- the ledger: a row removed from them would hide entries from ptx.trail()
-- without touching a hash.  UPDATE, DELETE and TRUNCATE are refused
-- (PX009), also when they arrive by logical replication; a superuser who
-- bypasses triggers is left to ptx.verify_index.

CREATE TRIGGER ledger_key_index_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ptx.ledger_key_index
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_change();
CREATE TRIGGER ledger_project_index_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ptx.ledger_project_index
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_change();

CREATE TRIGGER ledger_key_index_replica_guard BEFORE UPDATE OR DELETE ON ptx.ledger_key_index
    FOR EACH ROW EXECUTE FUNCTION ptx.ledger_refuse_replicated();
CREATE TRIGGER ledger_key_index_replica_truncate BEFORE TRUNCATE ON ptx.ledger_key_index
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_replicated();
CREATE TRIGGER ledger_project_index_replica_guard BEFORE UPDATE OR DELETE ON ptx.ledger_project_index
    FOR EACH ROW EXECUTE FUNCTION ptx.ledger_refuse_replicated();
CREATE TRIGGER ledger_project_index_replica_truncate BEFORE TRUNCATE ON ptx.ledger_project_index
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_replicated();
ALTER TABLE ptx.ledger_key_index ENABLE ALWAYS TRIGGER ledger_key_index_replica_guard;
ALTER TABLE ptx.ledger_key_index ENABLE ALWAYS TRIGGER ledger_key_index_replica_truncate;
ALTER TABLE ptx.ledger_project_index ENABLE ALWAYS TRIGGER ledger_project_index_replica_guard;
ALTER TABLE ptx.ledger_project_index ENABLE ALWAYS TRIGGER ledger_project_index_replica_truncate;
