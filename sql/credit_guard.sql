-- Credit guards (R7, 一处失信，处处受约): a restricted subject is refused
-- as bidder, as agency and as contract party, in any region, through
-- direct table writes as through the API; the tenderee of a project is not.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
-- Committees are the subject of committee.sql: this test runs evaluations
-- as a region whose committees are drawn in another system does.
SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees drawn in another system') \gset
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region(code, name, '150000') FROM (VALUES
  ('150100', '呼和浩特市'), ('150200', '包头市'), ('150400', '赤峰市'), ('152900', '阿拉善盟')) v(code, name);
SELECT ptx.add_org('91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0')),
                   name, region, roles)
  FROM (VALUES (1, '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}'::text[]),
               (2, '呼和浩特市某学校',             '150100', '{tenderee}'),
               (3, '包头某建设集团有限公司',       '150200', '{bidder}'),
               (4, '呼和浩特某建筑有限公司',       '150100', '{bidder}'),
               (5, '赤峰某招标代理有限公司',       '150400', '{agency}'),
               (6, '呼和浩特某招标代理有限公司',   '150100', '{agency}'),
               (7, '阿拉善某国有企业',             '152900', '{tenderee}'),
               (8, '阿拉善某建设有限公司',         '152900', '{bidder}'),
               (9, '赤峰某建设有限公司',           '150400', '{bidder}')) v(n, name, region, roles)
 ORDER BY n;
SELECT ptx.grant_jurisdiction(1, 'construction', '150000');

-- Restrictions decided in one region.
SELECT ptx.add_credit_record('org', 3, 'bid_ban', '串通投标', '2026-03-01', '2026-06-30',
                             '包头市住房和城乡建设局') IS NOT NULL AS bidder_3_banned;
SELECT ptx.add_credit_record('org', 5, 'agency_suspension', '违规泄露标底', '2026-02-01',
                             source => '赤峰市发展和改革委员会') IS NOT NULL AS agency_5_suspended;
SELECT ptx.add_credit_record('org', 7, 'court_dishonest', '拒不履行生效判决', '2026-01-01', '2026-12-31',
                             '阿拉善盟中级人民法院') IS NOT NULL AS tenderee_7_listed;
SELECT ptx.add_credit_record('org', 4, 'dishonest_list', '提供虚假业绩', '2026-03-05', '2026-03-31',
                             '呼和浩特市住房和城乡建设局') IS NOT NULL AS bidder_4_listed;

SET ptx.fake_now = '2026-03-02 09:00:00+08';

-- Agency of a project, in Hohhot: the Chifeng suspension follows it.
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
VALUES ('HHHT-2026-001', '某学校教学楼工程', 'construction', '150100', 2, 5, 1, 8000000);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
VALUES ('HHHT-2026-001', '某学校教学楼工程', 'construction', '150100', 2, 6, 1, 8000000)
RETURNING id AS school \gset
UPDATE ptx.project SET agency_id = 5 WHERE id = :school;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET agency_id = 6, title = '某学校教学楼及附属工程' WHERE id = :school;
SELECT code, title, agency_id FROM ptx.project WHERE id = :school;
-- A project without an agency (self-tendering) has nothing to check.
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount)
VALUES ('HHHT-2026-002', '某学校自行招标项目', 'construction', '150100', 2, 1, 500000)
RETURNING id AS self_tendered \gset
-- A restricted tenderee still brings its project onto the platform.
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
VALUES ('ALS-2026-001', '某国有企业厂房工程', 'construction', '152900', 7, 6, 1, 3000000)
RETURNING id AS alxa \gset

UPDATE ptx.project SET state = 'announced', bid_deadline = '2026-03-22 09:00:00+08'
 WHERE id IN (:school, :alxa);

-- Bidders: the Baotou ban is refused in Hohhot and in Alxa alike.
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:school, 3, 7800000);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:alxa, 3, 2900000);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:school, 8, 7700000) RETURNING id AS bid_8 \gset
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:alxa, 8, 2850000);
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:school, 9, 7900000);
-- Handing a bid over to another bidder is refused (a bid never changes its
-- bidder or project: the lifecycle refuses it before the credit guard).
UPDATE ptx.bid SET bidder_id = 3 WHERE id = :bid_8;
\echo :LAST_ERROR_SQLSTATE
-- The first day of a restriction: bidder 4 may bid on 4 March, not on 5 March.
SET ptx.fake_now = '2026-03-04 23:59:59+08';
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:school, 4, 7750000) RETURNING id AS bid_4 \gset
SET ptx.fake_now = '2026-03-05 00:00:00+08';
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:alxa, 4, 2800000);
\echo :LAST_ERROR_SQLSTATE
-- A bid accepted before the restriction is not touched by later steps on it;
-- moving it to another project is a new act, and refused.
UPDATE ptx.bid SET status = 'valid' WHERE id = :bid_4;
UPDATE ptx.bid SET project_id = :alxa WHERE id = :bid_4;
\echo :LAST_ERROR_SQLSTATE
SELECT p.code, b.bidder_id, b.price IS NULL AS sealed FROM ptx.bid b JOIN ptx.project p ON p.id = b.project_id ORDER BY b.id;

