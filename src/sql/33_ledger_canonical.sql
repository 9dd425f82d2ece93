-- The canonical session settings of row images (src/canonical.c): the
-- capture trigger renders images under them, ptx.verify_rows() renders the
-- current rows under the same ones (its SET clauses).
CREATE FUNCTION ptx.ledger_canonical_settings() RETURNS text[]
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_ledger_canonical_settings';
COMMENT ON FUNCTION ptx.ledger_canonical_settings() IS
    'the settings (name=value) under which ledger row images are rendered, whatever the session has set';
REVOKE ALL ON FUNCTION ptx.ledger_canonical_settings() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ptx.ledger_canonical_settings() TO ptx_admin, ptx_auditor;
