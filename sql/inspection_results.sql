-- Agency inspection: the yearly job (ptx:annual-inspection) robust to a
-- failing department, results with rectification deadlines and follow-up,
-- publication with masked names, the written report, privileges.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
DROP ROLE IF EXISTS regress_ptx_sup;
DROP ROLE IF EXISTS regress_ptx_op;
DROP ROLE IF EXISTS regress_ptx_pub;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET timezone = 'Asia/Shanghai';
SET ptx.fake_now = '2024-12-30 09:00:00+08';

\o /dev/null
SELECT ptx.add_region('150000', '内蒙古自治区');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '第一中学', '150000', '{tenderee}');
-- Departments 2..5: A has 8 agencies and four inspectors; B one inspector;
-- C one agency and two inspectors, one in conflict with it; D no business.
CREATE TEMP TABLE dept (tag text PRIMARY KEY, id bigint);
INSERT INTO dept
SELECT tag, ptx.add_org(pg_temp.uscc(10 + n::int), '监管部门' || tag, '150000', '{supervisor}')
  FROM unnest('{A,B,C,D}'::text[]) WITH ORDINALITY v(tag, n) ORDER BY n;
SELECT ptx.grant_jurisdiction(id, 'construction', '150000') FROM dept;
CREATE TEMP TABLE agency AS
SELECT d.tag, d.id AS dept_id, i,
       ptx.add_org(pg_temp.uscc(100 * ascii(d.tag) + i), '代理机构' || d.tag || i, '150000', '{agency}') AS id
  FROM dept d, generate_series(1, CASE d.tag WHEN 'A' THEN 8 WHEN 'B' THEN 3 WHEN 'C' THEN 1 ELSE 0 END) i
 ORDER BY d.tag, i;
SELECT ptx.add_inspector(d.id, n) FROM dept d, unnest('{张三,李四,欧阳明,王}'::text[]) n WHERE d.tag = 'A';
SELECT ptx.add_inspector(d.id, '赵六') FROM dept d WHERE d.tag = 'B';
SELECT ptx.add_inspector(d.id, n) FROM dept d, unnest('{孙七,周八}'::text[]) n WHERE d.tag = 'C';
SELECT ptx.add_inspector_conflict(i.id, a.id)
  FROM ptx.inspector i JOIN agency a ON a.dept_id = i.supervisor_id
 WHERE i.name = '周八';
SET ptx.fake_now = '2024-04-01 10:00:00+08';
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
SELECT 'P-' || a.tag || a.i, '工程' || a.i, 'construction', '150000', 1, a.id, a.dept_id, 2000000 FROM agency a;
SET ptx.fake_now = '2025-01-02 02:00:00+08';
\o
SELECT max(id) FILTER (WHERE tag = 'A') AS "A", max(id) FILTER (WHERE tag = 'B') AS "B",
       max(id) FILTER (WHERE tag = 'C') AS "C", max(id) FILTER (WHERE tag = 'D') AS "D" FROM dept \gset dept_

\echo '== The yearly job'
SELECT name, schedule, command, description FROM ptx.scheduled_job WHERE name = 'ptx:annual-inspection';
SELECT array_agg(s) = ARRAY[:dept_A, :dept_B, :dept_C]::bigint[] AS departments_owing_2024
  FROM ptx.inspection_departments(2024) s;
-- The job's own command, on 2 January 2025: the draws of 2024.  B fails at
-- the request, C at the execution; A is drawn; the run goes on.
SELECT command AS job_command FROM ptx.scheduled_job WHERE name = 'ptx:annual-inspection' \gset
SET client_min_messages = notice;
-- A trojan operator in a schema on the caller's search path (public was
-- writable by all before PostgreSQL 15) never runs inside the job: its
-- search path is pinned for each of its transactions.
CREATE SCHEMA regress_trojan;
CREATE FUNCTION regress_trojan.cat(text, integer) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN RAISE NOTICE 'trojan ran as %', current_user; RETURN $1 OPERATOR(pg_catalog.||) $2::text; END $$;
CREATE OPERATOR regress_trojan.|| (LEFTARG = text, RIGHTARG = integer, FUNCTION = regress_trojan.cat);
SET search_path = regress_trojan, public;
SELECT 'the trojan works: ' || 1 AS probe;
:job_command;
RESET search_path;
DROP SCHEMA regress_trojan CASCADE;
SELECT r.year, d.tag, r.draw_id IS NOT NULL AS has_draw, r.outcome, r.sqlstate, r.message
  FROM ptx.inspection_run r JOIN dept d ON d.id = r.supervisor_id ORDER BY r.id;
