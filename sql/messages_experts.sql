-- Messages in English (the default) and in Chinese (lc_messages zh_CN) of
-- the draws, the expert database, the expert draws, the evaluation
-- committee, the experts' ratings and the cancellation of draws: the same
-- refusals in both languages, the SQLSTATE unchanged.
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

SET ptx.fake_now = '2024-06-10 09:00:00+08';
SELECT ptx.set_policy('expert_db.min_size', 10, 'a small test database');
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_org(regress_uscc(1), '住房和城乡建设厅', '150000', '{supervisor}') AS sup,
       ptx.add_org(regress_uscc(2), '招标人', '150100', '{tenderee}') AS tenderee,
       ptx.add_org(regress_uscc(3), '代理机构', '150100', '{agency}') AS agency \gset
SELECT min(ptx.add_org(regress_uscc(i), '单位' || i, '150100', '{bidder}')) AS e0 FROM generate_series(4, 30) i \gset
SELECT ptx.grant_jurisdiction(:sup, 'construction', '150000');
-- Five experts of A08, all drawn for P (the picks are then known), one
-- dismissed, four of A06.
SELECT min(ptx.add_expert('专家' || i, regress_rid(i), :e0 + i, '150100', '{A08}', '2025-12-31')) AS x1
  FROM generate_series(1, 6) i \gset
SELECT count(ptx.add_expert('专家乙' || i, regress_rid(20 + i), :e0 + 6 + i, '150100', '{A06}', '2025-12-31')) AS a06_experts
  FROM generate_series(1, 4) i;
SELECT ptx.dismiss_expert(:x1 + 5, '评标中严重违纪') > 0 AS dismissed;

SET session_replication_role = replica;
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount, state) VALUES
  ('P', '办公楼施工', 'construction', '150100', :tenderee, :agency, :sup, 5000000, 'opened'),
  ('Z', '道路养护', 'construction', '150100', :tenderee, :agency, :sup, 3000000, 'opened');
RESET session_replication_role;
SELECT id AS p FROM ptx.project WHERE code = 'P' \gset
SELECT id AS z FROM ptx.project WHERE code = 'Z' \gset

-- Two draws executed, each with the warning of a small database (in
-- English, then in Chinese); one requested and left, one cancelled; a
-- representative seated.
SELECT ptx.set_policy('expert_db.min_size', 50, 'a database smaller than the minimum');
SET lc_messages = 'C';
CALL ptx.draw_experts(:p, '[{"specialty":"A08","count":5}]');
SET lc_messages = 'zh_CN.UTF-8';
CALL ptx.draw_experts(:z, '[{"specialty":"A06","count":1}]');
RESET lc_messages;
SELECT ptx.set_policy('expert_db.min_size', 10, 'a small test database');
SELECT max(d.id) AS executed FROM ptx.draw_request d WHERE d.project_id = :p \gset
SELECT count(*) AS picks, min(p.subject_id) = :x1 AS first_expert_drawn
  FROM ptx.draw_pick p WHERE p.draw_id = :executed;
SELECT min(p.subject_id) AS drawn FROM ptx.draw_pick p WHERE p.draw_id = :executed \gset
SELECT ptx.request_expert_draw(:p, '[{"specialty":"A06","count":1}]') AS waiting \gset
SELECT ptx.request_expert_draw(:z, '[{"specialty":"A08","count":1}]') AS cancelled \gset
SELECT ptx.cancel_draw(:cancelled, '评标时间推迟');
SELECT ptx.add_tenderee_representative(:p, '招标人代表甲') AS rep \gset

