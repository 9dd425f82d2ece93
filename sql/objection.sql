-- Objections (异议) and complaints (投诉) with their clocks (R4), and the
-- working-day calendar they count in.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
-- Committees are the subject of committee.sql: this test runs evaluations
-- as a region whose committees are drawn in another system does.
SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees drawn in another system') \gset
SET TIME ZONE 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';

------------------------------------------------------------------------
-- The calendar: weekends, public holidays, adjusted working days.
------------------------------------------------------------------------
SELECT d, to_char(d, 'Dy') AS dow, ptx.is_working_day(d) AS working
  FROM (VALUES (date '2025-09-27'), ('2025-09-28'), ('2025-09-30'), ('2025-10-01'),
               ('2025-10-08'), ('2025-10-09'), ('2025-10-11'), ('2025-10-12')) v(d);
SELECT ptx.add_working_days('2025-09-30', 3) AS three_after_sep_30,
       ptx.add_working_days('2025-11-07', 3) AS three_after_a_friday,
       ptx.add_working_days('2025-11-07', 0) AS zero,
       ptx.working_days_between('2025-09-30', '2025-10-11') AS between_;
SELECT ptx.add_working_days('2025-11-07', -1);
\echo :LAST_ERROR_SQLSTATE
-- the region's own rows win over the defaults
INSERT INTO ptx.holiday (day, kind, name, reason)
VALUES ('2025-11-10', 'holiday', '地方停工日', '自治区人民政府通知'),
       ('2025-10-08', 'workday', '调整为工作日', '示例：取消一天假期');
SELECT ptx.add_working_days('2025-11-07', 3) AS with_local_holiday,
       ptx.is_working_day('2025-10-08') AS oct_8_now_worked;
SELECT day, kind, name, local FROM ptx.calendar WHERE day IN ('2025-10-08', '2025-11-10') ORDER BY day;
DELETE FROM ptx.holiday;
-- settings that are periods, and one that is not
SELECT ptx.clock_date('2025-09-30', 'complaint.accept_working_days') AS accept_by,
       ptx.clock_date('2025-09-30', 'objection.answer_days') AS answer_by;
SELECT ptx.clock_date('2025-09-30', 'tender.min_bids');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Setting: a tender announced on Monday 2025-09-01, deadline 2025-09-25.
------------------------------------------------------------------------
SET ptx.fake_now = '2025-09-01 09:00:00+08';
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150500', '通辽市', '150000');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150500' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150500' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '通辽市住房和城乡建设局', '150500', '{supervisor}') AS supervisor,
       ptx.add_org(pg_temp.uscc(2), '通辽市城市投资公司', '150500', '{tenderee}') AS tenderee;
SELECT ptx.add_org(pg_temp.uscc(2 + n), '施工企业' || n, '150500', '{bidder}') FROM generate_series(1, 4) n;
SELECT ptx.grant_jurisdiction(1, 'construction', '150500');
SELECT ptx.register_project('TL-' || n, '道路工程' || n, 'construction', '150500', 2, 8000000, 1, 'state')
  FROM generate_series(1, 2) n;
SELECT ptx.announce(1, '2025-09-25 09:00+08');
SELECT ptx.submit_bid(1, b, 7000000 + b) FROM generate_series(3, 5) b;

------------------------------------------------------------------------
-- Objections to the documents: at least 10 days before the deadline.
------------------------------------------------------------------------
SELECT ptx.file_objection(2, 3, 'documents', '招标文件资格条件排斥潜在投标人');   -- not announced
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 2, 'documents', '招标人自己');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 3, 'tender', '无此阶段');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 3, 'documents', '  ');
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-09-15 23:59:59+08';                 -- the last day
SELECT ptx.file_objection(1, 3, 'documents', '评分标准设置不合理') AS o1 \gset
SET ptx.fake_now = '2025-09-16 00:00:00+08';                 -- one day late
SELECT ptx.file_objection(1, 4, 'documents', '工期要求不合理');
\echo :LAST_ERROR_SQLSTATE
SELECT stage, complainant_id, filed_at, answer_due, answered_at FROM ptx.objection;
SELECT code, state, status FROM ptx.project_status WHERE id = 1;
-- an objection is a record: only the answer is added
UPDATE ptx.objection SET body = '改写' WHERE id = :o1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.objection;
\echo :LAST_ERROR_SQLSTATE

