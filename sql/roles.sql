-- Privileges of each group role (DESIGN.md §7).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor', 'auditor', 'public', 'nobody'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    IF r <> 'nobody' THEN
      EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');

-- ptx_admin: registry and policy.
SET ROLE regress_ptx_admin;
SELECT ptx.add_region('150200', '包头市', '150000');
SELECT ptx.add_org('91150000' || '000000001' || ptx.uscc_check_char('91150000000000001'), '监管部门', '150000', '{supervisor}');
SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
SELECT ptx.set_policy('expert_db.min_size', 600, 'admin may');
SELECT ptx.set_policy('expert_db.min_size', NULL, 'reset');
RESET ROLE;

-- ptx_operator: registers market subjects, not regions, jurisdiction or policy.
SET ROLE regress_ptx_operator;
SELECT ptx.add_org('91150000' || '000000002' || ptx.uscc_check_char('91150000000000002'), '投标人', '150100', '{bidder}');
SELECT count(*) AS orgs_seen FROM ptx.org;
SELECT ptx.add_region('150300', '乌海市', '150000');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.grant_jurisdiction(1, 'procurement', '150000');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('expert_db.min_size', 1, 'operator may not');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.org;
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2030-01-01';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- ptx_supervisor: reads the registry, writes nothing here.
SET ROLE regress_ptx_supervisor;
SELECT count(*) AS orgs_seen FROM ptx.org;
SELECT ptx.has_jurisdiction(1, 'construction', '150100');
SELECT ptx.add_org('91150000' || '000000003' || ptx.uscc_check_char('91150000000000003'), 'x', '150100', '{bidder}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- ptx_auditor: reads everything, changes nothing.
SET ROLE regress_ptx_auditor;
SELECT count(*) AS orgs_seen FROM ptx.org;
SELECT count(*) > 0 AS policy_rows_read FROM ptx.policy_default;
UPDATE ptx.org SET name = 'changed';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.policy (key, value, reason) VALUES ('expert_db.min_size', 1, 'auditor may not');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- ptx_public: nothing in schema ptx.
SET ROLE regress_ptx_public;
SELECT count(*) FROM ptx.org;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.now();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A login role with no ptx role: nothing at all.
SET ROLE regress_ptx_nobody;
SELECT count(*) FROM ptx.region;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.uscc_valid('91440300708461136T');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
