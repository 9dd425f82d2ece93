-- Every login acts for its organisation (DESIGN.md §11.4, 谁监管谁负责):
-- the staff mapping kept by ptx_admin, and a role matrix: a login per group
-- role plus staff of two departments and two trading centres; each
-- supervisory act and each trading call refused outside the login's
-- organisation (PX015) and allowed inside it, with the boundaries of the
-- regions and of the mapping's validity.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees drawn in another system') \gset
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'the bids of this test are sealed by the platform') \gset

SET client_min_messages = warning;
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor', 'auditor', 'public'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
  END LOOP;
  FOREACH r IN ARRAY ARRAY['sup_a', 'sup_b', 'op_h', 'op_t'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_dept_a') THEN
    CREATE ROLE regress_ptx_dept_a NOLOGIN;
  END IF;
END $$;
GRANT ptx_supervisor TO regress_ptx_sup_a, regress_ptx_sup_b;
GRANT ptx_operator TO regress_ptx_op_h, regress_ptx_op_t;
RESET client_min_messages;

CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0'));
CREATE FUNCTION pg_temp.rid(n int) RETURNS text LANGUAGE sql AS $$
  SELECT b || substr('10X98765432', (SELECT sum(substr(b, i::int, 1)::int * w) FROM unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::int[]) WITH ORDINALITY AS t(w, i))::int % 11 + 1, 1)
    FROM (SELECT '15010219800101' || lpad(n::text, 3, '0') AS b) s $$;

SET ptx.fake_now = '2025-09-01 09:00:00+08';
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_region('150102', '新城区', '150100');
SELECT ptx.add_region('150500', '通辽市', '150000');
SELECT ptx.add_org(pg_temp.uscc(1), '呼和浩特市住房和城乡建设局', '150100', '{supervisor}') AS dept_a,
       ptx.add_org(pg_temp.uscc(2), '通辽市住房和城乡建设局', '150500', '{supervisor}') AS dept_b,
       ptx.add_org(pg_temp.uscc(3), '呼和浩特市公共资源交易中心', '150100', '{centre}') AS centre_h,
       ptx.add_org(pg_temp.uscc(4), '通辽市公共资源交易中心', '150500', '{centre}') AS centre_t,
       ptx.add_org(pg_temp.uscc(5), '新城区第一中学', '150102', '{tenderee}') AS tenderee,
       ptx.add_org(pg_temp.uscc(6), '招标代理公司', '150102', '{agency}') AS agency \gset
SELECT count(ptx.add_org(pg_temp.uscc(10 + n), '施工企业' || n, '150102', '{bidder}')) FROM generate_series(1, 4) n;
SELECT min(id) AS b1 FROM ptx.org WHERE 'bidder' = ANY (roles) \gset
SELECT ptx.grant_jurisdiction(:dept_a, 'construction', '150100');
SELECT ptx.grant_jurisdiction(:dept_b, 'construction', '150500');

------------------------------------------------------------------------
-- The mapping: kept by ptx_admin only, checked, logged.
------------------------------------------------------------------------
SET ROLE regress_ptx_admin;
SELECT ptx.add_staff('regress_ptx_sup_a', :dept_a) > 0 AS sup_a,
       ptx.add_staff('regress_ptx_sup_b', :dept_b) > 0 AS sup_b,
       ptx.add_staff('regress_ptx_op_h', :centre_h) > 0 AS op_h,
       ptx.add_staff('regress_ptx_op_t', :centre_t) > 0 AS op_t;
