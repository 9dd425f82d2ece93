-- carry: whole
-- Guards that close what the rules of each table leave open.
--
-- TRUNCATE fires no row trigger: it would empty a table without the
-- ledger capturing a single DELETE and without the append-only triggers
-- of history tables seeing it.  Every table of ptx refuses it (PX009),
-- and so does every table tracked with ptx.track() (31_ledger_api.sql);
-- tables that already refuse it with their own trigger keep theirs.
--
-- The steps of a project (ptx.transition) name states of the lifecycle
-- only, whoever inserts them.

-- It fires for whoever may truncate a tracked table of their own, also a
-- role outside ptx's groups: it runs as ptx's owner to read the message
-- catalogue, so that the refusal is PX009 for every role.
CREATE OR REPLACE FUNCTION ptx.ledger_refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.raise('hardening.truncate', TG_TABLE_SCHEMA::text, TG_TABLE_NAME::text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ptx.ledger_refuse_truncate() IS
    'trigger refusing TRUNCATE on the tables of ptx and on tracked tables (PX009)';

-- Runs at install and again at every upgrade (this file is carried whole,
-- its first line says so to src/upgrade/carry.pl): tables new in a
-- version are covered as well.
DO $guard$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.oid::regclass AS rel
          FROM pg_catalog.pg_class c
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
           AND (c.relnamespace IN (SELECT n.oid FROM pg_catalog.pg_namespace n
                                    WHERE n.nspname IN ('ptx', 'ptx_public', 'ptx_seal', 'ptx_private'))
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                            WHERE t.tgrelid = c.oid AND t.tgname = 'ptx_ledger'))
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                            WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
                              AND (t.tgtype & 32) <> 0)   -- TRIGGER_TYPE_TRUNCATE
         ORDER BY c.oid::regclass::text
    LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER ptx_no_truncate BEFORE TRUNCATE ON %s'
                                  ' FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_truncate()', r.rel);
    END LOOP;
END
$guard$;

CREATE OR REPLACE FUNCTION ptx.transition_states_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s text;
BEGIN
    FOREACH s IN ARRAY ARRAY[NEW.from_state, NEW.to_state] LOOP
        CONTINUE WHEN s IS NULL;            -- entry (from NULL); NOT NULL reports a missing to_state
        IF pg_catalog.length(s) > 64 OR s ~ '[[:cntrl:]]' OR s <> pg_catalog.btrim(s) OR s = '' THEN
            PERFORM ptx.raise('hardening.invalid_state',
                              pg_catalog.quote_literal(pg_catalog.left(s, 64)) || CASE WHEN pg_catalog.length(s) > 64 THEN '...' ELSE '' END);
        END IF;
        IF s <> 'suspended' THEN
            PERFORM ptx.next_states(s);     -- refuses an unknown state (22023)
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.transition_states_check() IS
    'trigger: the states of a step of a project are states of the lifecycle or suspended (22023)';
CREATE OR REPLACE TRIGGER a_transition_states BEFORE INSERT ON ptx.transition
    FOR EACH ROW EXECUTE FUNCTION ptx.transition_states_check();

-- ptx.track() creates the TRUNCATE guard with the capture trigger
GRANT EXECUTE ON FUNCTION ptx.ledger_refuse_truncate() TO ptx_admin;
