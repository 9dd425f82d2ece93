-- Agency inspection (R6): the population of a department's draw, the
-- minimum ratio and the sample size n = ⌈r·N⌉, the inspector pool.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET timezone = 'Asia/Shanghai';
SET ptx.fake_now = '2025-01-02 09:00:00+08';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_region('150200', '包头市', '150000');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150100' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150100' || lpad(n::text, 9, '0'));
-- Departments: the region's and Hohhot's housing departments both cover
-- construction in Hohhot; Baotou's covers Baotou.
SELECT ptx.add_org(pg_temp.uscc(1), '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS region_dept,
       ptx.add_org(pg_temp.uscc(2), '呼和浩特市住房和城乡建设局', '150100', '{supervisor}') AS hohhot_dept,
       ptx.add_org(pg_temp.uscc(3), '包头市住房和城乡建设局', '150200', '{supervisor}') AS baotou_dept,
       ptx.add_org(pg_temp.uscc(4), '呼和浩特市第一中学', '150100', '{tenderee}') AS tenderee;
SELECT ptx.grant_jurisdiction(1, 'construction', '150000'),
       ptx.grant_jurisdiction(2, 'construction', '150100'),
       ptx.grant_jurisdiction(3, 'construction', '150200');
-- Agencies 5..11, and an organisation 12 that is a bidder only.
SELECT ptx.add_org(pg_temp.uscc(10 + n), '代理机构' || n, '150100', '{agency}') FROM generate_series(1, 7) n;
SELECT ptx.add_org(pg_temp.uscc(20), '某建设集团', '150100', '{bidder,tenderee}');
SELECT id, name, roles FROM ptx.org WHERE id > 4 ORDER BY id;

-- Projects: the registration time is the business clock.
CREATE FUNCTION pg_temp.project(code text, at text, supervisor bigint, agency bigint, region text DEFAULT '150100')
    RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE id bigint;
BEGIN
    PERFORM set_config('ptx.fake_now', at, true);
    INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
    VALUES (code, '项目 ' || code, 'construction', region, 4, agency, supervisor, 1000000)
    RETURNING project.id INTO id;
    RETURN id;
END $$;
SELECT pg_temp.project('P1', '2024-01-01 00:00:00+08', 2, 5);   -- first instant of 2024 in Beijing time
SELECT pg_temp.project('P2', '2024-12-31 23:59:59+08', 2, 6);   -- last second of 2024
SELECT pg_temp.project('P3', '2023-12-31 23:59:59+08', 2, 7);   -- 2023
SELECT pg_temp.project('P4', '2025-01-01 00:00:00+08', 2, 8);   -- 2025
SELECT pg_temp.project('P5', '2024-06-01 10:00:00+08', 2, 5);   -- agency 5 again
SELECT pg_temp.project('P6', '2024-06-01 10:00:00+08', 2, NULL); -- no agency (自行招标)
SELECT pg_temp.project('P7', '2024-06-01 10:00:00+08', 1, 9);   -- named the region's department
SELECT pg_temp.project('P8', '2024-06-01 10:00:00+08', 3, 10, '150200');
SELECT pg_temp.project('P9', '2024-06-01 10:00:00+08', 2, 11);  -- agency that later loses the role

\echo '== The year runs in the session''s time zone'
SELECT * FROM ptx.inspection_period(2024);
SELECT ptx.inspection_population(2024, 2) AS hohhot_2024;
SELECT ptx.inspection_population(2023, 2) AS hohhot_2023,
       ptx.inspection_population(2025, 2) AS hohhot_2025;
-- The region's department covers Hohhot too, but the projects there name
-- the Hohhot department: only the project naming it counts.
SELECT ptx.inspection_population(2024, 1) AS region_2024,
       ptx.inspection_population(2024, 3) AS baotou_2024,
       ptx.inspection_population(2022, 3) AS baotou_2022;
-- An organisation that no longer holds the role agency is not an agency.
UPDATE ptx.org SET roles = '{bidder}' WHERE id = 11;
SELECT ptx.inspection_population(2024, 2) AS hohhot_2024_after;
-- In UTC, 2024 begins eight hours later: P1 falls in 2023, P4 in 2024.
SET timezone = 'UTC';
SELECT ptx.inspection_population(2024, 2) AS hohhot_2024_utc,
       ptx.inspection_population(2023, 2) AS hohhot_2023_utc;
SET timezone = 'Asia/Shanghai';

\echo '== ptx.agency_business: the projects'' agencies by department and Beijing-time year'
SELECT supervisor_id, year, agency_id FROM ptx.agency_business ORDER BY 1, 2, 3;
SELECT ptx.agency_business_offset() AS utc_offset_hours;
-- Bounds of a Beijing-time year read the summary; other bounds the projects:
-- both agree with a direct count over the projects.
CREATE FUNCTION pg_temp.direct(s bigint, a timestamptz, b timestamptz) RETURNS bigint[] LANGUAGE sql
    RETURN ARRAY(SELECT DISTINCT p.agency_id FROM ptx.project p JOIN ptx.org o ON o.id = p.agency_id
                  WHERE p.supervisor_id = s AND p.registered_at >= a AND p.registered_at < b
                    AND 'agency' = ANY (o.roles) ORDER BY 1);
SELECT ptx.inspection_population(2, '2024-01-01 00:00+08', '2025-01-01 00:00+08') AS summary_2024,
       pg_temp.direct(2, '2024-01-01 00:00+08', '2025-01-01 00:00+08') AS direct_2024,
       ptx.inspection_population(2, '2024-01-01 00:00+00', '2025-01-01 00:00+00') AS projects_2024_utc,
       pg_temp.direct(2, '2024-01-01 00:00+00', '2025-01-01 00:00+00') AS direct_2024_utc;
-- Changes of a project follow.  The lifecycle's rules on projects (which
-- keep registered_at, for one) are set aside in this transaction, so that
-- every kind of change can be made.
BEGIN;
ALTER TABLE ptx.project DISABLE TRIGGER USER;
ALTER TABLE ptx.project ENABLE TRIGGER project_agency_business_insert;
ALTER TABLE ptx.project ENABLE TRIGGER project_agency_business_update;
ALTER TABLE ptx.project ENABLE TRIGGER project_agency_business_delete;
ALTER TABLE ptx.transition DISABLE TRIGGER USER;
DELETE FROM ptx.transition WHERE project_id = (SELECT id FROM ptx.project WHERE code = 'P4');
UPDATE ptx.project SET agency_id = 7 WHERE code = 'P2';                          -- 6 → 7 in 2024
UPDATE ptx.project SET registered_at = '2023-05-01 10:00+08' WHERE code = 'P5';  -- 5 still in 2024 by P1
UPDATE ptx.project SET supervisor_id = 3 WHERE code = 'P7';                       -- 9 moves to Baotou
DELETE FROM ptx.project WHERE code = 'P4';                                        -- 8 leaves 2025
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount, registered_at)
VALUES ('Q1', '批量1', 'construction', '150100', 4, 9, 2, 1, '2024-12-31 16:00+00'),   -- 2025 in Beijing
       ('Q2', '批量2', 'construction', '150100', 4, 9, 2, 1, '2024-12-31 15:59:59+00'), -- 2024 in Beijing
       ('Q3', '批量3', 'construction', '150100', 4, NULL, 2, 1, '2024-06-01 00:00+08');
