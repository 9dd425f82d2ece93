-- Demo: the expert database (评标专家库) and the random draw of evaluation
-- committees (评标专家随机抽取), R5.  Runs after the registry, lifecycle and
-- credit demos: 360 experts across the 12 leagues, then two projects taken
-- through evaluation with drawn committees — one with a replacement (补抽),
-- one a large government procurement drawn off-site (远程异地评标).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET ptx.fake_now = '2026-03-02 09:00:00+08';
-- committees are checked before evaluation (the law; a demo before this
-- one may have switched it off while no expert existed)
SELECT ptx.set_policy('committee.check_before_evaluation', NULL, 'the law') \gset

-- Resident ID numbers with their GB 11643-1999 check character.
CREATE FUNCTION pg_temp.rid(region text, n int) RETURNS text LANGUAGE sql AS $$
  SELECT b || substr('10X98765432', (SELECT sum(substr(b, i::int, 1)::int * w)
           FROM unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::int[]) WITH ORDINALITY AS t(w, i))::int % 11 + 1, 1)
    FROM (SELECT region || to_char(date '1960-01-01' + (n * 37) % 9000, 'YYYYMMDD') || lpad((n % 1000)::text, 3, '0') AS b) s $$;

-- 1. The database: 30 experts in each league, their codes from the
--    national classification, employed by the league's companies (or
--    retired), trained, with title and years.
CREATE TEMP TABLE demo_specialty (code text, name text);
INSERT INTO demo_specialty VALUES
  ('A0101', '房屋建筑工程'), ('A0103', '装饰装修工程'), ('A030101', '市政道路工程'), ('A0302', '给排水工程'),
  ('A0501', '水利水电工程'), ('A0801', '公路工程'), ('A0802', '桥梁工程'), ('B0302', '医疗设备'),
  ('B0101', '计算机设备'), ('C0201', '工程监理'), ('C0301', '造价咨询');
