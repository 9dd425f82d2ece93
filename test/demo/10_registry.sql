-- Demo, part 1: the registry of Inner Mongolia (内蒙古自治区).
-- Regions (GB/T 2260), supervisory departments with their jurisdiction,
-- the trading centre, tenderees, agencies and bidders, each registered by
-- a unified social credit code with a valid GB 32100-2015 check character.
\pset footer off
SET ptx.fake_now = '2025-01-02 09:00:00+08';
\o /dev/null

-- Codes for demo organisations: registration authority and type (2 chars),
-- region (6 digits), a 9-character organisation code, the check character.
CREATE TEMP TABLE demo_code_seq (n int);
INSERT INTO demo_code_seq VALUES (0);
CREATE FUNCTION pg_temp.uscc(kind text, region text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE k int; base text;
BEGIN
  UPDATE demo_code_seq SET n = n + 1 RETURNING demo_code_seq.n INTO k;
  base := kind || region || lpad(k::text, 8, '0') || (k % 10)::text;
  RETURN base || ptx.uscc_check_char(base);
END $$;

-- 行政区划: the region, its 12 league-level divisions and some counties.
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region(code, name, '150000') FROM (VALUES
  ('150100', '呼和浩特市'), ('150200', '包头市'), ('150300', '乌海市'),
  ('150400', '赤峰市'), ('150500', '通辽市'), ('150600', '鄂尔多斯市'),
  ('150700', '呼伦贝尔市'), ('150800', '巴彦淖尔市'), ('150900', '乌兰察布市'),
  ('152200', '兴安盟'), ('152500', '锡林郭勒盟'), ('152900', '阿拉善盟')) v(code, name);
SELECT ptx.add_region(code, name, parent) FROM (VALUES
  ('150102', '新城区', '150100'), ('150105', '赛罕区', '150100'),
  ('150203', '昆都仑区', '150200'), ('150207', '九原区', '150200'),
  ('150402', '红山区', '150400'), ('150602', '东胜区', '150600'),
  ('150702', '海拉尔区', '150700'), ('152502', '锡林浩特市', '152500')) v(code, name, parent);

-- 监管部门: at the region level and in every league, by field.
CREATE TEMP TABLE demo_dept AS
SELECT r.code AS region, r.name AS region_name, d.category, d.dept,
       ptx.add_org(pg_temp.uscc('11', r.code),
                   r.name || CASE WHEN r.level = 1 THEN replace(d.dept, '局', '厅') ELSE d.dept END,
                   r.code, '{supervisor}') AS id
  FROM ptx.region r
 CROSS JOIN (VALUES ('construction', '住房和城乡建设局'), ('procurement', '财政局'),
                    ('land', '自然资源局'), ('mining', '自然资源局矿业权管理处'),
                    ('state_property', '国有资产监督管理委员会')) d(category, dept)
 WHERE r.level <= 2
 ORDER BY r.code, d.category;
SELECT ptx.grant_jurisdiction(id, category, region) FROM demo_dept;

-- 交易中心 and market subjects: tenderees, agencies and bidders in every league.
SELECT ptx.add_org(pg_temp.uscc('12', '150000'), '内蒙古自治区公共资源交易中心', '150000', '{centre}');
CREATE TEMP TABLE demo_league AS SELECT code, name FROM ptx.region WHERE level = 2 ORDER BY code;
SELECT ptx.add_org(pg_temp.uscc('12', l.code), l.name || t.what, l.code, '{tenderee}')
  FROM demo_league l
 CROSS JOIN (VALUES ('第一中学'), ('人民医院'), ('交通运输局'), ('水务局')) t(what);
SELECT ptx.add_org(pg_temp.uscc('91', l.code), l.name || a.what, l.code, '{agency}')
  FROM demo_league l
 CROSS JOIN (VALUES ('建设工程招标代理有限公司'), ('政府采购咨询有限公司'), ('工程咨询有限责任公司')) a(what);
SELECT ptx.add_org(pg_temp.uscc('91', l.code), l.name || b.what, l.code, '{bidder}')
  FROM demo_league l
 CROSS JOIN (VALUES ('第一建筑工程有限公司'), ('路桥建设集团有限公司'), ('水利水电工程有限公司'),
                    ('信息技术有限公司'), ('医疗设备有限公司'), ('市政工程有限责任公司')) b(what);

\o
\echo
\echo '== Registry of Inner Mongolia (内蒙古自治区)'
SELECT level, count(*) AS regions FROM ptx.region GROUP BY level ORDER BY level;
SELECT r.name AS region,
       count(*) FILTER (WHERE 'supervisor' = ANY (o.roles)) AS supervisors,
       count(*) FILTER (WHERE 'tenderee' = ANY (o.roles)) AS tenderees,
       count(*) FILTER (WHERE 'agency' = ANY (o.roles)) AS agencies,
       count(*) FILTER (WHERE 'bidder' = ANY (o.roles)) AS bidders,
       bool_and(ptx.uscc_valid(o.uscc)) AS codes_valid
  FROM ptx.org o JOIN ptx.region r ON r.code = o.region
 GROUP BY r.code, r.name ORDER BY r.code;
\echo '== Who supervises construction in 昆都仑区 (150203)? (谁监管谁负责: the league and the region)'
SELECT o.name FROM ptx.supervisors_of('construction', '150203') s JOIN ptx.org o ON o.id = s ORDER BY o.region;
\echo '== A mistyped code is refused with the expected check character'
\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never
SELECT ptx.add_org('91150100MA0N00000X', '错误代码公司', '150100', '{bidder}');
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT errors

-- 机构工作人员: every login acts for its organisation (DESIGN.md §11.4).
-- One login per person, mapped by an administrator to the department or
-- trading centre it works for.
\o /dev/null
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES ('demo_zhang', 'ptx_supervisor'), ('demo_wang', 'ptx_supervisor'),
                                 ('demo_li', 'ptx_operator')) v(login, grp) LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.login) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', r.login);
    END IF;
    EXECUTE format('GRANT %I TO %I', r.grp, r.login);
  END LOOP;
END $$;
SELECT ptx.add_staff('demo_zhang', (SELECT id FROM demo_dept WHERE region = '150100' AND category = 'construction'));
SELECT ptx.add_staff('demo_wang', (SELECT id FROM demo_dept WHERE region = '150200' AND category = 'construction'));
SELECT ptx.add_staff('demo_li', (SELECT id FROM ptx.org WHERE 'centre' = ANY (roles) AND region = '150000'));
\o
\echo '== Logins and the organisations they act for (机构工作人员)'
SELECT s.member AS login, o.name AS organisation, o.region, s.valid_from
  FROM ptx.staff s JOIN ptx.org o ON o.id = s.org_id ORDER BY s.id;
\echo '== 包头市住房和城乡建设局 tries to appoint an inspector of 呼和浩特市住房和城乡建设局: refused (PX015)'
\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never
SET ROLE demo_wang;
SELECT ptx.add_inspector((SELECT o.id FROM ptx.org o WHERE o.region = '150100' AND o.name = '呼和浩特市住房和城乡建设局'), '检查员甲');
RESET ROLE;
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT errors
RESET ptx.fake_now;
