-- Bids sealed by the bidder (R14): the bidder encrypts, commits and later
-- decrypts; ptx holds no key; no function tells who bid.  The ciphertexts
-- here come from pgcrypto (an OpenPGP implementation); test/t/060_sealed_bids.pl
-- does the same with GnuPG.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
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
SELECT ptx.add_org(pg_temp.uscc(2 + n), '医疗设备公司' || n, '150300', '{bidder}') FROM generate_series(1, 5) n;
SELECT ptx.grant_jurisdiction(1, 'procurement', '150300');
-- Since 0.2.0 an operator's login acts for its trading centre only (PX015 otherwise).
SELECT ptx.add_org(pg_temp.uscc(90), '乌海市公共资源交易中心', '150300', '{centre}') AS regress_centre \gset
SELECT ptx.add_staff('regress_ptx_operator', :regress_centre) AS s \gset
SELECT ptx.register_project('ZC-WH-2025-01', 'CT 设备采购', 'procurement', '150300', 2, 9000000, 1) AS p;
SELECT ptx.register_project('ZC-WH-2025-02', '病床采购', 'procurement', '150300', 2, 900000, 1) AS p2;

-- The clear bid of bidder n: price, digest, fingerprint and a nonce; its
-- ciphertext under the passphrase 'key-n'; its commitment.
CREATE FUNCTION pg_temp.clear(n int, price text) RETURNS bytea LANGUAGE sql
    RETURN convert_to(format('{"price": "%s", "digest": "%s", "fingerprint": "MAC-%s", "nonce": "%s"}',
                             price, md5('doc' || n), n, md5('nonce' || n || price)), 'UTF8');
CREATE FUNCTION pg_temp.seal(n int, price text) RETURNS bytea LANGUAGE sql
    RETURN pgp_sym_encrypt_bytea(pg_temp.clear(n, price), 'key-' || n, 'cipher-algo=aes256');
CREATE FUNCTION pg_temp.proof(n int) RETURNS bytea LANGUAGE sql
    RETURN sha256(convert_to('proof of bidder ' || n, 'UTF8'));

-- The mode: the law's default is the bidder's own encryption, fixed at the
-- announcement and public.
SELECT key, value, default_value FROM ptx.policy_effective WHERE key LIKE 'bids.%' ORDER BY key;
SET ROLE regress_ptx_operator;
SELECT ptx.announce(1, '2025-05-26 09:00+08');
RESET ROLE;
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'bidders of this centre have no tooling') \gset
SET ROLE regress_ptx_operator;
SELECT ptx.announce(2, '2025-05-26 09:00+08');
RESET ROLE;
SELECT ptx.set_policy('bids.bidder_sealed', NULL, NULL) \gset
SET ROLE regress_ptx_public;
SELECT code, mode, basis FROM ptx_public.bid_sealing ORDER BY code;
RESET ROLE;

-- Credentials: the SHA-256 of each bidder's proof.
SET ROLE regress_ptx_operator;
SELECT ptx.register_bidder_credential(2 + n, sha256(pg_temp.proof(n))) FROM generate_series(1, 5) n;
-- replacing one needs the old proof
SELECT ptx.register_bidder_credential(3, sha256('\x00'::bytea));
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_bidder_credential(3, sha256(pg_temp.proof(1)), pg_temp.proof(1));
SELECT ptx.register_bidder_credential(3, '\x00');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_bidder_credential(2, sha256('\x01'::bytea));
\echo :LAST_ERROR_SQLSTATE

