-- Government procurement as its own regime (R12) and the tender rules of
-- R11 at their boundaries: trading methods per category, each method's
-- period (3 working days for negotiation, across a weekend), single
-- source, the challenge (质疑) within 7 working days and its answer within
-- 7, the complaint 15 working days after the answer period, opening at the
-- deadline, no bid while suspended, amendments of the documents (条例 §21),
-- voluntary projects, the complex procurement's committee.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET statement_timeout = '10s';

SET client_min_messages = warning;
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor', 'auditor', 'public'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
  END LOOP;
END $$;
RESET client_min_messages;
SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees drawn in another system') \gset
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'the bids of this test are sealed by the platform') \gset

CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150100' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150100' || lpad(n::text, 9, '0'));
SET ptx.fake_now = '2026-03-02 09:00:00+08';                  -- a Monday
SELECT ptx.add_region('150000', '内蒙古自治区') \gset
SELECT ptx.add_region('150100', '呼和浩特市', '150000') \gset
SELECT ptx.add_org(pg_temp.uscc(1), '内蒙古自治区财政厅', '150000', '{supervisor}') AS sup,
       ptx.add_org(pg_temp.uscc(2), '呼和浩特市第一医院', '150100', '{tenderee}') AS buyer \gset
SELECT min(ptx.add_org(pg_temp.uscc(2 + n), '供应商' || n, '150100', '{bidder}')) AS s1
  FROM generate_series(1, 4) n \gset
SELECT ptx.grant_jurisdiction(:sup, c, '150000') FROM unnest(ARRAY['procurement', 'construction']) c \gset

------------------------------------------------------------------------
-- Methods: a closed vocabulary per category.
------------------------------------------------------------------------
SELECT category, string_agg(method, ', ' ORDER BY method) AS methods
  FROM ptx.trade_method GROUP BY category ORDER BY category;
SELECT ptx.register_project('X1', '设备', 'procurement', '150100', :buyer, 500000, :sup, 'state', NULL, 'auction');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X2', '工程', 'construction', '150100', :buyer, 500000, :sup, 'state', NULL, 'negotiation');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X3', '设备', 'procurement', '150100', :buyer, 500000, :sup, 'state', NULL, 'Open');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('NEG', '办公设备竞争性谈判', 'procurement', '150100', :buyer, 800000, :sup, 'state', NULL, 'negotiation') AS neg \gset
SELECT ptx.register_project('SS', '专有设备单一来源', 'procurement', '150100', :buyer, 900000, :sup, 'state', NULL, 'single_source') AS ss \gset
SELECT ptx.register_project('CON', '物业服务竞争性磋商', 'procurement', '150100', :buyer, 900000, :sup, 'state', NULL, 'consultation') AS con \gset
SELECT ptx.register_project('OPEN', 'CT设备公开招标', 'procurement', '150100', :buyer, 5000000, :sup, 'state', NULL) AS opn \gset
UPDATE ptx.project SET method = 'listing' WHERE id = :neg;
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Periods per method.
------------------------------------------------------------------------
-- negotiation: 3 working days; announced on Thursday, the third working
-- day is Tuesday (the weekend not counted)
SET ptx.fake_now = '2026-03-05 10:00:00+08';                  -- Thursday
SELECT ptx.announce(:neg, '2026-03-09 17:00+08');               -- Monday: 2 working days
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(:neg, '2026-03-10 09:00+08');               -- Tuesday: the third
-- competitive consultation: 10 days
SELECT ptx.announce(:con, '2026-03-14 09:00+08');               -- day 9
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(:con, '2026-03-16 09:00+08');               -- day 10 is Sunday: Monday
-- open tender: 20 days (87号令 §16), whether or not a catalog entry covers it
SELECT ptx.announce(:opn, '2026-03-24 09:00+08');               -- day 19
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(:opn, '2026-03-25 09:00+08');               -- day 20
-- single source: the announcement is the publicity, 5 working days
SELECT ptx.announce(:ss, '2026-03-11 09:00+08');                -- 4 working days
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(:ss, '2026-03-12 09:00+08');

------------------------------------------------------------------------
-- Opening at the deadline (法 §34): within the minute of the deadline and
-- the tolerance (0 by default).
------------------------------------------------------------------------
SELECT ptx.submit_bid(:neg, s, 700000 + s) > 0 AS bid FROM generate_series(:s1, :s1 + 2) s;
SET ptx.fake_now = '2026-03-10 09:01:00+08';
SELECT ptx.open_bids(:neg);
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2026-03-10 09:00:59.999999+08';
SELECT ptx.open_bids(:neg);
-- a region's tolerance
SELECT ptx.submit_bid(:ss, :s1, 880000) > 0 AS single_bid;
SELECT ptx.set_policy('tender.opening_tolerance_minutes', 30, '开标准备时间');
SET ptx.fake_now = '2026-03-12 09:31:00+08';
SELECT ptx.open_bids(:ss);
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2026-03-12 09:30:59+08';
SELECT ptx.open_bids(:ss) AS single_source_opens_with_one_bid;
SELECT ptx.set_policy('tender.opening_tolerance_minutes', 20000, 'wrong');
SET ptx.fake_now = '2026-03-16 09:00:00+08';
SELECT ptx.submit_bid(:con, s, 800000 + s) > 0 AS bid FROM generate_series(:s1, :s1 + 2) s;
SELECT ptx.open_bids(:con);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('tender.opening_tolerance_minutes', NULL, 'the law');

