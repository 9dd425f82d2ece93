-- Off-platform trades (场外交易, R1), contracts of awarded projects within
-- the legal period (招标投标法 §46), split-to-evade (化整为零).
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
SET ptx.fake_now = '2025-03-03 09:00:00+08';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_region('150102', '新城区', '150100');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150100' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150100' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS housing,
       ptx.add_org(pg_temp.uscc(2), '呼和浩特市财政局', '150100', '{supervisor}') AS finance,
       ptx.add_org(pg_temp.uscc(3), '呼和浩特市第一中学', '150102', '{tenderee}') AS school,
       ptx.add_org(pg_temp.uscc(4), '呼和浩特市第二中学', '150102', '{tenderee}') AS school2,
       ptx.add_org(pg_temp.uscc(5), '甲建设公司', '150102', '{bidder}') AS b5,
       ptx.add_org(pg_temp.uscc(6), '乙建设公司', '150102', '{bidder}') AS b6,
       ptx.add_org(pg_temp.uscc(7), '丙建设公司', '150102', '{bidder}') AS b7;
SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
SELECT ptx.grant_jurisdiction(2, 'procurement', '150100');
SELECT ptx.add_catalog_entry('NM-GC-01', 'construction', '150000', 4000000, '{state,state_owned}',
                             '2025-01-01', NULL, '必须招标的工程项目规定 §5', '{works}');
SELECT ptx.add_catalog_entry('NM-GC-03', 'construction', '150000', 1000000, '{state,state_owned}',
                             '2025-01-01', NULL, '必须招标的工程项目规定 §5', '{services}');
SELECT ptx.add_catalog_entry('HH-ZC-01', 'procurement', '150100', 1000000, NULL,
                             '2025-01-01', '2025-06-30', '呼和浩特市政府采购限额标准');

------------------------------------------------------------------------
-- Trades outside the platform.
------------------------------------------------------------------------
-- 0.01 below the threshold: not covered, recorded
SELECT ptx.record_contract(NULL, 3, 5, 'construction', '150102', 3999999.99, 'state', '2025-03-01', 'works') AS below;
-- the threshold itself: covered, refused, the entry named
SELECT ptx.record_contract(NULL, 3, 5, 'construction', '150102', 4000000.00, 'state', '2025-03-01', 'works');
\echo :LAST_ERROR_SQLSTATE
-- private funding is not covered; unknown funding or kind is
SELECT ptx.record_contract(NULL, 3, 5, 'construction', '150102', 9000000, 'private', '2025-03-01', 'works') AS private;
SELECT ptx.record_contract(NULL, 3, 5, 'construction', '150102', 9000000, NULL, '2025-03-01', 'works');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(NULL, 3, 5, 'construction', '150102', 9000000, 'state', '2025-03-01');
\echo :LAST_ERROR_SQLSTATE
-- direct INSERTs obey the same rule
INSERT INTO ptx.contract (tenderee_id, supplier_id, category, region, amount, funding, kind, signed_on)
VALUES (3, 5, 'construction', '150102', 4000000.00, 'state', 'works', '2025-03-01');
\echo :LAST_ERROR_SQLSTATE
-- an entry on its last day covers the trade; the day after, it has expired
SET ptx.fake_now = '2025-07-02 09:00:00+08';
SELECT ptx.record_contract(NULL, 3, 5, 'procurement', '150102', 2000000, NULL, '2025-06-30');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(NULL, 3, 5, 'procurement', '150102', 2000000, NULL, '2025-07-01') AS after_expiry;
-- not dated in the future
SELECT ptx.record_contract(NULL, 3, 5, 'procurement', '150102', 20000, NULL, '2025-07-03');
\echo :LAST_ERROR_SQLSTATE
-- a recorded contract is never changed
UPDATE ptx.contract SET amount = 1 WHERE amount = 3999999.99;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.contract;
\echo :LAST_ERROR_SQLSTATE
SELECT project_id, tenderee_id, supplier_id, category, amount, funding, kind, signed_on
  FROM ptx.contract ORDER BY id;

