-- Drawing evaluation experts (R5): every eligibility and recusal rule at
-- its boundary, specialty prefixes, regions, the draw and its replay,
-- rollback and retry, replacement (补抽), composition by employer, pools
-- too small, uniformity, the small-database warning.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'the bids of this test are sealed by the platform') \gset
\set SHOW_CONTEXT never
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';

CREATE OR REPLACE FUNCTION regress_uscc(n int) RETURNS text LANGUAGE sql AS $$
  SELECT '91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0')) $$;
CREATE OR REPLACE FUNCTION regress_rid(n int) RETURNS text LANGUAGE sql AS $$
  SELECT b || substr('10X98765432', (SELECT sum(substr(b, i::int, 1)::int * w) FROM unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::int[]) WITH ORDINALITY AS t(w, i))::int % 11 + 1, 1)
    FROM (SELECT '15010219800101' || lpad(n::text, 3, '0') AS b) s $$;
CREATE OR REPLACE FUNCTION regress_expert(n int, name text, employer bigint, specs text[] DEFAULT '{A0801}',
                               region text DEFAULT '150200', trained date DEFAULT '2025-12-31',
                               title text DEFAULT NULL, years int DEFAULT NULL) RETURNS bigint
  LANGUAGE sql AS $$ SELECT ptx.add_expert(name, regress_rid(n), employer, region, specs, trained, title, years) $$;

SET ptx.fake_now = '2024-06-01 09:00:00+08';
SELECT ptx.set_policy('expert_db.min_size', 10, 'a small test database');
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_region('150102', '新城区', '150100');
SELECT ptx.add_region('150200', '包头市', '150000');
SELECT ptx.add_region('150300', '乌海市', '150000');
SELECT ptx.add_org(regress_uscc(1), '住房和城乡建设厅', '150000', '{supervisor}') AS sup,
       ptx.add_org(regress_uscc(2), '招标人', '150100', '{tenderee}') AS tenderee,
       ptx.add_org(regress_uscc(3), '代理机构', '150100', '{agency}') AS agency,
       ptx.add_org(regress_uscc(4), '投标人甲', '150100', '{bidder}') AS b1,
       ptx.add_org(regress_uscc(5), '投标人乙', '150100', '{bidder}') AS b2,
       ptx.add_org(regress_uscc(6), '投标人丙', '150100', '{bidder}') AS b3 \gset
SELECT min(ptx.add_org(regress_uscc(i), '单位' || i, '150200', '{bidder}')) AS e0
  FROM generate_series(7, 40) i \gset
SELECT ptx.grant_jurisdiction(:sup, 'construction', '150000');

-- The project and its bids are written with the other modules' triggers
-- off (session_replication_role = replica): this test is about experts.
SET session_replication_role = replica;
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount, state)
VALUES ('P1', '某道路工程', 'construction', '150100', :tenderee, :agency, :sup, 5000000, 'opened')
RETURNING id AS p1 \gset
INSERT INTO ptx.bid (project_id, bidder_id, price)
VALUES (:p1, :b1, 4800000), (:p1, :b2, 4850000), (:p1, :b3, 4900000);
RESET session_replication_role;

