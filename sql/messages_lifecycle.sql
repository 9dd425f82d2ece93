-- Messages of the legal clocks, the trading catalog, the lifecycle, the
-- award and the objections and complaints, in English (the default) and in
-- Chinese (lc_messages zh_CN): the same refusals in both languages, with
-- the same SQLSTATE.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'the bids of this test are sealed by the platform') \gset
SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees drawn in another system') \gset
SET TIME ZONE 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2025-03-03 09:00:00+08';

-- A department supervising construction in the region, a tenderee, three
-- bidders; P1 must be tendered with state funding and is announced, P2 is
-- only registered.
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150100' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150100' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS supervisor,
       ptx.add_org(pg_temp.uscc(2), '呼和浩特市第一中学', '150100', '{tenderee}') AS tenderee;
SELECT ptx.add_org(pg_temp.uscc(2 + n), '投标人' || n, '150100', '{bidder}') FROM generate_series(1, 3) n;
SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
SELECT ptx.add_catalog_entry('NM-GC-01', 'construction', '150000', 4000000, '{state,state_owned}',
                             '2025-01-01', NULL, '必须招标的工程项目规定 §5') AS works;
SELECT ptx.register_project('P1', '教学楼', 'construction', '150100', 2, 5000000, 1, 'state'),
       ptx.register_project('P2', '围墙', 'construction', '150100', 2, 3000000, 1, 'state');
SELECT ptx.announce(1, '2025-03-24 09:00+08');

------------------------------------------------------------------------
-- The clocks, the catalog, the projects' terms, the announcement and the
-- objections before the deadline.
------------------------------------------------------------------------
SET lc_messages = 'C';
SELECT ptx.is_working_day('infinity');                                     -- 22008
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_weekdays('2025-01-01', -1);                                 -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_working_days('2025-01-01', 2147483647);                     -- 22008
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.period_last_day('2025-01-01', -2, 'days');                      -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.period_last_day('2025-01-01', 1, 'weeks');                      -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.clock_date('2025-03-03', 'tender.min_bids');                    -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_working_days('2025-01-01', -1);                             -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('BAD', 'construction', '150000', NULL, NULL, '2025-02-01', '2025-01-31');  -- 22023
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.catalog SET basis = '改写';                                    -- 55000
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.end_catalog_entry('NM-GC-01', '2024-12-31', '提前废止');         -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.end_catalog_entry('NO-SUCH', '2025-12-31', '无此条目');          -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X1', '无监管部门', 'construction', '150100', 2, 100000, NULL);   -- PX002
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X2', '办公设备', 'procurement', '150100', 2, 100000, 1);         -- PX002
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X3', '投标人不是招标人', 'construction', '150100', 3, 100000, 1);  -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X5', '招标人作监管部门', 'construction', '150100', 2, 100000, 2);  -- PX002
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X6', '投标人作代理机构', 'construction', '150100', 2, 100000, 1, NULL, 3);  -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X4', '拍卖工程', 'construction', '150100', 2, 100000, 1, NULL, NULL, 'auction');  -- 22023
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET amount = 6000000 WHERE id = 1;                      -- PX003
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET catalog_id = 1 WHERE id = 2;                       -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(99, '2025-03-24 09:00+08');                            -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(1, '2025-03-25 09:00+08');                             -- PX003
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.transition;                                                -- 55000
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 2, 'documents', '招标人自己');                 -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(2, 3, 'documents', '尚未发布公告');               -- PX003
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 3, 'challenge', '工程招标没有质疑');           -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.answer_objection(99, '无此异议');                                -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.answer_objection(99, '无此异议', NULL);                          -- 22004
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(99, 3, 'other', '无此项目');                      -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 3, 'documents', '未先提出异议');               -- PX003
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 3, 'tender', '无此阶段');                      -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.decide_complaint(99, '无此投诉');                                -- 22023
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.is_working_day('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_weekdays('2025-01-01', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_working_days('2025-01-01', 2147483647);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.period_last_day('2025-01-01', -2, 'days');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.period_last_day('2025-01-01', 1, 'weeks');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.clock_date('2025-03-03', 'tender.min_bids');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_working_days('2025-01-01', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('BAD', 'construction', '150000', NULL, NULL, '2025-02-01', '2025-01-31');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.catalog SET basis = '改写';
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.end_catalog_entry('NM-GC-01', '2024-12-31', '提前废止');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.end_catalog_entry('NO-SUCH', '2025-12-31', '无此条目');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X1', '无监管部门', 'construction', '150100', 2, 100000, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X2', '办公设备', 'procurement', '150100', 2, 100000, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X3', '投标人不是招标人', 'construction', '150100', 3, 100000, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X5', '招标人作监管部门', 'construction', '150100', 2, 100000, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X6', '投标人作代理机构', 'construction', '150100', 2, 100000, 1, NULL, 3);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('X4', '拍卖工程', 'construction', '150100', 2, 100000, 1, NULL, NULL, 'auction');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET amount = 6000000 WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET catalog_id = 1 WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(99, '2025-03-24 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(1, '2025-03-25 09:00+08');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.transition;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 2, 'documents', '招标人自己');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(2, 3, 'documents', '尚未发布公告');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 3, 'challenge', '工程招标没有质疑');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.answer_objection(99, '无此异议');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.answer_objection(99, '无此异议', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(99, 3, 'other', '无此项目');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 3, 'documents', '未先提出异议');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 3, 'tender', '无此阶段');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.decide_complaint(99, '无此投诉');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

