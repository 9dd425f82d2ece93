-- The lifecycle state machine (R4) and its clocks, at every boundary, for
-- the API and for direct UPDATEs alike.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
-- Committees are the subject of committee.sql: this test runs evaluations
-- as a region whose committees are drawn in another system does.
SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees drawn in another system') \gset
-- The projects below enter voluntarily (no catalog entry); this region
-- holds them to the tendering law's 20 days (calendar.sql tests the default).
SELECT ptx.set_policy('tender.min_bid_days.voluntary', 20, 'voluntary tenders as must-tender ones') \gset
SET TIME ZONE 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2025-03-03 09:00:00+08';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150100' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150100' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS supervisor,
       ptx.add_org(pg_temp.uscc(2), '呼和浩特市第一中学', '150100', '{tenderee}') AS tenderee,
       ptx.add_org(pg_temp.uscc(3), '某招标代理有限公司', '150100', '{agency,bidder}') AS agency;
SELECT ptx.add_org(pg_temp.uscc(3 + n), '投标人' || n, '150100', '{bidder}') FROM generate_series(1, 5) n;
SELECT ptx.add_org(pg_temp.uscc(9), '只是招标人', '150100', '{tenderee}') AS not_a_bidder;
SELECT ptx.grant_jurisdiction(1, c, '150000') FROM unnest(ARRAY['construction', 'state_property']) c;
SELECT ptx.register_project('P' || n, '项目' || n, 'construction', '150100', 2, 5000000, 1, 'state', 3)
  FROM generate_series(1, 4) n;

-- The machine.
SELECT s AS state, ptx.next_states(s) AS next
  FROM unnest(ARRAY['registered', 'announced', 'opened', 'failed', 'evaluating', 'publicity',
                    'awarded', 'contracted', 'closed', 'terminated']) s;
SELECT ptx.transition_allowed('opened', 'evaluating') AS forward,
       ptx.transition_allowed('evaluating', 'opened') AS backward,
       ptx.transition_allowed('registered', 'suspended') AS suspended;