------------------------------------------------------------------------
-- Contracts of awarded projects: the winner, within 30 days of the award.
------------------------------------------------------------------------
CREATE FUNCTION pg_temp.to_award(code text, at timestamptz) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    p bigint;
BEGIN
    PERFORM set_config('ptx.fake_now', at::text, false);
    p := ptx.register_project(code, code || ' 工程', 'construction', '150102', 3, 5000000, 1, 'state', NULL, 'open', 'works');
    PERFORM ptx.announce(p, at + interval '20 days');
    PERFORM ptx.submit_bid(p, b, 4000000 + b) FROM generate_series(5, 7) b;
    PERFORM set_config('ptx.fake_now', (at + interval '20 days')::text, false);
    PERFORM ptx.open_bids(p);
    PERFORM ptx.start_evaluation(p);
    PERFORM ptx.report_evaluation(p);
    PERFORM ptx.publish_candidates(p, '{6,5}');
    PERFORM set_config('ptx.fake_now', (at + interval '24 days')::text, false);
    PERFORM ptx.award(p, 6);
    RETURN p;
END
$$;
SELECT pg_temp.to_award('GC-A', '2025-04-01 09:00+08') AS a;   -- awarded on 2025-04-25 (publicity to 24:00 of 04-24)
SELECT code, state, winner_id, awarded_at FROM ptx.project WHERE code = 'GC-A';
SET ptx.fake_now = '2025-05-30 09:00+08';
-- not the winner, not the tenderee
SELECT ptx.record_contract(1, 3, 5, 'construction', '150102', 4000005, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(1, 4, 6, 'construction', '150102', 4000006, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(1, 3, 6, 'procurement', '150102', 4000006, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
-- before the award; the day after the period's end (day 30, 05-25, is a
-- Sunday: carried to Monday 05-26, 民法典 §203); then that Monday
SELECT ptx.record_contract(1, 3, 6, 'construction', '150102', 4000006, NULL, '2025-04-23');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(1, 3, 6, 'construction', '150102', 4000006, NULL, '2025-05-27');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(1, 3, 6, 'construction', '150102', 4000006, NULL, '2025-05-26') AS day_30;
SELECT code, state, state_note FROM ptx.project WHERE code = 'GC-A';
-- once
SELECT ptx.record_contract(1, 3, 6, 'construction', '150102', 4000006, NULL, '2025-05-26');
\echo :LAST_ERROR_SQLSTATE
-- direct INSERT for an unawarded project
SET ptx.fake_now = '2025-05-30 09:00+08';
SELECT ptx.register_project('GC-B', '未中标', 'construction', '150102', 3, 5000000, 1, 'state') AS b;
INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount, signed_on)
VALUES (2, 3, 6, 'construction', '150102', 1, '2025-05-30');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.close_project(1);
SELECT from_state, to_state, reason FROM ptx.project_history(1) WHERE to_state IN ('contracted', 'closed');

------------------------------------------------------------------------
-- Split to evade (化整为零): one tenderee, category and year, each trade
-- below a threshold, together reaching it.
------------------------------------------------------------------------
SET ptx.fake_now = '2025-08-01 09:00+08';
-- school 3: three works projects of 2025 below 4 M, 4.2 M together
SELECT ptx.register_project('GC-S-' || n, '校舍维修' || n, 'construction', '150102', 3, a, 1, 'state', NULL, 'open', 'works')
  FROM (VALUES (1, 1500000), (2, 1500000), (3, 1200000)) v(n, a);
-- school 4: two works projects 0.01 short of the threshold together
SELECT ptx.register_project('GC-T-' || n, '附属工程' || n, 'construction', '150102', 4, a, 1, 'state', NULL, 'open', 'works')
  FROM (VALUES (1, 2000000.00), (2, 1999999.99)) v(n, a);
-- school 4: services contracts outside the platform, 600k + 400k = the 1 M threshold
SELECT ptx.record_contract(NULL, 4, 7, 'construction', '150102', a, 'state', d, 'services')
  FROM (VALUES (600000, date '2025-07-01'), (400000, date '2025-07-20')) v(a, d);
-- school 4: the same in another year does not join them
SET ptx.fake_now = '2026-01-05 09:00+08';
SELECT ptx.record_contract(NULL, 4, 7, 'construction', '150102', 900000, 'state', '2026-01-05', 'services');
SELECT tenderee, category, year, catalog_code, threshold, trades, total, project_ids, contract_ids
  FROM ptx.split_suspect;
SELECT count(*) AS in_2026 FROM ptx.split_suspects(2026);
SELECT count(*) AS for_finance_dept FROM ptx.split_suspects(2025, 2);
SELECT count(*) AS for_housing_dept FROM ptx.split_suspects(2025, 1);
-- a terminated project no longer counts
SELECT ptx.terminate(id, '项目取消') FROM ptx.project WHERE code = 'GC-S-3';
SELECT tenderee, trades, total FROM ptx.split_suspect WHERE tenderee_id = 3;