SELECT ptx.add_staff('regress_ptx_sup_a', :dept_a);               -- already
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_staff('ptx_supervisor', :dept_a);                  -- a group role of every department
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_staff('regress_ptx_sup_a', :tenderee);             -- a tenderee has no staff here
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_staff('regress_ptx_admin', :dept_a);               -- not itself
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_staff('regress_ptx_sup_b', :dept_a, '2025-09-10', '2025-09-09');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_staff('regress_ptx_sup_a', 999999);
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.staff SET org_id = :dept_b;                            -- no direct writes
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT ptx.add_staff(rolname::regrole, :dept_a) FROM pg_roles WHERE rolsuper LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.staff SET org_id = :dept_b;                            -- not even the owner
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.staff;
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_supervisor;
SELECT ptx.add_staff('regress_ptx_supervisor', :dept_a);          -- only ptx_admin
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.staff;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT member, org_id, valid_from, valid_to, removed_at IS NULL AS in_force FROM ptx.staff ORDER BY id;
SELECT count(*) AS staff_rows_in_ledger FROM ptx.ledger_entry WHERE relation = 'ptx.staff' AND operation = 'INSERT';

-- Who is checked.
SELECT ptx.acting_login() IS NULL AS superuser_trusted;
SET ROLE ptx_supervisor;
SELECT ptx.acting_login() IS NULL AS superuser_through_a_group_role;
SET ROLE regress_ptx_sup_a;
SELECT ptx.acting_login(), array(SELECT ptx.acting_orgs()) = ARRAY[:dept_a]::bigint[] AS acts_for_dept_a;
RESET ROLE;

