-- Demo, part 7: the yearly agency inspection (代理机构检查, 双随机一公开, R6)
-- over the demo year 2025.  On 2 January 2026 the job ptx:annual-inspection
-- draws, for every supervisory department with agency business in 2025, at
-- least 25 % of its agencies and two inspectors for each; one department
-- lacks inspectors and is reported while the others go on; results with
-- rectification deadlines (限期整改) are recorded and published; the written
-- report goes to the joint-conference office (联席会议办公室).
\pset footer off
SET timezone = 'Asia/Shanghai';
\o /dev/null
-- The year's agency business: projects registered through
-- ptx.register_project at their dates of 2025, beside those of the
-- earlier parts of the demo.
CREATE FUNCTION pg_temp.enter(code text, title text, category text, region text, tenderee bigint,
                              amount numeric, supervisor bigint, agency bigint, at timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('ptx.fake_now', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00', true);
    RETURN ptx.register_project(code, title, category, region, tenderee, amount, supervisor,
                                agency_id => agency);
END $$;
CREATE TEMP TABLE demo_agency AS
SELECT o.id, o.region, row_number() OVER (PARTITION BY o.region ORDER BY o.id) AS k,
       dense_rank() OVER (ORDER BY o.region) AS league_no
  FROM ptx.org o WHERE 'agency' = ANY (o.roles) AND o.region <> '150000';
CREATE TEMP TABLE demo_dept_of AS
SELECT j.category, j.region, j.supervisor_id FROM ptx.jurisdiction j
 WHERE j.category IN ('construction', 'procurement');
-- Each league's housing and finance departments: six projects each over the
-- year, with the league's three agencies and one of the next league.
SELECT pg_temp.enter(format('2025-%s-%s-%s', c.category, l.code, n), l.name || c.what || n, c.category, l.code,
                     (SELECT min(t.id) FROM ptx.org t WHERE t.region = l.code AND 'tenderee' = ANY (t.roles)),
                     1000000 * (n + 2), d.supervisor_id,
                     CASE WHEN n <= 4 THEN (SELECT a.id FROM demo_agency a WHERE a.region = l.code AND a.k = 1 + (n - 1) % 3)
                          ELSE (SELECT a.id FROM demo_agency a
                                 WHERE a.league_no = 1 + (SELECT b.league_no FROM demo_agency b WHERE b.region = l.code LIMIT 1) % 12
                                   AND a.k = n - 4) END,
                     timestamptz '2025-01-15 10:00+08' + (n * 55 + length(l.code)) * interval '1 day')
  FROM ptx.region l
 CROSS JOIN (VALUES ('construction', '校舍改造工程'), ('procurement', '设备采购')) c(category, what)
 CROSS JOIN generate_series(1, 6) n
  JOIN demo_dept_of d ON d.category = c.category AND d.region = l.code
 WHERE l.level = 2;
-- The region's housing department: eight region-level projects.
SELECT pg_temp.enter(format('2025-R-%s', n), '自治区重点工程' || n, 'construction', '150000',
                     (SELECT min(t.id) FROM ptx.org t WHERE 'tenderee' = ANY (t.roles)),
                     50000000 + n, d.supervisor_id,
                     (SELECT a.id FROM demo_agency a WHERE a.league_no = n AND a.k = 2),
                     timestamptz '2025-03-01 09:00+08' + n * interval '30 days')
  FROM generate_series(1, 8) n
  JOIN demo_dept_of d ON d.category = 'construction' AND d.region = '150000';

-- Inspectors (检查人员) of every department with business in 2025: five
-- each, but the Alxa League finance department has a single one.
CREATE TEMP TABLE demo_names (n int, name text);
INSERT INTO demo_names
SELECT row_number() OVER (), s || g
  FROM unnest('{王,李,张,刘,陈,杨,赵,黄,周,吴,徐,孙,胡,朱,高,林,何,郭,马,罗}'::text[]) s,
       unnest('{建国,海燕,志强,秀英,文博,晓东,丽娟,国庆}'::text[]) g;
SELECT ptx.add_inspector(d.s, (SELECT name FROM demo_names WHERE n = 1 + (d.s * 7 + j * 13) % 160))
  FROM ptx.inspection_departments(2025) AS d(s)
 CROSS JOIN generate_series(1, 5) j
 WHERE j = 1 OR d.s <> (SELECT supervisor_id FROM demo_dept_of WHERE category = 'procurement' AND region = '152900');
-- A declared conflict (回避): the first inspector of Baotou's housing
-- department used to work for Baotou's first agency.
SELECT ptx.add_inspector_conflict(
           (SELECT min(i.id) FROM ptx.inspector i
             WHERE i.supervisor_id = (SELECT supervisor_id FROM demo_dept_of WHERE category = 'construction' AND region = '150200')),
           (SELECT a.id FROM demo_agency a WHERE a.region = '150200' AND a.k = 1));
-- Priority targets (重点检查对象), registered in December.
SET ptx.fake_now = '2025-12-20 10:00:00+08';
SELECT ptx.add_inspection_priority(2025, (SELECT supervisor_id FROM demo_dept_of WHERE category = 'construction' AND region = '150100'),
                                   (SELECT a.id FROM demo_agency a WHERE a.region = '150100' AND a.k = 2),
                                   'complaint', '2025年两次被投标人投诉代理程序违规');
SELECT ptx.add_inspection_priority(2025, (SELECT supervisor_id FROM demo_dept_of WHERE category = 'construction' AND region = '150000'),
                                   (SELECT a.id FROM demo_agency a WHERE a.region = '150400' AND a.k = 3),
                                   'credit', '2025年受到行政处罚，列入信用记录');
\o

\echo
\echo '== 代理机构检查 (R6): the yearly job, 2 January 2026, for the year 2025'
SELECT name, schedule, command FROM ptx.scheduled_job WHERE name = 'ptx:annual-inspection';
SET ptx.fake_now = '2026-01-02 02:00:00+08';
SELECT command AS job_command FROM ptx.scheduled_job WHERE name = 'ptx:annual-inspection' \gset
:job_command;
SELECT r.outcome, count(*) AS departments, string_agg(DISTINCT r.sqlstate, ',') AS sqlstate
  FROM ptx.inspection_run r GROUP BY r.outcome ORDER BY r.outcome;
SELECT o.name AS department, r.sqlstate, r.message
  FROM ptx.inspection_run r JOIN ptx.org o ON o.id = r.supervisor_id WHERE r.outcome = 'failed';
\echo '== The department adds an inspector; the job run again completes the year'
\o /dev/null
SELECT ptx.add_inspector((SELECT supervisor_id FROM demo_dept_of WHERE category = 'procurement' AND region = '152900'), '苏日娜');
\o
CALL ptx.run_annual_inspections(2025);

\echo '== Published draws (ptx_public.inspection_draw): n = ⌈25 % × N⌉, plus priority targets'
SELECT department, population AS "N", ratio, sample_size AS n, priority_targets,
       left(i.commitment, 16) || '…' AS commitment, d.seed_masked IS NOT NULL AS seed_published
  FROM ptx_public.inspection_draw i JOIN ptx_public.draw d ON d.id = i.draw_id
 WHERE i.year = 2025 ORDER BY i.draw_id;

\echo '== 呼和浩特市 housing department: agencies and inspectors drawn (names masked in public)'
SELECT seat, agency, selection, priority_kind, inspectors
  FROM ptx_public.inspection_result
 WHERE year = 2025 AND department = (SELECT o.name FROM ptx.org o
                                       WHERE o.id = (SELECT supervisor_id FROM demo_dept_of WHERE category = 'construction' AND region = '150100'))
 ORDER BY seat;

\echo '== A second draw for the same year is refused (PX008); so is a ratio under the minimum (22023)'
\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never
SELECT ptx.request_inspection_draw(2025, (SELECT supervisor_id FROM demo_dept_of WHERE category = 'construction' AND region = '150100'));
SELECT ptx.request_inspection_draw(2024, (SELECT supervisor_id FROM demo_dept_of WHERE category = 'construction' AND region = '150100'), 0.2);
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT errors

\echo '== Results (检查结果) in March, follow-up (整改跟踪) in May'
\o /dev/null
SET ptx.fake_now = '2026-03-20 16:00:00+08';
SELECT ptx.record_inspection_result(p.draw_id, p.agency_id,
           CASE WHEN p.priority_kind IS NOT NULL THEN '投诉反映的代理程序问题属实：澄清文件发出时间不足15日'
                WHEN p.seat = 1 THEN '招标文件备案资料不全，部分项目评标报告未按规定归档'
                ELSE '未发现问题' END,
           CASE WHEN p.priority_kind IS NOT NULL THEN 'penalty' WHEN p.seat = 1 THEN 'rectify' ELSE 'no_issue' END,
           CASE WHEN p.priority_kind IS NOT NULL THEN date '2026-05-31' WHEN p.seat = 1 THEN date '2026-04-30' END,
           date '2026-03-18')
  FROM ptx.inspection_pick p
 WHERE p.year = 2025 AND p.supervisor_id IN (SELECT supervisor_id FROM demo_dept_of
                                              WHERE category = 'construction' AND region IN ('150000', '150100', '150200'));
SET ptx.fake_now = '2026-05-10 10:00:00+08';
SELECT ptx.record_inspection_followup(s.result_id, 'rectified', '复查：已补齐备案资料并完成归档')
  FROM ptx.inspection_result_status s WHERE s.outcome = 'rectify' AND s.draw_id = (SELECT min(draw_id) FROM ptx.inspection_draw);
\o
SELECT d.name AS department, s.outcome, s.status, count(*) AS agencies
  FROM ptx.inspection_result_status s
  JOIN ptx.inspection_draw x USING (draw_id) JOIN ptx.org d ON d.id = x.supervisor_id
 GROUP BY d.name, s.outcome, s.status ORDER BY d.name, s.outcome, s.status;

\echo '== Every draw replays from its published seed (ptx.verify_draw)'
SELECT count(*) AS draws, bool_and(ptx.verify_draw(draw_id)) AS all_verified
  FROM ptx.inspection_draw WHERE year = 2025;

\echo '== The written report to the joint-conference office (联席会议办公室): summary'
SELECT jsonb_pretty(ptx.inspection_report(2025) -> 'summary');
\echo '== … and the part of 呼和浩特市住房和城乡建设局'
SELECT jsonb_pretty(ptx.inspection_report(2025, (SELECT supervisor_id FROM demo_dept_of
                                                  WHERE category = 'construction' AND region = '150100')) -> 'draws' -> 0);
RESET ptx.fake_now;
