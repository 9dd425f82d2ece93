-- Trading catalog (R1): versioned entries, matching at every boundary,
-- registration with a named supervisor holding jurisdiction (R2),
-- voluntary entry, never forced.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TIME ZONE 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2025-03-03 09:00:00+08';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region(c, n, '150000') FROM (VALUES ('150100', '呼和浩特市'), ('150200', '包头市')) v(c, n);
SELECT ptx.add_region('150102', '新城区', '150100');
SELECT ptx.add_region('150203', '昆都仑区', '150200');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150100' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150100' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS region_housing,
       ptx.add_org(pg_temp.uscc(2), '包头市住房和城乡建设局', '150200', '{supervisor}') AS baotou_housing,
       ptx.add_org(pg_temp.uscc(3), '呼和浩特市财政局', '150100', '{supervisor}') AS hohhot_finance,
       ptx.add_org(pg_temp.uscc(4), '呼和浩特市第一中学', '150102', '{tenderee}') AS school,
       ptx.add_org(pg_temp.uscc(5), '某招标代理有限公司', '150100', '{agency}') AS agency,
       ptx.add_org(pg_temp.uscc(6), '某建设集团有限公司', '150102', '{bidder}') AS builder;
SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
SELECT ptx.grant_jurisdiction(2, 'construction', '150200');
SELECT ptx.grant_jurisdiction(3, 'procurement', '150100');

------------------------------------------------------------------------
-- Entries and versions.
------------------------------------------------------------------------
SELECT ptx.add_catalog_entry('NM-GC-01', 'construction', '150000', 4000000, '{state,state_owned}',
                             '2025-01-01', NULL, '必须招标的工程项目规定 §5', '{works}') AS works;
SELECT ptx.add_catalog_entry('NM-GC-02', 'construction', '150000', 1000000, '{state,state_owned}',
                             '2025-01-01', NULL, '必须招标的工程项目规定 §5', '{services}') AS services;
SELECT ptx.add_catalog_entry('HH-ZC-01', 'procurement', '150100', 1000000, NULL,
                             '2025-01-01', '2025-06-30', '呼和浩特市政府采购限额标准') AS hohhot_procurement;
SELECT ptx.add_catalog_entry('NM-TD-01', 'land', '150000') AS land_every_amount;
SELECT code, version, category, region, min_amount, funding, kinds, valid_from, valid_to
  FROM ptx.catalog ORDER BY id;

-- A new version supersedes from its valid_from on; the old one stays.
SELECT ptx.add_catalog_entry('NM-GC-01', 'construction', '150000', 3000000, '{state,state_owned}',
                             '2025-04-01', NULL, '本地区提高标准', '{works}') AS works_v2;
SELECT code, version, min_amount, valid_from FROM ptx.catalog WHERE code = 'NM-GC-01' ORDER BY version;
SELECT code, version, min_amount FROM ptx.catalog_current('2025-03-31') WHERE code = 'NM-GC-01';
SELECT code, version, min_amount FROM ptx.catalog_current('2025-04-01') WHERE code = 'NM-GC-01';

-- Never edited in place, never removed.
UPDATE ptx.catalog SET min_amount = 1 WHERE code = 'NM-GC-01';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.catalog WHERE code = 'NM-TD-01';
\echo :LAST_ERROR_SQLSTATE
SET client_min_messages = error;
TRUNCATE ptx.catalog CASCADE;
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT ptx.add_catalog_entry('BAD', 'construction', '150000', 1, NULL, '2025-02-01', '2025-01-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('BAD', 'fishing', '150000');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Matching at the boundaries.
------------------------------------------------------------------------
-- threshold: 0.01 below does not match, the threshold itself does
SELECT a AS amount, (SELECT string_agg(code, ',') FROM ptx.catalog_match('construction', '150102', a, 'state', '2025-03-01', 'works')) AS entries
  FROM (VALUES (3999999.99), (4000000.00)) v(a);
-- from 2025-04-01 version 2 applies with its lower threshold
SELECT a AS amount, (SELECT string_agg(code || ' v' || version, ',') FROM ptx.catalog_match('construction', '150102', a, 'state', '2025-04-01', 'works')) AS entries
  FROM (VALUES (2999999.99), (3000000.00)) v(a);
-- an entry on its last day, and the day after (just expired)
SELECT d AS on_date, (SELECT string_agg(code, ',') FROM ptx.catalog_match('procurement', '150102', 2000000, NULL, d)) AS entries
  FROM (VALUES (date '2025-06-30'), (date '2025-07-01')) v(d);
-- not in force before valid_from
SELECT count(*) AS before_valid_from FROM ptx.catalog_match('procurement', '150100', 2000000, NULL, '2024-12-31');
-- region and sub-regions, never a sibling or the parent
SELECT r AS region, (SELECT string_agg(code, ',') FROM ptx.catalog_match('procurement', r, 2000000, NULL, '2025-03-01')) AS entries
  FROM (VALUES ('150100'), ('150102'), ('150200'), ('150000')) v(r);
-- conditions: funding and kind; an unknown value never exempts
SELECT f AS funding, k AS kind,
       (SELECT string_agg(code, ',' ORDER BY code) FROM ptx.catalog_match('construction', '150203', 5000000, f, '2025-03-01', k)) AS entries
  FROM (VALUES ('state', 'works'), ('private', 'works'), ('state', 'goods'), (NULL, NULL), ('state', NULL)) v(f, k);
-- no amount condition: every amount
SELECT count(*) AS land_of_one_yuan FROM ptx.catalog_match('land', '150203', 1);
-- ending an entry is a new version
SELECT ptx.end_catalog_entry('NM-TD-01', '2025-03-31', '改由新目录规定') AS land_v2;
SELECT d, (SELECT count(*) FROM ptx.catalog_match('land', '150203', 1, NULL, d)) AS land_entries
  FROM (VALUES (date '2025-03-31'), (date '2025-04-01')) v(d);
SELECT ptx.end_catalog_entry('NM-TD-01', '2024-12-31', 'before it began');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.end_catalog_entry('NO-SUCH', '2025-12-31', 'x');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Registration: the matched entry, or a voluntary entry (R1).
------------------------------------------------------------------------
SELECT ptx.register_project('GC-2025-001', '教学楼新建工程', 'construction', '150102', 4, 4000000, 1,
                            'state', 5, 'open', 'works') AS at_threshold;
SELECT ptx.register_project('GC-2025-002', '操场改造工程', 'construction', '150102', 4, 3999999.99, 1,
                            'state', 5, 'open', 'works') AS below_threshold;
SELECT ptx.register_project('GC-2025-003', '食堂装修', 'construction', '150102', 4, 500000, 1) AS unknown_funding;
SELECT p.code, p.amount, c.code AS catalog_code, p.voluntary, p.state
  FROM ptx.project p LEFT JOIN ptx.catalog c ON c.id = p.catalog_id ORDER BY p.id;

-- Never forced: a project outside the catalog cannot be recorded under an entry.
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount, funding, kind, catalog_id)
VALUES ('GC-2025-004', '围墙', 'construction', '150102', 4, 1, 100000, 'state', 'works',
        (SELECT id FROM ptx.catalog WHERE code = 'NM-GC-01' AND version = 1));
