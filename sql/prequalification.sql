-- Prequalification (资格预审, 招标投标法实施条例 §15–§19, §21): the documents
-- on sale for 5 days, applications for 5 more, an amendment at least 3 days
-- before the application deadline (moved when needed), the results with at
-- least 3 applicants that pass, then the tender announced to them alone.
-- Every period by the law's calendar: the first day not counted, the last
-- day to 24:00 China time and carried past weekends and holidays.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'the bids of this test are sealed by the platform') \gset

SET client_min_messages = warning;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_pq_op_h') THEN
    CREATE ROLE regress_pq_op_h LOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_pq_op_t') THEN
    CREATE ROLE regress_pq_op_t LOGIN;
  END IF;
END $$;
GRANT ptx_operator TO regress_pq_op_h, regress_pq_op_t;
RESET client_min_messages;

CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0'));
SET ptx.fake_now = '2025-03-03 10:00:00+08';       -- a Monday
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_region('150500', '通辽市', '150000');
SELECT ptx.add_org(pg_temp.uscc(1), '呼和浩特市住房和城乡建设局', '150100', '{supervisor}') AS dept,
       ptx.add_org(pg_temp.uscc(2), '呼和浩特市公共资源交易中心', '150100', '{centre}') AS centre_h,
       ptx.add_org(pg_temp.uscc(3), '通辽市公共资源交易中心', '150500', '{centre}') AS centre_t,
       ptx.add_org(pg_temp.uscc(4), '呼和浩特市第一中学', '150100', '{tenderee}') AS tenderee \gset
SELECT count(ptx.add_org(pg_temp.uscc(10 + n), '施工企业' || n, '150100', '{bidder}')) FROM generate_series(1, 4) n;
SELECT min(id) AS b1, min(id) + 1 AS b2, min(id) + 2 AS b3, min(id) + 3 AS b4
  FROM ptx.org WHERE 'bidder' = ANY (roles) \gset
SELECT ptx.grant_jurisdiction(:dept, 'construction', '150100');
SELECT ptx.add_staff('regress_pq_op_h', :centre_h) > 0 AS op_h,
       ptx.add_staff('regress_pq_op_t', :centre_t) > 0 AS op_t;
SELECT ptx.register_project('PQ1', '综合楼', 'construction', '150100', :tenderee, 9000000, :dept,
                            'state', NULL, 'open') AS pq1,
       ptx.register_project('PQ2', '围墙', 'construction', '150100', :tenderee, 900000, :dept,
                            'state', NULL, 'invited') AS pq2 \gset

-- The policy: the law's numbers, each a floor a region cannot lower.
SELECT key, value, unit, basis FROM ptx.policy_default
 WHERE key LIKE 'prequalification.%' OR key = 'amendment.min_days.prequalification' ORDER BY key;
SELECT ptx.set_policy('amendment.min_days.prequalification', 2, 'shorter than the law');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('prequalification.min_qualified', 2, 'fewer than the law');
\echo :LAST_ERROR_SQLSTATE

-- Announced Monday 03-03: the sale's 5th day is Saturday 03-08, carried to
-- Monday 03-10; the applications' 5th day after it is Saturday 03-15,
-- carried to Monday 03-17, the earliest deadline day.
SELECT ptx.prequalification_earliest('2025-03-03');
SET ROLE regress_pq_op_h;
SELECT ptx.announce_prequalification(:pq1, '2025-03-16 23:59:59+08');        -- a day short
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce_prequalification(:pq2, '2025-03-17 09:00+08');           -- an invited tender
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce_prequalification(:pq1, 'infinity');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_pq_op_t;                                                     -- another region's centre
SELECT ptx.announce_prequalification(:pq1, '2025-03-17 09:00+08');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_pq_op_h;
SELECT ptx.announce_prequalification(:pq1, '2025-03-17 09:00+08');
SELECT ptx.announce_prequalification(:pq1, '2025-03-20 09:00+08');           -- one per round
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT round, announced_at, sale_until, application_deadline, results_at FROM ptx.prequalification;

-- The tender waits for the results.
SELECT ptx.announce(:pq1, '2025-04-30 09:00+08');
\echo :LAST_ERROR_SQLSTATE

-- Amendments (§21): Friday 03-14, three days end Monday 03-17, the deadline
-- stays; Saturday 03-15, they end Tuesday 03-18, the deadline moves there
-- at the same hour.  Another centre's operator cannot amend.
SET ptx.fake_now = '2025-03-14 10:00:00+08';
SET ROLE regress_pq_op_t;
SELECT ptx.amend_documents(:pq1, '澄清业绩要求');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_pq_op_h;
SELECT ptx.amend_documents(:pq1, '澄清业绩要求') AS a1 \gset
RESET ROLE;
SET ptx.fake_now = '2025-03-15 10:00:00+08';
SET ROLE regress_pq_op_h;
SELECT ptx.amend_documents(:pq1, '修改资质要求') AS a2 \gset
SELECT ptx.amend_documents(:pq1, ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.amend_documents(:pq1, '提前截止', '2025-03-17 09:00+08');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT id, round, period_key, earliest_day, deadline_before, deadline_after, moved
  FROM ptx.document_amendment ORDER BY id;
SELECT code, round, application_deadline FROM ptx_public.prequalification;

-- The results: not before the deadline; at least 3 that pass, bidders
-- each named once.
SET ptx.fake_now = '2025-03-18 08:59:59+08';
SET ROLE regress_pq_op_h;
SELECT ptx.record_prequalification(:pq1, ARRAY[:b1, :b2, :b3]::bigint[]);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ptx.fake_now = '2025-03-18 09:00:00+08';
SET ROLE regress_pq_op_h;
SELECT ptx.amend_documents(:pq1, '截止后');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_prequalification(:pq1, ARRAY[:b1, :b2]::bigint[]);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_prequalification(:pq1, ARRAY[:b1, :b2, :b2]::bigint[]);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_prequalification(:pq1, ARRAY[:b1, :b2, :tenderee]::bigint[]);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_prequalification(:pq1, ARRAY[:b1, :b2, :b3]::bigint[]);
SELECT ptx.record_prequalification(:pq1, ARRAY[:b1, :b2, :b3]::bigint[]);   -- once
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT code, round, results_at, qualified FROM ptx_public.prequalification;

-- The tender: announced to the applicants that passed; the one that did
-- not pass cannot bid.
SET ROLE regress_pq_op_h;
SELECT ptx.announce(:pq1, '2025-04-08 09:00+08');
SELECT ptx.submit_bid(:pq1, :b1, 8000000) > 0 AS b1_bids;
SELECT ptx.submit_bid(:pq1, :b4, 7000000);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce_prequalification(:pq1, '2025-05-08 09:00+08');          -- announced already
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Records: never changed or removed, logged by the ledger.
UPDATE ptx.prequalification SET application_deadline = application_deadline + interval '1 day';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.prequalified WHERE bidder_id = :b3;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.prequalified;
\echo :LAST_ERROR_SQLSTATE
SELECT relation, operation, count(*) FROM ptx.ledger_entry
 WHERE relation IN ('ptx.prequalification', 'ptx.prequalified') AND operation <> 'EVENT'
 GROUP BY 1, 2 ORDER BY 1, 2;

-- In Chinese, the same refusals with the same SQLSTATEs.
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(:pq1, :b4, 7000000);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.announce_prequalification(:pq2, '2025-05-08 09:00+08');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

SELECT ptx.seal() >= 0 AS sealed;        -- what the sealing worker left
SELECT count(*) AS problems FROM ptx.verify();
