-- Demo, part 2: the trading catalog and a year of trading (R1, R2, R4, R8).
--
-- Runs after the registry demo (10_registry.sql): Inner Mongolia's 12
-- league-level regions, their supervisory departments, tenderees,
-- agencies and bidders.  It seeds a catalog for the five categories of the
-- notice (内政办发〔2018〕67号 §8), then lets the year 2025 pass day by day
-- on the business clock (ptx.fake_now): projects in every league are
-- registered, announced, bid on, opened, evaluated, publicised, awarded,
-- contracted and closed; some tenders fail and are tendered again, some
-- meet objections and complaints, one is terminated.  Trades outside the
-- platform are tried, and a tenderee splits a job below the threshold.
-- Work happens on working days only (ptx.is_working_day).
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2025-01-02 09:00:00+08';
-- This year's committees were drawn in the region's former expert system;
-- part 60 puts the committee rule back to the law and draws with ptx.
SELECT ptx.set_policy('committee.check_before_evaluation', 0,
                      'committees drawn in the former expert system until the expert database moves to ptx') \gset

DO $$
BEGIN
    IF (SELECT count(*) FROM ptx.region WHERE level = 2) < 12 THEN
        RAISE EXCEPTION 'the registry demo (10_registry.sql) must run first';
    END IF;
END $$;

\o /dev/null
------------------------------------------------------------------------
-- 1. The trading catalog (公共资源交易目录), region-wide, with one league's
--    own entry and a threshold revised in the middle of the year.
------------------------------------------------------------------------
SELECT ptx.add_catalog_entry(code, category, region, min_amount, funding, '2025-01-01', NULL, basis, kinds)
  FROM (VALUES
    ('NM-GC-01', 'construction', '150000', 4000000, '{state,state_owned}'::text[], '{works}'::text[],
     '必须招标的工程项目规定（国家发展改革委令第16号）第五条：施工单项合同估算价400万元以上'),
    ('NM-GC-02', 'construction', '150000', 2000000, '{state,state_owned}', '{goods}',
     '必须招标的工程项目规定 第五条：重要设备、材料等货物200万元以上'),
    ('NM-GC-03', 'construction', '150000', 1000000, '{state,state_owned}', '{services}',
     '必须招标的工程项目规定 第五条：勘察、设计、监理等服务100万元以上'),
    ('NM-ZC-01', 'procurement', '150000', 1000000, '{state}', NULL,
     '内蒙古自治区政府集中采购目录及标准：分散采购限额以上进场（演示取值）'),
    ('NM-TD-01', 'land', '150000', NULL, NULL, NULL,
     '招标拍卖挂牌出让国有建设用地使用权规定（国土资源部令第39号）：经营性用地招拍挂出让'),
    ('NM-KY-01', 'mining', '150000', NULL, NULL, NULL,
     '矿业权出让制度改革方案：矿业权竞争性出让'),
    ('NM-GZ-01', 'state_property', '150000', NULL, '{state_owned}', NULL,
     '企业国有资产交易监督管理办法（国资委 财政部令第32号）：产权转让进场公开交易'),
    ('ORD-GC-01', 'construction', '150600', 2000000, '{state,state_owned}', '{works}',
     '鄂尔多斯市政府投资项目进场交易规定：施工200万元以上（演示取值）')
  ) v(code, category, region, min_amount, funding, kinds, basis);
-- From 1 July the procurement threshold rises: a new version supersedes.
SELECT ptx.add_catalog_entry('NM-ZC-01', 'procurement', '150000', 2000000, '{state}', '2025-07-01', NULL,
                             '内蒙古自治区政府集中采购目录及标准（2025年修订，演示取值）');