------------------------------------------------------------------------
-- Challenges (质疑): within 7 working days of knowing (政府采购法 §52),
-- answered within 7 working days (§53); no tendering-law stages here.
------------------------------------------------------------------------
SET ptx.fake_now = '2026-03-11 10:00:00+08';
SELECT ptx.file_objection(:opn, :s1, 'documents', '技术参数指向特定品牌');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_challenge(:opn, :s1, '技术参数指向特定品牌', '2026-03-02') AS c1 \gset
SELECT stage, known_on, answer_due, suspends FROM ptx.objection WHERE id = :c1;
SET ptx.fake_now = '2026-03-12 10:00:00+08';                    -- the 8th working day
SELECT ptx.file_challenge(:opn, :s1 + 1, '评分标准不合理', '2026-03-02');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_challenge(:opn, :s1 + 1, '评分标准不合理', '2026-03-13');
\echo :LAST_ERROR_SQLSTATE
-- the challenge does not suspend the procurement (challenge.suspends 0)
SELECT status FROM ptx.project_status WHERE id = :opn;
-- the answer is due on the 7th working day after the filing: 03-20
SELECT kind, due FROM ptx.overdue_items('2026-03-20') WHERE item_id = :c1;
SELECT kind, due, days_overdue FROM ptx.overdue_items('2026-03-23') WHERE item_id = :c1;
-- a challenge to a construction tender is not the tendering law's
SELECT ptx.register_project('W1', '门诊楼施工', 'construction', '150100', :buyer, 6000000, :sup, 'state') AS w1 \gset
SET ptx.fake_now = '2026-03-02 09:00:00+08';
SELECT ptx.announce(:w1, '2026-03-30 09:00+08');
SELECT ptx.file_challenge(:w1, :s1, '质疑');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Complaint (投诉) to the finance department: after the answer or the end
-- of the answer period, within 15 working days of that end (§55);
-- acceptance within 5 working days (94号令 §21), the decision within 30
-- working days of the receipt (§56).
------------------------------------------------------------------------
SET ptx.fake_now = '2026-03-18 10:00:00+08';
SELECT ptx.file_complaint(:opn, :s1, 'challenge', '对质疑未答复');
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2026-04-14 10:00:00+08';                    -- the 16th working day after 03-20
SELECT ptx.file_complaint(:opn, :s1, 'challenge', '对质疑未答复');
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2026-04-13 10:00:00+08';                    -- the 15th (Qingming 04-06 not counted)
SELECT ptx.file_complaint(:opn, :s1, 'challenge', '对质疑未答复') AS k1 \gset
SELECT stage, objection_id = :c1 AS follows_challenge, accept_due FROM ptx.complaint WHERE id = :k1;
SET ptx.fake_now = '2026-04-15 10:00:00+08';
SELECT ptx.accept_complaint(:k1, true);
SELECT decision_due FROM ptx.complaint WHERE id = :k1;
SELECT ptx.file_complaint(:w1, :s1, 'challenge', '施工项目');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- No bid while an objection suspends the tender (条例 §22): a
-- construction tender with an objection to its documents.
------------------------------------------------------------------------
SET ptx.fake_now = '2026-03-10 10:00:00+08';
SELECT ptx.file_objection(:w1, :s1, 'documents', '资格条件排斥潜在投标人') AS o1 \gset
SELECT ptx.submit_bid(:w1, :s1 + 1, 5500000);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.answer_objection(:o1, '已修改资格条件', true);
SELECT upheld FROM ptx.objection WHERE id = :o1;
SELECT ptx.submit_bid(:w1, :s1 + 1, 5500000) > 0 AS bid_after_answer;
SELECT ptx.answer_objection(:o1, '再答复', NULL);
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Amendments of the documents (条例 §21): 15 days before the deadline,
-- else the deadline moves; recorded and public.
------------------------------------------------------------------------
SET ptx.fake_now = '2026-03-12 10:00:00+08';
-- 03-12 + 15 = 03-27: the deadline of 03-30 keeps it
SELECT ptx.amend_documents(:w1, '更正工期要求') AS a1 \gset
SELECT moved, deadline_before, deadline_after FROM ptx.document_amendment WHERE id = :a1;
SET ptx.fake_now = '2026-03-16 10:00:00+08';
-- 03-16 + 15 = 03-31: the deadline moves to 03-31 09:00
SELECT ptx.amend_documents(:w1, '增加技术规格') AS a2 \gset
SELECT moved, earliest_day, deadline_before, deadline_after FROM ptx.document_amendment WHERE id = :a2;
SELECT bid_deadline FROM ptx.project WHERE id = :w1;
SELECT ptx.amend_documents(:w1, '提前截止', '2026-03-30 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.amend_documents(:w1, '   ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.amend_documents(:w1, '延期', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.amend_documents(:w1, '延期', '2026-04-20 09:00+08') AS a3 \gset
SELECT moved, deadline_after FROM ptx.document_amendment WHERE id = :a3;
SELECT ptx.amend_documents(:neg, '谈判后修改');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.document_amendment SET summary = 'x';
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_public;
SELECT project_code, summary, deadline_before, deadline_after, moved FROM ptx_public.document_amendment ORDER BY id;
SELECT ptx.amend_documents(1, 'x');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_ptx_supervisor;
SELECT ptx.amend_documents(:w1, '监督部门不能修改招标文件');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.mark_complex(:opn);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------
-- Voluntary projects (no catalog entry) outside government procurement:
-- their period is a setting, no 20-day floor by default.
------------------------------------------------------------------------
SELECT ptx.register_project('V1', '自愿招标', 'construction', '150100', :buyer, 300000, :sup, 'private') AS v1 \gset
SELECT voluntary FROM ptx.project WHERE id = :v1;
SELECT ptx.announce(:v1, '2026-03-16 09:59:59+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(:v1, '2026-03-20 09:00+08') AS voluntary_five_days;
SELECT ptx.set_policy('tender.min_bid_days.voluntary', 10, '本地区自愿招标不少于10日');
SELECT key, earliest FROM ptx.bid_period(:v1, '2026-03-16 10:00+08');

------------------------------------------------------------------------
-- A complex procurement needs 7 members (87号令 §47).
------------------------------------------------------------------------
SELECT complex FROM ptx.project WHERE id = :opn;
SELECT ptx.mark_complex(:opn);
SELECT complex FROM ptx.project WHERE id = :opn;
SELECT ptx.mark_complex(:opn, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.mark_complex(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT x FROM ptx.committee_problems(:opn) x WHERE x LIKE '%at least%';
SELECT ptx.mark_complex(:opn, false);
SELECT x FROM ptx.committee_problems(:opn) x WHERE x LIKE '%at least%';
RESET ptx.fake_now;

------------------------------------------------------------------------
-- The result of a procurement is announced for 1 working day (87号令
-- §69); a winner who refuses the contract is set aside and the award moves
-- to the next candidate (政府采购法实施条例 §49; 条例 §55).
------------------------------------------------------------------------
SET ptx.fake_now = '2026-03-10 10:00:00+08';                   -- Tuesday
SELECT ptx.start_evaluation(:neg), ptx.report_evaluation(:neg);
SELECT ptx.publish_candidates(:neg, ARRAY[:s1, :s1 + 1, :s1 + 2]::bigint[]);
SELECT publicity_until FROM ptx.project WHERE id = :neg;
SET ptx.fake_now = '2026-03-11 23:59:59.999999+08';
SELECT ptx.award(:neg, :s1);
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2026-03-12 00:00:00+08';
SELECT ptx.award(:neg, :s1);
SET ptx.fake_now = '2026-03-13 10:00:00+08';
SELECT ptx.award(:neg, :s1 + 1);                                 -- the winner is not set aside
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(:neg, :s1, 'declined', '中标供应商拒绝签订合同');
SELECT ptx.award(:neg, :s1);                                     -- already its winner
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(:neg, :s1 + 3);                                 -- not a candidate
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(:neg, :s1 + 1);
SELECT state, winner_id = :s1 + 1 AS next_candidate, awarded_at FROM ptx.project WHERE id = :neg;
SELECT from_state, to_state, regexp_replace(reason, '\d+', 'N', 'g') AS reason
  FROM ptx.project_history(:neg) WHERE from_state = 'awarded';
UPDATE ptx.project SET winner_id = :s1 WHERE id = :neg;          -- back to the one set aside
\echo :LAST_ERROR_SQLSTATE
RESET ptx.fake_now;

------------------------------------------------------------------------
-- The contract within 30 days of the award (政府采购法 §46): awarded on
-- 04-01, the 30th day is 05-01, Labour Day; the period ends on 05-06, the
-- first working day after the holiday.
------------------------------------------------------------------------
SET ptx.fake_now = '2026-03-30 10:00:00+08';
SELECT ptx.start_evaluation(:ss), ptx.report_evaluation(:ss);
SELECT ptx.publish_candidates(:ss, ARRAY[:s1]::bigint[]);
SET ptx.fake_now = '2026-04-01 09:00:00+08';
SELECT ptx.award(:ss, :s1);
SET ptx.fake_now = '2026-05-07 09:00:00+08';
SELECT kind, due FROM ptx.overdue_items('2026-05-06') WHERE project_id = :ss;
SELECT kind, due FROM ptx.overdue_items('2026-05-07') WHERE project_id = :ss;
SELECT ptx.record_contract(:ss, :buyer, :s1, 'procurement', '150100', 880000, 'state', '2026-05-07');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(:ss, :buyer, :s1, 'procurement', '150100', 880000, 'state', '2026-05-06') > 0 AS signed_on_0506;
RESET ptx.fake_now;
