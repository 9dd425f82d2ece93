-- Agency inspection draws (R6, 双随机): n = ⌈r·N⌉ for N = 0, 1, 3, 4, 5, 7,
-- 100 under the default 25 % and national ratios of 30 % and 20 %; one draw
-- per department and year; idempotent execution; replay; inspectors never
-- conflicted; too few inspectors; a lower ratio refused; priority targets.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET timezone = 'Asia/Shanghai';
SET ptx.fake_now = '2025-01-02 09:00:00+08';

\o /dev/null
SELECT ptx.add_region('150000', '内蒙古自治区');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '第一中学', '150000', '{tenderee}');
-- One department per population size N, each with N agencies that entered
-- projects in 2022, 2023 and 2024, and four inspectors; inspector 1 of each
-- department has a conflict with every other agency of it.
CREATE TEMP TABLE dept (n int PRIMARY KEY, id bigint);
INSERT INTO dept
SELECT n, ptx.add_org(pg_temp.uscc(100 + n), '监管部门 N=' || n, '150000', '{supervisor}')
  FROM unnest('{0,1,3,4,5,7,100}'::int[]) n ORDER BY n;
SELECT ptx.grant_jurisdiction(id, 'construction', '150000') FROM dept;
CREATE TEMP TABLE agency AS
SELECT d.n, d.id AS dept_id, i,
       ptx.add_org(pg_temp.uscc(1000 * (d.n + 1) + i), '代理机构 ' || d.n || '-' || i, '150000', '{agency}') AS id
  FROM dept d, generate_series(1, d.n) i ORDER BY d.n, i;
CREATE TEMP TABLE inspector AS
SELECT d.n, d.id AS dept_id, j, ptx.add_inspector(d.id, '检查员' || d.n || '-' || j) AS id
  FROM dept d, generate_series(1, 4) j ORDER BY d.n, j;
SELECT ptx.add_inspector_conflict(i.id, a.id)
  FROM inspector i JOIN agency a ON a.dept_id = i.dept_id AND a.i % 2 = 0
 WHERE i.j = 1;