-- Sellers for land, mining and state property: land reserve centres,
-- mining-right service centres, state capital companies (出让方、转让方).
CREATE TEMP TABLE demo_seq (n int);
INSERT INTO demo_seq VALUES (0);
CREATE FUNCTION pg_temp.uscc(kind text, region text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE k int; base text;
BEGIN
  UPDATE demo_seq SET n = n + 1 RETURNING demo_seq.n INTO k;
  base := kind || region || 'LC' || lpad(k::text, 6, '0') || (k % 10)::text;
  RETURN base || ptx.uscc_check_char(base);
END $$;
SELECT ptx.add_org(pg_temp.uscc(t.kind, r.code), r.name || t.what, r.code, '{tenderee}')
  FROM ptx.region r
 CROSS JOIN (VALUES ('12', '土地储备中心'), ('12', '矿业权交易服务中心'),
                    ('91', '国有资本投资运营有限公司')) t(kind, what)
 WHERE r.level = 2
 ORDER BY r.code, t.what;

------------------------------------------------------------------------
-- 2. The plan of the year: four projects in every league.
------------------------------------------------------------------------
CREATE TEMP TABLE demo_league AS
SELECT code, name, row_number() OVER (ORDER BY code)::int AS k FROM ptx.region WHERE level = 2;

CREATE FUNCTION pg_temp.org_named(region text, suffix text) RETURNS bigint
LANGUAGE sql STABLE RETURN (SELECT o.id FROM ptx.org o WHERE o.region = org_named.region AND o.name LIKE '%' || org_named.suffix ORDER BY o.id LIMIT 1);

CREATE TEMP TABLE demo_project (
    code text PRIMARY KEY, title text, category text, kind text, method text, region text,
    tenderee_id bigint, agency_id bigint, amount numeric, funding text,
    start_on date, bid_days int, bidders int, twist text,
    id bigint, next_on date, next_step text, bids_left int);

INSERT INTO demo_project (code, title, category, kind, method, region, tenderee_id, agency_id,
                          amount, funding, start_on, bid_days, bidders, twist)
SELECT l.code || '-2025-' || lpad(s.n::text, 2, '0'),
       l.name || s.title, s.category, s.kind, s.method, l.code,
       pg_temp.org_named(l.code, s.tenderee), pg_temp.org_named(l.code, s.agency),
       s.amount * (1 + (l.k % 5) * 0.1), s.funding,
       date '2025-01-06' + (s.n - 1) * 70 + l.k * 4, 20 + (l.k % 3) * 5,
       CASE WHEN s.n = 2 AND l.k % 4 = 1 THEN 2 ELSE 3 + (l.k + s.n) % 3 END,
       CASE WHEN s.n = 1 AND l.k % 3 = 0 THEN 'documents objection'
            WHEN s.n = 3 AND l.k % 4 = 2 THEN 'result objection'
            WHEN s.n = 1 AND l.k = 5 THEN 'complaint'
            WHEN s.n = 4 AND l.k = 7 THEN 'terminated' END
  FROM demo_league l
 CROSS JOIN (VALUES
    (1, '第一中学教学楼新建工程', 'construction', 'works', 'open', '第一中学', '建设工程招标代理有限公司', 6800000, 'state'),
    (2, '人民医院医疗设备采购', 'procurement', NULL, 'open', '人民医院', '政府采购咨询有限公司', 2600000, 'state'),
    (3, '国道养护工程监理服务', 'construction', 'services', 'open', '交通运输局', '工程咨询有限责任公司', 1400000, 'state')
  ) s(n, title, category, kind, method, tenderee, agency, amount, funding);
-- In four leagues a heating-network job is announced in December: its
-- bids are still sealed at the end of the year.
INSERT INTO demo_project (code, title, category, kind, method, region, tenderee_id, agency_id,
                          amount, funding, start_on, bid_days, bidders, twist)
SELECT l.code || '-2025-05', l.name || '供热管网改造工程', 'construction', 'works', 'open', l.code,
       pg_temp.org_named(l.code, '水务局'), pg_temp.org_named(l.code, '建设工程招标代理有限公司'),
       5500000, 'state', date '2025-12-01' + l.k, 30, 4,
       CASE WHEN l.k = 4 THEN 'unanswered objection' END
  FROM demo_league l WHERE l.k % 3 = 1;
-- Three hospitals buy office furniture below the procurement threshold:
-- no catalog entry obliges them, they trade on the platform voluntarily.
INSERT INTO demo_project (code, title, category, kind, method, region, tenderee_id, agency_id,
                          amount, funding, start_on, bid_days, bidders, twist)
SELECT l.code || '-2025-06', l.name || '人民医院办公家具采购', 'procurement', NULL, 'open', l.code,
       pg_temp.org_named(l.code, '人民医院'), pg_temp.org_named(l.code, '政府采购咨询有限公司'),
       800000, 'state', date '2025-09-01' + l.k * 3, 20, 3, NULL
  FROM demo_league l WHERE l.k % 4 = 0;
-- The fourth project of each league: land in the odd leagues, mining or
-- state property in the even ones.
INSERT INTO demo_project (code, title, category, kind, method, region, tenderee_id, agency_id,
                          amount, funding, start_on, bid_days, bidders, twist)
SELECT l.code || '-2025-04',
       l.name || CASE c WHEN 'land' THEN '城区商住用地使用权挂牌出让'
                        WHEN 'mining' THEN '建筑用砂石矿采矿权拍卖出让'
                        ELSE '国有控股企业股权转让' END,
       c, NULL, CASE c WHEN 'mining' THEN 'auction' ELSE 'listing' END, l.code,
       pg_temp.org_named(l.code, CASE c WHEN 'land' THEN '土地储备中心' WHEN 'mining' THEN '矿业权交易服务中心'
                                      ELSE '国有资本投资运营有限公司' END),
       NULL, CASE c WHEN 'land' THEN 35000000 WHEN 'mining' THEN 12000000 ELSE 50000000 END,
       CASE c WHEN 'state_property' THEN 'state_owned' END,
       date '2025-06-02' + l.k * 6, 35, 3 + l.k % 2,
       CASE WHEN l.k = 7 THEN 'terminated' END
  FROM demo_league l,
       LATERAL (SELECT CASE WHEN l.k % 2 = 1 THEN 'land' WHEN l.k % 4 = 2 THEN 'mining'
                            ELSE 'state_property' END AS c) x;
UPDATE demo_project SET next_on = start_on, next_step = 'register';

------------------------------------------------------------------------
-- 3. The year passes.  Each working day at 09:00 the due steps happen.
------------------------------------------------------------------------
CREATE TEMP TABLE demo_event (on_day date, code text, event text);

CREATE FUNCTION pg_temp.next_working(d date) RETURNS date
LANGUAGE plpgsql STABLE AS $$
BEGIN
  WHILE NOT ptx.is_working_day(d) LOOP d := d + 1; END LOOP;
  RETURN d;
END $$;

CREATE FUNCTION pg_temp.bidders_for(p demo_project, n int) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
  SELECT o.id FROM ptx.org o
   WHERE 'bidder' = ANY (o.roles)
     AND o.name ~ CASE p.category WHEN 'procurement' THEN '医疗|信息'
                                  ELSE '建筑|路桥|市政|水利|工程' END
   ORDER BY hashtext(p.code || o.id::text)
   LIMIT n
$$;

CREATE FUNCTION pg_temp.step(p demo_project, d date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  sup bigint;
  b bigint;
  i int := 0;
  outcome text;
  o bigint;
  c bigint;
  winner bigint;
  st ptx.project;
BEGIN
  IF p.id IS NOT NULL THEN
    SELECT * INTO st FROM ptx.project WHERE id = p.id;
  END IF;
  CASE p.next_step
  WHEN 'register' THEN
    SELECT s INTO sup FROM ptx.supervisors_of(p.category, p.region) s
      JOIN ptx.org so ON so.id = s ORDER BY so.region DESC LIMIT 1;
    p.id := ptx.register_project(p.code, p.title, p.category, p.region, p.tenderee_id, p.amount, sup,
                                 p.funding, p.agency_id, p.method, p.kind);
    PERFORM ptx.announce(p.id, pg_temp.next_working(d + p.bid_days)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '9 hours');
    INSERT INTO demo_event VALUES (d, p.code, 'registered and announced');
    p.bids_left := p.bidders;
    UPDATE demo_project SET id = p.id, bids_left = p.bids_left,
           next_step = CASE WHEN p.twist IN ('documents objection', 'unanswered objection') THEN 'object documents'
                            WHEN p.twist = 'terminated' THEN 'terminate' ELSE 'bid' END,
           next_on = pg_temp.next_working(d + 3)
     WHERE code = p.code;
  WHEN 'object documents' THEN
    IF d > ptx.local_date(st.bid_deadline) - ptx.setting('objection.documents_days_before_deadline')::int THEN
      UPDATE demo_project SET next_step = 'bid' WHERE code = p.code;   -- too late to object
      RETURN;
    END IF;
    o := ptx.file_objection(p.id, (SELECT pg_temp.bidders_for(p, 1)), 'documents', '资格条件设置了与项目无关的业绩要求');
    INSERT INTO demo_event VALUES (d, p.code, 'objection to the documents: project suspended');
    UPDATE demo_project SET next_step = CASE WHEN p.twist = 'unanswered objection' THEN NULL ELSE 'answer documents' END,
           next_on = pg_temp.next_working(d + 2) WHERE code = p.code;
  WHEN 'answer documents' THEN
    PERFORM ptx.answer_objection(o.id, '删除与项目无关的业绩要求，发布澄清，投标截止时间不变')
       FROM ptx.objection o WHERE o.project_id = p.id AND o.answered_at IS NULL;
    INSERT INTO demo_event VALUES (d, p.code, 'objection answered: project resumes');
    UPDATE demo_project SET next_step = 'bid', next_on = pg_temp.next_working(d + 1) WHERE code = p.code;
  WHEN 'terminate' THEN
    PERFORM ptx.terminate(p.id, '项目资金未落实，终止出让');
    INSERT INTO demo_event VALUES (d, p.code, 'terminated');
    UPDATE demo_project SET next_step = NULL WHERE code = p.code;
  WHEN 'bid' THEN
    FOR b IN SELECT pg_temp.bidders_for(p, p.bids_left) LOOP
      i := i + 1;
      PERFORM ptx.submit_bid(p.id, b, round(p.amount * (0.86 + (abs(hashtext(p.code || b::text || st.round)) % 120) / 1000.0), 2),
                             decode(md5(p.code || b::text), 'hex'), 'HW-' || upper(substr(md5(b::text), 1, 12)));
    END LOOP;
    INSERT INTO demo_event VALUES (d, p.code, format('%s bids submitted (round %s), sealed', i, st.round));
    UPDATE demo_project SET next_step = 'open', next_on = ptx.local_date(st.bid_deadline) WHERE code = p.code;
  WHEN 'open' THEN
    outcome := ptx.open_bids(p.id);
    INSERT INTO demo_event VALUES (d, p.code, 'bids opened: ' || outcome);
    IF outcome = 'failed' THEN
      UPDATE demo_project SET next_step = 'retender', next_on = pg_temp.next_working(d + 3), bids_left = 4
       WHERE code = p.code;
    ELSE
      UPDATE demo_project SET next_step = 'evaluate', next_on = pg_temp.next_working(d + 1) WHERE code = p.code;
    END IF;
  WHEN 'retender' THEN
    PERFORM ptx.announce(p.id, pg_temp.next_working(d + 20)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '9 hours');
    INSERT INTO demo_event VALUES (d, p.code, 'announced again (重新招标)');
    UPDATE demo_project SET next_step = 'bid', next_on = pg_temp.next_working(d + 5) WHERE code = p.code;
  WHEN 'evaluate' THEN
    PERFORM ptx.start_evaluation(p.id);
    PERFORM ptx.report_evaluation(p.id);
    -- the committee ranks the valid bids by price; the candidates are
    -- published the day the report is received
    PERFORM ptx.publish_candidates(p.id, ARRAY(
        SELECT b2.bidder_id FROM ptx.bid b2 WHERE b2.project_id = p.id AND b2.round = st.round AND b2.status = 'valid'
         ORDER BY b2.price, b2.id LIMIT 3));
    INSERT INTO demo_event VALUES (d, p.code, 'evaluated; candidates in publicity');
    IF p.twist = 'result objection' THEN
      o := ptx.file_objection(p.id, (SELECT c2.bidder_id FROM ptx.candidate c2 WHERE c2.project_id = p.id AND c2.round = st.round
                                      ORDER BY c2.rank DESC LIMIT 1),
                              'result', '第一中标候选人项目经理有在建工程');
      INSERT INTO demo_event VALUES (d, p.code, 'objection to the result: award suspended');
      UPDATE demo_project SET next_step = 'answer result', next_on = pg_temp.next_working(d + 1) WHERE code = p.code;
    ELSE
      -- the publicity runs to 24:00 of its third day (民法典 §201, §203)
      UPDATE demo_project SET next_step = 'award',
             next_on = (SELECT ptx.local_date(p2.publicity_until) FROM ptx.project p2 WHERE p2.id = p.id)
       WHERE code = p.code;
    END IF;
  WHEN 'answer result' THEN
    PERFORM ptx.answer_objection(o2.id, '经核查，该项目经理在建工程已竣工验收，异议不成立')
       FROM ptx.objection o2 WHERE o2.project_id = p.id AND o2.answered_at IS NULL;
    INSERT INTO demo_event VALUES (d, p.code, 'objection answered');
    UPDATE demo_project SET next_step = 'award', next_on = greatest(d, ptx.local_date(st.publicity_until)) WHERE code = p.code;
  WHEN 'award' THEN
    SELECT c2.bidder_id INTO winner FROM ptx.candidate c2 WHERE c2.project_id = p.id AND c2.round = st.round ORDER BY c2.rank LIMIT 1;
    PERFORM ptx.award(p.id, winner);
    INSERT INTO demo_event VALUES (d, p.code, 'awarded');
    IF p.twist = 'complaint' THEN
      c := ptx.file_complaint(p.id, (SELECT c2.bidder_id FROM ptx.candidate c2 WHERE c2.project_id = p.id AND c2.round = st.round
                                     ORDER BY c2.rank DESC LIMIT 1),
                              'other', '评标委员会未按招标文件规定的评分标准打分');
      INSERT INTO demo_event VALUES (d, p.code, 'complaint to the supervisory department');
      UPDATE demo_project SET next_step = 'accept complaint', next_on = pg_temp.next_working(d + 2) WHERE code = p.code;
    ELSE
      UPDATE demo_project SET next_step = 'contract', next_on = pg_temp.next_working(d + 7 + length(p.code) % 10) WHERE code = p.code;
    END IF;
  WHEN 'accept complaint' THEN
    PERFORM ptx.accept_complaint(c2.id, true, '符合受理条件，予以受理', true)
       FROM ptx.complaint c2 WHERE c2.project_id = p.id AND c2.accepted IS NULL;
    INSERT INTO demo_event VALUES (d, p.code, 'complaint accepted, project suspended');
    UPDATE demo_project SET next_step = 'decide complaint', next_on = ptx.add_working_days(d, 5) WHERE code = p.code;
  WHEN 'decide complaint' THEN
    PERFORM ptx.decide_complaint(c2.id, '经调取评标录像和评分表复核，评分符合招标文件规定，投诉不成立，驳回')
       FROM ptx.complaint c2 WHERE c2.project_id = p.id AND c2.decided_at IS NULL;
    INSERT INTO demo_event VALUES (d, p.code, 'complaint decided: dismissed, project resumes');
    UPDATE demo_project SET next_step = 'contract', next_on = pg_temp.next_working(d + 1) WHERE code = p.code;
  WHEN 'contract' THEN
    PERFORM ptx.record_contract(p.id, st.tenderee_id, st.winner_id, st.category, st.region,
                                (SELECT b2.price FROM ptx.bid b2 WHERE b2.project_id = p.id AND b2.round = st.round
                                    AND b2.bidder_id = st.winner_id), st.funding, d, st.kind);
    INSERT INTO demo_event VALUES (d, p.code, 'contract signed');
    UPDATE demo_project SET next_step = 'close', next_on = pg_temp.next_working(d + 30) WHERE code = p.code;
  WHEN 'close' THEN
    PERFORM ptx.close_project(p.id, '合同履约，资料归档');
    INSERT INTO demo_event VALUES (d, p.code, 'closed');
    UPDATE demo_project SET next_step = NULL WHERE code = p.code;
  END CASE;
END $$;

DO $$
DECLARE
  d date;
  p demo_project;
BEGIN
  FOR d IN SELECT g::date FROM generate_series(date '2025-01-02', date '2025-12-31', interval '1 day') g LOOP
    CONTINUE WHEN NOT ptx.is_working_day(d);
    PERFORM set_config('ptx.fake_now', (d::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '9 hours')::text, false);
    FOR p IN SELECT * FROM demo_project WHERE next_on <= d AND next_step IS NOT NULL ORDER BY next_on, code LOOP
      PERFORM pg_temp.step(p, d);
    END LOOP;
  END LOOP;
END $$;

------------------------------------------------------------------------
-- 4. Trades outside the platform, and a job split to stay below the
--    threshold (化整为零).
------------------------------------------------------------------------
SET ptx.fake_now = '2025-12-20 10:00:00+08';
CREATE TEMP TABLE demo_trade (tenderee text, supplier text, category text, region text, amount numeric,
                              funding text, kind text, signed_on date, outcome text);
INSERT INTO demo_trade (tenderee, supplier, category, region, amount, funding, kind, signed_on) VALUES
  ('包头市水务局', '包头市水利水电工程有限公司', 'construction', '150200', 5200000, 'state', 'works', '2025-03-18'),
  ('赤峰市人民医院', '赤峰市医疗设备有限公司', 'procurement', '150400', 1500000, 'state', NULL, '2025-05-12'),
  ('赤峰市人民医院', '赤峰市医疗设备有限公司', 'procurement', '150400', 1500000, 'state', NULL, '2025-08-12'),
  ('鄂尔多斯市交通运输局', '鄂尔多斯市路桥建设集团有限公司', 'construction', '150600', 2500000, 'state', 'works', '2025-04-02'),
  ('呼伦贝尔市国有资本投资运营有限公司', '呼伦贝尔市信息技术有限公司', 'state_property', '150700', 800000, 'state_owned', NULL, '2025-06-30'),
  ('锡林郭勒盟第一中学', '锡林郭勒盟信息技术有限公司', 'procurement', '152500', 380000, 'state', NULL, '2025-09-15'),
  -- 呼和浩特市水务局: one pipe job cut into four contracts under 4 M.
  ('呼和浩特市水务局', '呼和浩特市市政工程有限责任公司', 'construction', '150100', 1380000, 'state', 'works', '2025-04-08'),
  ('呼和浩特市水务局', '呼和浩特市市政工程有限责任公司', 'construction', '150100', 1420000, 'state', 'works', '2025-05-19'),
  ('呼和浩特市水务局', '呼和浩特市第一建筑工程有限公司', 'construction', '150100', 990000, 'state', 'works', '2025-07-07'),
  ('呼和浩特市水务局', '呼和浩特市市政工程有限责任公司', 'construction', '150100', 1260000, 'state', 'works', '2025-09-22');
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM demo_trade ORDER BY signed_on LOOP
    BEGIN
      PERFORM ptx.record_contract(NULL, (SELECT id FROM ptx.org WHERE name = t.tenderee),
                                  (SELECT id FROM ptx.org WHERE name = t.supplier),
                                  t.category, t.region, t.amount, t.funding, t.signed_on, t.kind);
      UPDATE demo_trade SET outcome = 'recorded (not in the catalog)'
       WHERE tenderee = t.tenderee AND signed_on = t.signed_on;
    EXCEPTION WHEN SQLSTATE 'PX001' THEN
      UPDATE demo_trade SET outcome = 'refused PX001: ' || (SELECT string_agg(code || COALESCE(' from ' || min_amount, ' (any amount)'), ', ')
                                                              FROM ptx.catalog_match(t.category, t.region, t.amount, t.funding, t.signed_on, t.kind))
       WHERE tenderee = t.tenderee AND signed_on = t.signed_on;
    END;
  END LOOP;
END $$;
SET ptx.fake_now = '2025-12-31 17:00:00+08';
\o

\echo
\echo '== The trading catalog (交易目录) in force on 2025-12-31'
SELECT code, version, category, region, min_amount, funding, kinds, valid_from
  FROM ptx.catalog_current('2025-12-31') ORDER BY category, region, code;
\echo '== Versions of NM-ZC-01: the threshold rose on 1 July, the first version stays'
SELECT code, version, min_amount, valid_from, basis FROM ptx.catalog WHERE code = 'NM-ZC-01' ORDER BY version;

\echo '== A year of trading: projects per league and state on 2025-12-31'
SELECT r.name AS league, count(*) AS projects,
       count(*) FILTER (WHERE p.state = 'closed') AS closed,
       count(*) FILTER (WHERE p.state = 'contracted') AS contracted,
       count(*) FILTER (WHERE p.state NOT IN ('closed', 'contracted', 'terminated')) AS under_way,
       count(*) FILTER (WHERE p.state = 'terminated') AS terminated,
       count(*) FILTER (WHERE p.round > 1) AS retendered,
       count(*) FILTER (WHERE p.voluntary) AS voluntary,
       sum(c.amount) AS contracted_cny
  FROM ptx.project p
  JOIN ptx.region r ON r.code = p.region
  LEFT JOIN ptx.contract c ON c.project_id = p.id
 WHERE p.code LIKE '15____-2025-__'
 GROUP BY r.code, r.name ORDER BY r.code;

\echo '== By category: entered by the catalog or voluntarily, average bids, award below budget'
SELECT cat.name_zh AS category, count(DISTINCT p.id) AS projects,
       count(DISTINCT p.id) FILTER (WHERE NOT p.voluntary) AS by_catalog,
       round(count(b.id)::numeric / count(DISTINCT p.id), 1) AS bids_per_project,
       round(100 * avg(w.price / p.amount), 1) AS award_pct_of_budget
  FROM ptx.project p
  JOIN ptx.category cat ON cat.code = p.category
  LEFT JOIN ptx.bid b ON b.project_id = p.id
  LEFT JOIN ptx.bid w ON w.project_id = p.id AND w.round = p.round AND w.bidder_id = p.winner_id
 WHERE p.code LIKE '15____-2025-__'
 GROUP BY cat.code, cat.name_zh ORDER BY cat.code;

\echo '== Every step is a recorded transition: a failed tender tendered again, end to end'
SELECT t.at, t.round, t.from_state, t.to_state, t.reason
  FROM ptx.transition t
 WHERE t.project_id = (SELECT p.id FROM ptx.project p WHERE p.round > 1 ORDER BY p.id LIMIT 1)
 ORDER BY t.id;
\echo '== ... and a project suspended by an objection and by a complaint'
SELECT t.at, t.from_state, t.to_state, t.reason
  FROM ptx.transition t
 WHERE t.project_id = (SELECT c.project_id FROM ptx.complaint c ORDER BY c.id LIMIT 1)
 ORDER BY t.id;
SELECT count(*) AS transitions, count(DISTINCT project_id) AS projects,
       count(*) FILTER (WHERE to_state = 'suspended') AS suspensions
  FROM ptx.transition;

\echo '== Failed tenders (流标, fewer than 3 bids) and their re-tender'
SELECT p.code, p.title, t.at::date AS failed_on, t.reason, p.round AS now_round, p.state
  FROM ptx.transition t JOIN ptx.project p ON p.id = t.project_id
 WHERE t.to_state = 'failed' ORDER BY t.at;

\echo '== Objections and complaints'
SELECT p.code, o.stage, o.filed_at::date AS filed, o.answer_due, o.answered_at::date AS answered
  FROM ptx.objection o JOIN ptx.project p ON p.id = o.project_id ORDER BY o.filed_at;
SELECT p.code, c.stage, c.filed_at::date AS filed, c.accept_due, c.accepted_at::date AS accepted,
       c.suspend, c.decision_due, c.decided_at::date AS decided
  FROM ptx.complaint c JOIN ptx.project p ON p.id = c.project_id ORDER BY c.filed_at;

\echo '== Trades outside the platform (场外交易): refused when the catalog covers them'
SELECT signed_on, tenderee, category, amount, outcome FROM demo_trade ORDER BY signed_on;

\echo '== Split to evade (化整为零), as the supervisory departments see it'
SELECT tenderee, category, year, catalog_code, threshold, trades, total, project_ids, contract_ids
  FROM ptx.split_suspect ORDER BY total DESC;

\echo '== Overdue items at the end of the year (for the supervisory departments)'
SELECT kind, project_code, due, days_overdue, detail FROM ptx.overdue_items('2025-12-31');

\echo '== Sealed until the opening: a bid of an open tender in the table and in public'
SELECT p.code, s.status, p.bid_deadline, count(b.*) AS bids, count(b.price) AS clear_prices,
       min(octet_length(b.sealed)) AS sealed_bytes, max(octet_length(b.sealed)) AS same_size
  FROM ptx.project p JOIN ptx.project_status s ON s.id = p.id
  JOIN ptx.bid b ON b.project_id = p.id AND b.round = p.round
 WHERE p.state = 'announced' GROUP BY p.code, s.status, p.bid_deadline ORDER BY p.code;
SET ROLE ptx_public;
SELECT a.code, a.bid_deadline, (SELECT count(*) FROM ptx_public.bid_opening o WHERE o.code = a.code) AS bids_in_public
  FROM ptx_public.announcement a WHERE a.state = 'announced' ORDER BY a.code;
RESET ROLE;

\echo '== What the public sees (信息公开): the latest results and contracts'
SET ROLE ptx_public;
SELECT code, region, outcome, winner, winning_price, awarded_at::date AS awarded, reason
  FROM ptx_public.result ORDER BY decided_at DESC, code LIMIT 8;
SELECT code, tenderee, supplier, amount, signed_on
  FROM ptx_public.contract ORDER BY signed_on DESC, code LIMIT 5;
RESET ROLE;

\echo '== A direct UPDATE obeys the same machine'
\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never
UPDATE ptx.project SET state = 'awarded' WHERE state = 'announced';
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT errors
RESET ptx.fake_now;
