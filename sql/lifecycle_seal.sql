-- Sealed bids (R8): before the opening no role reads a price, a digest or
-- a fingerprint; not in the table, not through a view, not through the
-- keys.  After the opening they are visible to those who run the platform
-- and to the public.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'the bids of this test are sealed by the platform') \gset
\set SHOW_CONTEXT never
-- Committees are the subject of committee.sql: this test runs evaluations
-- as a region whose committees are drawn in another system does.
SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees drawn in another system') \gset
SET TIME ZONE 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2025-05-06 09:00:00+08';

DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor', 'auditor', 'public', 'nobody'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    IF r <> 'nobody' AND NOT pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150300', '乌海市', '150000');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150300' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150300' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '乌海市财政局', '150300', '{supervisor}') AS supervisor,
       ptx.add_org(pg_temp.uscc(2), '乌海市人民医院', '150300', '{tenderee}') AS hospital;
SELECT ptx.add_org(pg_temp.uscc(2 + n), '医疗设备公司' || n, '150300', '{bidder}') FROM generate_series(1, 4) n;
SELECT ptx.grant_jurisdiction(1, 'procurement', '150300');
SELECT ptx.register_project('ZC-WH-2025-01', 'CT 设备采购', 'procurement', '150300', 2, 9000000, 1) AS p;

-- Since 0.2.0 an operator's login acts for its trading centre only (PX015 otherwise).
SELECT ptx.add_org(pg_temp.uscc(90), '乌海市公共资源交易中心', '150300', '{centre}') AS regress_centre \gset
SELECT ptx.add_staff('regress_ptx_operator', :regress_centre) AS s \gset
-- The operator role runs the tender; bids go in through the API.
SET ROLE regress_ptx_operator;
SELECT ptx.announce(1, '2025-05-26 09:00+08');
SELECT ptx.submit_bid(1, 3, 99.00, '\xdeadbeef', 'MAC-3');
SELECT ptx.submit_bid(1, 4, 8765432.10, '\xcafe', 'MAC-4');
SELECT ptx.submit_bid(1, 5, 8765432.10, NULL, 'MAC-5');
SELECT ptx.submit_bid(1, 6, 123456789012.34);
RESET ROLE;

-- What is stored: ciphertext of one size whatever the price, never the
-- same twice even for the same price, no clear column filled.
SELECT count(*) AS bids, count(DISTINCT octet_length(sealed)) AS sizes,
       count(DISTINCT sealed) AS distinct_seals,
       count(price) + count(doc_digest) + count(fingerprint) AS clear_values,
       bool_or(position('\x383736353433322e3130'::bytea in sealed) > 0) AS price_text_inside
  FROM ptx.bid;

-- What each role sees before the opening.
CREATE FUNCTION pg_temp.probe() RETURNS TABLE (probe text, outcome text)
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    x text;
BEGIN
    BEGIN
        SELECT count(*) FILTER (WHERE b.price IS NOT NULL OR b.doc_digest IS NOT NULL OR b.fingerprint IS NOT NULL)
          INTO n FROM ptx.bid b;
        probe := 'ptx.bid'; outcome := n || ' clear values'; RETURN NEXT;
    EXCEPTION WHEN insufficient_privilege THEN
        probe := 'ptx.bid'; outcome := 'denied'; RETURN NEXT;
    END;
    BEGIN
        SELECT count(*) INTO n FROM ptx.bid_opened;
        probe := 'ptx.bid_opened'; outcome := n || ' rows'; RETURN NEXT;
    EXCEPTION WHEN insufficient_privilege THEN
        probe := 'ptx.bid_opened'; outcome := 'denied'; RETURN NEXT;
    END;
    BEGIN
        SELECT count(*) INTO n FROM ptx_public.bid_opening;
        probe := 'ptx_public.bid_opening'; outcome := n || ' rows'; RETURN NEXT;
    EXCEPTION WHEN insufficient_privilege THEN
        probe := 'ptx_public.bid_opening'; outcome := 'denied'; RETURN NEXT;
    END;
    BEGIN
        SELECT count(*) INTO n FROM ptx_seal.project_key;
        probe := 'ptx_seal.project_key'; outcome := n || ' keys'; RETURN NEXT;
    EXCEPTION WHEN insufficient_privilege THEN
        probe := 'ptx_seal.project_key'; outcome := 'denied'; RETURN NEXT;
    END;
    BEGIN
        SELECT ptx_seal.unseal(1, '\x00') INTO x;
        probe := 'ptx_seal.unseal'; outcome := 'called'; RETURN NEXT;
    EXCEPTION WHEN insufficient_privilege THEN
        probe := 'ptx_seal.unseal'; outcome := 'denied'; RETURN NEXT;
    END;
    BEGIN
        SELECT count(*) INTO n FROM ptx_public.candidate;
        probe := 'ptx_public.candidate'; outcome := n || ' rows'; RETURN NEXT;
    EXCEPTION WHEN insufficient_privilege THEN
        probe := 'ptx_public.candidate'; outcome := 'denied'; RETURN NEXT;
    END;