------------------------------------------------------------------------
-- An objection to the documents, answered; a complaint about it, not
-- accepted; the evaluation and the candidates.
------------------------------------------------------------------------
SELECT ptx.file_objection(1, 3, 'documents', '评分标准设置不合理') AS o1 \gset
SET ptx.fake_now = '2025-03-04 09:00:00+08';
SELECT ptx.answer_objection(:o1, '评分标准符合规定，维持原文件');
SELECT ptx.file_complaint(1, 3, 'documents', '对异议答复不满意') AS c1 \gset
SELECT ptx.accept_complaint(:c1, false, '投诉事项已在异议答复中说明');
SET ptx.fake_now = '2025-03-05 09:00:00+08';
SELECT ptx.submit_bid(1, b, 4000000 + b) FROM generate_series(3, 5) b;
SET ptx.fake_now = '2025-03-24 09:00:00+08';
SELECT ptx.open_bids(1);
SELECT ptx.start_evaluation(1), ptx.report_evaluation(1);

SET lc_messages = 'C';
UPDATE ptx.objection SET body = '改写' WHERE id = :o1;                     -- 55000
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.answer_objection(:o1, '再答一次');                              -- 55000
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.accept_complaint(:c1, true);                                    -- 55000
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.accept_complaint(:c1, false, NULL, true);                       -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.decide_complaint(:c1, '驳回');                                  -- PX003
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.complaint;                                                 -- 55000
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 3, 'documents', '异议答复后迟到的投诉');     -- PX004
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 4, 'other', '迟到的投诉', '2025-03-01');      -- PX004
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 4, 'other', '将来才知道', '2025-12-31');      -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 4, 'result', '尚未公示');                      -- PX003
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.start_evaluation(1);                                            -- PX003
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.report_evaluation(1);                                           -- PX003
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, NULL);                                    -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{3,4,5,2}');                             -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{3,3}');                                 -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{3,2}');                                 -- PX003
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.objection SET body = '改写' WHERE id = :o1;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.answer_objection(:o1, '再答一次');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.accept_complaint(:c1, true);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.accept_complaint(:c1, false, NULL, true);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.decide_complaint(:c1, '驳回');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.complaint;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 3, 'documents', '异议答复后迟到的投诉');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 4, 'other', '迟到的投诉', '2025-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_complaint(1, 4, 'other', '将来才知道', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 4, 'result', '尚未公示');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.start_evaluation(1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.report_evaluation(1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{3,4,5,2}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{3,3}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{3,2}');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

------------------------------------------------------------------------
-- The publicity and the award: the first-ranked candidate of a project
-- funded by the state, candidates set aside.
------------------------------------------------------------------------
SET ptx.fake_now = '2025-03-24 10:00:00+08';
SELECT ptx.publish_candidates(1, '{3,4,5}');
SET ptx.fake_now = '2025-03-28 09:00:00+08';

SET lc_messages = 'C';
DELETE FROM ptx.candidate;                                                 -- 55000
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 4, 'result', '公示结束后才提');               -- PX004
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(1, 3, 'resigned', '中标人放弃');             -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(1, 3, 'declined', ' ');                     -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(1, 2, 'declined', '招标人不是候选人');       -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(2, 3, 'declined', '项目仍在登记');           -- PX003
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(1, 4);                                                    -- PX003
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'zh_CN.UTF-8';
DELETE FROM ptx.candidate;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.file_objection(1, 4, 'result', '公示结束后才提');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(1, 3, 'resigned', '中标人放弃');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(1, 3, 'declined', ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(1, 2, 'declined', '招标人不是候选人');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(2, 3, 'declined', '项目仍在登记');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(1, 4);
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

SELECT ptx.set_aside_candidate(1, 3, 'declined', '第一中标候选人书面放弃中标');

SET lc_messages = 'C';
SELECT ptx.set_aside_candidate(1, 3, 'violation', '再次');                 -- 23505
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(1, 3);                                                    -- PX003
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.candidate_set_aside;                                       -- 55000
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.set_aside_candidate(1, 3, 'violation', '再次');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(1, 3);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.candidate_set_aside;
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

SELECT ptx.award(1, 4);

SET lc_messages = 'C';
SELECT ptx.award(1, 4);                                                    -- PX003
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.award(1, 4);
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;
