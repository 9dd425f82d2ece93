-- The business clock (DESIGN.md §5).

CREATE FUNCTION ptx.now() RETURNS timestamptz
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_now_sql';
GRANT EXECUTE ON FUNCTION ptx.now() TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
COMMENT ON FUNCTION ptx.now() IS
    'business clock: now(), or the superuser-only setting ptx.fake_now when set';

------------------------------------------------------------------------
-- The local date.  China keeps one time zone; the business clock is turned
-- into a date there whatever the session's TimeZone is.
------------------------------------------------------------------------
CREATE FUNCTION ptx.local_date(ts timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (ts AT TIME ZONE 'Asia/Shanghai')::date;
COMMENT ON FUNCTION ptx.local_date(timestamptz) IS
    'the calendar date of a time in China (Asia/Shanghai), the date legal periods count in';

CREATE FUNCTION ptx.today() RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN ptx.local_date(ptx.now());
COMMENT ON FUNCTION ptx.today() IS 'the local date of the business clock ptx.now()';