CREATE TEMP TABLE demo_expert AS
SELECT l.code AS league, k, ((l.ord - 1) * 30 + k)::int AS n,
       (ARRAY['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '包', '乌', '额', '孟'])[1 + ((l.ord - 1) * 30 + k) % 14]
       || (ARRAY['建国', '海军', '丽娜', '志强', '巴特尔', '其其格', '敖登', '晓峰', '淑英', '文博', '苏和', '春梅', '宝音',
                 '永清', '红梅', '振华', '乌兰', '国栋', '雅琴', '朝鲁', '慧敏', '德胜', '娜仁', '立新', '秀兰', '那顺'])
          [1 + (((l.ord - 1) * 30 + k) / 14) % 26]
       AS name
  FROM (SELECT code, row_number() OVER (ORDER BY code) AS ord FROM ptx.region WHERE level = 2) l,
       generate_series(1, 30) k;
SELECT count(ptx.add_expert(
           d.name, pg_temp.rid(d.league, d.n),
           CASE WHEN d.k % 10 = 0 THEN NULL   -- retired (退休)
                ELSE (SELECT o.id FROM ptx.org o
                       WHERE o.region = d.league AND o.roles && '{bidder,agency}'
                       ORDER BY o.id OFFSET d.k % 6 LIMIT 1) END,
           d.league,
           ARRAY(SELECT s.code FROM demo_specialty s
                  ORDER BY abs(hashtext(s.code || d.n::text)) LIMIT 1 + d.k % 3),
           date '2026-03-02' + 30 * (d.k % 20) - 60,
           (ARRAY['senior', 'associate_senior', 'associate_senior', 'equivalent'])[1 + d.k % 4],
           8 + d.k % 25,
           '1390471' || lpad(d.n::text, 4, '0'))) AS experts_registered
  FROM demo_expert d;
\o
\echo
\echo '== 评标专家库: experts by league and class (A 工程, B 货物, C 服务)'
SELECT r.name AS league, count(*) AS experts,
       count(*) FILTER (WHERE e.specialty_prefixes && '{A01,A03,A05,A08}') AS a_engineering,
       count(*) FILTER (WHERE e.specialty_prefixes && '{B01,B03}') AS b_goods,
       count(*) FILTER (WHERE e.specialty_prefixes && '{C02,C03}') AS c_services,
       count(*) FILTER (WHERE e.trained_until < ptx.now()::date) AS certificate_expired
  FROM ptx.expert e JOIN ptx.region r ON r.code = e.region
 GROUP BY r.code, r.name ORDER BY r.code;
\echo '   Personal data is kept as a keyed hash and ciphertext only:'
SELECT e.name, e.region, e.specialties, encode(substr(e.id_number_hash, 1, 6), 'hex') || '…' AS id_number_hash,
       length(e.id_number_cipher) AS cipher_bytes
  FROM ptx.expert e ORDER BY e.id LIMIT 3;

-- Dynamic management (动态管理): a dismissal, suspensions, a penalty, and
-- declared interests (利害关系).
SELECT count(ptx.dismiss_expert(e.id, '收受投标人财物，清退出库')) AS dismissed FROM ptx.expert e WHERE e.id IN (7, 95);
SELECT count(ptx.suspend_expert(e.id, date '2026-06-30', '无正当理由拒不参加评标')) AS suspended FROM ptx.expert e WHERE e.id IN (12, 40, 222);
SELECT ptx.record_expert_penalty(133, date '2024-11-20', '在评标中明显倾向特定投标人，受行政处罚', '自治区发展和改革委员会') > 0 AS penalty_recorded;
SELECT count(ptx.add_expert_relation(e.id, o.id, 'director', date '2020-01-01', date '2024-08-31')) AS relations_declared
  FROM ptx.expert e, LATERAL (SELECT id FROM ptx.org WHERE region = '150100' AND 'bidder' = ANY (roles) ORDER BY id LIMIT 1) o
 WHERE e.id IN (3, 33);
\echo '== Status history (动态管理)'
SELECT s.expert_id, s.status, s.suspended_until, s.reason FROM ptx.expert_status_event s ORDER BY s.id;

-- 2. A school building in Hohhot: announced, four bids, opened.
SELECT ptx.register_project('HHHT-EXPERT-DEMO-1', '呼和浩特市第一中学教学楼新建工程', 'construction', '150100',
         (SELECT id FROM ptx.org WHERE region = '150100' AND 'tenderee' = ANY (roles) ORDER BY id LIMIT 1), 8600000,
         (SELECT ptx.supervisors_of('construction', '150100') LIMIT 1),
         agency_id => (SELECT id FROM ptx.org WHERE region = '150100' AND 'agency' = ANY (roles) ORDER BY id LIMIT 1)) AS p1 \gset
SELECT ptx.announce(:p1, '2026-03-24 09:00:00+08') \gset
SELECT count(ptx.submit_bid(:p1, o.id, 8600000 - 97000 * o.n))
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ptx.org
         WHERE region = '150100' AND 'bidder' = ANY (roles) AND NOT ptx.is_restricted('org', id)
         ORDER BY id LIMIT 4) o \gset
SET ptx.fake_now = '2026-03-24 09:00:00+08';
SELECT ptx.open_bids(:p1) AS opened;

-- The draw: requested and committed first, with its commitment; then
-- executed.  The database holds fewer than 500 experts: a warning.
\echo '== Drawing the committee of HHHT-EXPERT-DEMO-1: 4 experts of A01 (房屋建筑)'
SET client_min_messages = warning;
CALL ptx.draw_experts(:p1, '[{"specialty":"A01","count":4}]', '{}', NULL);
SELECT max(id) AS d1 FROM ptx.draw_request \gset
SELECT d.id AS draw, d.kind, d.need, d.commitment_hex, p.pools
  FROM (SELECT id, kind, need, encode(commitment, 'hex') AS commitment_hex FROM ptx.draw_request WHERE id = :d1) d,
       LATERAL (SELECT pools FROM ptx_public.draw WHERE id = d.id) p;
\echo '   The committee before evaluation (operators only; each read is a ledger event):'
SELECT member_kind, name, specialty, seat FROM ptx.committee(:p1);
SELECT ptx.committee_composition(:p1) AS composition;
\echo '   Starting the evaluation with 4 members is refused (PX012):'
DO $$
BEGIN
  PERFORM ptx.start_evaluation((SELECT id FROM ptx.project WHERE code = 'HHHT-EXPERT-DEMO-1'));
EXCEPTION WHEN SQLSTATE 'PX012' THEN
  RAISE WARNING '%', SQLERRM;
END $$;

-- One expert declines (补抽): a replacement with the same rules, never
-- anyone drawn before; then a tenderee representative completes the five.
SELECT subject_id AS declined FROM ptx.draw_pick WHERE draw_id = :d1 AND seat = 2 \gset
SELECT ptx.replace_pick(:d1, :declined, '本人因出差无法按时到场，电话确认不能参加') AS r1 \gset
SELECT count(*) AS replacement_picked FROM ptx.execute_draw(:r1);
SELECT ptx.add_tenderee_representative(:p1, '学校基建处处长') \gset
\echo '   After the replacement and the representative:'
SELECT member_kind, name, specialty FROM ptx.committee(:p1);
SELECT ptx.start_evaluation(:p1), ptx.report_evaluation(:p1) \gset
SET ptx.fake_now = '2026-03-25 10:00:00+08';
SELECT ptx.publish_candidates(:p1, ARRAY(SELECT b.bidder_id FROM ptx.bid b WHERE b.project_id = :p1
                                          ORDER BY b.price LIMIT 3)) \gset

-- 3. A large government procurement in Baotou (≥ 10 M CNY: 7 members),
--    drawn off-site: no expert of Baotou or its districts.
SELECT ptx.register_project('BT-EXPERT-DEMO-2', '包头市中心医院医疗设备采购', 'procurement', '150200',
         (SELECT id FROM ptx.org WHERE region = '150200' AND 'tenderee' = ANY (roles) ORDER BY id LIMIT 1 OFFSET 1), 12800000,
         (SELECT ptx.supervisors_of('procurement', '150200') LIMIT 1),
         funding => 'state',
         agency_id => (SELECT id FROM ptx.org WHERE region = '150200' AND 'agency' = ANY (roles) ORDER BY id LIMIT 1 OFFSET 1)) AS p2 \gset
SELECT ptx.announce(:p2, '2026-04-20 09:00:00+08') \gset
SELECT count(ptx.submit_bid(:p2, o.id, 12800000 - 150000 * o.n))
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ptx.org
         WHERE 'bidder' = ANY (roles) AND NOT ptx.is_restricted('org', id)
         ORDER BY id DESC LIMIT 3) o \gset