SELECT ptx.next_states('suspended');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Announcement: at least 20 days to the bid deadline (招标投标法 §24).
------------------------------------------------------------------------
SELECT ptx.announce(1, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(1, '2025-03-22 23:59:59.999999+08');   -- day 19
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(1, '2025-03-01 09:00+08');             -- the past
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(1, '2025-03-23 00:00+08');             -- day 20, a Sunday: carried to Monday
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(1, '2025-03-24 00:00+08');             -- the first working day after
SELECT ptx.announce(99, '2025-04-01 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(1, '2025-04-23 00:00+08');             -- twice
\echo :LAST_ERROR_SQLSTATE
SELECT code, state, announced_at, bid_deadline FROM ptx.project WHERE id = 1;
-- a region may lengthen the period: a setting, not a constant
SELECT ptx.set_policy('tender.min_bid_days.voluntary', 25, '本地区要求');
SELECT ptx.announce(2, '2025-03-27 09:00+08');              -- day 24 of 25
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('tender.min_bid_days.voluntary', 20, 'back to 20 days');

-- State-owned property: 20 working days of disclosure, across the National
-- Day holiday of 2025 (Oct 1-8 off, Sunday Sep 28 and Saturday Oct 11 worked).
SELECT ptx.register_project('SP1', '国有股权转让', 'state_property', '150100', 2, 10000000, 1) AS sp1;
SET ptx.fake_now = '2025-09-15 09:00+08';                    -- a Monday
SELECT ptx.clock_date('2025-09-15', 'tender.min_bid_days.state_property') AS earliest;
SELECT ptx.announce(5, '2025-10-16 17:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(5, '2025-10-17 09:00+08');
SET ptx.fake_now = '2025-03-03 09:00:00+08';

-- The deadline is only ever extended, before it passes.
SELECT ptx.extend_deadline(1, '2025-03-22 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.extend_deadline(1, '2025-03-24 09:00+08');
SELECT ptx.extend_deadline(3, '2025-04-24 09:00+08');        -- not announced
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Bids: refused before the announcement, after the deadline (even by one
-- microsecond), from the tenderee, the agency, a non-bidder.
------------------------------------------------------------------------
SELECT ptx.submit_bid(3, 4, 100);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.submit_bid(1, 4, 4800000.00, '\x01', 'FP-A') AS b1;
SELECT ptx.submit_bid(1, 5, 4700000.00, '\x02', 'FP-B') AS b2 \gset
SELECT :b2 > 0 AS b2;
SELECT ptx.submit_bid(1, 2, 4600000.00);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.submit_bid(1, 3, 4600000.00);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.submit_bid(1, 9, 4600000.00);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.submit_bid(1, 6, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.submit_bid(1, 6, -0.01);
\echo :LAST_ERROR_SQLSTATE
-- a bidder replaces its bid before the deadline: same bid, new seal
SELECT sealed AS first_seal FROM ptx.bid WHERE project_id = 1 AND bidder_id = 5 \gset
SELECT ptx.submit_bid(1, 5, 4650000.00, '\x02', 'FP-B') = :b2 AS same_bid;
SELECT sealed <> :'first_seal'::bytea AS resealed FROM ptx.bid WHERE project_id = 1 AND bidder_id = 5;
-- exactly at the deadline: received
SET ptx.fake_now = '2025-03-24 09:00:00+08';
SELECT ptx.submit_bid(1, 6, 4900000.00) AS at_deadline;
-- one microsecond after: late, refused, nothing stored
SET ptx.fake_now = '2025-03-24 09:00:00.000001+08';
SELECT ptx.submit_bid(1, 7, 4500000.00);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.withdraw_bid(1, 6);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (1, 7, 4500000.00);
\echo :LAST_ERROR_SQLSTATE
SELECT bidder_id, round, status, submitted_at, price IS NULL AS price_hidden FROM ptx.bid ORDER BY id;

------------------------------------------------------------------------
-- Opening: not before the deadline; fewer than 3 valid bids fails the
-- tender, which is announced again in a new round.
------------------------------------------------------------------------
SET ptx.fake_now = '2025-03-03 09:00:00+08';
SELECT ptx.announce(2, '2025-03-24 09:00+08');
SELECT ptx.submit_bid(2, b, 1000000 * b) FROM generate_series(4, 6) b;
SELECT ptx.withdraw_bid(2, 6);                               -- 2 valid bids left
SELECT ptx.open_bids(2);                                     -- before the deadline
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-03-24 09:00:00+08';
UPDATE ptx.project SET state = 'opened' WHERE id = 2;        -- 2 bids
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_bids(2);
SELECT bidder_id, round, status, price IS NULL AS still_sealed, opened_at FROM ptx.bid WHERE project_id = 2 ORDER BY id;
SELECT ptx.submit_bid(2, 7, 1);                              -- failed: no bids
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.start_evaluation(2);                              -- failed: PX005 steps refused
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(2, '2025-04-14 09:00+08');               -- re-tender: round 2
SELECT code, state, round, bid_deadline, opened_at FROM ptx.project WHERE id = 2;
SELECT ptx.submit_bid(2, b, 1000000 * b) FROM generate_series(4, 6) b;
SET ptx.fake_now = '2025-04-14 09:00:00+08';
UPDATE ptx.project SET state = 'failed' WHERE id = 2;        -- 3 bids: cannot fail
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_bids(2);
SELECT bidder_id, round, status, price FROM ptx.bid WHERE project_id = 2 ORDER BY id;

-- Project 1: three valid bids at the deadline.
SET ptx.fake_now = '2025-03-24 09:00:30+08';
SELECT ptx.open_bids(1);
SELECT ptx.open_bids(1);                                     -- once
\echo :LAST_ERROR_SQLSTATE
SELECT bidder_id, price, doc_digest, fingerprint, status, opened_at FROM ptx.bid WHERE project_id = 1 ORDER BY id;
SELECT ptx.submit_bid(1, 7, 4500000.00);                     -- after the opening
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.bid SET price = 1 WHERE project_id = 1 AND bidder_id = 4;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.bid WHERE project_id = 1;
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Evaluation, candidates, publicity, award.
------------------------------------------------------------------------
SELECT ptx.report_evaluation(1);                             -- not evaluating yet
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.start_evaluation(1);
SELECT ptx.reject_bid(1, 6, '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.reject_bid(1, 6, '未按招标文件要求提交投标保证金');
SELECT ptx.publish_candidates(1, '{5,4}');                   -- no report yet
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-03-25 17:00:00+08';
SELECT ptx.report_evaluation(1);
SELECT ptx.report_evaluation(1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{5,4,6,7}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{5,5}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{5,6}');                   -- 6 was rejected
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{5,7}');                   -- 7 never bid
\echo :LAST_ERROR_SQLSTATE
-- within 3 days of the report: day 4 is late, day 3 is in time
SET ptx.fake_now = '2025-03-29 08:00:00+08';
SELECT ptx.publish_candidates(1, '{5,4}');
\echo :LAST_ERROR_SQLSTATE
SELECT kind, project_code, due, days_overdue FROM ptx.overdue_items('2025-03-29');
SET ptx.fake_now = '2025-03-28 10:00:00+08';
-- publicity of at least 3 days: published on Friday 10:00, the third day
-- (Monday) runs to 24:00 China time (民法典 §201, §203)
SELECT ptx.publish_candidates(1, '{5,4}', '2025-03-31 23:59:59.999999+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.publish_candidates(1, '{5,4}');
SELECT project_id, round, rank, bidder_id FROM ptx.candidate ORDER BY rank;
SELECT state, publicity_from, publicity_until FROM ptx.project WHERE id = 1;
INSERT INTO ptx.candidate (project_id, rank, bidder_id) VALUES (1, 3, 6);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.candidate;
\echo :LAST_ERROR_SQLSTATE
-- the award waits for the end of the publicity, to the microsecond
SET ptx.fake_now = '2025-03-31 23:59:59.999999+08';   -- the third day runs to 24:00
SELECT ptx.award(1, 5);
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-04-01 00:00:00+08';
SELECT ptx.award(1, 6);                                      -- not a candidate
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.award(1, 5);
SELECT state, winner_id, awarded_at FROM ptx.project WHERE id = 1;

------------------------------------------------------------------------
-- Direct UPDATEs obey the same machine.
------------------------------------------------------------------------
UPDATE ptx.project SET state = 'opened' WHERE id = 3;        -- skips steps
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'publicity' WHERE id = 1;     -- backwards
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'suspended' WHERE id = 3;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'won' WHERE id = 3;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = NULL WHERE id = 3;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET announced_at = '2025-01-01' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET publicity_until = NULL WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET round = 7 WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'awarded', winner_id = 4, publicity_until = '2025-03-01' WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
-- termination needs a reason; terminated is final
UPDATE ptx.project SET state = 'terminated' WHERE id = 3;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.terminate(3, '  ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.terminate(3, '项目资金未落实');
SELECT ptx.terminate(3, '再次终止');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'registered' WHERE id = 3;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce(3, '2025-05-01 09:00+08');
\echo :LAST_ERROR_SQLSTATE
-- an announced project terminated: its sealed bids are returned unopened
SELECT ptx.announce(4, '2025-04-21 09:00+08');
SELECT ptx.submit_bid(4, 4, 1234567.89);
SELECT ptx.terminate(4, '招标文件存在重大缺陷');
SELECT bidder_id, status, price IS NULL AS never_opened FROM ptx.bid WHERE project_id = 4;
-- contracted, closed; closed is final.  The contract's price is the
-- winning bid's (条例 §57): a cent more or less is refused.
SELECT ptx.record_contract(1, 2, 5, 'construction', '150100', 4650000.01, NULL, '2025-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(1, 2, 5, 'construction', '150100', 4649999.99, NULL, '2025-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(1, 2, 5, 'construction', '150100', 4650000.00, NULL, '2025-04-01') > 0 AS contract;
SELECT ptx.close_project(1, '归档');
SELECT ptx.terminate(1, '已经归档');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Every step is recorded; the record is never changed.
------------------------------------------------------------------------
SELECT at, round, from_state, to_state, actor, reason FROM ptx.project_history(1);
SELECT project_id, round, from_state, to_state, reason FROM ptx.transition WHERE project_id IN (2, 3, 4) ORDER BY id;
UPDATE ptx.transition SET reason = 'rewritten';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.transition;
\echo :LAST_ERROR_SQLSTATE
SET client_min_messages = error;
TRUNCATE ptx.transition;
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;

------------------------------------------------------------------------
-- Robust when another module's rule refuses a step: nothing half done.
------------------------------------------------------------------------
CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'refused by another module' USING ERRCODE = 'PX012';
END $$;
-- voluntary projects at the default period (none beyond a future deadline)
SELECT ptx.set_policy('tender.min_bid_days.voluntary', NULL, 'the default') \gset
SET ptx.fake_now = '2025-06-02 09:00:00+08';
SELECT ptx.register_project('P6', '项目6', 'construction', '150100', 2, 5000000, 1, 'state') AS p6;
SELECT ptx.announce(6, '2025-06-22 09:00+08');
CREATE TRIGGER committee_check BEFORE UPDATE ON ptx.project
    FOR EACH ROW WHEN (NEW.state = 'evaluating') EXECUTE FUNCTION pg_temp.refuse();
CREATE TRIGGER credit_check BEFORE INSERT ON ptx.bid
    FOR EACH ROW WHEN (NEW.bidder_id = 8) EXECUTE FUNCTION pg_temp.refuse();
SELECT ptx.submit_bid(6, 8, 1000000);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS bids, (SELECT count(*) FROM ptx_seal.project_key WHERE project_id = 6) AS keys
  FROM ptx.bid WHERE project_id = 6;
SELECT ptx.submit_bid(6, b, 1000000 + b) FROM generate_series(4, 6) b;
SET ptx.fake_now = '2025-06-22 09:00:00+08';
SELECT ptx.open_bids(6);
SELECT ptx.start_evaluation(6);
\echo :LAST_ERROR_SQLSTATE
SELECT state, state_changed_at FROM ptx.project WHERE id = 6;
SELECT count(*) AS steps_to_evaluating FROM ptx.transition WHERE project_id = 6 AND to_state = 'evaluating';
DROP TRIGGER committee_check ON ptx.project;
DROP TRIGGER credit_check ON ptx.bid;
SELECT ptx.start_evaluation(6);

-- Opening under REPEATABLE READ could miss a bid committed after the
-- snapshot: refused.
SET ptx.fake_now = '2025-06-02 09:00:00+08';
SELECT ptx.register_project('P7', '项目7', 'construction', '150100', 2, 5000000, 1, 'state') AS p7;
SELECT ptx.announce(7, '2025-06-22 09:00+08');
SET ptx.fake_now = '2025-06-22 09:00:00+08';
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT ptx.open_bids(7);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT ptx.open_bids(7);
COMMIT;
