-- The business clock (DESIGN.md §5).

CREATE FUNCTION ptx.now() RETURNS timestamptz
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_now_sql';
GRANT EXECUTE ON FUNCTION ptx.now() TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
COMMENT ON FUNCTION ptx.now() IS
    'business clock: now(), or the superuser-only setting ptx.fake_now when set';
