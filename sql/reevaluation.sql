-- Re-evaluation (重新评审): an objection to the result upheld during the
-- publicity (招标投标法实施条例 §54) sends the project back to evaluation; the
-- committee reports again and the next evaluation's candidates are
-- publicised and awarded.  Without such an objection the step is refused.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'the bids of this test are sealed by the platform') \gset
\set SHOW_CONTEXT never
SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees drawn in another system') \gset
SET TIME ZONE 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2025-03-03 09:00:00+08';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150100' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150100' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS supervisor,
       ptx.add_org(pg_temp.uscc(2), '呼和浩特市第一中学', '150100', '{tenderee}') AS tenderee;
SELECT ptx.add_org(pg_temp.uscc(2 + n), '投标人' || n, '150100', '{bidder}') FROM generate_series(1, 3) n;
SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
SELECT ptx.add_catalog_entry('NM-GC-01', 'construction', '150000', 4000000, '{state,state_owned}',
                             '2025-01-01', NULL, '必须招标的工程项目规定 §5', '{works}') AS works;

-- P1 must be tendered with state funding: the first-ranked candidate wins.
SELECT ptx.register_project('P1', '教学楼', 'construction', '150100', 2, 5000000, 1, 'state', NULL, 'open', 'works');
SELECT ptx.announce(1, '2025-03-24 09:00+08');
SELECT ptx.submit_bid(1, b, 1000000 * b) FROM generate_series(3, 5) b;
SET ptx.fake_now = '2025-03-24 09:00:00+08';
SELECT ptx.open_bids(1);
SELECT ptx.start_evaluation(1), ptx.report_evaluation(1);
SELECT ptx.publish_candidates(1, '{3,4,5}');
SELECT state, publicity_from, publicity_until, ptx.required_winner(1) FROM ptx.project WHERE id = 1;

-- No objection upheld: no way back, whoever asks, whatever the reason.
SELECT ptx.reevaluate(1, '招标人认为评分有误');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'evaluating' WHERE id = 1;               -- the same rule
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.reevaluate(1, ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.reevaluate(99, '不存在的项目');
\echo :LAST_ERROR_SQLSTATE
-- the same refusals in Chinese, with the same SQLSTATEs
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.reevaluate(1, '招标人认为评分有误');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.reevaluate(1, ' ');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

-- An objection to the result suspends the project; while it is unanswered
-- nothing moves, and an objection answered as not upheld changes nothing.
SET ptx.fake_now = '2025-03-25 10:00:00+08';
SELECT ptx.file_objection(1, 4, 'result', '第一中标候选人业绩造假') AS o1 \gset
SELECT ptx.reevaluate(1, '业绩造假');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.answer_objection(:o1, '经核查，业绩真实', false);
SELECT ptx.reevaluate(1, '业绩造假');
\echo :LAST_ERROR_SQLSTATE

-- A second objection is upheld: the project goes back to evaluation, its
-- report and publicity cleared, the step and its reason recorded.
SET ptx.fake_now = '2025-03-26 10:00:00+08';
SELECT ptx.file_objection(1, 5, 'result', '评分计算错误') AS o2 \gset
SELECT ptx.answer_objection(:o2, '经复核，商务分汇总错误，异议成立', true);
SELECT ptx.reevaluate(1, '异议成立：商务分汇总错误，原评标委员会重新评审');
SELECT state, reported_at, publicity_from, publicity_until FROM ptx.project WHERE id = 1;
SELECT ptx.reevaluate(1, '再次');                                      -- already evaluating
\echo :LAST_ERROR_SQLSTATE
SELECT from_state, to_state, reason FROM ptx.project_history(1) WHERE to_state = 'evaluating';
SELECT count(*) AS publicised_now FROM ptx_public.candidate WHERE code = 'P1';

-- The committee reports again; the new ranking is published as the
-- second evaluation, and only it is publicised and awarded.
SELECT ptx.publish_candidates(1, '{4,3}');                             -- no report yet
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-03-27 10:00:00+08';
SELECT ptx.report_evaluation(1);
SELECT ptx.publish_candidates(1, '{4,3}');
SELECT project_id, round, evaluation, rank, bidder_id FROM ptx.candidate ORDER BY evaluation, rank;
SELECT code, rank, bidder FROM ptx_public.candidate ORDER BY rank;
SELECT ptx.candidate_evaluation(1), ptx.required_winner(1);

-- The objection upheld in the first publicity does not send the second
-- one back: each re-evaluation needs its own.
SELECT ptx.reevaluate(1, '同一异议');
\echo :LAST_ERROR_SQLSTATE

-- After the new publicity (3 days to 24:00 of the third, a Sunday, so to
-- the end of Monday 03-31, 民法典 §203): the first of
-- the second evaluation is the winner; the first of the first is not.
SET ptx.fake_now = '2025-03-31 23:59:59+08';
SELECT ptx.award(1, 4);                                                 -- the last day of the publicity
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-04-01 00:00:00+08';
SELECT ptx.award(1, 5);                                                 -- a candidate of the first evaluation only
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(1, 3);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(1, 5, 'declined', '第一次评审的候选人');   -- not of this evaluation
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(1, 4);
SELECT state, winner_id FROM ptx.project WHERE id = 1;

-- Every candidate row is in the ledger under its key with the evaluation,
-- and the ledger verifies.
SELECT key FROM ptx.ledger_entry WHERE relation = 'ptx.candidate' AND operation <> 'EVENT' ORDER BY seq;
SELECT ptx.seal() >= 0 AS sealed;        -- what the sealing worker left
SELECT count(*) AS problems FROM ptx.verify();

-- Every re-evaluation is a red flag for the supervisor, with what allowed
-- it: the objection upheld (the one not upheld is not evidence), who
-- answered it, who sent the project back, and the first candidate set
-- aside.  Found on the day of the step, not on the days before or after.
SELECT count(*) AS flags_day_before FROM ptx.red_flag_hits('2025-03-25', '2025-03-25') WHERE kind = 'reevaluation';
SELECT count(*) AS flags_day_after FROM ptx.red_flag_hits('2025-03-27', '2025-03-27') WHERE kind = 'reevaluation';
SELECT ptx.scan_red_flags('2025-03-26', '2025-03-26') > 0 AS found;
SELECT kind, project_id, org_ids, event_on,
       evidence->'round' AS round, evidence->'evaluation' AS evaluation,
       evidence->'first_candidate_set_aside' AS set_aside, evidence->>'reason' AS reason,
       jsonb_path_query_array(evidence, '$.objections_upheld[*].objection') = to_jsonb(ARRAY[:o2]) AS objection_o2,
       jsonb_path_query_array(evidence, '$.objections_upheld[*].answered_by_sender') AS same_login
  FROM ptx.red_flag WHERE kind = 'reevaluation';
SELECT ptx.scan_red_flags('2025-03-26', '2025-03-26') AS found_again;
