-- Registry: region hierarchy, organisations, jurisdiction inheritance (R2),
-- policy settings, the business clock.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- Inner Mongolia and its 12 league-level regions (GB/T 2260).
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region(code, name, '150000') FROM (VALUES
  ('150100', '呼和浩特市'), ('150200', '包头市'), ('150300', '乌海市'),
  ('150400', '赤峰市'), ('150500', '通辽市'), ('150600', '鄂尔多斯市'),
  ('150700', '呼伦贝尔市'), ('150800', '巴彦淖尔市'), ('150900', '乌兰察布市'),
  ('152200', '兴安盟'), ('152500', '锡林郭勒盟'), ('152900', '阿拉善盟')) v(code, name);
SELECT ptx.add_region('150102', '新城区', '150100');
SELECT ptx.add_region('150203', '昆都仑区', '150200');
SELECT code, name, parent, level, path FROM ptx.region ORDER BY code;

-- Hierarchy rules.
SELECT ptx.add_region('150202', '东河区', '150100');     -- code not under that parent
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_region('150100', '呼和浩特', '150000');    -- duplicate
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_region('150500', '通辽', '150102');        -- prefecture under a county
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_region('150302', '海勃湾区', '150300');
SELECT ptx.add_region('150402', '红山区', '150499');      -- unknown parent
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_region('1504', '赤峰');                    -- not a code
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_region('150402', '');                      -- no name
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.region SET parent = '150200' WHERE code = '150102';
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.region SET name = '新城区（呼和浩特）' WHERE code = '150102';

SELECT ptx.region_within('150102', '150100') AS child_in_parent,
       ptx.region_within('150102', '150000') AS grandchild_in_top,
       ptx.region_within('150100', '150100') AS self,
       ptx.region_within('150203', '150100') AS cousin,
       ptx.region_within('150100', '150102') AS parent_in_child,
       ptx.region_within('159999', '150000') AS unknown;

-- Organisations: codes built with the check character, then checked.
CREATE TEMP TABLE code AS
SELECT n, b || ptx.uscc_check_char(b) AS uscc
  FROM generate_series(1, 6) n,
       LATERAL (SELECT '91150100' || lpad(n::text, 9, '0') AS b) x;
SELECT ptx.add_org((SELECT uscc FROM code WHERE n = 1), '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS housing_dept;
SELECT ptx.add_org((SELECT uscc FROM code WHERE n = 2), '呼和浩特市财政局', '150100', '{supervisor}') AS hohhot_finance;
SELECT ptx.add_org((SELECT uscc FROM code WHERE n = 3), '包头市住房和城乡建设局', '150200', '{supervisor}') AS baotou_housing;
SELECT ptx.add_org((SELECT uscc FROM code WHERE n = 4), '某建设集团有限公司', '150102', '{bidder,tenderee}') AS builder;
SELECT id, name, region, roles FROM ptx.org ORDER BY id;

SELECT ptx.add_org('91150100000000005X', '坏代码公司', '150100', '{bidder}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_org((SELECT uscc FROM code WHERE n = 5), '无角色公司', '150100', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_org((SELECT uscc FROM code WHERE n = 5), '错角色公司', '150100', '{bidder,owner}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_org((SELECT uscc FROM code WHERE n = 4), '重复公司', '150100', '{bidder}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_org((SELECT uscc FROM code WHERE n = 5), '无地区公司', '159900', '{bidder}');
\echo :LAST_ERROR_SQLSTATE
-- Direct writes obey the same checks.
INSERT INTO ptx.org (uscc, name, region, roles) VALUES ('911501000000000061', '直写公司', '150100', '{bidder}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.org (uscc, name, region, roles) VALUES ((SELECT uscc FROM code WHERE n = 6), '直写公司', '150100', '{agent}');
\echo :LAST_ERROR_SQLSTATE

-- Jurisdiction: granted on a region, inherited by its sub-regions, never
-- by siblings or parents.
SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
SELECT ptx.grant_jurisdiction(2, 'procurement', '150100');
SELECT ptx.grant_jurisdiction(3, 'construction', '150200');
SELECT ptx.grant_jurisdiction(3, 'construction', '150200');   -- granting twice is harmless
SELECT ptx.grant_jurisdiction(4, 'construction', '150100');   -- not a supervisor
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.grant_jurisdiction(2, 'fishing', '150100');        -- unknown category
\echo :LAST_ERROR_SQLSTATE
SELECT s, c, r, ptx.has_jurisdiction(s, c, r)
  FROM (VALUES (1, 'construction', '150000'), (1, 'construction', '150102'),
               (1, 'procurement', '150102'), (2, 'procurement', '150102'),
               (2, 'procurement', '150100'), (2, 'procurement', '150000'),
               (2, 'procurement', '150203'), (3, 'construction', '150203'),
               (3, 'construction', '150102'), (3, 'construction', '150000')) v(s, c, r);
SELECT ptx.supervisors_of('construction', '150203') AS construction_150203;

-- Policy settings: legal default, regional override with a reason, reset.
SELECT key, value, overridden FROM ptx.policy_effective WHERE key = 'expert_db.min_size';
SELECT ptx.set_policy('expert_db.min_size', 800, '本地区专家库规模要求');
SELECT ptx.setting('expert_db.min_size');
SELECT ptx.set_policy('expert_db.min_size', NULL, 'back to the law');
SELECT ptx.setting('expert_db.min_size');
SELECT ptx.setting('no.such.setting');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('no.such.setting', 1, 'x');
\echo :LAST_ERROR_SQLSTATE

-- The business clock.
SELECT ptx.now() = now() AS real_clock;
SET ptx.fake_now = '2026-03-01 09:00:00+08';
SELECT ptx.now() AT TIME ZONE 'Asia/Shanghai' AS fake_clock;
SET ptx.fake_now = 'next tuesday';
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = 'infinity';
\echo :LAST_ERROR_SQLSTATE
RESET ptx.fake_now;
SELECT ptx.now() = now() AS real_clock_again;
