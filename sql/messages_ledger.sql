-- Messages in English (the default) and in Chinese (lc_messages zh_CN) of
-- the staff mapping, the ledger and its guards, receipts, the hardening
-- triggers, the agency inspections, red flags and the policy floors: each
-- refusal twice, its SQLSTATE the same in both languages.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';

SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_ml_admin;
DROP ROLE IF EXISTS regress_ml_sup_a;
DROP ROLE IF EXISTS regress_ml_sup_b;
DROP ROLE IF EXISTS regress_ml_op;
DROP ROLE IF EXISTS regress_ml_nobody;
RESET client_min_messages;
CREATE ROLE regress_ml_admin LOGIN IN ROLE ptx_admin;
CREATE ROLE regress_ml_sup_a LOGIN IN ROLE ptx_supervisor;
CREATE ROLE regress_ml_sup_b LOGIN IN ROLE ptx_supervisor;
CREATE ROLE regress_ml_op LOGIN IN ROLE ptx_operator;
CREATE ROLE regress_ml_nobody LOGIN;

CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0'));

SET ptx.fake_now = '2025-03-03 09:00:00+08';
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_region('150102', '新城区', '150100');
SELECT ptx.add_org(pg_temp.uscc(1), '呼和浩特市住房和城乡建设局', '150100', '{supervisor}') AS dept_a,
       ptx.add_org(pg_temp.uscc(2), '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS dept_b,
       ptx.add_org(pg_temp.uscc(3), '新城区第一中学', '150102', '{tenderee}') AS tenderee,
       ptx.add_org(pg_temp.uscc(4), '招标代理公司', '150102', '{agency}') AS agency \gset
SELECT ptx.grant_jurisdiction(:dept_a, 'construction', '150100');
SET ROLE regress_ml_admin;
SELECT ptx.add_staff('regress_ml_sup_a', :dept_a) > 0 AS sup_a,
       ptx.add_staff('regress_ml_sup_b', :dept_b) > 0 AS sup_b;
RESET ROLE;
SELECT ptx.add_inspector(:dept_a, '检查员甲') > 0 AS inspector;
SET SESSION AUTHORIZATION regress_ml_sup_a;
SELECT ptx.request_inspection_draw(2024, :dept_a) AS draw \gset
RESET SESSION AUTHORIZATION;
CREATE TABLE public.regress_ml_t (id int PRIMARY KEY, v text);
CREATE TABLE public.regress_ml_nopk (v text);
SELECT ptx.track('public.regress_ml_t');
GRANT ALL ON public.regress_ml_t TO regress_ml_nobody;

-- The refusals in English, the default.
SET lc_messages = 'C';
SET ROLE regress_ml_admin;
SELECT ptx.add_staff('regress_ml_sup_a', :tenderee);               -- staff: no staff in a tenderee
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
UPDATE ptx.staff SET valid_to = '2025-12-31';                       -- staff: only removed
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ml_op;                                            -- staff: a login of no organisation
SELECT ptx.register_project('ML-1', '教学楼工程', 'construction', '150102', :tenderee, 8000000, :dept_a);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ml_sup_b;
SELECT ptx.request_inspection_draw(2024, :dept_a);                 -- staff: another department's
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT ptx.track('public.regress_ml_nopk');                        -- ledger: no primary key
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.untrack('public.regress_ml_nopk');                      -- ledger: not tracked
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.verify('"digest"'::jsonb);                       -- ledger: no digest
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.ledger_entry SET kind = kind;                           -- ledger guard: append-only
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER ptx_ledger ON public.regress_ml_t;                    -- ledger guard: the capture stays
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.receipt(999999);                                        -- receipts: no such entry
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.consistency(999998, 999999);                            -- receipts: no such block
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ml_nobody;
TRUNCATE public.regress_ml_t;                                      -- hardening: TRUNCATE, by any role
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
INSERT INTO ptx.transition (project_id, round, from_state, to_state)
VALUES (1, 1, 'registered', 'announced ');                         -- hardening: a state of the lifecycle
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspector(:tenderee, '检查员乙');                   -- inspectors: of a department
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_inspector_active(999999, false);                    -- inspectors: no such inspector
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.inspection_priority (year, supervisor_id, agency_id, kind, reason)
VALUES (2024, :dept_a, :agency, 'complaint', '投诉较多');          -- priority targets: frozen
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ml_sup_a;
SELECT ptx.request_inspection_draw(2024, :dept_a);                 -- inspection draw: one a year
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT ptx.verify_inspection_draw(:draw);                          -- inspection draw: not executed
\echo :LAST_ERROR_SQLSTATE
-- inspection results: no rectification without findings
SELECT ptx.record_inspection_result(:draw, :agency, '未发现问题', 'no_issue', '2025-06-30');
\echo :LAST_ERROR_SQLSTATE
CALL ptx.run_annual_inspections(2023);                             -- inspection job: the summary
SELECT ptx.dismiss_red_flag(999999, '已核实');                      -- red flags: no such flag
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_org_contact(:agency, email => 'zhaobiao.example.com');  -- red flags: e-mail
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.scan_red_flags('2025-12-31', '2025-01-01');             -- red flags: period
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('tender.min_bids', 2, '本地规定');           -- policy floors: at least
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('candidates.max', 5, '本地规定');            -- policy floors: at most
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('inspection.default_ratio', 1.5, '本地规定'); -- policy floors: a ratio
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('committee.odd_members', 2, '本地规定');    -- policy floors: a boolean
\echo :LAST_ERROR_SQLSTATE

-- The same refusals in Chinese.
SET lc_messages = 'zh_CN.UTF-8';
SET ROLE regress_ml_admin;
SELECT ptx.add_staff('regress_ml_sup_a', :tenderee);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
UPDATE ptx.staff SET valid_to = '2025-12-31';
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ml_op;
SELECT ptx.register_project('ML-1', '教学楼工程', 'construction', '150102', :tenderee, 8000000, :dept_a);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ml_sup_b;
SELECT ptx.request_inspection_draw(2024, :dept_a);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT ptx.track('public.regress_ml_nopk');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.untrack('public.regress_ml_nopk');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.verify('"digest"'::jsonb);
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.ledger_entry SET kind = kind;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER ptx_ledger ON public.regress_ml_t;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.receipt(999999);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.consistency(999998, 999999);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ml_nobody;
TRUNCATE public.regress_ml_t;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
INSERT INTO ptx.transition (project_id, round, from_state, to_state)
VALUES (1, 1, 'registered', 'announced ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspector(:tenderee, '检查员乙');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_inspector_active(999999, false);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.inspection_priority (year, supervisor_id, agency_id, kind, reason)
VALUES (2024, :dept_a, :agency, 'complaint', '投诉较多');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ml_sup_a;
SELECT ptx.request_inspection_draw(2024, :dept_a);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT ptx.verify_inspection_draw(:draw);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_inspection_result(:draw, :agency, '未发现问题', 'no_issue', '2025-06-30');
\echo :LAST_ERROR_SQLSTATE
CALL ptx.run_annual_inspections(2023);
SELECT ptx.dismiss_red_flag(999999, '已核实');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_org_contact(:agency, email => 'zhaobiao.example.com');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.scan_red_flags('2025-12-31', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('tender.min_bids', 2, '本地规定');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('candidates.max', 5, '本地规定');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('inspection.default_ratio', 1.5, '本地规定');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('committee.odd_members', 2, '本地规定');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

-- The warning of a failed yearly draw in either language (it carries the
-- failure's SQLSTATE, which the run log keeps too).
SET ptx.fake_now = '2025-01-02 02:00:00+08';
SELECT ptx.register_project('ML-2', '操场工程', 'construction', '150102', :tenderee, 8000000, :dept_a,
                            agency_id => :agency) > 0 AS project;
SET ptx.fake_now = '2026-01-02 02:00:00+08';
SET lc_messages = 'C';
CALL ptx.run_annual_inspections(2025);
SET lc_messages = 'zh_CN.UTF-8';
CALL ptx.run_annual_inspections(2025);
RESET lc_messages;
SELECT d.tag, r.outcome, r.sqlstate
  FROM ptx.inspection_run r
  JOIN (VALUES (:dept_a, 'A'), (:dept_b, 'B')) d (id, tag) ON d.id = r.supervisor_id
 WHERE r.year = 2025 ORDER BY r.id;

-- Every message that a function takes by ptx.message_text is in the
-- catalogue.
SELECT m[1] AS taken_but_missing
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
       regexp_matches(p.prosrc, 'ptx\.message_text\(''([^'']+)''', 'g') m
 WHERE n.nspname LIKE 'ptx%'
   AND NOT EXISTS (SELECT 1 FROM ptx.message WHERE id = m[1])
 ORDER BY 1;

SELECT ptx.untrack('public.regress_ml_t');
DROP TABLE public.regress_ml_t, public.regress_ml_nopk;
DROP OWNED BY regress_ml_admin, regress_ml_sup_a, regress_ml_sup_b, regress_ml_op, regress_ml_nobody;
DROP ROLE regress_ml_admin, regress_ml_sup_a, regress_ml_sup_b, regress_ml_op, regress_ml_nobody;