-- The experts, each testing one rule; evaluation on 2024-06-10.
SELECT regress_expert(1, 'e01 合格', :e0) AS x01,
       regress_expert(2, 'e02 三年内曾任职投标人甲', :e0 + 1) AS x02,
       regress_expert(3, 'e03 离开投标人甲已满三年', :e0 + 2) AS x03,
       regress_expert(4, 'e04 离开投标人甲恰满三年', :e0 + 3) AS x04,
       regress_expert(5, 'e05 招标人在职员工', :tenderee) AS x05,
       regress_expert(6, 'e06 曾任代理机构董事', :e0 + 5) AS x06,
       regress_expert(7, 'e07 投标人乙实际控制人', :e0 + 6) AS x07,
       regress_expert(8, 'e08 投标人丙负责人近亲属', :e0 + 7) AS x08,
       regress_expert(9, 'e09 近亲属关系已终止', :e0 + 8) AS x09,
       regress_expert(10, 'e10 监管部门工作人员', :e0 + 9) AS x10,
       regress_expert(11, 'e11 其他利害关系', :e0 + 10) AS x11,
       regress_expert(12, 'e12 曾受处罚', :e0 + 11) AS x12,
       regress_expert(13, 'e13 评标日后受处罚', :e0 + 12) AS x13,
       regress_expert(14, 'e14 暂停至评标日', :e0 + 13) AS x14,
       regress_expert(15, 'e15 暂停至评标前一日', :e0 + 14) AS x15,
       regress_expert(16, 'e16 已清退', :e0 + 15) AS x16,
       regress_expert(17, 'e17 培训证前一日过期', :e0 + 16, trained => '2024-06-09') AS x17,
       regress_expert(18, 'e18 培训证评标日到期', :e0 + 17, trained => '2024-06-10') AS x18,
       regress_expert(19, 'e19 从业七年', :e0 + 18, title => 'senior', years => 7) AS x19,
       regress_expert(20, 'e20 中级职称', :e0 + 19, title => 'intermediate', years => 20) AS x20,
       regress_expert(21, 'e21 副高从业八年', :e0 + 20, title => 'associate_senior', years => 8) AS x21,
       regress_expert(22, 'e22 与无关单位有关系', :e0 + 21) AS x22,
       regress_expert(23, 'e23 将入职投标人甲', :e0 + 22) AS x23,
       regress_expert(24, 'e24 信用受限', :e0 + 23) AS x24,
       regress_expert(25, 'e25 专业A080101', :e0 + 24, '{A080101}') AS x25,
       regress_expert(26, 'e26 专业A0802', :e0 + 25, '{A0802}') AS x26,
       regress_expert(27, 'e27 专业B08', :e0 + 26, '{B08}') AS x27,
       regress_expert(28, 'e28 项目所在地下辖区', :e0 + 27, region => '150102') AS x28,
       regress_expert(29, 'e29 自治区本级', :e0 + 28, region => '150000') AS x29,
       regress_expert(30, 'e30 未培训', :e0 + 29, trained => NULL) AS x30 \gset
SELECT ptx.add_expert_relation(:x02, :b1, 'employee', '2015-01-01', '2021-06-11'),
       ptx.add_expert_relation(:x03, :b1, 'employee', '2015-01-01', '2021-06-09'),
       ptx.add_expert_relation(:x04, :b1, 'employee', '2015-01-01', '2021-06-10'),
       ptx.add_expert_relation(:x06, :agency, 'director', '2018-01-01', '2022-12-31'),
       ptx.add_expert_relation(:x07, :b2, 'controller'),
       ptx.add_expert_relation(:x08, :b3, 'relative'),
       ptx.add_expert_relation(:x09, :b3, 'relative', NULL, '2024-06-09'),
       ptx.add_expert_relation(:x10, :sup, 'supervisor_staff'),
       ptx.add_expert_relation(:x11, :tenderee, 'other'),
       ptx.add_expert_relation(:x22, :e0 + 33, 'employee'),
       ptx.add_expert_relation(:x23, :b1, 'employee', '2024-07-01') \gset
SELECT ptx.record_expert_penalty(:x12, '2020-05-01', '串通投标受行政处罚'),
       ptx.record_expert_penalty(:x13, '2024-06-11', '评标日后的处罚') \gset
SELECT ptx.suspend_expert(:x14, '2024-06-10', '暂停'), ptx.suspend_expert(:x15, '2024-06-09', '暂停'),
       ptx.dismiss_expert(:x16, '清退') \gset
SELECT ptx.add_credit_record('expert', (SELECT id FROM ptx.expert WHERE name LIKE 'e24 %'),
                             'expert_ban', '取消担任评标委员会成员资格', '2024-01-01') \gset
SET ptx.fake_now = '2024-06-10 09:00:00+08';

-- Eligibility for a need of A0801 on 2024-06-10: the pool of the draw, and
-- the reasons of ptx.expert_ineligibility, which must agree.
SELECT e.name,
       e.id IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10')) AS in_pool,
       array_to_string(ARRAY(SELECT ptx.expert_ineligibility(e.id, :p1, '2024-06-10')), '; ') AS reasons
  FROM ptx.expert e ORDER BY e.id;