-- A bid in clear is refused in bidder mode (电子招标投标办法 §26).
SELECT ptx.submit_bid(1, 3, 100.00);
\echo :LAST_ERROR_SQLSTATE
-- Sealed bids of bidders 1..4 (org 3..6); bidder 4 first bids 1.00, then replaces it.
SELECT n, (r ->> 'bid_id')::bigint AS bid_id, r ? 'seq' AS has_seq, length(r ->> 'entry_hash') AS hash_len
  FROM generate_series(1, 4) n,
       LATERAL ptx.submit_sealed_bid(1, 2 + n, pg_temp.seal(n, CASE n WHEN 4 THEN '1.00' ELSE (1000000 * n)::text || '.50' END),
                                     sha256(pg_temp.clear(n, CASE n WHEN 4 THEN '1.00' ELSE (1000000 * n)::text || '.50' END)),
                                     pg_temp.proof(n)) r;
SELECT ptx.submit_sealed_bid(1, 6, pg_temp.seal(4, '4000000.50'), sha256(pg_temp.clear(4, '4000000.50')), pg_temp.proof(4)) ->> 'bid_id' AS replaced;
-- bidder 5 bids and withdraws
SELECT ptx.submit_sealed_bid(1, 7, pg_temp.seal(5, '5.00'), sha256(pg_temp.clear(5, '5.00')), pg_temp.proof(5)) ->> 'bid_id' AS bid5;
SELECT ptx.withdraw_sealed_bid(1, 7, pg_temp.proof(5));
-- ... submits the same bid again (valid), and withdraws it for good
RESET ROLE;
SELECT sealed AS sealed5, commitment AS commitment5 FROM ptx.bid WHERE bidder_id = 7 \gset
SET ROLE regress_ptx_operator;
SELECT ptx.submit_sealed_bid(1, 7, :'sealed5', :'commitment5', pg_temp.proof(5)) ->> 'bid_id' AS bid5_again \gset
RESET ROLE;
SELECT status FROM ptx.bid WHERE id = :bid5_again;
SET ROLE regress_ptx_operator;
SELECT ptx.withdraw_sealed_bid(1, 7, pg_temp.proof(5));
-- not a passphrase-encrypted OpenPGP message; no commitment; a wrong-size commitment
SELECT ptx.submit_sealed_bid(1, 3, '\xdeadbeef', sha256('\x00'::bytea), pg_temp.proof(1));
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.submit_sealed_bid(1, 3, pg_temp.seal(1, '1.00'), NULL, pg_temp.proof(1));
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.submit_sealed_bid(1, 3, pg_temp.seal(1, '1.00'), '\x00', pg_temp.proof(1));
\echo :LAST_ERROR_SQLSTATE
-- a platform-mode project takes no bidder-sealed bid
SELECT ptx.submit_sealed_bid(2, 3, pg_temp.seal(1, '1.00'), sha256(pg_temp.clear(1, '1.00')), pg_temp.proof(1));
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- No oracle on who bid: without the bidder's proof every call answers the
-- same, whether the organisation bid (3) or not (8 has no credential, 7
-- withdrew, none bid in project 2).
SET ROLE regress_ptx_operator;
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE q;
        RETURN 'ok';
    EXCEPTION WHEN OTHERS THEN
        RETURN SQLSTATE || ' ' || regexp_replace(SQLERRM, '\d+', 'N', 'g');
    END;
END $$;
SELECT b AS org, pg_temp.try(format('SELECT ptx.withdraw_sealed_bid(1, %s, %L)', b, '\x0102'::bytea)) AS withdraw,
       pg_temp.try(format('SELECT ptx.submit_sealed_bid(1, %s, %L, %L, %L)', b, pg_temp.seal(9, '1.00'),
                          sha256(pg_temp.clear(9, '1.00')), '\x0102'::bytea)) AS submit,
       pg_temp.try(format('SELECT ptx.bid_receipt(1, %s, %L)', b, '\x0102'::bytea)) AS receipt,
       pg_temp.try(format('SELECT ptx.withdraw_bid(1, %s)', b)) AS withdraw_platform,
       pg_temp.try(format('SELECT ptx.submit_bid(1, %s, 1)', b)) AS submit_platform
  FROM unnest(ARRAY[3, 7, 8]) b;