SELECT d.tag, s.executed FROM ptx.inspection_draw_state s JOIN dept d ON d.id = s.supervisor_id ORDER BY d.tag;
-- After fixing: B gets an inspector, C another one; running again draws B,
-- executes C's committed request, and leaves A alone.
SELECT ptx.add_inspector(:dept_B, '钱九') IS NOT NULL AS added, ptx.add_inspector(:dept_C, '吴十') IS NOT NULL AS added;
CALL ptx.run_annual_inspections(2024);
SELECT r.id, d.tag, r.outcome, r.sqlstate
  FROM ptx.inspection_run r JOIN dept d ON d.id = r.supervisor_id WHERE r.id > 3 ORDER BY r.id;
SELECT d.tag, s.executed, ptx.verify_draw(s.draw_id) AS verified
  FROM ptx.inspection_draw_state s JOIN dept d ON d.id = s.supervisor_id ORDER BY d.tag;
RESET client_min_messages;
SELECT draw_id AS a_draw FROM ptx.inspection_draw WHERE supervisor_id = :dept_A \gset
SELECT agency_id AS a1 FROM ptx.inspection_pick WHERE draw_id = :a_draw AND seat = 1 \gset
SELECT agency_id AS a2 FROM ptx.inspection_pick WHERE draw_id = :a_draw AND seat = 2 \gset
SELECT id AS not_picked FROM agency WHERE tag = 'B' AND i = 1 \gset

