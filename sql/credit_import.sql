-- Bulk import of a credit list: every row is checked, one bad row and
-- nothing is loaded, every bad row is reported with all its problems.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region(code, name, '150000') FROM (VALUES
  ('150200', '包头市'), ('150400', '赤峰市'), ('150700', '呼伦贝尔市')) v(code, name);
SELECT ptx.add_org(b || ptx.uscc_check_char(b), name, region, '{bidder}')
  FROM (VALUES ('91150200MA0000001', '包头某建设集团有限公司', '150200'),
               ('91150400MA0000002', '赤峰某工程有限公司', '150400'),
               ('91150700MA0000003', '呼伦贝尔某路桥有限公司', '150700')) v(b, name, region);
SELECT id, uscc, name FROM ptx.org ORDER BY id;

-- Experts, registered with ptx.add_expert.
DO $$
DECLARE
  n int;
  base text;
  w int[] := '{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}';
  s int;
BEGIN
    FOR n IN 1..2 LOOP
      base := '15040019750101' || lpad(n::text, 3, '0');
      s := (SELECT sum(substr(base, i, 1)::int * w[i]) FROM generate_series(1, 17) i);
      PERFORM ptx.add_expert((ARRAY['王五', '赵六'])[n], base || substr('10X98765432', s % 11 + 1, 1),
                             1, '150400', '{A08}', '2030-12-31');
    END LOOP;
END $$;

SET ptx.fake_now = '2026-05-06 09:00:00+08';

-- A good list: codes in any case, an empty name (the registered one is
-- used), an empty end (until revoked), an expert by id.
CREATE TEMP TABLE good_list (LIKE ptx.credit_import_row);
COPY good_list FROM STDIN WITH (FORMAT csv, HEADER true);
subject_kind,subject_ref,subject_name,kind,reason,valid_from,valid_to,source
org,91150200MA0000001F,包头某建设集团有限公司,bid_ban,串通投标,2026-05-01,2027-04-30,包建罚〔2026〕11号
org,91150400ma0000002w,,procurement_ban,提供虚假材料谋取中标,2026-04-20,2029-04-19,赤财罚〔2026〕2号
expert,1,王五,expert_ban,私下接触投标人,2026-03-01,,内蒙古自治区发展和改革委员会
 org , 91150700MA0000003F , 呼伦贝尔某路桥公司（原名） , dishonest_list , 拖欠农民工工资 , 2026-01-15 , 2026-07-14 ,
\.
-- A dry run checks and loads nothing.
SELECT * FROM ptx.import_credit_records('good_list', dry_run => true);
SELECT count(*) AS records FROM ptx.credit_record;
SELECT * FROM ptx.import_credit_records('good_list');
SELECT id, subject_kind, subject_id, subject_name, kind, reason, valid_from, valid_to, source
  FROM ptx.credit_record ORDER BY id;
SELECT ptx.is_restricted('org', 2) AS org_2, ptx.is_restricted('expert', 1) AS expert_1;
-- Importing the same list again loads nothing twice.
SELECT * FROM ptx.import_credit_records('good_list');
SELECT count(*) AS records FROM ptx.credit_record;

-- A list with bad rows: nothing of it is loaded, not even its good rows,
-- and every bad row is reported with everything wrong with it.
CREATE TEMP TABLE bad_list (LIKE ptx.credit_import_row);
COPY bad_list FROM STDIN WITH (FORMAT csv, HEADER true);
subject_kind,subject_ref,subject_name,kind,reason,valid_from,valid_to,source
org,91150700MA0000003F,,bid_ban,围标,2026-05-01,2026-10-31,呼伦贝尔市住房和城乡建设局
org,91150200MA0000001X,,bid_ban,串通投标,2026-05-01,,
org,91150200MA00000098,,bid_ban,串通投标,2026-05-01,,
person,150400197501010012,赵六,expert_ban,x,2026-05-01,,
expert,赵六,,expert_ban,x,2026-05-01,,
expert,99,,expert_ban,x,2026-05-01,,
expert,2,,expert_ban,,2026-02-30,2026-01-01,
org,91150400MA0000002W,,late_payment,拖欠工程款,05/01/2026,,
org,91150700MA0000003F,,dishonest_list,,,,
expert,2,,expert_ban,评标打分畸高畸低,2026-05-01,2026-04-30,
,,,,,,,
org,91150700MA0000003F,,bid_ban,围标,2026-05-01,2026-10-31,again in the same list
expert,2,,expert_ban,收受财物,2026-05-01,,内蒙古自治区发展和改革委员会
\.
SELECT * FROM ptx.import_credit_records('bad_list');
SELECT count(*) AS records_unchanged FROM ptx.credit_record;
-- The check alone shows how every row was read.
SELECT row_no, subject_kind, subject_id, subject_name, kind, valid_from, valid_to, existing_id,
       cardinality(problems) AS problems
  FROM ptx.check_credit_import('bad_list');

-- Corrected, the whole list loads.
DELETE FROM bad_list WHERE subject_kind IS DISTINCT FROM 'org' AND subject_kind IS DISTINCT FROM 'expert'
                        OR subject_ref NOT IN ('91150700MA0000003F', '2') OR reason IS NULL OR source = 'again in the same list'
                        OR valid_to = '2026-04-30';
SELECT * FROM ptx.import_credit_records('bad_list');
SELECT count(*) AS records FROM ptx.credit_record;

-- An empty list loads nothing and says so by returning no row.
CREATE TEMP TABLE empty_list (LIKE ptx.credit_import_row);
SELECT * FROM ptx.import_credit_records('empty_list');
-- The staging table must have the list's columns.
CREATE TEMP TABLE wrong_shape (a text, b text);
SELECT * FROM ptx.import_credit_records('wrong_shape');
\echo :LAST_ERROR_SQLSTATE

-- Supervisors import; operators may not.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['supervisor', 'operator'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    IF NOT pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;
-- Since 0.2.0 a supervisor's login acts for its department only (PX015 otherwise).
SELECT ptx.add_org('91150000' || lpad('90', 9, '0') || ptx.uscc_check_char('91150000' || lpad('90', 9, '0')), '自治区发展和改革委员会', '150000', '{supervisor}') AS regress_dept \gset
SELECT ptx.grant_jurisdiction(:regress_dept, 'construction', '150000') AS g, ptx.add_staff('regress_ptx_supervisor', :regress_dept) AS s \gset
SET ROLE regress_ptx_supervisor;
CREATE TEMP TABLE supervisor_list (LIKE ptx.credit_import_row);
INSERT INTO supervisor_list VALUES ('org', '91150400MA0000002W', '', 'bid_ban', '借用资质投标', '2026-05-06', '2026-11-05', '赤峰市住房和城乡建设局');
SELECT row_no, status, message FROM ptx.import_credit_records('supervisor_list');
RESET ROLE;
SET ROLE regress_ptx_operator;
CREATE TEMP TABLE operator_list (LIKE ptx.credit_import_row);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.import_credit_records('supervisor_list');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Leave the test roles without the memberships granted here.
DO $$
DECLARE r text;
BEGIN
  FOR r IN SELECT substr(rolname, 13) FROM pg_roles
            WHERE rolname IN ('regress_ptx_admin', 'regress_ptx_operator', 'regress_ptx_supervisor',
                              'regress_ptx_auditor', 'regress_ptx_public') LOOP
    IF pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;