\echo :LAST_ERROR_SQLSTATE
-- ... nor claim to be voluntary when an entry covers it.
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount, funding, kind, voluntary)
VALUES ('GC-2025-005', '实验楼', 'construction', '150102', 4, 1, 8000000, 'state', 'works', true)
RETURNING code, voluntary, catalog_id IS NOT NULL AS has_entry;

------------------------------------------------------------------------
-- A named supervisor with jurisdiction (R2), for the API and direct INSERTs.
------------------------------------------------------------------------
SELECT ptx.register_project('GC-X-1', '无监管', 'construction', '150102', 4, 5000000, NULL);
\echo :LAST_ERROR_SQLSTATE
-- the department of the parent region (150000) supervises 150102 ...
SELECT ptx.register_project('GC-X-2', '自治区监管', 'construction', '150102', 4, 5000000, 1) > 0 AS parent_region_ok;
-- ... the department of the sibling region (150200) does not
SELECT ptx.register_project('GC-X-3', '包头监管', 'construction', '150102', 4, 5000000, 2);
\echo :LAST_ERROR_SQLSTATE
-- ... it does in its own sub-region
SELECT ptx.register_project('GC-X-4', '包头项目', 'construction', '150203', 4, 5000000, 2) > 0 AS own_region_ok;
-- jurisdiction is per category
SELECT ptx.register_project('GC-X-5', '采购', 'procurement', '150102', 4, 5000000, 1);
\echo :LAST_ERROR_SQLSTATE
-- not a supervisor at all
SELECT ptx.register_project('GC-X-6', '学校监管', 'construction', '150102', 4, 5000000, 4);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount)
VALUES ('GC-X-7', '直写无监管', 'construction', '150102', 4, NULL, 5000000);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount)
VALUES ('GC-X-8', '直写越权', 'construction', '150102', 4, 2, 5000000);
\echo :LAST_ERROR_SQLSTATE
-- moving the supervisor later is checked the same way
UPDATE ptx.project SET supervisor_id = 2 WHERE code = 'GC-X-2';
\echo :LAST_ERROR_SQLSTATE
-- roles of the parties
SELECT ptx.register_project('GC-X-9', '投标人当招标人', 'construction', '150102', 6, 5000000, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('GC-X-10', '代理不是代理', 'construction', '150102', 4, 5000000, 1, 'state', 6);
\echo :LAST_ERROR_SQLSTATE
-- a project enters registered; nothing else
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount, state)
VALUES ('GC-X-11', '直接中标', 'construction', '150102', 4, 1, 5000000, 'awarded');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount, bid_deadline)
VALUES ('GC-X-12', '自带截止', 'construction', '150102', 4, 1, 5000000, '2025-04-01');
\echo :LAST_ERROR_SQLSTATE

-- Terms may change while registered (matching again), not after announcement.
UPDATE ptx.project SET amount = 3999999.00 WHERE code = 'GC-2025-001'
RETURNING code, amount, catalog_id, voluntary;
UPDATE ptx.project SET amount = 4000000.00 WHERE code = 'GC-2025-001'
RETURNING code, amount, catalog_id IS NOT NULL AS has_entry, voluntary;
SELECT ptx.announce(id, '2025-03-31 09:00+08') FROM ptx.project WHERE code = 'GC-2025-001';
UPDATE ptx.project SET amount = 3999999.00 WHERE code = 'GC-2025-001';
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET title = '教学楼新建工程（一期）' WHERE code = 'GC-2025-001' RETURNING title;

-- Every entry is a recorded step.
SELECT p.code, t.from_state, t.to_state, t.at
  FROM ptx.transition t JOIN ptx.project p ON p.id = t.project_id
 WHERE p.code LIKE 'GC-2025-00%' ORDER BY t.id;