-- The bidder's receipt: the entry that last wrote its bid (sealed into a
-- block or not yet), the ciphertext and commitment but no price.
SELECT ptx.submit_sealed_bid(1, 3, pg_temp.seal(1, '1000000.50'), sha256(pg_temp.clear(1, '1000000.50')),
                             pg_temp.proof(1)) ->> 'seq' AS resubmitted \gset
SELECT ptx.bid_receipt(1, 3, pg_temp.proof(1)) ->> 'seq' = :'resubmitted' AS same_entry_as_last_write;
SELECT r ->> 'entry_hash' = encode(sha256(decode(r ->> 'entry', 'hex')), 'hex') AS hash_ok,
       position(convert_to('1000000.50', 'UTF8') IN decode(r ->> 'entry', 'hex')) = 0 AS no_price
  FROM (SELECT ptx.bid_receipt(1, 3, pg_temp.proof(1)) AS r) x;
RESET ROLE;

-- Before the opening: no role reads a bid, a count or a bidder.
CREATE FUNCTION pg_temp.probe() RETURNS TABLE (probe text, outcome text)
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    BEGIN
        SELECT count(*) INTO n FROM ptx.bid b;
        probe := 'ptx.bid'; outcome := n || ' rows'; RETURN NEXT;
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
END
$$;
SET ROLE regress_ptx_admin;
SELECT 'admin' AS role, * FROM pg_temp.probe();
SET ROLE regress_ptx_operator;
SELECT 'operator' AS role, * FROM pg_temp.probe();
SET ROLE regress_ptx_supervisor;
SELECT 'supervisor' AS role, * FROM pg_temp.probe();
SET ROLE regress_ptx_public;
SELECT 'public' AS role, * FROM pg_temp.probe();
RESET ROLE;

-- What is stored: ciphertext and commitment only; no key anywhere.
SELECT bidder_id, seal_mode, status, price, doc_digest, fingerprint, clear_bid, decrypted_at,
       octet_length(commitment) AS commitment_len, sealed IS NOT NULL AS sealed
  FROM ptx.bid ORDER BY bidder_id;
