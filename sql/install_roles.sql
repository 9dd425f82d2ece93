-- CREATE EXTENSION refuses to take over a ptx_* group role made beforehand
-- with rights ptx does not give it (DESIGN.md §7, §11): LOGIN, SUPERUSER,
-- CREATEROLE, BYPASSRLS, REPLICATION, or membership of another role.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['ptx_admin', 'ptx_operator', 'ptx_supervisor', 'ptx_auditor', 'ptx_public'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
END $$;
RESET client_min_messages;

ALTER ROLE ptx_public LOGIN;
CREATE EXTENSION ptx CASCADE;
\echo :LAST_ERROR_SQLSTATE
ALTER ROLE ptx_public NOLOGIN;
ALTER ROLE ptx_auditor CREATEROLE;
CREATE EXTENSION ptx CASCADE;
\echo :LAST_ERROR_SQLSTATE
ALTER ROLE ptx_auditor NOCREATEROLE;
ALTER ROLE ptx_operator SUPERUSER;
CREATE EXTENSION ptx CASCADE;
\echo :LAST_ERROR_SQLSTATE
ALTER ROLE ptx_operator NOSUPERUSER;
GRANT pg_read_server_files TO ptx_supervisor;
CREATE EXTENSION ptx CASCADE;
\echo :LAST_ERROR_SQLSTATE
-- the same refusal in Chinese, with the same SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
CREATE EXTENSION ptx CASCADE;
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;
REVOKE pg_read_server_files FROM ptx_supervisor;
-- plain groups are taken over, their members kept
SET client_min_messages = warning;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
SELECT extname FROM pg_extension WHERE extname = 'ptx';