SELECT supervisor_id, year, agency_id FROM ptx.agency_business ORDER BY 1, 2, 3;
CREATE TEMP TABLE kept AS SELECT * FROM ptx.agency_business;
SELECT ptx.rebuild_agency_business() AS rebuilt;
SELECT count(*) AS differences FROM ((TABLE kept EXCEPT TABLE ptx.agency_business) UNION ALL (TABLE ptx.agency_business EXCEPT TABLE kept)) x;
ROLLBACK;
-- The zone can change with a rebuild: at UTC, P1 falls in 2023.
BEGIN;
SELECT ptx.rebuild_agency_business(0) AS rebuilt_at_utc;
SELECT supervisor_id, year, agency_id FROM ptx.agency_business WHERE supervisor_id = 2 ORDER BY 1, 2, 3;
SET LOCAL timezone = 'UTC';
SELECT ptx.inspection_population(2024, 2) AS hohhot_2024_utc;
SELECT * FROM ptx.agency_business_zone;
ROLLBACK;
-- The summary is derived, not captured by the ledger row by row; it is
-- verified against the projects: a row removed or added behind the
-- triggers' back is found, and a rebuild repairs it.
SELECT count(*) AS captured_rows FROM ptx.ledger_entry WHERE relation = 'ptx.agency_business';
SELECT * FROM ptx.verify_agency_business();
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM ptx.agency_business WHERE supervisor_id = 2 AND year = 2024 AND agency_id = 6;
INSERT INTO ptx.agency_business VALUES (3, 2024, 5);
SELECT problem, detail FROM ptx.verify_agency_business();
SELECT problem, count(*) FROM ptx.verify() WHERE problem LIKE 'agency%' GROUP BY 1 ORDER BY 1;
SET LOCAL session_replication_role = origin;
SELECT ptx.rebuild_agency_business() > 0 AS rebuilt;
SELECT count(*) AS problems_after_rebuild FROM ptx.verify_agency_business();
ROLLBACK;
SELECT ptx.inspection_period(1999);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.inspection_period(NULL);
\echo :LAST_ERROR_SQLSTATE