SELECT count(*) AS platform_keys FROM ptx_seal.project_key WHERE project_id = 1;
-- a direct write cannot fill the clear columns or decrypt before the opening
UPDATE ptx.bid SET price = 1 WHERE bidder_id = 3;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.bid SET clear_bid = pg_temp.clear(1, '1000000.50'), decrypted_at = now() WHERE bidder_id = 3;
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_operator;
SELECT ptx.decrypt_bid(1, 'key-1');
\echo :LAST_ERROR_SQLSTATE
-- the same answer for an id no bid has
SELECT ptx.decrypt_bid(99, 'key-1');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- The opening: bids stay encrypted until each bidder decrypts its own.
SET ptx.fake_now = '2025-05-26 09:00:00+08';
SET ROLE regress_ptx_operator;
SELECT ptx.open_bids(1);
SELECT bidder_id, price, status, opened_at IS NOT NULL AS opened FROM ptx.bid_opened ORDER BY bidder_id;
-- a wrong key is refused, and so is a key that is not the bidder's
SELECT ptx.decrypt_bid(1, 'key-2');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.decrypt_bid(1, 'key-1') - 'decrypted_at';
SELECT ptx.decrypt_bid(1, 'key-1');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.decrypt_bid(2, NULL);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- A ciphertext swapped after submission for another made with the same
-- key is caught by the commitment.
ALTER TABLE ptx.bid DISABLE TRIGGER bid_before_write;
UPDATE ptx.bid SET sealed = pg_temp.seal(2, '1.00') WHERE bidder_id = 4;
ALTER TABLE ptx.bid ENABLE TRIGGER bid_before_write;
SET ptx.fake_now = '2025-05-26 09:30:00+08';
SET ROLE regress_ptx_operator;
SELECT ptx.decrypt_bid(2, 'key-2');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.decrypt_bid(4, 'key-4') ->> 'price' AS price4;
-- the evaluation waits for the window
SELECT ptx.start_evaluation(1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.close_decryption(1);
\echo :LAST_ERROR_SQLSTATE
-- at the window's last moment a bidder may still decrypt ...
RESET ROLE;
SET ptx.fake_now = '2025-05-26 10:00:00+08';
SET ROLE regress_ptx_operator;
SELECT ptx.decrypt_bid(3, 'key-3') ->> 'price' AS price3;
-- ... after it, no longer
RESET ROLE;
SET ptx.fake_now = '2025-05-26 10:00:01+08';
SET ROLE regress_ptx_operator;
SELECT ptx.decrypt_bid(2, 'key-2');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.close_decryption(1);
SELECT bidder_id, price, doc_digest IS NOT NULL AS digest, fingerprint, status, status_note
  FROM ptx.bid_opened ORDER BY bidder_id;
SELECT ptx.start_evaluation(1);
RESET ROLE;
-- the commitment holds for every decrypted bid
SELECT bidder_id, sha256(clear_bid) = commitment AS commitment_holds FROM ptx.bid
 WHERE decrypted_at IS NOT NULL ORDER BY bidder_id;

-- A tender left with fewer than tender.min_bids decrypted bids fails.
SET ptx.fake_now = '2025-06-01 09:00:00+08';
SELECT ptx.register_project('ZC-WH-2025-03', '监护仪采购', 'procurement', '150300', 2, 900000, 1) AS p3;
SET ROLE regress_ptx_operator;
-- announced on Sunday 06-01, day 20 is Saturday 06-21: the period ends on Monday 06-23
SELECT ptx.announce(3, '2025-06-23 09:00+08');
SELECT count(ptx.submit_sealed_bid(3, 2 + n, pg_temp.seal(n, '7.00'), sha256(pg_temp.clear(n, '7.00')), pg_temp.proof(n)))
  FROM generate_series(1, 3) n;
RESET ROLE;
SET ptx.fake_now = '2025-06-23 09:00:00+08';
SET ROLE regress_ptx_operator;
SELECT ptx.open_bids(3);
SELECT ptx.decrypt_bid(b.id, 'key-' || (b.bidder_id - 2)) ->> 'price' AS price
  FROM ptx.bid_opened b WHERE b.project_id = 3 AND b.bidder_id = 3;
-- bidder 2's bid was damaged by the platform: withdrawn (撤回) with the
-- cause, within the window; not twice, not without a cause, not a decrypted bid
SELECT id AS bid_b2 FROM ptx.bid_opened WHERE project_id = 3 AND bidder_id = 4 \gset
SELECT id AS bid_b1 FROM ptx.bid_opened WHERE project_id = 3 AND bidder_id = 3 \gset
SELECT ptx.record_decryption_failure(:bid_b2, ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_decryption_failure(:bid_b1, 'storage fault');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_decryption_failure(:bid_b2, 'the stored ciphertext was damaged by a storage fault of the platform');
SELECT ptx.record_decryption_failure(:bid_b2, 'again');
\echo :LAST_ERROR_SQLSTATE
SELECT bidder_id, status, status_note FROM ptx.bid_opened WHERE project_id = 3 ORDER BY bidder_id;
RESET ROLE;
SET ptx.fake_now = '2025-06-23 10:01:00+08';
SET ROLE regress_ptx_operator;
SELECT ptx.close_decryption(3);
SELECT code, state, state_note FROM ptx.project WHERE id = 3;
RESET ROLE;

-- Roles: the public and supervisors cannot submit, decrypt or close.
SET ROLE regress_ptx_public;
SELECT ptx.decrypt_bid(1, 'key-1');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_supervisor;
SELECT ptx.close_decryption(1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_decryption_failure(1, 'supervisor may not');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_bidder_credential(3, sha256('\x01'::bytea));
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

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