------------------------------------------------------------------------
-- Operators: a trading centre runs the trades of its region and the
-- regions below it (150102 lies under 呼和浩特 150100, not under 通辽).
------------------------------------------------------------------------
SET ROLE regress_ptx_op_t;
SELECT ptx.register_project('XC-1', '教学楼工程', 'construction', '150102', :tenderee, 8000000, :dept_a, 'state');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_operator;                                    -- an operator of no centre
SELECT ptx.register_project('XC-1', '教学楼工程', 'construction', '150102', :tenderee, 8000000, :dept_a, 'state');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_op_h;
SELECT ptx.register_project('XC-1', '教学楼工程', 'construction', '150102', :tenderee, 8000000, :dept_a, 'state') AS p1 \gset
SELECT ptx.register_project('XC-2', '操场工程', 'construction', '150102', :tenderee, 8000000, :dept_a, 'state') AS p2 \gset
SET ROLE regress_ptx_op_t;
SELECT ptx.announce(:p1, '2025-09-25 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_op_h;
SELECT ptx.announce(:p1, '2025-09-25 09:00+08');
SET ROLE regress_ptx_op_t;
SELECT ptx.submit_bid(:p1, :b1, 7000000);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.extend_deadline(:p1, '2025-09-26 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.terminate(:p2, '试图终止他人项目');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(NULL, :tenderee, :b1, 'construction', '150102', 10000, NULL);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_op_h;
SELECT count(ptx.submit_bid(:p1, b, 7000000 + b)) AS bids FROM generate_series(:b1, :b1 + 2) b;
RESET ROLE;
SET ptx.fake_now = '2025-09-25 09:00:01+08';
SET ROLE regress_ptx_op_t;
SELECT ptx.open_bids(:p1);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_op_h;
SELECT ptx.open_bids(:p1);
SET ROLE regress_ptx_op_t;
SELECT ptx.start_evaluation(:p1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty": "A08", "count": 5}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(:p1, :b1, 'opening', '开标记录有误');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_tenderee_representative(:p1, '招标人代表');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------
-- Supervisors: complaints.
------------------------------------------------------------------------
SELECT ptx.file_complaint(:p1, :b1, 'other', '评标专家与投标人存在利害关系', '2025-09-24') AS c1 \gset
SET ROLE regress_ptx_sup_b;
SELECT ptx.accept_complaint(:c1, true);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_supervisor;                                  -- a supervisor of no department
SELECT ptx.accept_complaint(:c1, true);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_sup_a;
SELECT ptx.accept_complaint(:c1, true);
SET ROLE regress_ptx_sup_b;
SELECT ptx.decide_complaint(:c1, '投诉成立');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_sup_a;
SELECT ptx.decide_complaint(:c1, '投诉不成立，驳回');
RESET ROLE;

------------------------------------------------------------------------
-- Supervisors: inspectors and their conflicts, inspection draws.
------------------------------------------------------------------------
SET ROLE regress_ptx_sup_b;
SELECT ptx.add_inspector(:dept_a, '检查员甲');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.inspector (supervisor_id, name) VALUES (:dept_a, '检查员甲');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_inspection_draw(2025, :dept_a);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_sup_a;
SELECT ptx.add_inspector(:dept_a, '检查员甲') AS i1 \gset
SELECT ptx.add_inspector(:dept_a, '检查员乙') AS i2 \gset
SET ROLE regress_ptx_sup_b;
SELECT ptx.set_inspector_active(:i1, false);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspector_conflict(:i1, :agency);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspection_priority(2025, :dept_a, :agency, 'complaint', '投诉较多');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_sup_a;
SELECT ptx.set_inspector_active(:i2, false);
SELECT ptx.add_inspector_conflict(:i1, :agency);
SELECT ptx.add_inspection_priority(2025, :dept_a, :agency, 'complaint', '投诉较多') > 0 AS priority;
RESET ROLE;

------------------------------------------------------------------------
-- Supervisors: experts of a region the department supervises.
------------------------------------------------------------------------
SELECT ptx.add_expert('张三丰', pg_temp.rid(1), NULL, '150102', '{A08}', '2026-12-31') AS x1 \gset
SELECT ptx.add_expert('李四', pg_temp.rid(2), NULL, '150500', '{A08}', '2026-12-31') AS x2 \gset
SET ROLE regress_ptx_sup_b;
SELECT ptx.suspend_expert(:x1, '2025-12-31', '无故缺席评标');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.dismiss_expert(:x1, '违规');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.suspend_expert(:x2, '2025-12-31', '无故缺席评标') > 0 AS b_suspends_its_own;
SET ROLE regress_ptx_sup_a;
SELECT ptx.suspend_expert(:x1, '2025-12-31', '无故缺席评标') > 0 AS a_suspends_its_own;
SELECT ptx.dismiss_expert(:x2, '违规');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.dismiss_expert(:x1, '违规') > 0 AS a_dismisses_its_own;
RESET ROLE;

------------------------------------------------------------------------
-- Supervisors: credit records and revocations.
------------------------------------------------------------------------
SET ROLE regress_ptx_sup_b;
SELECT ptx.add_credit_record('org', :b1, 'bid_ban', '串通投标', '2025-09-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.credit_record (subject_kind, subject_id, subject_name, kind, reason, valid_from)
VALUES ('org', :b1, 'x', 'bid_ban', '串通投标', '2025-09-01');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_sup_a;
SELECT ptx.add_credit_record('org', :b1, 'bid_ban', '串通投标', '2025-09-01') AS cr \gset
SET ROLE regress_ptx_sup_b;
SELECT ptx.revoke_credit_record(:cr, '行政复议撤销');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_sup_a;
SELECT ptx.revoke_credit_record(:cr, '行政复议撤销') > 0 AS revoked;
RESET ROLE;

------------------------------------------------------------------------
-- Supervisors: red-flag dismissals.
------------------------------------------------------------------------
INSERT INTO ptx.red_flag (kind, subject, project_id, supervisor_id, event_on, evidence)
VALUES ('single_bid', jsonb_build_object('project', :p1), :p1, :dept_a, '2025-09-25', '{}')
RETURNING id AS f1 \gset
SET ROLE regress_ptx_sup_b;
SELECT ptx.dismiss_red_flag(:f1, '经核查为正常情况');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_sup_a;
SELECT ptx.dismiss_red_flag(:f1, '经核查为正常情况') > 0 AS dismissed;
RESET ROLE;

------------------------------------------------------------------------
-- The mapping's validity at its boundaries: a mapping from tomorrow does
-- not act today; a removed mapping acts no more; a group role of one
-- department maps its members.
------------------------------------------------------------------------
SET ROLE regress_ptx_admin;
SELECT ptx.add_staff('regress_ptx_sup_b', :dept_a, '2025-09-26') > 0 AS from_tomorrow;
RESET ROLE;
SET ROLE regress_ptx_sup_b;
SELECT ptx.add_inspector(:dept_a, '检查员丙');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ptx.fake_now = '2025-09-26 00:00:01+08';
SET ROLE regress_ptx_sup_b;
SELECT ptx.add_inspector(:dept_a, '检查员丙') > 0 AS from_its_first_day;
RESET ROLE;
SET ROLE regress_ptx_admin;
SELECT ptx.add_staff('regress_ptx_sup_b', :centre_h, '2025-09-01', '2025-09-25') > 0 AS until_yesterday;
SELECT ptx.remove_staff('regress_ptx_sup_b', :dept_a, '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.remove_staff('regress_ptx_sup_b', :dept_a, '调离');
SELECT ptx.remove_staff('regress_ptx_sup_b', :dept_a, '调离');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_ptx_sup_b;
SELECT ptx.add_inspector(:dept_a, '检查员丁');
\echo :LAST_ERROR_SQLSTATE
SELECT array(SELECT ptx.acting_orgs()) = ARRAY[:dept_b]::bigint[] AS acts_for_dept_b_only;   -- removed from dept A, the centre ended yesterday
RESET ROLE;
GRANT regress_ptx_dept_a TO regress_ptx_supervisor;
SET ROLE regress_ptx_admin;
SELECT ptx.add_staff('regress_ptx_dept_a', :dept_a) > 0 AS group_of_dept_a;
RESET ROLE;
SET ROLE regress_ptx_supervisor;
SELECT ptx.add_inspector(:dept_a, '检查员戊') > 0 AS member_of_dept_a_group;
RESET ROLE;
REVOKE regress_ptx_dept_a FROM regress_ptx_supervisor;

-- The acts, each with the organisation it was done for, are in the ledger.
SELECT login, org_id = :dept_a AS dept_a, org_id = :centre_h AS centre_h, act
  FROM ptx.staff_act ORDER BY id;
SELECT count(*) AS acts_in_ledger FROM ptx.ledger_entry WHERE relation = 'ptx.staff_act' AND operation = 'INSERT';

-- The superuser is trusted; a superuser taking on a login is that login.
SELECT ptx.add_inspector(:dept_b, '检查员己') > 0 AS superuser;
SET ROLE regress_ptx_sup_a;
SELECT ptx.add_inspector(:dept_b, '检查员己');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A login's own session (not a superuser's SET ROLE) is checked the same
-- way, also when it hides behind its group role.
SET SESSION AUTHORIZATION regress_ptx_sup_b;
SELECT session_user, ptx.acting_login();
SELECT ptx.accept_complaint(:c1, true);
\echo :LAST_ERROR_SQLSTATE
SET ROLE ptx_supervisor;
SELECT ptx.acting_login();
SELECT ptx.add_inspector(:dept_a, '检查员庚');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
RESET SESSION AUTHORIZATION;

-- The other group roles cannot reach the acts at all.
SET ROLE regress_ptx_auditor;
SELECT ptx.accept_complaint(:c1, true);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_public;
SELECT ptx.add_inspector(:dept_a, 'x');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- ptx_admin keeps the catalog (目录) through its functions.
SET ROLE regress_ptx_admin;
SELECT ptx.add_catalog_entry('XC-CAT-1', 'construction', '150100', 4000000) > 0 AS catalog_entry_added;
SELECT ptx.end_catalog_entry('XC-CAT-1', '2025-12-31', '目录调整') > 0 AS catalog_entry_ended;
INSERT INTO ptx.catalog (code, version, category, region, valid_from) VALUES ('x', 0, 'construction', '150100', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

DROP ROLE regress_ptx_sup_a, regress_ptx_sup_b, regress_ptx_op_h, regress_ptx_op_t,
    regress_ptx_dept_a;