-- English, the default
SET lc_messages = 'C';
SELECT ptx.message_language();
-- draws (61_draw.sql)
SELECT ptx.request_expert_draw(:z, '[{"specialty":"A08","count":1}]', '{"public_entropy":""}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.execute_draw(0);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.execute_draw(:cancelled);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.draw_run_committed(:executed, 'ptx.compute_expert_draw(bigint)');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.verify_draw(:waiting);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.draw_pick (draw_id, seat, subject_id, role) VALUES (:waiting, 1, :x1, 'A06');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT ptx.request_expert_draw(:z, '[{"specialty":"B08","count":1}]') AS uncommitted \gset
SELECT count(*) FROM ptx.execute_draw(:uncommitted);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- the expert database (62_experts.sql, 62_experts_personal_data.sql)
SELECT ptx.add_expert_relation(:x1, :tenderee, 'friend');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert_relation(:x1, :tenderee, 'employee', '2024-01-01', '2023-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.suspend_expert(:x1 + 5, '2024-12-31', '暂停');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.suspend_expert(:x1, '2024-06-09', '暂停');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.suspend_expert(:x1, '2024-12-31', ' ');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.expert SET status = 'suspended' WHERE id = :x1;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('专家丙', regress_rid(90), :e0, '150100', '{A08}', '2025-12-31', phone => '138-abc');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('专家丙', regress_rid(90), :e0, '150100', '{A08}', '2025-12-31', title => 'professor');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('专家丙', regress_rid(1), :e0, '150100', '{A08}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('专家丙', '', :e0, '150100', '{A08}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_expert_phone(0, '13800000000');
\echo :LAST_ERROR_SQLSTATE
-- expert draws (63_expert_draw.sql)
SELECT ptx.request_expert_draw(:p, '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"A08"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"D08","count":1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"C01","count":51}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"C01","count":1}]', '{"remote":true,"experts":[1]}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"C01","count":1}]', '{"regions":["150000","159900"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"C01","count":1}]', '{"evaluation_date":"2024-06-09"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"A0801","count":1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"A06","count":1}]');
\echo :LAST_ERROR_SQLSTATE
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'publicity' WHERE id = :z;
RESET session_replication_role;
SELECT ptx.request_expert_draw(:z, '[{"specialty":"C01","count":1}]');
\echo :LAST_ERROR_SQLSTATE
CALL ptx.draw_experts(:p, NULL, '{}', :cancelled);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.expert_ineligibility(0, :p);
\echo :LAST_ERROR_SQLSTATE
-- the committee (64_committee.sql)
SELECT ptx.withdraw_tenderee_representative(:rep, '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.withdraw_tenderee_representative(0, '改由专家补足');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.replace_pick(:executed, :drawn, '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.replace_pick(:executed, 0, '拒绝参加');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.committee_composition(0);
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'evaluating' WHERE id = :p;
\echo :LAST_ERROR_SQLSTATE
-- ratings (65_expert_rating.sql)
SELECT ptx.rate_expert(:p, :drawn, 80);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.rate_expert(0, :drawn, 80);
\echo :LAST_ERROR_SQLSTATE
-- cancelling a draw (66_draw_cancellation.sql)
SELECT ptx.cancel_draw(:waiting, ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(0, '需求有误');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(:executed, '需求有误');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(:cancelled, '再次');
\echo :LAST_ERROR_SQLSTATE
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'opened' WHERE id = :z;
RESET session_replication_role;

-- Chinese, the same refusals
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.message_language();
-- draws (61_draw.sql)
SELECT ptx.request_expert_draw(:z, '[{"specialty":"A08","count":1}]', '{"public_entropy":""}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.execute_draw(0);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.execute_draw(:cancelled);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.draw_run_committed(:executed, 'ptx.compute_expert_draw(bigint)');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.verify_draw(:waiting);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.draw_pick (draw_id, seat, subject_id, role) VALUES (:waiting, 1, :x1, 'A06');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT ptx.request_expert_draw(:z, '[{"specialty":"B08","count":1}]') AS uncommitted \gset
SELECT count(*) FROM ptx.execute_draw(:uncommitted);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- the expert database (62_experts.sql, 62_experts_personal_data.sql)
SELECT ptx.add_expert_relation(:x1, :tenderee, 'friend');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert_relation(:x1, :tenderee, 'employee', '2024-01-01', '2023-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.suspend_expert(:x1 + 5, '2024-12-31', '暂停');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.suspend_expert(:x1, '2024-06-09', '暂停');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.suspend_expert(:x1, '2024-12-31', ' ');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.expert SET status = 'suspended' WHERE id = :x1;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('专家丙', regress_rid(90), :e0, '150100', '{A08}', '2025-12-31', phone => '138-abc');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('专家丙', regress_rid(90), :e0, '150100', '{A08}', '2025-12-31', title => 'professor');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('专家丙', regress_rid(1), :e0, '150100', '{A08}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('专家丙', '', :e0, '150100', '{A08}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_expert_phone(0, '13800000000');
\echo :LAST_ERROR_SQLSTATE
-- expert draws (63_expert_draw.sql)
SELECT ptx.request_expert_draw(:p, '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"A08"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"D08","count":1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"C01","count":51}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"C01","count":1}]', '{"remote":true,"experts":[1]}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"C01","count":1}]', '{"regions":["150000","159900"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"C01","count":1}]', '{"evaluation_date":"2024-06-09"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"A0801","count":1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"A06","count":1}]');
\echo :LAST_ERROR_SQLSTATE
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'publicity' WHERE id = :z;
RESET session_replication_role;
SELECT ptx.request_expert_draw(:z, '[{"specialty":"C01","count":1}]');
\echo :LAST_ERROR_SQLSTATE
CALL ptx.draw_experts(:p, NULL, '{}', :cancelled);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.expert_ineligibility(0, :p);
\echo :LAST_ERROR_SQLSTATE
-- the committee (64_committee.sql)
SELECT ptx.withdraw_tenderee_representative(:rep, '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.withdraw_tenderee_representative(0, '改由专家补足');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.replace_pick(:executed, :drawn, '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.replace_pick(:executed, 0, '拒绝参加');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.committee_composition(0);
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'evaluating' WHERE id = :p;
\echo :LAST_ERROR_SQLSTATE
-- ratings (65_expert_rating.sql)
SELECT ptx.rate_expert(:p, :drawn, 80);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.rate_expert(0, :drawn, 80);
\echo :LAST_ERROR_SQLSTATE
-- cancelling a draw (66_draw_cancellation.sql)
SELECT ptx.cancel_draw(:waiting, ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(0, '需求有误');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(:executed, '需求有误');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(:cancelled, '再次');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

-- The ratings of a published project, in both languages.
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'publicity' WHERE id = :p;
RESET session_replication_role;
SELECT ptx.rate_expert(:p, :drawn, 90) > 0 AS rated;
SET lc_messages = 'C';
SELECT ptx.rate_expert(:p, :drawn, 90);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.rate_expert(:p, :x1 + 6, 90);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.rate_expert(:p, :drawn, NULL);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.rate_expert(:p, :drawn, 90);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.rate_expert(:p, :x1 + 6, 90);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.rate_expert(:p, :drawn, NULL);
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;