END
$$;
SET ROLE regress_ptx_admin;
SELECT 'admin' AS role, * FROM pg_temp.probe();
SET ROLE regress_ptx_operator;
SELECT 'operator' AS role, * FROM pg_temp.probe();
SET ROLE regress_ptx_supervisor;
SELECT 'supervisor' AS role, * FROM pg_temp.probe();
SET ROLE regress_ptx_auditor;
SELECT 'auditor' AS role, * FROM pg_temp.probe();
SET ROLE regress_ptx_public;
SELECT 'public' AS role, * FROM pg_temp.probe();
SET ROLE regress_ptx_nobody;
SELECT 'nobody' AS role, * FROM pg_temp.probe();
RESET ROLE;

-- Nor can anyone but the system fill the clear columns or open early.
SET ROLE regress_ptx_admin;
UPDATE ptx.bid SET opened_at = ptx.now();
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET state = 'opened' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
UPDATE ptx.bid SET opened_at = ptx.now() WHERE bidder_id = 3;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.bid SET sealed = '\x00' WHERE bidder_id = 3;
\echo :LAST_ERROR_SQLSTATE
-- The public sees the announcement, no bid.
SET ROLE regress_ptx_public;
SELECT code, title, category, region, tenderee, supervisor, amount, bid_deadline, state
  FROM ptx_public.announcement;
RESET ROLE;

-- After the opening the prices are there for those who run the platform
-- and for the public (开标记录).
SET ptx.fake_now = '2025-05-26 09:00:00+08';
SET ROLE regress_ptx_operator;
SELECT ptx.open_bids(1);
SELECT bidder_id, price, doc_digest, fingerprint, status FROM ptx.bid_opened ORDER BY bidder_id;
SET ROLE regress_ptx_public;
SELECT code, bidder, price, submitted_at, opened_at FROM ptx_public.bid_opening ORDER BY price;
SET ROLE regress_ptx_auditor;
SELECT count(price) AS clear_prices FROM ptx.bid;
RESET ROLE;

-- Roles may call what their work needs, nothing more.
SET ROLE regress_ptx_public;
SELECT ptx.submit_bid(1, 3, 1);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_supervisor;
SELECT ptx.start_evaluation(1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS history FROM ptx.project_history(1);
SET ROLE regress_ptx_auditor;
SELECT ptx.terminate(1, 'auditor may not');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_operator;
SELECT ptx.add_catalog_entry('X', 'procurement', '150300');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.start_evaluation(1);
RESET ROLE;

-- Leave the test roles without the memberships granted here.
DO $$
DECLARE r text;
BEGIN
  FOR r IN SELECT substr(rolname, 13) FROM pg_roles
            WHERE rolname IN ('regress_ptx_admin', 'regress_ptx_operator', 'regress_ptx_supervisor',
                              'regress_ptx_auditor', 'regress_ptx_public') LOOP
    IF pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;
