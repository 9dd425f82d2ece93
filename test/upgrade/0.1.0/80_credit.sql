-- Demo: credit (信用, R7) — 一处失信，处处受约.
--
-- A credit list decided in three leagues is imported in one go; the
-- dishonest subjects are then refused in another region, as agency, as
-- bidder and as contract party, and the public sees the list with masked
-- names.  Runs after the other demos, in June 2026 on the business clock;
-- it registers the few organisations it needs itself.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = notice;
SET TimeZone = 'Asia/Shanghai';
SET ptx.fake_now = '2026-06-01 09:00:00+08';

-- Regions and a supervisor for construction in Hohhot, if the earlier
-- demos did not register them.
\o /dev/null
SELECT ptx.add_region(code, name, parent)
  FROM (VALUES ('150000', '内蒙古自治区', NULL), ('150100', '呼和浩特市', '150000'),
               ('150200', '包头市', '150000'), ('150400', '赤峰市', '150000'),
               ('150700', '呼伦贝尔市', '150000')) v(code, name, parent)
 WHERE NOT EXISTS (SELECT 1 FROM ptx.region r WHERE r.code = v.code)
 ORDER BY code;
SELECT ptx.grant_jurisdiction(
           ptx.add_org('11150000MA0CR0001' || ptx.uscc_check_char('11150000MA0CR0001'),
                       '内蒙古自治区住房和城乡建设厅（信用演示）', '150000', '{supervisor}'),
           'construction', '150000')
 WHERE NOT EXISTS (SELECT ptx.supervisors_of('construction', '150100'));
\o

-- The market subjects of this demo, by their unified social credit codes.
CREATE TEMP TABLE demo_org (tag text PRIMARY KEY, id bigint);
INSERT INTO demo_org
SELECT tag, ptx.add_org(code || ptx.uscc_check_char(code), name, region, roles)
  FROM (VALUES ('school',   '12150100MA0CR0002', '呼和浩特市第九中学',           '150100', '{tenderee}'::text[]),
               ('agency_cf', '91150400MA0CR0003', '赤峰某招标代理有限公司',      '150400', '{agency}'),
               ('agency_hh', '91150100MA0CR0004', '呼和浩特某工程咨询有限公司',  '150100', '{agency}'),
               ('bidder_bt', '91150200MA0CR0005', '包头某建设集团有限公司',      '150200', '{bidder}'),
               ('bidder_hh', '91150100MA0CR0006', '呼和浩特某建筑工程有限公司',  '150100', '{bidder}'),
               ('bidder_hl', '91150700MA0CR0007', '呼伦贝尔某路桥有限公司',      '150700', '{bidder}'),
               ('bidder_cf', '91150400MA0CR0008', '赤峰某市政工程有限公司',      '150400', '{bidder}')) v(tag, code, name, region, roles);
SELECT d.tag, o.name, o.region, o.uscc FROM demo_org d JOIN ptx.org o ON o.id = d.id ORDER BY d.id;

-- 1. The credit list, as the leagues send it: a CSV file copied into a
--    staging table (\copy list FROM 'list.csv' WITH (FORMAT csv, HEADER)),
--    here filled with dates around today.  All or nothing.
CREATE TEMP TABLE credit_list (LIKE ptx.credit_import_row);
INSERT INTO credit_list
SELECT 'org', o.uscc, '', kind, reason, (ptx.now()::date + f)::text, (ptx.now()::date + t)::text, source
  FROM (VALUES ('bidder_bt', 'bid_ban', '串通投标', -30, 700, '包头市住房和城乡建设局 包建罚〔2026〕11号'),
               ('agency_cf', 'agency_suspension', '泄露应当保密的招标信息', -10, 170, '赤峰市发展和改革委员会'),
               ('bidder_hl', 'court_dishonest', '有履行能力而拒不履行生效判决', -60, 300, '呼伦贝尔市中级人民法院'))
       v(tag, kind, reason, f, t, source)
  JOIN demo_org d USING (tag) JOIN ptx.org o ON o.id = d.id;
-- A typo in one code and nothing is loaded: every bad row is reported.
UPDATE credit_list SET subject_ref = left(subject_ref, 17) || 'X' WHERE kind = 'court_dishonest';
SELECT * FROM ptx.import_credit_records('credit_list');
UPDATE credit_list SET subject_ref = o.uscc
  FROM demo_org d JOIN ptx.org o ON o.id = d.id
 WHERE d.tag = 'bidder_hl' AND credit_list.kind = 'court_dishonest';
