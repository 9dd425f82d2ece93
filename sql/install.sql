-- CREATE EXTENSION into a database that already has other schemas, roles
-- and objects; DROP EXTENSION leaves nothing of ptx behind (the group roles
-- excepted, by design) and touches nothing else.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
DROP SCHEMA IF EXISTS app CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

CREATE SCHEMA app;
CREATE TABLE app.project (id int PRIMARY KEY, title text);
INSERT INTO app.project VALUES (1, 'existing application data');
CREATE FUNCTION app.now() RETURNS text LANGUAGE sql RETURN 'app clock';
CREATE TABLE public.region (code text);   -- same names as ptx's, other schema

SELECT count(*) AS objects_before FROM pg_catalog.pg_class WHERE relnamespace = 'app'::regnamespace;

CREATE EXTENSION ptx CASCADE;
SELECT extname, extversion, extrelocatable FROM pg_catalog.pg_extension WHERE extname IN ('ptx', 'pgcrypto') ORDER BY 1;

-- Every object in ptx's schemas belongs to the extension.
SELECT count(*) AS orphans
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace IN ('ptx'::regnamespace, 'ptx_public'::regnamespace)
   AND c.relkind IN ('r', 'v', 'm', 'S', 'p', 'f')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'));

-- Nothing is granted to PUBLIC.
SELECT p.oid::regprocedure AS public_function
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace IN ('ptx'::regnamespace, 'ptx_public'::regnamespace)
   AND pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')
   AND (p.proacl IS NULL OR p.proacl::text LIKE '%,=X%' OR p.proacl::text LIKE '{=X%');
SELECT c.oid::regclass AS public_relation
  FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
 WHERE c.relnamespace IN ('ptx'::regnamespace, 'ptx_public'::regnamespace)
   AND a.grantee = 0;
SELECT n.nspname AS public_schema
  FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
 WHERE n.nspname IN ('ptx', 'ptx_public') AND a.grantee = 0;

-- Every SECURITY DEFINER function pins search_path.
SELECT p.oid::regprocedure AS definer_without_search_path
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace IN ('ptx'::regnamespace, 'ptx_public'::regnamespace)
   AND p.prosecdef
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%');

-- The group roles exist and cannot log in.
SELECT rolname, rolcanlogin FROM pg_catalog.pg_roles WHERE rolname LIKE 'ptx\_%' ORDER BY 1;

-- Application objects are untouched, name clashes resolve by schema.
SELECT * FROM app.project;
SELECT app.now();
SELECT ptx.now() IS NOT NULL AS ptx_clock;

DROP EXTENSION ptx;
SELECT count(*) AS ptx_schemas FROM pg_catalog.pg_namespace WHERE nspname LIKE 'ptx%';
SELECT count(*) AS ptx_functions FROM pg_catalog.pg_proc WHERE proname LIKE 'ptx\_%' OR prosrc LIKE 'ptx\_%';
SELECT count(*) AS ptx_event_triggers FROM pg_catalog.pg_event_trigger WHERE evtname LIKE 'ptx%';
SELECT count(*) AS objects_after FROM pg_catalog.pg_class WHERE relnamespace = 'app'::regnamespace;
SELECT * FROM app.project;
SELECT rolname FROM pg_catalog.pg_roles WHERE rolname LIKE 'ptx\_%' ORDER BY 1;

-- A second cycle works the same (roles already there are reused).
CREATE EXTENSION ptx CASCADE;
SELECT count(*) > 0 AS ptx_tables FROM pg_catalog.pg_tables WHERE schemaname = 'ptx';
DROP EXTENSION ptx;
CREATE EXTENSION ptx;   -- pgcrypto is still there, so no CASCADE is needed
DROP SCHEMA app CASCADE;
DROP TABLE public.region;
