-- The ledger is append-only (R3): UPDATE, DELETE and TRUNCATE of its
-- tables are refused, DDL on its objects is refused, and the capture
-- trigger of a tracked table can be neither disabled nor dropped except by
-- ptx.untrack(), which logs it.  A superuser with
-- session_replication_role = replica bypasses triggers: that is what
-- ptx.verify() detects.

CREATE FUNCTION ptx.ledger_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.raise('ledger_guard.append_only', TG_OP, TG_TABLE_SCHEMA::text, TG_TABLE_NAME::text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ptx.ledger_refuse_change() IS 'refuses UPDATE, DELETE and TRUNCATE on ledger tables (PX009)';

CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ptx.ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_change();
CREATE TRIGGER ledger_block_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ptx.ledger_block
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_change();
CREATE TRIGGER ledger_check_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ptx.ledger_check
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_change();

-- the ledger's own relations and their indexes
CREATE FUNCTION ptx.ledger_relids() RETURNS SETOF oid
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT c.oid FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'ptx'::pg_catalog.regnamespace
           AND c.relname IN ('ledger_entry', 'ledger_block', 'ledger_check', 'ledger_seq',
                             'ledger_key_index', 'ledger_project_index')
        UNION ALL
        SELECT i.indexrelid FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
         WHERE c.relnamespace = 'ptx'::pg_catalog.regnamespace
           AND c.relname IN ('ledger_entry', 'ledger_block', 'ledger_check',
                             'ledger_key_index', 'ledger_project_index');
    END;

CREATE FUNCTION ptx.ledger_guard_ddl() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cmd record;
    target oid;
    bad text;
BEGIN
    -- A tracked table whose columns changed (added, dropped, renamed, also
    -- by ALTER EXTENSION UPDATE) renders its rows differently from their
    -- last images: log a new starting point of every row.  Only then: a
    -- snapshot after any ALTER TABLE would launder changes made while a
    -- superuser had the capture switched off.
    FOR cmd IN SELECT DISTINCT d.objid FROM pg_catalog.pg_event_trigger_ddl_commands() d
                 JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relkind = 'r'
                WHERE d.command_tag = 'ALTER TABLE'
                  AND d.classid = 'pg_catalog.pg_class'::regclass
                  AND EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                               WHERE t.tgrelid = d.objid
                                 AND t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure)
                  AND (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attname::text)
                         FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = d.objid AND a.attnum > 0 AND NOT a.attisdropped)
                      IS DISTINCT FROM
                      (SELECT pg_catalog.array_agg(k ORDER BY k)
                         FROM pg_catalog.jsonb_object_keys(
                                (SELECT e.row_image::jsonb FROM ptx.ledger_entry e
                                  WHERE e.seq = ptx.ledger_last_row_seq(ptx.ledger_relation_name(d.objid)))) k)
                  AND ptx.ledger_last_row_seq(ptx.ledger_relation_name(d.objid)) IS NOT NULL
    LOOP
        PERFORM ptx.ledger_event_internal('track', ptx.ledger_relation_name(cmd.objid), NULL,
                                 '{"reason": "ALTER TABLE"}');
        PERFORM ptx.ledger_snapshot(cmd.objid::regclass);
    END LOOP;
    IF ptx.in_extension_script() THEN
        RETURN;
    END IF;
    FOR cmd IN SELECT * FROM pg_catalog.pg_event_trigger_ddl_commands() LOOP
        target := CASE cmd.classid
            WHEN 'pg_catalog.pg_class'::regclass THEN cmd.objid
            WHEN 'pg_catalog.pg_trigger'::regclass THEN
                (SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid = cmd.objid)
            WHEN 'pg_catalog.pg_rewrite'::regclass THEN
                (SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid = cmd.objid)
            WHEN 'pg_catalog.pg_policy'::regclass THEN
                (SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid = cmd.objid)
            WHEN 'pg_catalog.pg_constraint'::regclass THEN
                (SELECT k.conrelid FROM pg_catalog.pg_constraint k WHERE k.oid = cmd.objid)
            ELSE NULL END;
        IF target IN (SELECT ptx.ledger_relids()) THEN
            PERFORM ptx.raise('ledger_guard.ddl', cmd.command_tag, cmd.object_identity);
        END IF;
    END LOOP;
    -- whatever the command, the ledger must still capture and stay closed.
    -- A superuser may switch a capture trigger off (pg_restore
    -- --disable-triggers does): superusers can bypass triggers anyway, and
    -- ptx.verify() reports whatever changed meanwhile.
    SELECT pg_catalog.string_agg(t.tgrelid::regclass::text, ', ') INTO bad
      FROM pg_catalog.pg_trigger t
     WHERE t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure
       AND t.tgenabled IN ('D', 'R');
    IF bad IS NOT NULL AND NOT COALESCE((
           SELECT r.rolsuper FROM pg_catalog.pg_roles r
            WHERE r.rolname = CASE pg_catalog.current_setting('role')
                                  WHEN 'none' THEN session_user
                                  ELSE pg_catalog.current_setting('role') END), false) THEN
        PERFORM ptx.raise('ledger_guard.capture_disabled', bad);
    END IF;
    SELECT pg_catalog.string_agg(DISTINCT c.oid::regclass::text || ' ' || a.privilege_type || ' to ' ||
                                 CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, ', ')
      INTO bad
      FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
     WHERE c.oid IN (SELECT ptx.ledger_relids())
       AND a.grantee <> c.relowner
       AND a.privilege_type NOT IN ('SELECT');
    IF bad IS NOT NULL THEN
        PERFORM ptx.raise('ledger_guard.write_grant', bad);
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.ledger_guard_ddl() IS
    'event trigger: refuses DDL on ledger objects, disabling a capture trigger and granting writes on the ledger (PX009)';

CREATE FUNCTION ptx.ledger_guard_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    o record;
    rel text;
BEGIN
    IF ptx.in_extension_script() OR TG_TAG = 'DROP EXTENSION' THEN
        RETURN;
    END IF;
    FOR o IN SELECT * FROM pg_catalog.pg_event_trigger_dropped_objects() LOOP
        IF o.object_identity ~ '(^| on )ptx\.ledger_(entry|block|check|seq|key_index|project_index)' THEN
            PERFORM ptx.raise('ledger_guard.drop', o.object_identity);
        END IF;
        IF o.object_type = 'trigger' AND o.address_names[3] IN ('ptx_ledger', 'ptx_no_truncate') THEN
            rel := pg_catalog.format('%I.%I', o.address_names[1], o.address_names[2]);
            IF NOT EXISTS (SELECT 1 FROM ptx.ledger_seqs(rel, NULL) s(seq)
                             JOIN ptx.ledger_entry e ON e.seq = s.seq
                            WHERE e.operation = 'EVENT' AND e.kind = 'untrack'
                              AND e.xid = pg_catalog.pg_current_xact_id()) THEN
                PERFORM ptx.raise('ledger_guard.drop_capture', rel);
            END IF;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.ledger_guard_drop() IS
    'event trigger: refuses dropping ledger objects, or a capture trigger without ptx.untrack() (PX009)';

CREATE EVENT TRIGGER ptx_ledger_guard_ddl ON ddl_command_end
    EXECUTE FUNCTION ptx.ledger_guard_ddl();
CREATE EVENT TRIGGER ptx_ledger_guard_drop ON sql_drop
    EXECUTE FUNCTION ptx.ledger_guard_drop();