\echo '== Minimum ratio: 25 % by default'
SELECT key, value, unit, basis FROM ptx.policy_effective WHERE key LIKE 'inspection.%' ORDER BY key;
SELECT * FROM ptx.inspection_min_ratio();
SELECT * FROM ptx.inspection_ratio(NULL);
SELECT * FROM ptx.inspection_ratio(0.25);
SELECT * FROM ptx.inspection_ratio(0.4);
SELECT * FROM ptx.inspection_ratio(1);
SELECT * FROM ptx.inspection_ratio(0.2499);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_ratio(0.2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_ratio(1.01);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_ratio(0);
\echo :LAST_ERROR_SQLSTATE

\echo '== Sample sizes n = ⌈r·N⌉ under the default 25 %, national 30 % and national 20 %'
CREATE TEMP TABLE sizes AS
SELECT n AS population,
       ptx.inspection_sample_size(n, (SELECT ratio FROM ptx.inspection_ratio(NULL))) AS default_25
  FROM unnest('{0,1,3,4,5,7,100}'::int[]) n;
SELECT ptx.set_policy('inspection.national_ratio', 0.3, '国家规定比例 30%');
SELECT * FROM ptx.inspection_min_ratio();
ALTER TABLE sizes ADD national_30 int;
UPDATE sizes SET national_30 = ptx.inspection_sample_size(population, (SELECT ratio FROM ptx.inspection_ratio(NULL)));
-- Under a national ratio of 30 %, 25 % is too little.
SELECT * FROM ptx.inspection_ratio(0.25);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_ratio(0.3);
-- A national ratio below 25 % is the minimum (RULES R6: "not below the
-- national ratio; where none is set, not below 25 %").
SELECT ptx.set_policy('inspection.national_ratio', 0.2, '国家规定比例 20%');
SELECT * FROM ptx.inspection_min_ratio();
ALTER TABLE sizes ADD national_20 int;
UPDATE sizes SET national_20 = ptx.inspection_sample_size(population, (SELECT ratio FROM ptx.inspection_ratio(NULL)));
SELECT * FROM ptx.inspection_ratio(0.2);
SELECT * FROM ptx.inspection_ratio(0.25);
SELECT * FROM ptx.inspection_ratio(0.1999);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM sizes ORDER BY population;
-- Exact arithmetic: 0.07 × 100 is 7, not 8 (a float gives 7.000000000000001).
SELECT ptx.inspection_sample_size(100, 0.07) AS exact, ceil(0.07::float8 * 100) AS float;
-- Settings out of range are refused when set (DESIGN.md §11.5), and when
-- used: a value kept from before 0.2.0 is simulated by a write that fires
-- no trigger.
SELECT ptx.set_policy('inspection.national_ratio', 1.5, 'wrong');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('inspection.default_ratio', 0, 'wrong');
\echo :LAST_ERROR_SQLSTATE
SET session_replication_role = replica;
INSERT INTO ptx.policy (key, value, reason) VALUES ('inspection.national_ratio', 1.5, 'kept from 0.1.0')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
RESET session_replication_role;
SELECT * FROM ptx.inspection_min_ratio();
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('inspection.national_ratio', NULL, NULL);
SET session_replication_role = replica;
INSERT INTO ptx.policy (key, value, reason) VALUES ('inspection.default_ratio', 0, 'kept from 0.1.0')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
RESET session_replication_role;
SELECT * FROM ptx.inspection_min_ratio();
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('inspection.default_ratio', NULL, NULL);
SELECT * FROM ptx.inspection_min_ratio();

\echo '== Inspector pools and declared conflicts'
SELECT ptx.add_inspector(2, '张三') AS zhang, ptx.add_inspector(2, '李四') AS li,
       ptx.add_inspector(3, '王五') AS wang;
SELECT ptx.add_inspector(4, '赵六');                 -- a school is not a supervisory department
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspector(2, ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspector_conflict(1, 5);
SELECT ptx.add_inspector_conflict(1, 5);              -- declaring twice is harmless
SELECT ptx.add_inspector_conflict(1, 999);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspector_conflict(99, 5);
\echo :LAST_ERROR_SQLSTATE
SELECT inspector_id, org_id FROM ptx.inspector_conflict;
SELECT ptx.set_inspector_active(2, false);
SELECT ptx.set_inspector_active(42, false);
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.inspector SET supervisor_id = 3 WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT id, supervisor_id, name, active FROM ptx.inspector ORDER BY id;

\echo '== Priority targets'
SELECT ptx.add_inspection_priority(2024, 2, 10, 'complaint', '2024年收到两起投诉');
SELECT ptx.add_inspection_priority(2024, 2, 10, 'credit', '重复');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspection_priority(2024, 2, 9, 'rumour', '传闻');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspection_priority(2024, 2, 9, 'red_flag', '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspection_priority(2024, 2, 12, 'credit', '不是代理机构');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_inspection_priority(2024, 4, 9, 'credit', '学校不是监管部门');
\echo :LAST_ERROR_SQLSTATE
SELECT year, supervisor_id, agency_id, kind, reason FROM ptx.inspection_priority;