SET ptx.fake_now = '2026-04-20 09:00:00+08';
SELECT ptx.open_bids(:p2) AS opened;
\echo '== Off-site draw (远程异地评标) for BT-EXPERT-DEMO-2: 5 × B03 (医疗设备) and 1 × C03 (造价), remote'
CALL ptx.draw_experts(:p2, '[{"specialty":"B03","count":5},{"specialty":"C03","count":1}]',
                      '{"remote":true,"public_entropy":"2026-04-20 福彩3D 第2026101期 开奖号码 4 7 1"}', NULL);
SELECT max(id) AS d2 FROM ptx.draw_request \gset
SELECT c.member_kind, c.name, c.specialty, r.name AS expert_region
  FROM ptx.committee(:p2) c JOIN ptx.expert e ON e.id = c.expert_id JOIN ptx.region r ON r.code = e.region;
SELECT ptx.add_tenderee_representative(:p2, '医院设备科科长') \gset
SELECT ptx.committee_composition(:p2) AS composition;
SELECT ptx.start_evaluation(:p2), ptx.report_evaluation(:p2) \gset

-- 4. Publication: the committees with masked names, the seeds, replay.
\echo '== What the public sees after publication (信息公开)'
SET ROLE ptx_public;
SELECT project_code, member_kind, name, specialty FROM ptx_public.committee ORDER BY project_code, member_kind, name;
SELECT id AS draw, kind, project_code, left(commitment, 16) || '…' AS commitment, left(seed_masked, 16) || '…' AS seed
  FROM ptx_public.draw ORDER BY id;
RESET ROLE;
\echo '   Every draw replays from its seed and stored pools:'
SELECT d.id AS draw, d.kind, ptx.verify_draw(d.id) AS verified FROM ptx.draw_request d
  JOIN ptx.draw_execution x ON x.draw_id = d.id ORDER BY d.id;

-- 5. Rating after the job (评价反馈).
SELECT count(ptx.rate_expert(:p1, m.expert_id, 70 + (m.expert_id % 30)::int, '评审认真，意见明确')) AS rated
  FROM ptx.committee_member m WHERE m.project_id = :p1 AND m.member_kind = 'expert';
SELECT e.name, r.score, r.comment FROM ptx.expert_rating r JOIN ptx.expert e ON e.id = r.expert_id ORDER BY r.id;
RESET ptx.fake_now;
