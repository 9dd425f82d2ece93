-- Credit records (R7): the restriction period at its boundaries, experts
-- and organisations, revocation as a record, history that never changes.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
-- Business dates are days in the platform's time zone.
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region(code, name, '150000') FROM (VALUES
  ('150100', '呼和浩特市'), ('150200', '包头市'), ('150400', '赤峰市')) v(code, name);
SELECT ptx.add_org('91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0')),
                   name, region, roles)
  FROM (VALUES (1, '包头某建设集团有限公司', '150200', '{bidder}'::text[]),
               (2, '赤峰某招标代理有限公司', '150400', '{agency}'),
               (3, '呼和浩特某科技有限公司', '150100', '{bidder,tenderee}')) v(n, name, region, roles)
 ORDER BY n;

-- Experts, registered with ptx.add_expert.
DO $$
DECLARE
  n int;
  base text;
  w int[] := '{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}';
  s int;
BEGIN
    FOR n IN 1..3 LOOP
      base := '15020019800101' || lpad(n::text, 3, '0');
      s := (SELECT sum(substr(base, i, 1)::int * w[i]) FROM generate_series(1, 17) i);
      PERFORM ptx.add_expert((ARRAY['张三丰', '欧阳娜娜', '李四'])[n], base || substr('10X98765432', s % 11 + 1, 1),
                             1, '150200', '{A08}', '2030-12-31');
    END LOOP;
END $$;
SELECT id, name FROM ptx.expert ORDER BY id;

SELECT code, name_zh, basis FROM ptx.credit_kind ORDER BY code;

-- An organisation barred from bidding from 10 to 20 March 2026, both days included.
SELECT ptx.add_credit_record('org', 1, 'bid_ban', '串通投标', '2026-03-10', '2026-03-20',
                             '包头市住房和城乡建设局 包建罚〔2026〕3号') AS bid_ban \gset
SELECT d AS on_date, ptx.is_restricted('org', 1, d::date)
  FROM unnest('{2026-03-09,2026-03-10,2026-03-20,2026-03-21}'::text[]) d;
-- The default date is today on the business clock, in the session's time zone.
SET ptx.fake_now = '2026-03-09 23:59:59+08';
SELECT ptx.is_restricted('org', 1) AS last_second_before;
SET ptx.fake_now = '2026-03-10 00:00:00+08';
SELECT ptx.is_restricted('org', 1) AS first_second_of_first_day;
SET ptx.fake_now = '2026-03-20 23:59:59+08';
SELECT ptx.is_restricted('org', 1) AS last_second_of_last_day;
SET ptx.fake_now = '2026-03-21 00:00:00+08';
SELECT ptx.is_restricted('org', 1) AS first_second_after;

-- Experts: a record without an end restricts until revoked.  Ids of
-- organisations and experts are separate: expert 1 is not organisation 1.
SELECT ptx.add_credit_record('expert', 1, 'expert_ban', '评标中收受投标人财物', '2026-01-01',
                             source => '内蒙古自治区发展和改革委员会') AS expert_ban \gset
SELECT k, id, ptx.is_restricted(k, id, '2026-03-15') AS on_0315,
       ptx.is_restricted(k, id, '2099-12-31') AS on_2099
  FROM (VALUES ('expert', 1), ('expert', 2), ('org', 1), ('org', 3)) v(k, id);
SELECT ptx.is_restricted('expert', 1, '2025-12-31') AS day_before_expert_ban;

-- The listed name is the registered one unless the decision names the
-- subject otherwise (e.g. a former name).
SELECT ptx.add_credit_record('org', 3, 'court_dishonest', '拒不履行生效判决', '2026-05-01', '2027-04-30',
                             '呼和浩特市中级人民法院', '呼和浩特某电子有限公司（原名）') AS court;
SELECT subject_kind, subject_id, subject_name, kind, valid_from, valid_to,
       recorded_by = session_user AS by_session_user
  FROM ptx.credit_record ORDER BY id;