SELECT * FROM ptx.import_credit_records('credit_list');

-- 2. Refused everywhere: a Chifeng suspension stops the agency in Hohhot,
--    a Baotou ban stops the bidder there, a Hulunbuir court listing stops
--    the supplier's contract.  Each refusal is PX006 with the record.
DO $$
DECLARE
  school bigint := (SELECT id FROM demo_org WHERE tag = 'school');
  supervisor bigint := (SELECT ptx.supervisors_of('construction', '150100') LIMIT 1);
  project bigint;
BEGIN
  BEGIN
    PERFORM ptx.register_project('HHHT-CREDIT-DEMO-1', '呼和浩特市第九中学教学楼工程', 'construction', '150100',
                                 school, 12000000, supervisor,
                                 agency_id => (SELECT id FROM demo_org WHERE tag = 'agency_cf'));
    RAISE NOTICE 'agency accepted';
  EXCEPTION WHEN SQLSTATE 'PX006' THEN
    RAISE NOTICE 'agency refused: %', SQLERRM;
  END;
  project := ptx.register_project('HHHT-CREDIT-DEMO-1', '呼和浩特市第九中学教学楼工程', 'construction', '150100',
                                  school, 12000000, supervisor,
                                  agency_id => (SELECT id FROM demo_org WHERE tag = 'agency_hh'));
  RAISE NOTICE 'project % registered with a clean agency', project;
  PERFORM ptx.announce(project, ptx.now() + interval '25 days');
END $$;

DO $$
DECLARE
  project bigint := (SELECT id FROM ptx.project WHERE code = 'HHHT-CREDIT-DEMO-1');
  b record;
BEGIN
  FOR b IN SELECT d.tag, d.id, o.name, price
             FROM (VALUES ('bidder_bt', 11500000), ('bidder_hh', 11800000),
                          ('bidder_hl', 11650000), ('bidder_cf', 11900000)) v(tag, price)
             JOIN demo_org d USING (tag) JOIN ptx.org o ON o.id = d.id LOOP
    BEGIN
      PERFORM ptx.submit_bid(project, b.id, b.price);
      RAISE NOTICE 'bid of % accepted', b.name;
    EXCEPTION WHEN SQLSTATE 'PX006' THEN
      RAISE NOTICE 'bid of % refused: %', b.name, SQLERRM;
    END;
  END LOOP;
END $$;

DO $$
BEGIN
  PERFORM ptx.record_contract(NULL, (SELECT id FROM demo_org WHERE tag = 'school'),
                              (SELECT id FROM demo_org WHERE tag = 'bidder_hl'),
                              'other', '150100', 80000);
  RAISE NOTICE 'contract accepted';
EXCEPTION WHEN SQLSTATE 'PX006' THEN
  RAISE NOTICE 'contract refused: %', SQLERRM;
END $$;

-- Experts are kept out of draws the same way: the draw's pool leaves out
-- ptx.restricted_subjects('expert').
SELECT d.tag, ptx.is_restricted('org', d.id) AS restricted_today
  FROM demo_org d ORDER BY d.id;

-- 3. What the public sees (信息公开): the list of current restrictions.
SET ROLE ptx_public;
SELECT subject_name, uscc, region, kind_name, reason, source, valid_from, valid_to
  FROM ptx_public.credit_list
 WHERE uscc LIKE '________MA0CR%' ORDER BY record_id;
RESET ROLE;

-- 4. Revocation (撤销) is itself a record: the agency's suspension is
--    lifted today, its history stays.
SELECT ptx.revoke_credit_record(r.id, '行政复议决定撤销原处罚决定') AS revocation
  FROM ptx.credit_record r JOIN demo_org d ON d.tag = 'agency_cf'
 WHERE r.subject_kind = 'org' AND r.subject_id = d.id;
SELECT ptx.is_restricted('org', d.id) AS restricted_today,
       ptx.is_restricted('org', d.id, ptx.now()::date - 1) AS restricted_yesterday
  FROM demo_org d WHERE d.tag = 'agency_cf';
SELECT ptx.register_project('HHHT-CREDIT-DEMO-2', '呼和浩特市第九中学操场改造工程', 'construction', '150100',
                            (SELECT id FROM demo_org WHERE tag = 'school'), 3000000,
                            (SELECT ptx.supervisors_of('construction', '150100') LIMIT 1),
                            agency_id => (SELECT id FROM demo_org WHERE tag = 'agency_cf')) IS NOT NULL
       AS agency_accepted_again;
RESET ptx.fake_now;
