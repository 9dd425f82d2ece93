-- The ledger stays append-only also where it is a replica.  A regional
-- centre subscribes to each region's ledger (insert-only publication,
-- docs/operations.md).  Logical replication applies changes with
-- session_replication_role = replica, where ordinary triggers do not fire,
-- and fires row triggers only: a region whose superuser changed its
-- publication to send updates and deletes would rewrite the centre's copy.
-- These row triggers (and TRUNCATE, which the apply worker fires as a
-- statement trigger) are enabled ALWAYS and refuse any change that arrives
-- by logical replication, with PX009 in the centre's server log; the
-- subscription stops there until an administrator looks.  A local
-- superuser who sets session_replication_role = replica by hand is left to
-- ptx.verify(), as before (32_ledger_guard.sql).

-- The apply worker may run as a role outside ptx's groups (a subscription
-- owner that is not a superuser): the function runs as ptx's owner to read
-- the message catalogue, so that the refusal is PX009 whoever applies.
CREATE FUNCTION ptx.ledger_refuse_replicated() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                WHERE a.pid = pg_catalog.pg_backend_pid()
                  -- 'logical replication worker' (15); 'logical replication
                  -- apply worker', '... tablesync worker', '... parallel
                  -- worker' (16 and later)
                  AND a.backend_type LIKE 'logical replication %worker') THEN
        PERFORM ptx.raise('replica.change_refused', TG_OP, TG_TABLE_SCHEMA::text, TG_TABLE_NAME::text);
    END IF;
    IF TG_LEVEL = 'STATEMENT' THEN
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.ledger_refuse_replicated() IS
    'refuses UPDATE, DELETE and TRUNCATE of ledger tables that arrive by logical replication (PX009); enabled ALWAYS';
REVOKE ALL ON FUNCTION ptx.ledger_refuse_replicated() FROM PUBLIC;

CREATE TRIGGER ledger_entry_replica_guard BEFORE UPDATE OR DELETE ON ptx.ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ptx.ledger_refuse_replicated();
CREATE TRIGGER ledger_entry_replica_truncate BEFORE TRUNCATE ON ptx.ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_replicated();
CREATE TRIGGER ledger_block_replica_guard BEFORE UPDATE OR DELETE ON ptx.ledger_block
    FOR EACH ROW EXECUTE FUNCTION ptx.ledger_refuse_replicated();
CREATE TRIGGER ledger_block_replica_truncate BEFORE TRUNCATE ON ptx.ledger_block
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_replicated();
ALTER TABLE ptx.ledger_entry ENABLE ALWAYS TRIGGER ledger_entry_replica_guard;
ALTER TABLE ptx.ledger_entry ENABLE ALWAYS TRIGGER ledger_entry_replica_truncate;
ALTER TABLE ptx.ledger_block ENABLE ALWAYS TRIGGER ledger_block_replica_guard;
ALTER TABLE ptx.ledger_block ENABLE ALWAYS TRIGGER ledger_block_replica_truncate;