-- Refusals.
SELECT ptx.add_credit_record('org', 99, 'bid_ban', 'x', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_credit_record('expert', 99, 'expert_ban', 'x', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_credit_record('person', 1, 'bid_ban', 'x', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_credit_record('org', 1, 'late_payment', 'x', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_credit_record('org', 1, 'bid_ban', 'x', '2026-03-10', '2026-03-09');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_credit_record('org', 1, 'bid_ban', ' ', '2026-03-10');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_credit_record('org', 1, 'bid_ban', 'x', NULL);
\echo :LAST_ERROR_SQLSTATE
-- A one-day record is valid.
SELECT ptx.add_credit_record('org', 2, 'dishonest_list', '提供虚假材料', '2026-04-01', '2026-04-01') IS NOT NULL AS one_day;
SELECT d AS on_date, ptx.is_restricted('org', 2, d::date)
  FROM unnest('{2026-03-31,2026-04-01,2026-04-02}'::text[]) d;

-- Revocation (撤销): a new record, effective from the day it is recorded.
SELECT ptx.add_credit_record('org', 2, 'agency_suspension', '违规泄露标底', '2026-01-01', '2026-12-31',
                             '赤峰市发展和改革委员会') AS suspension \gset
SET ptx.fake_now = '2026-04-15 10:00:00+08';
SELECT ptx.revoke_credit_record(:suspension, '行政复议决定撤销原处罚') IS NOT NULL AS revoked;
SELECT d AS on_date, ptx.is_restricted('org', 2, d::date)
  FROM unnest('{2026-04-14,2026-04-15,2026-04-16}'::text[]) d;
SELECT ptx.is_restricted('org', 2) AS today;
SELECT record_id = :suspension AS same_record, reason, effective_on, recorded_by = session_user AS by_session_user
  FROM ptx.credit_revocation;
SELECT count(*) AS records_kept FROM ptx.credit_record WHERE id = :suspension;
SELECT ptx.revoke_credit_record(:suspension, 'again');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.revoke_credit_record(99, 'no such record');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.revoke_credit_record(:bid_ban, ' ');
\echo :LAST_ERROR_SQLSTATE
-- A direct insert cannot backdate a revocation.
INSERT INTO ptx.credit_revocation (record_id, reason, effective_on, recorded_by)
VALUES (:bid_ban, '信用修复', '2026-03-01', 'somebody else');
SELECT effective_on, recorded_by = session_user AS by_session_user
  FROM ptx.credit_revocation WHERE record_id = :bid_ban;
SELECT ptx.is_restricted('org', 1, '2026-03-15') AS still_restricted_in_march;

-- Nothing is changed or deleted, not even by the owner.
UPDATE ptx.credit_record SET valid_to = '2026-03-11' WHERE id = :bid_ban;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.credit_record WHERE id = :bid_ban;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.credit_record CASCADE;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.credit_revocation SET effective_on = '2026-01-01';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.credit_revocation;
\echo :LAST_ERROR_SQLSTATE

-- The set-returning form, for anti-joins over large pools.
SELECT d AS on_date,
       ARRAY(SELECT ptx.restricted_subjects('org', d::date) ORDER BY 1) AS orgs,
       ARRAY(SELECT ptx.restricted_subjects('expert', d::date) ORDER BY 1) AS experts
  FROM unnest('{2025-12-31,2026-03-15,2026-04-01,2026-04-15,2026-05-01}'::text[]) d;
SELECT count(*) AS eligible_experts
  FROM ptx.expert e
 WHERE NOT EXISTS (SELECT 1 FROM ptx.restricted_subjects('expert', '2026-03-15') s WHERE s = e.id);

-- The records restricting a subject, the longest-lasting first; the
-- refusal names the first and counts the others.
SELECT ptx.add_credit_record('org', 3, 'dishonest_list', '围标', '2026-06-01') IS NOT NULL AS open_ended;
SELECT kind, valid_from, valid_to FROM ptx.credit_restrictions('org', 3, '2026-06-15');
SELECT ptx.assert_not_restricted('org', 3, 'bidder', '2026-06-15');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.assert_not_restricted('expert', 1, 'expert', '2026-06-15');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.assert_not_restricted('org', 2, 'agency', '2026-06-15') AS not_restricted;

-- Who may do what.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor', 'auditor', 'public'] LOOP
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
SELECT ptx.add_credit_record('org', 1, 'dishonest_list', '弄虚作假骗取中标', '2026-07-01', '2029-06-30', '监管部门') AS by_supervisor \gset
SELECT ptx.revoke_credit_record(:by_supervisor, '录入错误') IS NOT NULL AS revoked_by_supervisor;
RESET ROLE;
SET ROLE regress_ptx_operator;
SELECT ptx.is_restricted('org', 1, '2026-03-15') AS operator_checks;
SELECT ptx.add_credit_record('org', 1, 'bid_ban', 'x', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.revoke_credit_record(:bid_ban, 'x');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_ptx_auditor;
SELECT count(*) AS auditor_reads FROM ptx.credit_record;
INSERT INTO ptx.credit_record (subject_kind, subject_id, subject_name, kind, reason, valid_from)
VALUES ('org', 1, 'x', 'bid_ban', 'x', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_ptx_public;
SELECT ptx.is_restricted('org', 1);
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