-- Contracts: both parties, on the signing day and on the recording day.
-- The restricted tenderee of Alxa cannot sign.
INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount, signed_on)
VALUES (:alxa, 7, 8, 'construction', '152900', 2850000, '2026-03-05');
\echo :LAST_ERROR_SQLSTATE
-- Nor can the banned bidder as supplier, even on a trade outside any project.
INSERT INTO ptx.contract (tenderee_id, supplier_id, category, region, amount, signed_on)
VALUES (2, 3, 'other', '150100', 50000, '2026-03-05');
\echo :LAST_ERROR_SQLSTATE
-- Signed before the ban, recorded during it: refused on the recording day.
INSERT INTO ptx.contract (tenderee_id, supplier_id, category, region, amount, signed_on)
VALUES (2, 3, 'other', '150100', 50000, '2026-02-27');
\echo :LAST_ERROR_SQLSTATE
-- The school's tender goes through to the award of bidder 4 (the credit
-- guards do not watch the award), so that its contract can be signed.
SET ptx.fake_now = '2026-03-22 09:00:00+08';
SELECT ptx.open_bids(:school);
SELECT ptx.start_evaluation(:school), ptx.report_evaluation(:school),
       ptx.publish_candidates(:school, '{4,8,9}');
SET ptx.fake_now = '2026-03-26 09:00:00+08';
SELECT ptx.award(:school, 4);
-- The last day of bidder 4's listing, then the day after.
SET ptx.fake_now = '2026-03-31 10:00:00+08';
INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount, signed_on)
VALUES (:school, 2, 4, 'construction', '150100', 7750000, '2026-03-31');
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2026-04-01 10:00:00+08';
-- Backdated into the listing: refused on the signing day.
INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount, signed_on)
VALUES (:school, 2, 4, 'construction', '150100', 7750000, '2026-03-31');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount, signed_on)
VALUES (:school, 2, 4, 'construction', '150100', 7750000, '2026-04-01')
RETURNING id AS school_contract \gset
-- Changing a party or the signing day is checked again; other changes are
-- refused by the lifecycle: a recorded contract is never changed.
UPDATE ptx.contract SET supplier_id = 3 WHERE id = :school_contract;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.contract SET signed_on = '2026-03-30' WHERE id = :school_contract;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.contract SET amount = 7700000 WHERE id = :school_contract;
\echo :LAST_ERROR_SQLSTATE
SELECT project_id = :school AS school, tenderee_id, supplier_id, amount, signed_on FROM ptx.contract;

-- The ban ends on 30 June: bidder 3 is refused that day and welcome the next.
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
VALUES ('HHHT-2026-003', '某学校操场工程', 'construction', '150100', 2, 6, 1, 900000)
RETURNING id AS field \gset
UPDATE ptx.project SET state = 'announced', bid_deadline = '2026-07-30 09:00:00+08' WHERE id = :field;
SET ptx.fake_now = '2026-06-30 23:00:00+08';
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:field, 3, 880000);
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2026-07-01 08:00:00+08';
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:field, 3, 880000) RETURNING bidder_id;

-- Revocation lifts the agency's suspension from the revocation day.
SET ptx.fake_now = '2026-07-02 10:00:00+08';
SELECT ptx.revoke_credit_record(r.id, '行政复议撤销') IS NOT NULL AS agency_5_revoked
  FROM ptx.credit_record r WHERE r.subject_kind = 'org' AND r.subject_id = 5;
UPDATE ptx.project SET agency_id = 5 WHERE id = :field RETURNING code, agency_id;

-- The guards hold for every role that may write, and whatever the writer
-- can read: they run with the extension owner's rights.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_writer') THEN
    CREATE ROLE regress_ptx_writer LOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA ptx TO regress_ptx_writer;
GRANT INSERT ON ptx.bid TO regress_ptx_writer;
GRANT EXECUTE ON FUNCTION ptx.now() TO regress_ptx_writer;
SELECT ptx.add_credit_record('org', 8, 'bid_ban', '围标', '2026-07-01') IS NOT NULL AS bidder_8_banned;
SET ROLE regress_ptx_writer;
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:field, 8, 870000);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT has_table_privilege('regress_ptx_writer', 'ptx.credit_record', 'SELECT') AS writer_reads_credit;
REVOKE ALL ON ptx.bid FROM regress_ptx_writer;
REVOKE ALL ON FUNCTION ptx.now() FROM regress_ptx_writer;
REVOKE ALL ON SCHEMA ptx FROM regress_ptx_writer;
