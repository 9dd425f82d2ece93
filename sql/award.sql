-- The choice of the winner (招标投标法实施条例 §55): a state-funded project
-- that must be tendered awards its first-ranked candidate, the next one only
-- once the first is set aside; other projects choose among the candidates.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
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

-- P1 and P3 must be tendered with state funding; P2 is under the threshold
-- and P4 privately funded: both entered voluntarily.
SELECT ptx.register_project('P1', '教学楼', 'construction', '150100', 2, 5000000, 1, 'state', NULL, 'open', 'works'),
       ptx.register_project('P2', '围墙', 'construction', '150100', 2, 3999999.99, 1, 'state', NULL, 'open', 'works'),
       ptx.register_project('P3', '食堂', 'construction', '150100', 2, 4000000, 1, 'state_owned', NULL, 'open', 'works'),
       ptx.register_project('P4', '商场', 'construction', '150100', 2, 9000000, 1, 'private', NULL, 'open', 'works');
SELECT code, funding, catalog_id IS NOT NULL AS must_tender, voluntary FROM ptx.project ORDER BY id;

-- Every project: three bids, opened, evaluated, candidates 3 > 4 > 5 in rank.
SELECT ptx.announce(p, '2025-03-24 09:00+08') FROM generate_series(1, 4) p;
SELECT ptx.submit_bid(p, b, 1000000 * b) FROM generate_series(1, 4) p, generate_series(3, 5) b;
SET ptx.fake_now = '2025-03-24 09:00:00+08';
SELECT ptx.open_bids(p) FROM generate_series(1, 4) p;
SELECT ptx.start_evaluation(p), ptx.report_evaluation(p) FROM generate_series(1, 4) p;
SELECT ptx.publish_candidates(p, '{3,4,5}') FROM generate_series(1, 4) p;
SELECT id, ptx.required_winner(id) FROM ptx.project ORDER BY id;

SET ptx.fake_now = '2025-03-28 09:00:00+08';
-- P1: the second in rank is refused, the first is awarded.
SELECT ptx.award(1, 4);
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'awarded', winner_id = 5 WHERE id = 1;   -- the same rule
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(1, 3);
-- P2 (one cent under the threshold) and P4 (private) choose freely.
SELECT ptx.award(2, 4);
SELECT ptx.award(4, 5);
SELECT code, state, winner_id FROM ptx.project WHERE id IN (1, 2, 4) ORDER BY id;

-- P3 (exactly at the threshold): the first candidate declines.
SELECT ptx.set_aside_candidate(3, 3, 'resigned', '中标人放弃');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(3, 3, 'declined', ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(3, 6, 'declined', '中标人放弃');         -- not a candidate
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(99, 3, 'declined', '中标人放弃');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_aside_candidate(3, 3, 'declined', '第一中标候选人书面放弃中标');
SELECT ptx.set_aside_candidate(3, 3, 'violation', '再次');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.required_winner(3);
SELECT ptx.award(3, 3);                                                 -- set aside
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(3, 5);                                                 -- third, not second
\echo :LAST_ERROR_SQLSTATE
-- the rule is a setting: off, the tenderee chooses
SELECT ptx.set_policy('award.first_ranked_state_funded', 0, 'test') \gset
SELECT ptx.required_winner(3) IS NULL AS free_choice;
SELECT ptx.set_policy('award.first_ranked_state_funded', NULL, 'back to the law') \gset
SELECT ptx.award(3, 4);
SELECT code, state, winner_id FROM ptx.project WHERE id = 3;
SELECT ptx.set_aside_candidate(3, 5, 'declined', '已确定中标人之后');   -- after the award: allowed, so the award can move on (条例 §55)

-- Setting aside is a record: never changed, never removed; and logged.
UPDATE ptx.candidate_set_aside SET cause = 'violation';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.candidate_set_aside;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.candidate_set_aside;
\echo :LAST_ERROR_SQLSTATE
SELECT project_id, round, bidder_id, cause, reason, recorded_at FROM ptx.candidate_set_aside;
SELECT operation, key FROM ptx.ledger_entry WHERE relation = 'ptx.candidate_set_aside' AND operation = 'INSERT';

-- Who may do what.
CREATE ROLE regress_award_sup LOGIN IN ROLE ptx_supervisor;
SET ROLE regress_award_sup;
SELECT ptx.required_winner(1);
SELECT ptx.set_aside_candidate(1, 3, 'declined', '监管部门不能代为放弃');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_award_sup;