\echo '== Results (检查结果) and rectification deadlines (限期整改)'
SET ptx.fake_now = '2025-03-10 10:00:00+08';
SELECT ptx.record_inspection_result(:a_draw, :a1, '代理合同备案不及时，评标报告存档不全', 'rectify', '2025-04-10', '2025-03-05') AS r1 \gset
SELECT ptx.record_inspection_result(:a_draw, :a2, '未发现问题', 'no_issue') AS r2 \gset
SELECT agency_id = :a1 AS first, inspected_on, outcome, rectify_by, status FROM ptx.inspection_result_status ORDER BY result_id;
-- Refusals (terse where the detail would name a randomly drawn agency).
SELECT ptx.record_inspection_result(:a_draw, :not_picked, '不在抽查名单', 'no_issue');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
SELECT ptx.record_inspection_result(:a_draw, :a1, '重复记录', 'no_issue');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT ptx.record_inspection_result(:a_draw, :a1, '缺少期限', 'rectify');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_inspection_result(:a_draw, :a1, '无问题却限期', 'no_issue', '2025-05-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_inspection_result(:a_draw, :a1, '期限早于检查', 'rectify', '2025-03-01', '2025-03-05');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_inspection_result(:a_draw, :a1, '期限当天', 'rectify', '2025-03-05', '2025-03-05');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_inspection_result(:a_draw, :a1, '未来的检查', 'no_issue', NULL, '2025-03-11');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
SELECT ptx.record_inspection_result(:a_draw, :a1, ' ', 'no_issue');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_inspection_result(:a_draw, :a1, '未知结论', 'warning');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- Direct writes obey the same rules; results are never edited.
INSERT INTO ptx.inspection_result (draw_id, agency_id, inspected_on, findings, outcome)
VALUES (:a_draw, :not_picked, '2025-03-05', '直写', 'no_issue');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
INSERT INTO ptx.inspection_result (draw_id, agency_id, inspected_on, findings, outcome)
VALUES (:a_draw, :a1, '2025-03-05', '直写', 'rectify');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
UPDATE ptx.inspection_result SET outcome = 'no_issue', rectify_by = NULL WHERE id = :r1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.inspection_result WHERE id = :r2;
\echo :LAST_ERROR_SQLSTATE

\echo '== Follow-up (整改跟踪): pending, overdue, not rectified, escalated'
SELECT status FROM ptx.inspection_result_status WHERE result_id = :r1;
SET ptx.fake_now = '2025-04-10 18:00:00+08';
SELECT status AS on_the_deadline FROM ptx.inspection_result_status WHERE result_id = :r1;
SET ptx.fake_now = '2025-04-11 09:00:00+08';
SELECT status AS day_after FROM ptx.inspection_result_status WHERE result_id = :r1;
SELECT ptx.record_inspection_followup(:r1, 'not_rectified', '复查：评标报告仍未补齐') IS NOT NULL AS recorded;
SELECT status, last_note FROM ptx.inspection_result_status WHERE result_id = :r1;
SELECT ptx.record_inspection_followup(:r1, 'escalated', '移交行政处罚') IS NOT NULL AS recorded;
SELECT status FROM ptx.inspection_result_status WHERE result_id = :r1;
SELECT ptx.record_inspection_followup(:r1, 'rectified', '已整改');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_inspection_followup(:r2, 'rectified', '无需整改');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.inspection_followup SET note = '改写' WHERE result_id = :r1;
\echo :LAST_ERROR_SQLSTATE
-- A penalty with a deadline, rectified in time.
SELECT agency_id AS b1, draw_id AS b_draw FROM ptx.inspection_pick WHERE supervisor_id = :dept_B AND seat = 1 \gset
SELECT ptx.record_inspection_result(:b_draw, :b1, '出借资质', 'penalty', '2025-05-31') AS r3 \gset
SELECT status FROM ptx.inspection_result_status WHERE result_id = :r3;
SELECT ptx.record_inspection_followup(:r3, 'done', '未知状态');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_inspection_followup(:r3, 'rectified', '已缴纳罚款并整改') IS NOT NULL AS recorded;
SELECT status FROM ptx.inspection_result_status WHERE result_id = :r3;

\echo '== Publication (一公开): masked inspectors, seed of executed draws'
CREATE ROLE regress_ptx_pub NOLOGIN IN ROLE ptx_public;
SET ROLE regress_ptx_pub;
SELECT year, department, population, sample_size, ratio, ratio_basis, priority_targets,
       length(commitment) AS commitment_hex, length(population_hash) AS population_hash_hex, results_recorded
  FROM ptx_public.inspection_draw ORDER BY department;
SELECT count(*) AS seeds_published FROM ptx_public.draw d JOIN ptx_public.inspection_draw i ON i.draw_id = d.id
 WHERE length(d.seed_masked) = 64;
SELECT department, seat, selection, outcome, rectify_by, rectification, cardinality(inspectors) AS inspectors
  FROM ptx_public.inspection_result ORDER BY department, seat;
-- Names masked: the surname and one star per further character.
SELECT bool_and(i IN ('张*', '李*', '欧**', '王*')) AS masked
  FROM ptx_public.inspection_result r, unnest(r.inspectors) i WHERE r.department = '监管部门A';
SELECT count(*) AS clear_names
  FROM ptx_public.inspection_result r, unnest(r.inspectors) i
 WHERE i IN ('张三', '李四', '欧阳明', '王', '赵六', '钱九', '孙七', '周八', '吴十');
SELECT count(*) FROM ptx.inspection_result;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.draw_pick;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- The published seed replays the published picks.
SELECT ptx.draw_sample(decode(d.seed_masked, 'hex'), p.pool, p.wanted)
       = ARRAY(SELECT agency_id FROM ptx.inspection_pick WHERE draw_id = :a_draw AND selection = 'random' ORDER BY seat)
       AS public_seed_replays
  FROM ptx_public.draw d JOIN ptx.draw_pool p ON p.draw_id = d.id AND p.pool_no = 1
 WHERE d.id = :a_draw;

\echo '== The written report for the joint-conference office (联席会议办公室)'
SELECT ptx.inspection_report(2024) AS report \gset
SELECT jsonb_pretty(r - 'draws' - 'generated_at') FROM (SELECT :'report'::jsonb AS r) x;
-- One department's draw, without the parts that depend on the seed.
SELECT jsonb_pretty((d - 'agencies' - 'seed' - 'seed_commitment' - 'requested_at' - 'executed_at'
                      - 'requested_by' - 'population' - 'draw_id' - 'department' - 'inspector_pool')
                    || jsonb_build_object('population', (d -> 'population') - 'agencies' - 'hash'))
  FROM jsonb_array_elements(:'report'::jsonb -> 'draws') d
 WHERE (d -> 'department' ->> 'id')::bigint = :dept_A;
-- The report is self-contained: its seed and pools replay its picks.
SELECT sha256(decode(d ->> 'seed', 'hex')) = decode(d ->> 'seed_commitment', 'hex') AS commitment_holds,
       ptx.draw_pool_hash(ARRAY(SELECT jsonb_array_elements_text(d -> 'population' -> 'agencies')::bigint))
         = decode(d -> 'population' ->> 'hash', 'hex') AS population_hash_holds,
       ptx.draw_sample(decode(d ->> 'seed', 'hex'),
                       ARRAY(SELECT jsonb_array_elements_text(d -> 'population' -> 'agencies')::bigint),
                       (d ->> 'sample_size')::int)
         = ARRAY(SELECT (a ->> 'agency_id')::bigint FROM jsonb_array_elements(d -> 'agencies') a
                  WHERE a ->> 'selection' = 'random' ORDER BY (a ->> 'seat')::int) AS agencies_replay,
       (SELECT bool_and(jsonb_array_length(a -> 'inspectors') = 2
                        AND (SELECT bool_and(x.value ->> 'id' IN (SELECT jsonb_array_elements_text(d -> 'inspector_pool'))
                                             AND x.value -> 'id' NOT IN (SELECT jsonb_array_elements(a -> 'excluded_inspectors')))
                               FROM jsonb_array_elements(a -> 'inspectors') x))
          FROM jsonb_array_elements(d -> 'agencies') a) AS inspectors_from_pool_less_conflicts
  FROM jsonb_array_elements(:'report'::jsonb -> 'draws') d
 WHERE (d -> 'department' ->> 'id')::bigint = :dept_A;
SELECT (a -> 'result') - 'followups' AS result, jsonb_array_length(a -> 'result' -> 'followups') AS followups
  FROM jsonb_array_elements(:'report'::jsonb -> 'draws') d, jsonb_array_elements(d -> 'agencies') a
 WHERE (d -> 'department' ->> 'id')::bigint = :dept_A AND (a ->> 'seat')::int = 1;
-- A department with 2024 business but no draw is named; one department only.
SELECT ptx.add_org(pg_temp.uscc(99), '监管部门E', '150000', '{supervisor}') AS dept_e \gset
SELECT ptx.grant_jurisdiction(:dept_e, 'construction', '150000');
SET ptx.fake_now = '2024-08-01 10:00:00+08';
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
VALUES ('P-E1', '工程E1', 'construction', '150000', 1, :a1, :dept_e, 1000000);
SET ptx.fake_now = '2025-04-11 09:00:00+08';
SELECT ptx.inspection_report(2024) -> 'departments_without_draw' AS without_draw;
SELECT jsonb_array_length(r -> 'draws') AS draws, r -> 'summary' AS summary
  FROM (SELECT ptx.inspection_report(2024, :dept_B) AS r) x;
SELECT ptx.inspection_report(2023) -> 'summary' AS empty_year;
SELECT ptx.inspection_report(2024, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.inspection_report(1900);
\echo :LAST_ERROR_SQLSTATE

\echo '== Privileges'
CREATE ROLE regress_ptx_sup NOLOGIN IN ROLE ptx_supervisor;
CREATE ROLE regress_ptx_op NOLOGIN IN ROLE ptx_operator;
SET ROLE regress_ptx_op;
SELECT ptx.request_inspection_draw(2024, :dept_e);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_inspection_result(:a_draw, :a1, '操作员', 'no_issue');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_ptx_sup;
SELECT ptx.add_inspector(:dept_e, '郑一') IS NOT NULL AS added, ptx.add_inspector(:dept_e, '郑二') IS NOT NULL AS added;
CALL ptx.draw_inspection(2024, :dept_e, 1, NULL);
SELECT role, count(*) FROM ptx.execute_draw((SELECT draw_id FROM ptx.inspection_draw WHERE supervisor_id = :dept_e))
 GROUP BY role ORDER BY role;
SELECT seed FROM ptx.draw_request;
\echo :LAST_ERROR_SQLSTATE
SELECT (ptx.inspection_report(2024, :dept_e) -> 'draws' -> 0 ->> 'sample_size') AS sample_size;
CALL ptx.run_annual_inspections(2024);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

DROP ROLE regress_ptx_sup;
DROP ROLE regress_ptx_op;
DROP ROLE regress_ptx_pub;