CREATE FUNCTION pg_temp.projects(year int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('ptx.fake_now', year || '-06-01 10:00:00+08', true);
    INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
    SELECT year || '-' || a.n || '-' || a.i, '工程 ' || a.i, 'construction', '150000', 1, a.id, a.dept_id, 1000000
      FROM agency a;
END $$;
SELECT pg_temp.projects(y) FROM generate_series(2022, 2024) y;
\o

\echo '== 2024, no national ratio: r = 25 %'
SELECT format('CALL ptx.draw_inspection(2024, %s)', id) FROM dept ORDER BY n \gexec

-- What each draw recorded, and what the rule says.
CREATE TEMP VIEW outcome AS
SELECT dept.n AS population_n, d.year, d.ratio, d.ratio_basis,
       p.pool_size AS stored_population, p.wanted AS n,
       ptx.inspection_sample_size(dept.n, d.ratio) AS rule_n,
       (SELECT count(*) FROM ptx.draw_pick k WHERE k.draw_id = d.draw_id AND k.role = 'agency') AS agencies,
       (SELECT count(*) FROM ptx.draw_pick k WHERE k.draw_id = d.draw_id AND k.role = 'inspector') AS inspectors,
       ptx.verify_draw(d.draw_id) AS verified
  FROM ptx.inspection_draw d
  JOIN dept ON dept.id = d.supervisor_id
  JOIN ptx.draw_pool p ON p.draw_id = d.draw_id AND p.pool_no = 1;
SELECT * FROM outcome WHERE year = 2024 ORDER BY population_n;

\echo '== 2023, national ratio 30 %'
SELECT ptx.set_policy('inspection.national_ratio', 0.3, '国家规定比例');
SELECT format('CALL ptx.draw_inspection(2023, %s)', id) FROM dept ORDER BY n \gexec
SELECT * FROM outcome WHERE year = 2023 ORDER BY population_n;

\echo '== 2022, national ratio 20 %, below the 25 % default: the national ratio is the minimum'
SELECT ptx.set_policy('inspection.national_ratio', 0.2, '国家规定比例');
SELECT id AS d100 FROM dept WHERE n = 100 \gset
-- asking for less than the minimum is refused with the numbers, nothing is recorded
CALL ptx.draw_inspection(2022, :d100, 0.15);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS draws_2022 FROM ptx.inspection_draw WHERE year = 2022;
-- 25 % is more than 20 %: allowed
CALL ptx.draw_inspection(2022, :d100, 0.25);
SELECT format('CALL ptx.draw_inspection(2022, %s)', id) FROM dept WHERE n <> 100 ORDER BY n \gexec
SELECT * FROM outcome WHERE year = 2022 ORDER BY population_n;
SELECT requested_ratio, ratio, minimum_ratio, ratio_basis FROM ptx.inspection_draw
 WHERE year = 2022 AND supervisor_id = :d100;
SELECT ptx.set_policy('inspection.national_ratio', NULL, NULL);

\echo '== Every agency gets two distinct inspectors of its department, never one with a conflict'
SELECT count(*) AS picks_with_conflict
  FROM ptx.draw_pick k
  JOIN ptx.inspector_conflict c ON c.inspector_id = k.subject_id AND c.org_id = k.assigned_to
 WHERE k.role = 'inspector';
SELECT count(*) AS agencies_without_two_inspectors
  FROM ptx.inspection_pick p
 WHERE cardinality(p.inspectors) <> 2
    OR (SELECT count(DISTINCT i) FROM unnest(p.inspectors) i) <> 2
    OR EXISTS (SELECT 1 FROM unnest(p.inspectors) i JOIN ptx.inspector x ON x.id = i
                WHERE x.supervisor_id <> p.supervisor_id);
-- Inspector 1 is never drawn for an even agency, but is drawn for odd ones.
SELECT count(*) FILTER (WHERE a.i % 2 = 0) AS inspector_1_for_even,
       count(*) FILTER (WHERE a.i % 2 = 1) > 0 AS inspector_1_for_odd
  FROM ptx.inspection_pick p
  JOIN agency a ON a.id = p.agency_id
  JOIN inspector x ON x.id = ANY (p.inspectors) AND x.j = 1;
-- The stored pools: the population sorted, the department's four
-- inspectors; the conflicts stored are those of the inspected even agencies
-- (three draws of department N=7).
SELECT p.pool = ARRAY(SELECT id FROM agency WHERE n = 7 ORDER BY id) AS population_stored_sorted,
       q.pool = ARRAY(SELECT id FROM inspector WHERE n = 7 ORDER BY id) AS inspectors_stored_sorted,
       q.wanted AS per_agency
  FROM ptx.inspection_draw d
  JOIN ptx.draw_pool p ON p.draw_id = d.draw_id AND p.pool_no = 1
  JOIN ptx.draw_pool q ON q.draw_id = d.draw_id AND q.pool_no = 3
 WHERE d.year = 2024 AND d.supervisor_id = (SELECT id FROM dept WHERE n = 7);
SELECT count(*) AS agencies,
       bool_and((SELECT count(*) FROM ptx.inspection_draw_conflict c
                  WHERE c.draw_id = k.draw_id AND c.agency_id = k.subject_id
                    AND c.inspector_id = (SELECT id FROM inspector WHERE n = 7 AND j = 1))
                = CASE WHEN a.i % 2 = 0 THEN 1 ELSE 0 END) AS conflicts_stored,
       (SELECT count(*) FROM ptx.inspection_draw_conflict c JOIN ptx.inspection_draw x USING (draw_id)
         WHERE x.supervisor_id = (SELECT id FROM dept WHERE n = 7)
           AND NOT EXISTS (SELECT 1 FROM ptx.draw_pick y WHERE y.draw_id = c.draw_id AND y.subject_id = c.agency_id
                              AND y.role IN ('agency', 'priority'))) AS conflicts_of_agencies_not_inspected
  FROM ptx.inspection_draw d
  JOIN ptx.draw_pick k ON k.draw_id = d.draw_id AND k.role = 'agency'
  JOIN agency a ON a.id = k.subject_id
 WHERE d.supervisor_id = (SELECT id FROM dept WHERE n = 7);

\echo '== One draw per department and year'
SELECT id AS d5 FROM dept WHERE n = 5 \gset
SELECT ptx.request_inspection_draw(2024, :d5);
\echo :LAST_ERROR_SQLSTATE
CALL ptx.draw_inspection(2024, :d5, 0.5);
\echo :LAST_ERROR_SQLSTATE
-- A draw record cannot be changed or removed, even by its owner.
UPDATE ptx.inspection_draw SET ratio = 1 WHERE year = 2024;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.inspection_draw WHERE year = 2024;
\echo :LAST_ERROR_SQLSTATE

\echo '== Execution is idempotent'
SELECT draw_id AS d7 FROM ptx.inspection_draw
 WHERE year = 2024 AND supervisor_id = (SELECT id FROM dept WHERE n = 7) \gset
SELECT array_agg(row(seat, subject_id, role, assigned_to) ORDER BY seat) AS first FROM ptx.execute_draw(:d7) \gset
SELECT array_agg(row(seat, subject_id, role, assigned_to) ORDER BY seat)::text = :'first' AS same_picks,
       count(*) AS seats
  FROM ptx.execute_draw(:d7);
SELECT count(*) AS stored_picks FROM ptx.draw_pick WHERE draw_id = :d7;
SELECT count(*) AS executions FROM ptx.draw_execution WHERE draw_id = :d7;
SELECT count(*) AS seats FROM ptx.execute_inspection_draw(:d7);

\echo '== Not in the requesting transaction (PX013); a rollback leaves nothing'
CREATE TEMP TABLE d2021 AS SELECT 0::bigint AS id;
BEGIN;
UPDATE d2021 SET id = ptx.request_inspection_draw(2021, (SELECT id FROM dept WHERE n = 3));
SELECT count(*) FROM ptx.execute_draw((SELECT id FROM d2021));
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT count(*) AS draws_2021 FROM ptx.inspection_draw WHERE year = 2021;

\echo '== Too few inspectors: PX007'
-- A department with one inspector is refused at the request, nothing recorded.
SELECT ptx.add_org(pg_temp.uscc(900), '人手不足的监管部门', '150000', '{supervisor}') AS small \gset
SELECT ptx.grant_jurisdiction(:small, 'construction', '150000');
SELECT ptx.add_inspector(:small, '唯一检查员') AS only_one \gset
SET ptx.fake_now = '2023-03-01 09:00:00+08';
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
SELECT 'S23-' || a.i, '小项目 ' || a.i, 'construction', '150000', 1, a.id, :small, 500000
  FROM agency a WHERE a.n = 1;
SET ptx.fake_now = '2024-03-01 09:00:00+08';
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
SELECT 'S24-' || a.i, '小项目 ' || a.i, 'construction', '150000', 1, a.id, :small, 500000
  FROM agency a WHERE a.n = 1;
SET ptx.fake_now = '2025-01-02 09:00:00+08';
CALL ptx.draw_inspection(2024, :small);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS draws_of_small FROM ptx.inspection_draw WHERE supervisor_id = :small;
-- A second inspector in conflict with every agency: the request passes, the
-- execution fails with PX007 and stores nothing; the request stays.
SELECT ptx.add_inspector(:small, '有利害关系的检查员') AS conflicted \gset
SELECT ptx.add_inspector_conflict(:conflicted, a.id) FROM agency a WHERE a.n = 1;
SELECT ptx.request_inspection_draw(2024, :small) AS small_draw \gset
SELECT * FROM ptx.execute_draw(:small_draw);
\echo :LAST_ERROR_SQLSTATE
SELECT (SELECT count(*) FROM ptx.draw_execution WHERE draw_id = :small_draw) AS executions,
       (SELECT count(*) FROM ptx.draw_pick WHERE draw_id = :small_draw) AS picks,
       (SELECT count(*) FROM ptx.draw_pool WHERE draw_id = :small_draw) AS pools;
-- Another inspector: executing again succeeds, with the seed committed before.
SELECT ptx.add_inspector(:small, '新增检查员') AS added \gset
SELECT role, count(*) FROM ptx.execute_draw(:small_draw) GROUP BY role ORDER BY role;
SELECT count(*) AS conflicted_inspector_drawn FROM ptx.draw_pick
 WHERE draw_id = :small_draw AND subject_id = :conflicted;
SELECT ptx.verify_draw(:small_draw) AS verified;
-- Inactive inspectors do not count: with two of three out, 2023 is refused.
SELECT ptx.set_inspector_active(:only_one, false), ptx.set_inspector_active(:added, false);
SELECT ptx.request_inspection_draw(2023, :small);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_inspector_active(:only_one, true), ptx.set_inspector_active(:added, true);

\echo '== Priority targets: on top of the sample, never instead of it'
SELECT pg_temp.projects(2021);
-- Department N=3 inspects all its agencies in 2021 (ratio 1): a priority
-- target among them keeps its random seat and is marked; an agency of
-- another department is added on top.
SELECT id AS d3 FROM dept WHERE n = 3 \gset
SELECT ptx.add_inspection_priority(2021, :d3, (SELECT id FROM agency WHERE n = 3 AND i = 1), 'complaint', '2021年投诉两起') IS NOT NULL AS added,
       ptx.add_inspection_priority(2021, :d3, (SELECT id FROM agency WHERE n = 7 AND i = 1), 'red_flag', '围标预警') IS NOT NULL AS added;
CALL ptx.draw_inspection(2021, :d3, 1, NULL);
SELECT p.seat > 3 AS on_top, a.n, a.i, p.selection, p.priority_kind, p.priority_reason, cardinality(p.inspectors) AS inspectors
  FROM ptx.inspection_pick p JOIN agency a ON a.id = p.agency_id
 WHERE p.year = 2021 AND p.supervisor_id = :d3
 ORDER BY p.seat > 3, a.n, a.i;
-- Department N=100: two targets in its population and one outside; 25
-- random picks whatever happens, every target inspected once, after them.
SELECT ptx.add_inspection_priority(2021, :d100, a.id, k, r) IS NOT NULL AS added
  FROM (VALUES (100, 1, 'complaint', '投诉'), (100, 2, 'credit', '失信记录'), (7, 2, 'red_flag', '报价规律性预警')) v(n, i, k, r)
  JOIN agency a ON a.n = v.n AND a.i = v.i;
CALL ptx.draw_inspection(2021, :d100, NULL, NULL);
SELECT draw_id AS p21 FROM ptx.inspection_draw WHERE year = 2021 AND supervisor_id = :d100 \gset
SELECT count(*) FILTER (WHERE selection = 'random') AS random_picks,
       count(*) FILTER (WHERE selection = 'priority')
         = 3 - count(*) FILTER (WHERE selection = 'random' AND priority_kind IS NOT NULL) AS priority_added_when_not_picked,
       coalesce(bool_and(seat > 25) FILTER (WHERE selection = 'priority'), true) AS priority_after_random,
       count(*) FILTER (WHERE priority_kind IS NOT NULL) AS marked_targets,
       count(DISTINCT agency_id) = count(*) AS each_agency_once,
       bool_and(cardinality(inspectors) = 2) AS two_inspectors_each
  FROM ptx.inspection_pick WHERE draw_id = :p21;
SELECT ptx.verify_draw(:p21) AS verified;
-- The list is frozen with the request.
SELECT ptx.add_inspection_priority(2021, :d100, (SELECT id FROM agency WHERE n = 100 AND i = 3), 'complaint', '迟到的投诉');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.inspection_priority WHERE year = 2021;
\echo :LAST_ERROR_SQLSTATE

\echo '== Verification detects a changed pick or pool'
SELECT ptx.verify_draw(:d7) AS before;
BEGIN;
UPDATE ptx.draw_pick SET subject_id = (SELECT id FROM agency WHERE n = 7 AND i = 7) + 1000
 WHERE draw_id = :d7 AND seat = 1;
SELECT ptx.verify_draw(:d7) AS agency_changed;
ROLLBACK;
BEGIN;
UPDATE ptx.draw_pick SET subject_id = (SELECT id FROM inspector WHERE n = 7 AND j = 1)
 WHERE draw_id = :d7 AND role = 'inspector'
   AND seat = (SELECT max(seat) FROM ptx.draw_pick WHERE draw_id = :d7 AND role = 'inspector'
                 AND subject_id <> (SELECT id FROM inspector WHERE n = 7 AND j = 1));
SELECT ptx.verify_draw(:d7) AS inspector_changed;
ROLLBACK;
BEGIN;
-- a pool rewritten with its hash: the replay no longer gives the picks
UPDATE ptx.draw_pool SET pool = pool[2:], pool_size = pool_size - 1, pool_hash = ptx.draw_pool_hash(pool[2:])
 WHERE draw_id = :d7 AND pool_no = 1;
SELECT ptx.verify_draw(:d7) AS population_changed;
ROLLBACK;
BEGIN;
UPDATE ptx.draw_pool SET wanted = wanted - 1 WHERE draw_id = :d7 AND pool_no = 1;
SELECT ptx.verify_draw(:d7) AS sample_size_changed;
ROLLBACK;
BEGIN;
-- the first inspector drawn taken out of the stored inspector pool
UPDATE ptx.draw_pool
   SET pool = array_remove(pool, (SELECT subject_id FROM ptx.draw_pick WHERE draw_id = :d7 AND role = 'inspector' ORDER BY seat LIMIT 1)),
       pool_size = pool_size - 1
 WHERE draw_id = :d7 AND pool_no = 3;
UPDATE ptx.draw_pool SET pool_hash = ptx.draw_pool_hash(pool) WHERE draw_id = :d7 AND pool_no = 3;
SELECT ptx.verify_draw(:d7) AS inspector_pool_changed;
ROLLBACK;
SELECT ptx.verify_draw(:d7) AS after;

\echo '== Refusals'
SELECT ptx.request_inspection_draw(2024, 1);               -- a school is not a department
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_inspection_draw(1999, (SELECT id FROM dept WHERE n = 1));
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_inspection_draw(2020, (SELECT id FROM dept WHERE n = 1), 1.5);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.new_draw_request('expert', 'a committee', '[]') AS expert_draw \gset
SELECT * FROM ptx.execute_inspection_draw(:expert_draw);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.verify_inspection_draw(:expert_draw);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.verify_inspection_draw(:small_draw + 1000);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_inspection_draw(2019, (SELECT id FROM dept WHERE n = 1)) AS pending \gset
SELECT ptx.verify_draw(:pending);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_inspection_draw(2019, (SELECT id FROM dept WHERE n = 1));
\echo :LAST_ERROR_SQLSTATE
