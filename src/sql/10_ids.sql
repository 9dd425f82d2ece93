-- Identifier checks (GB 32100-2015, GB 11643-1999, GB/T 2260).  src/ids.c.

CREATE FUNCTION ptx.uscc_valid(text) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_uscc_valid';
COMMENT ON FUNCTION ptx.uscc_valid(text) IS
    'true when a unified social credit code (统一社会信用代码) is well formed with the right check character';

CREATE FUNCTION ptx.uscc_check_char(text) RETURNS text
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_uscc_check_char';
COMMENT ON FUNCTION ptx.uscc_check_char(text) IS
    'the GB 32100-2015 check character for the first 17 characters of a code';

CREATE FUNCTION ptx.check_uscc(text) RETURNS boolean
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_check_uscc';
COMMENT ON FUNCTION ptx.check_uscc(text) IS
    'true, or error PX010 naming the expected check character';

CREATE FUNCTION ptx.resident_id_valid(text) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_resident_id_valid';
COMMENT ON FUNCTION ptx.resident_id_valid(text) IS
    'true when a resident identity number (公民身份号码) has a valid birth date and check character';

CREATE FUNCTION ptx.check_resident_id(text) RETURNS boolean
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_check_resident_id';
COMMENT ON FUNCTION ptx.check_resident_id(text) IS
    'true, or error PX010 naming the expected check character (the number itself is never echoed)';

CREATE FUNCTION ptx.region_code_valid(text) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_region_code_valid';
COMMENT ON FUNCTION ptx.region_code_valid(text) IS
    'true when a text has the form of a GB/T 2260 region code';

CREATE FUNCTION ptx.check_region_code(text) RETURNS boolean
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_check_region_code';
COMMENT ON FUNCTION ptx.check_region_code(text) IS 'true, or error PX010';

GRANT EXECUTE ON FUNCTION ptx.uscc_valid(text), ptx.uscc_check_char(text),
    ptx.check_uscc(text), ptx.resident_id_valid(text), ptx.check_resident_id(text),
    ptx.region_code_valid(text), ptx.check_region_code(text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