SELECT count(*) AS disagreements
  FROM ptx.expert e
 WHERE (e.id IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10')))
    <> (NOT EXISTS (SELECT ptx.expert_ineligibility(e.id, :p1, '2024-06-10')) AND e.specialty_prefixes @> '{A0801}');
-- One day later the suspension of e14 has ended and e13 has been punished.
SELECT array_agg(e.name ORDER BY e.id) FILTER (WHERE e.id IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-11')))
       <> array_agg(e.name ORDER BY e.id) FILTER (WHERE e.id IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10')))
       AS changed,
       (SELECT array_agg(name ORDER BY id) FROM ptx.expert WHERE id IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-11'))
                                                            AND id NOT IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10'))) AS joined,
       (SELECT array_agg(name ORDER BY id) FROM ptx.expert WHERE id IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10'))
                                                            AND id NOT IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-11'))) AS left_pool
  FROM ptx.expert e;
-- Specialty prefixes: A08 takes A0801, A080101 and A0802; A080101 only its own; B08 only B08.
SELECT s AS need, array_agg(split_part(e.name, ' ', 1) ORDER BY e.id) AS experts
  FROM unnest('{A08,A080101,A0802,B08,B0801,C01}'::text[]) s
  LEFT JOIN ptx.expert_pool(:p1, s, '2024-06-10') q ON true
  LEFT JOIN ptx.expert e ON e.id = q.expert_id
 GROUP BY s ORDER BY s;
-- Off-site (远程异地评标): remote leaves out the project's region 150100 and
-- its sub-regions (e28 in 150102), not the region above it (e29 in 150000);
-- regions keeps only experts inside the regions named.
SELECT (SELECT array_agg(split_part(e.name, ' ', 1) ORDER BY e.id) FROM ptx.expert e
         WHERE e.region <> '150200' AND e.id IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10'))) AS outside_150200,
       (SELECT array_agg(split_part(e.name, ' ', 1) ORDER BY e.id) FROM ptx.expert e
         WHERE e.region <> '150200' AND e.id IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10', remote => true))) AS remote,
       (SELECT array_agg(split_part(e.name, ' ', 1) ORDER BY e.id) FROM ptx.expert e
         WHERE e.id IN (SELECT expert_id FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10', regions => '{150100}'))) AS regions_150100,
       (SELECT count(*) FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10', regions => '{150000}'))
     = (SELECT count(*) FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10')) AS regions_150000_is_all;

-- Requests: needs and options are checked.
SELECT ptx.request_expert_draw(:p1, '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A8","count":1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08","count":0}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08","count":2.5}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08","count":1}]', '{"remote":"yes"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08","count":1}]', '{"regions":["159900"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08","count":1}]', '{"max_per_employer":0}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08","count":1}]', '{"designate":[1]}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08","count":1}]', '{"evaluation_date":"2024-06-09"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1 + 100, '[{"specialty":"A08","count":1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A0801","count":3},{"specialty":"A08","count":1}]',
                               '{"evaluation_date":"2024-06-10","public_entropy":"开奖号码 3 1 4"}') AS d1 \gset
SELECT kind, purpose, need, pool_rules, public_entropy IS NOT NULL AS entropy
  FROM ptx.draw_request WHERE id = :d1;

-- PX013 in the requesting transaction; look, roll back, execute again: the same picks.
BEGIN;
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"B08","count":1}]') AS d0 \gset
SELECT * FROM ptx.execute_draw(:d0);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SELECT string_agg(subject_id || '/' || role, ',' ORDER BY seat) AS first_look FROM ptx.execute_draw(:d1) \gset
ROLLBACK;
SELECT string_agg(subject_id || '/' || role, ',' ORDER BY seat) = :'first_look' AS same_after_rollback,
       count(*) AS picks, string_agg(role, ',' ORDER BY seat) AS roles
  FROM ptx.execute_draw(:d1);
SELECT string_agg(subject_id || '/' || role, ',' ORDER BY seat) = :'first_look' AS same_again FROM ptx.execute_draw(:d1);
SELECT ptx.verify_draw(:d1) AS verified;
-- The picks: eligible, distinct, of distinct employers, each in its need's pool.
SELECT count(DISTINCT p.subject_id) AS distinct_experts,
       count(DISTINCT e.employer_id) AS distinct_employers,
       bool_and(p.subject_id IN (SELECT expert_id FROM ptx.expert_pool(:p1, p.role, '2024-06-10'))) AS all_eligible,
       bool_and(p.subject_id = ANY (pl.pool)) AS all_from_stored_pools
  FROM ptx.draw_pick p
  JOIN ptx.expert e ON e.id = p.subject_id
  JOIN ptx.draw_pool pl ON pl.draw_id = p.draw_id AND pl.label = p.role
 WHERE p.draw_id = :d1;
SELECT pool_no, label, wanted, pool_size, pool_hash = ptx.draw_pool_hash(pool) AS hashed,
       pool = ARRAY(SELECT expert_id FROM ptx.expert_pool(:p1, label, '2024-06-10')) AS pool_is_eligible_set
  FROM ptx.draw_pool WHERE draw_id = :d1 ORDER BY pool_no;
-- Anyone with the seed replays it with ptx.draw_pick_needs.
SELECT array_agg(q.subject_id ORDER BY q.seat) = (SELECT array_agg(subject_id ORDER BY seat) FROM ptx.draw_pick WHERE draw_id = :d1) AS replayed
  FROM ptx.draw_request d,
       LATERAL (SELECT array_agg(x ORDER BY pool_no, o) AS pool, array_agg(g ORDER BY pool_no, o) AS groups
                  FROM ptx.draw_pool pl, unnest(pl.pool, pl.groups) WITH ORDINALITY AS u (x, g, o)
                 WHERE pl.draw_id = d.id) f,
       LATERAL ptx.draw_pick_needs(d.seed, f.pool,
                                   ARRAY(SELECT pool_size FROM ptx.draw_pool WHERE draw_id = d.id ORDER BY pool_no),
                                   ARRAY(SELECT wanted FROM ptx.draw_pool WHERE draw_id = d.id ORDER BY pool_no),
                                   f.groups, 1, '{}') q
 WHERE d.id = :d1;

-- One draw per need and round (PX008): A08 is drawn in d1.  A re-tender
-- (重新招标) opens round 2, which draws its committee again.
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08","count":2}]');
\echo :LAST_ERROR_SQLSTATE
SET session_replication_role = replica;
UPDATE ptx.project SET round = 2 WHERE id = :p1;
RESET session_replication_role;
-- CALL draw_experts requests, commits and executes; inside a transaction
-- block it cannot commit.
CALL ptx.draw_experts(:p1, '[{"specialty":"A08","count":2}]', '{}', NULL);
SELECT max(id) AS d2 FROM ptx.draw_request \gset
SELECT (SELECT picks FROM ptx.draw_execution WHERE draw_id = :d2) AS picks, ptx.verify_draw(:d2) AS verified;
-- Experts drawn before for the project are not drawn again.
SELECT count(*) AS drawn_twice
  FROM (SELECT subject_id FROM ptx.draw_pick WHERE draw_id IN (:d1, :d2) GROUP BY 1 HAVING count(*) > 1) t;
SELECT already_drawn = (SELECT array_agg(subject_id ORDER BY subject_id) FROM ptx.draw_pick WHERE draw_id = :d1) AS excluded_earlier_picks
  FROM ptx.expert_draw_context WHERE draw_id = :d2;
BEGIN;
CALL ptx.draw_experts(:p1, '[{"specialty":"C01","count":1}]');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Replacement (补抽): a reason, the same specialty and rules, never anyone
-- drawn before for the project nor the declined expert.
SELECT subject_id AS declined, role AS declined_role FROM ptx.draw_pick WHERE draw_id = :d1 AND seat = 1 \gset
SELECT ptx.replace_pick(:d1, :declined, '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.replace_pick(:d1, :x27, '不在抽取结果中');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.replace_pick(:d1, :declined, '本人因病无法参加') AS r1 \gset
\set VERBOSITY sqlstate
SELECT ptx.replace_pick(:d1, :declined, '再次');
\set VERBOSITY default
SELECT kind, need, replaces_draw_id = :d1 AS links_draw, replaced_subject_id = :declined AS records_declined, reason,
       pool_rules = (SELECT pool_rules FROM ptx.draw_request WHERE id = :d1) AS same_rules
  FROM ptx.draw_request WHERE id = :r1;
SELECT count(*) AS picks, bool_and(role = :'declined_role') AS same_specialty,
       bool_and(subject_id NOT IN (SELECT subject_id FROM ptx.draw_pick WHERE draw_id IN (:d1, :d2))) AS new_expert
  FROM ptx.execute_draw(:r1);
SELECT NOT (pool && (SELECT array_agg(subject_id) FROM ptx.draw_pick WHERE draw_id IN (:d1, :d2))) AS pool_excludes_drawn,
       NOT (:declined = ANY (pool)) AS pool_excludes_declined,
       pool = ARRAY(SELECT expert_id FROM ptx.expert_pool(:p1, :'declined_role', '2024-06-10')
                     WHERE expert_id NOT IN (SELECT subject_id FROM ptx.draw_pick WHERE draw_id IN (:d1, :d2))) AS pool_is_the_rest
  FROM ptx.draw_pool WHERE draw_id = :r1;
SELECT ptx.verify_draw(:r1) AS verified;
SELECT count(*) FILTER (WHERE expert_id = :declined) AS declined_seated, count(*) AS seated
  FROM ptx.committee_member WHERE project_id = :p1;

-- Too few eligible: PX007, and nothing recorded as picked.
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"C05","count":40}]') AS d3 \gset
\set VERBOSITY terse
SELECT * FROM ptx.execute_draw(:d3);
\set VERBOSITY default
SELECT (SELECT count(*) FROM ptx.draw_execution WHERE draw_id = :d3) AS executions,
       (SELECT count(*) FROM ptx.draw_pick WHERE draw_id = :d3) AS picks,
       (SELECT count(*) FROM ptx.draw_pool WHERE draw_id = :d3) AS pools;
-- It stays requested until cancelled, with a reason.
SELECT ptx.cancel_draw(:d3, '可选专家不足');

-- At most max_per_employer experts of one employer (default 1): C05 has
-- three experts of one employer and one each of two others.
SELECT regress_expert(31, 'c1', :e0 + 30, '{C05}'), regress_expert(32, 'c2', :e0 + 30, '{C05}'),
       regress_expert(33, 'c3', :e0 + 30, '{C05}'), regress_expert(34, 'c4', :e0 + 31, '{C0501}'),
       regress_expert(35, 'c5', :e0 + 32, '{C05}') \gset
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"C05","count":4}]') AS d4 \gset
SELECT * FROM ptx.execute_draw(:d4);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(:d4, '同一单位专家过多，减少人数');
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"C05","count":2}]') AS d5 \gset
SELECT count(DISTINCT e.employer_id) AS employers, count(*) AS picks
  FROM ptx.execute_draw(:d5) x JOIN ptx.expert e ON e.id = x.subject_id;
-- A replacement counts the employers already seated: whichever member
-- leaves, the committee's C05 experts keep distinct employers.
SELECT subject_id AS c_declined FROM ptx.draw_pick WHERE draw_id = :d5 AND seat = 1 \gset
SELECT ptx.replace_pick(:d5, :c_declined, '回避') AS r2 \gset
SELECT count(*) AS picks FROM ptx.execute_draw(:r2);
SELECT count(*) AS seated_c05, count(DISTINCT e.employer_id) AS employers
  FROM ptx.committee_member m JOIN ptx.expert e ON e.id = m.expert_id
 WHERE m.project_id = :p1 AND e.specialties && '{C05,C0501}';
SELECT seated_employers <> '{}' AS seated_employers_counted FROM ptx.expert_draw_context WHERE draw_id = :r2;
-- max_per_employer 2: C06 has two experts of one employer and one of another.
SELECT regress_expert(36, 'c6', :e0 + 29, '{C06}'), regress_expert(37, 'c7', :e0 + 29, '{C06}'),
       regress_expert(38, 'c8', :e0 + 33, '{C06}') \gset
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"C06","count":3}]') AS d6 \gset
SELECT * FROM ptx.execute_draw(:d6);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(:d6, '同一单位专家过多，放宽每单位人数');
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"C06","count":3}]', '{"max_per_employer":2}') AS d6 \gset
SELECT count(*) AS picks, count(*) FILTER (WHERE e.employer_id = :e0 + 29) AS of_one_employer
  FROM ptx.execute_draw(:d6) x JOIN ptx.expert e ON e.id = x.subject_id;
SELECT ptx.verify_draw(:d5) AND ptx.verify_draw(:r2) AND ptx.verify_draw(:d6) AS verified;

-- Uniformity: 2000 draws of 3 from the 12 eligible A0801 experts with the
-- fixed seeds sha256(i); each expert is expected 2000 × 3 / 12 = 500 times.
-- Chi-square below 31.26 (p = 0.001, 11 degrees of freedom).  Deterministic.
SELECT array_agg(expert_id ORDER BY expert_id) AS pool12 FROM ptx.expert_pool(:p1, 'A0801', '2024-06-10') \gset
SELECT cardinality(:'pool12'::bigint[]) AS pool_size;
SELECT round(sum((c - 500.0) ^ 2 / 500.0), 2) AS chi_square,
       sum((c - 500.0) ^ 2 / 500.0) < 31.26 AS uniform, count(*) AS experts_seen
  FROM (SELECT q.subject_id, count(*) AS c
          FROM generate_series(1, 2000) i,
               ptx.draw_pick_needs(sha256(int8send(i)), :'pool12'::bigint[], ARRAY[12], ARRAY[3]) q
         GROUP BY q.subject_id) t;
-- The first seat alone: expected 2000 / 12 each; 31.26 again.
SELECT round(sum((c - 2000.0 / 12) ^ 2 / (2000.0 / 12)), 2) AS chi_square_seat_1,
       sum((c - 2000.0 / 12) ^ 2 / (2000.0 / 12)) < 31.26 AS uniform
  FROM (SELECT q.subject_id, count(*) AS c
          FROM generate_series(1, 2000) i,
               ptx.draw_pick_needs(sha256(int8send(i)), :'pool12'::bigint[], ARRAY[12], ARRAY[3]) q
         WHERE q.seat = 1
         GROUP BY q.subject_id) t;

-- A database below expert_db.min_size warns at draw time, never refuses.
SELECT count(*) AS active FROM ptx.expert
 WHERE status = 'active' OR (status = 'suspended' AND suspended_until < '2024-06-10') \gset
SELECT :active AS active_experts;
SELECT ptx.set_policy('expert_db.min_size', :active, 'boundary: as many as there are');
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"B08","count":1}]') AS d7 \gset
SELECT count(*) AS picks FROM ptx.execute_draw(:d7);
SELECT active_experts = :active AS counted FROM ptx.expert_draw_context WHERE draw_id = :d7;
SELECT ptx.set_policy('expert_db.min_size', :active + 1, 'boundary: one more than there are');
SET session_replication_role = replica;
UPDATE ptx.project SET round = 3 WHERE id = :p1;
RESET session_replication_role;
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08","count":1}]') AS d8 \gset
SELECT count(*) AS picks FROM ptx.execute_draw(:d8);
SELECT ptx.set_policy('expert_db.min_size', NULL, 'back to the legal default');

-- A published project draws no more.
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'publicity' WHERE id = :p1;
RESET session_replication_role;
SELECT ptx.request_expert_draw(:p1, '[{"specialty":"A08","count":1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.replace_pick(:d2, (SELECT subject_id FROM ptx.draw_pick WHERE draw_id = :d2 AND seat = 1), '结果公示后');
\echo :LAST_ERROR_SQLSTATE
