-- Autonomous transactions (DESIGN.md §11.1, §11.2): a statement run and
-- committed by a background worker acting for the caller (src/autonomous.c),
-- so that the caller's rollback cannot undo it.  Used for the execution of
-- draws (61_draw.sql) and the records of reads of secret data (committee
-- members, personal data, draw results).  One worker serves a session
-- while its identity and settings stay the same, and ends after ten idle
-- seconds: a session holds one background worker slot
-- (max_worker_processes) while it draws or reads secrets.
--
-- Owner-only: the SECURITY DEFINER functions of ptx call these with
-- statements of their own; no role is granted them.

CREATE FUNCTION ptx.autonomous_run(statement text) RETURNS text
    LANGUAGE c VOLATILE STRICT
    AS 'MODULE_PATHNAME', 'ptx_autonomous_sql';
COMMENT ON FUNCTION ptx.autonomous_run(text) IS
    'run one statement in a background worker as the caller (session user, current user, settings), commit it and return the first column of its first row; the worker''s errors and notices are raised here';

CREATE FUNCTION ptx.in_autonomous_transaction() RETURNS boolean
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'ptx_in_autonomous_worker_sql';
COMMENT ON FUNCTION ptx.in_autonomous_transaction() IS
    'true in the background worker of ptx.autonomous_run, where draws are executed';

-- A read of secret data, recorded in the ledger and committed before the
-- data is returned: the reader's rollback leaves the record.
CREATE FUNCTION ptx.record_read(kind text, relation text, key jsonb, payload jsonb) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN ptx.autonomous_run(format('SELECT ptx.ledger_event_internal(%L, %L, %L::jsonb, %L::jsonb)',
                                     kind, relation, key, payload))::bigint;
END
$$;
COMMENT ON FUNCTION ptx.record_read(text, text, jsonb, jsonb) IS
    'record a read of secret data as a ledger event committed in its own transaction (ptx.autonomous_run); returns the event''s seq';

REVOKE ALL ON FUNCTION ptx.autonomous_run(text), ptx.in_autonomous_transaction(),
    ptx.record_read(text, text, jsonb, jsonb) FROM PUBLIC;