-- The step is suspended until the answer; the answer is overdue after 3 days.
SET ptx.fake_now = '2025-09-25 09:00:00+08';
SELECT ptx.open_bids(1);
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'opened' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT kind, project_code, due, days_overdue, detail FROM ptx.overdue_items('2025-09-18');
SELECT kind, project_code, due, days_overdue, detail FROM ptx.overdue_items('2025-09-19');
SELECT ptx.answer_objection(:o1, '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.answer_objection(:o1, '评分标准符合《评标委员会和评标方法暂行规定》，维持原文件');
SELECT ptx.answer_objection(:o1, '再答一次');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.answer_objection(99, '无此异议');
\echo :LAST_ERROR_SQLSTATE
SELECT code, state, status FROM ptx.project_status WHERE id = 1;
SELECT ptx.open_bids(1);

------------------------------------------------------------------------
-- Objections to the opening: at the opening, the same day.
------------------------------------------------------------------------
SELECT ptx.file_objection(2, 3, 'opening', '未开标');
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-09-25 17:00:00+08';
SELECT ptx.file_objection(1, 4, 'opening', '唱标价格与投标文件不一致') AS o2 \gset
SET ptx.fake_now = '2025-09-26 08:00:00+08';
SELECT ptx.file_objection(1, 5, 'opening', '次日才提');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.start_evaluation(1);
\echo :LAST_ERROR_SQLSTATE
SELECT stage, filed_at, answer_due FROM ptx.objection WHERE id = :o2;
SELECT kind, project_code, due, days_overdue FROM ptx.overdue_items('2025-09-26');
SELECT ptx.answer_objection(:o2, '经核对开标记录，唱标无误');
SELECT ptx.start_evaluation(1);
SELECT ptx.report_evaluation(1);
SELECT ptx.file_objection(1, 5, 'opening', '评标中提出');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Objections to the result: during the publicity.
------------------------------------------------------------------------
SELECT ptx.file_objection(1, 4, 'result', '尚未公示');
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-09-26 10:00:00+08';
SELECT ptx.publish_candidates(1, '{3,4,5}');
SET ptx.fake_now = '2025-09-29 23:59:59.999999+08';       -- the last moment
SELECT ptx.file_objection(1, 4, 'result', '第一中标候选人业绩造假') AS o3 \gset
SET ptx.fake_now = '2025-09-30 00:00:00+08';              -- the publicity has ended
SELECT ptx.file_objection(1, 5, 'result', '公示结束后才提');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(1, 3);
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-09-30 11:00:00+08';
SELECT ptx.answer_objection(:o3, '经核查业绩真实有效');
SELECT ptx.award(1, 3);
SELECT ptx.file_objection(1, 5, 'result', '中标后才提');
\echo :LAST_ERROR_SQLSTATE

-- Suspensions and resumptions are steps of the project.
SELECT at, from_state, to_state, reason FROM ptx.project_history(1);

------------------------------------------------------------------------
-- Complaints to the supervisory department.
------------------------------------------------------------------------
-- about a stage with an objection: the objection must come first
SELECT ptx.file_complaint(1, 5, 'result', '中标候选人业绩造假');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 4, 'result', '业绩造假', NULL, :o1);   -- not their objection
\echo :LAST_ERROR_SQLSTATE
-- other matters need no objection: within 10 days of knowing
SET ptx.fake_now = '2025-09-30 15:00:00+08';
SELECT ptx.file_complaint(1, 6, 'other', '评标专家与投标人存在利害关系', '2025-10-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 6, 'other', '评标专家与投标人存在利害关系', '2025-09-19');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 6, 'other', '评标专家与投标人存在利害关系', '2025-09-20') AS c2 \gset
SELECT stage, objection_id, complainant_id, supervisor_id, known_on, filed_at, accept_due
  FROM ptx.complaint WHERE id = :c2;

-- acceptance within 3 working days: filed on 09-30, due on Saturday
-- 10-11 (a worked day), after the National Day holiday
SELECT kind, project_code, due, days_overdue FROM ptx.overdue_items('2025-10-11') WHERE kind LIKE 'complaint%';
SELECT kind, project_code, due, days_overdue FROM ptx.overdue_items('2025-10-13', 1) WHERE kind LIKE 'complaint%';
SELECT count(*) AS for_another_department FROM ptx.overdue_items('2025-10-13', 2);
SELECT ptx.accept_complaint(:c2, false);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.accept_complaint(:c2, false, NULL, true);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.decide_complaint(:c2, '不予支持');
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-10-09 09:00:00+08';
SELECT ptx.accept_complaint(:c2, true, '受理', true);
SELECT accepted, accepted_at, suspend, decision_due FROM ptx.complaint WHERE id = :c2;
SELECT ptx.accept_complaint(:c2, false, '改为不受理');
\echo :LAST_ERROR_SQLSTATE
SELECT code, state, status FROM ptx.project_status WHERE id = 1;
-- the suspension holds the contract step
SELECT ptx.record_contract(1, 2, 3, 'construction', '150500', 7000003, 'state', '2025-10-09');
\echo :LAST_ERROR_SQLSTATE
-- the case is decided within 30 working days of acceptance
SELECT kind, project_code, due, days_overdue FROM ptx.overdue_items('2025-11-19') WHERE kind = 'complaint_decision';
SELECT kind, project_code, due, days_overdue FROM ptx.overdue_items('2025-11-20') WHERE kind = 'complaint_decision';

-- about the result, after the objection: within 10 days of knowing, the
-- day the objection waited for its answer not counted (objection on
-- 09-29, answered on 09-30: until 10-10)
SET ptx.fake_now = '2025-10-10 16:00:00+08';
SELECT ptx.file_complaint(1, 4, 'result', '对异议答复不满') AS c1 \gset
SELECT stage, objection_id = :o3 AS on_their_objection, complainant_id, known_on, accept_due
  FROM ptx.complaint WHERE id = :c1;
SET ptx.fake_now = '2025-10-11 09:00:00+08';
SELECT ptx.file_complaint(1, 4, 'result', '再次投诉');
\echo :LAST_ERROR_SQLSTATE

SELECT ptx.decide_complaint(:c2, '  ');
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-10-20 09:00:00+08';
SELECT ptx.decide_complaint(:c2, '经调查，专家与投标人无利害关系，投诉不成立');
SELECT ptx.decide_complaint(:c2, '再次决定');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.accept_complaint(:c1, false, '对异议答复的投诉理由不成立，不予受理');
SELECT ptx.decide_complaint(:c1, '不受理的投诉');
\echo :LAST_ERROR_SQLSTATE
SELECT code, state, status FROM ptx.project_status WHERE id = 1;
SELECT ptx.record_contract(1, 2, 3, 'construction', '150500', 7000003, 'state', '2025-10-20') > 0 AS contract;
SELECT at, from_state, to_state, reason FROM ptx.project_history(1) WHERE at >= '2025-10-01';
UPDATE ptx.complaint SET body = '改写' WHERE id = :c1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.complaint;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS overdue_now FROM ptx.overdue_items('2025-12-31');
