-- Messages of the bids (sealed by the platform and by the bidder), the
-- tender documents' amendments and the contracts in English and in Chinese:
-- each refusal is run with lc_messages C and again with zh_CN.UTF-8.  The
-- SQLSTATE never changes with the language.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees drawn in another system') \gset
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'the platform seals the bids of most projects here') \gset
SET TIME ZONE 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2025-04-01 09:00:00+08';

SELECT ptx.add_region('150000', '内蒙古自治区') \gset
SELECT ptx.add_region('150100', '呼和浩特市', '150000') \gset
SELECT ptx.add_region('150102', '新城区', '150100') \gset
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150100' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150100' || lpad(n::text, 9, '0'));
-- 1 the department, 2 a tenderee that also bids elsewhere, 3..6 bidders
SELECT ptx.add_org(pg_temp.uscc(1), '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS sup,
       ptx.add_org(pg_temp.uscc(2), '呼和浩特市第一中学', '150102', '{tenderee,bidder}') AS school \gset
SELECT min(ptx.add_org(pg_temp.uscc(2 + n), '建设公司' || n, '150102', '{bidder}')) AS b3
  FROM generate_series(1, 4) n \gset
SELECT count(ptx.grant_jurisdiction(1, c, '150000')) FROM unnest(ARRAY['construction', 'procurement']) c \gset
SELECT ptx.add_catalog_entry('NM-GC-01', 'construction', '150000', 4000000, '{state,state_owned}',
                             '2025-01-01', NULL, '必须招标的工程项目规定 §5', '{works}') \gset
SELECT ptx.add_catalog_entry('HH-ZC-01', 'procurement', '150100', NULL, NULL,
                             '2025-01-01', '2025-12-31', '呼和浩特市政府采购集中采购目录') \gset

-- Bidders' clear bids, ciphertexts under 'key-n', commitments and proofs.
CREATE FUNCTION pg_temp.clear(n int, price text) RETURNS bytea LANGUAGE sql
    RETURN convert_to(format('{"price": "%s", "nonce": "%s"}', price, md5('nonce' || n || price)), 'UTF8');
CREATE FUNCTION pg_temp.seal(n int, price text) RETURNS bytea LANGUAGE sql
    RETURN pgp_sym_encrypt_bytea(pg_temp.clear(n, price), 'key-' || n, 'cipher-algo=aes256');
CREATE FUNCTION pg_temp.proof(n int) RETURNS bytea LANGUAGE sql
    RETURN sha256(convert_to('proof of bidder ' || n, 'UTF8'));
SELECT count(ptx.register_bidder_credential(n, sha256(pg_temp.proof(n)))) FROM generate_series(3, 6) n \gset

-- An awarded project: organisation 4 won with 4000004.00 on 2025-04-25.
CREATE FUNCTION pg_temp.to_award(code text, at timestamptz) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    p bigint;
BEGIN
    PERFORM set_config('ptx.fake_now', at::text, false);
    p := ptx.register_project(code, code || ' 工程', 'construction', '150102', 2, 5000000, 1, 'state', NULL, 'open', 'works');
    PERFORM ptx.announce(p, at + interval '20 days');
    PERFORM ptx.submit_bid(p, b, 4000000 + b) FROM generate_series(3, 5) b;
    PERFORM set_config('ptx.fake_now', (at + interval '20 days')::text, false);
    PERFORM ptx.open_bids(p);
    PERFORM ptx.start_evaluation(p);
    PERFORM ptx.report_evaluation(p);
    PERFORM ptx.publish_candidates(p, '{4,3}');
    PERFORM set_config('ptx.fake_now', (at + interval '24 days')::text, false);
    PERFORM ptx.award(p, 4);
    RETURN p;
END
$$;
SELECT pg_temp.to_award('MT-AWD', '2025-04-01 09:00+08') AS p4 \gset

-- On 2025-05-06: an open tender sealed by the platform (p1), one held by
-- an objection (p2), one sealed by the bidders that opens on 05-26 (p3),
-- one registered only (p5), one sealed by the bidders still open (p6),
-- one sealed by the platform whose deadline passes on 05-26 (p8).
SET ptx.fake_now = '2025-05-06 09:00:00+08';
SELECT ptx.register_project('MT-1', '教学楼维修', 'construction', '150102', 2, 5000000, 1, 'state', NULL, 'open', 'works') AS p1 \gset
SELECT ptx.register_project('MT-2', '操场改造', 'construction', '150102', 2, 5000000, 1, 'state', NULL, 'open', 'works') AS p2 \gset
SELECT ptx.register_project('MT-5', '食堂改造', 'construction', '150102', 2, 5000000, 1, 'state', NULL, 'open', 'works') AS p5 \gset
SELECT ptx.register_project('MT-8', '围墙工程', 'construction', '150102', 2, 5000000, 1, 'state', NULL, 'open', 'works') AS p8 \gset
SELECT ptx.announce(:p1, '2025-06-05 09:00+08') \gset
SELECT ptx.announce(:p2, '2025-06-05 09:00+08') \gset
SELECT ptx.announce(:p8, '2025-05-26 09:00+08') \gset
SELECT ptx.set_policy('bids.bidder_sealed', 1, 'these bidders encrypt their bids') \gset
SELECT ptx.register_project('MT-3', '实验楼工程', 'construction', '150102', 2, 5000000, 1, 'state', NULL, 'open', 'works') AS p3 \gset
SELECT ptx.register_project('MT-6', '宿舍楼工程', 'construction', '150102', 2, 5000000, 1, 'state', NULL, 'open', 'works') AS p6 \gset
SELECT ptx.announce(:p3, '2025-05-26 09:00+08') \gset
SELECT ptx.announce(:p6, '2025-06-05 09:00+08') \gset
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'the platform seals the bids of most projects here') \gset
SELECT ptx.submit_bid(:p1, 3, 4100000) \gset
SELECT ptx.submit_bid(:p8, 3, 4200000) \gset
SELECT count(ptx.submit_sealed_bid(:p3, n, pg_temp.seal(n, (4000000 + n)::text || '.00'),
                                   sha256(pg_temp.clear(n, (4000000 + n)::text || '.00')), pg_temp.proof(n)))
  FROM generate_series(3, 4) n \gset
-- bidder 5's clear bid has no price that reads as a number
SELECT ptx.submit_sealed_bid(:p3, 5, pgp_sym_encrypt_bytea(convert_to('{"price": "four million"}', 'UTF8'), 'key-5', 'cipher-algo=aes256'),
                             sha256(convert_to('{"price": "four million"}', 'UTF8')), pg_temp.proof(5)) \gset
SELECT ptx.submit_sealed_bid(:p6, 5, pg_temp.seal(5, '4300000.00'), sha256(pg_temp.clear(5, '4300000.00')), pg_temp.proof(5)) \gset
SELECT ptx.file_objection(:p2, 3, 'documents', '资格条件排斥潜在投标人') AS objection \gset
SELECT ptx.amend_documents(:p6, '更正工期要求') \gset
SELECT ptx.record_contract(NULL, 2, 3, 'construction', '150102', 100, 'private', '2025-05-06') \gset

-- The opening of p3 on 05-26; bidder 3 decrypts its bid at 09:10.
SET ptx.fake_now = '2025-05-26 09:00:00+08';
SELECT ptx.open_bids(:p3);
SELECT id AS bid3 FROM ptx.bid WHERE project_id = :p3 AND bidder_id = 3 \gset
SELECT id AS bid4 FROM ptx.bid WHERE project_id = :p3 AND bidder_id = 4 \gset
SELECT id AS bid5 FROM ptx.bid WHERE project_id = :p3 AND bidder_id = 5 \gset
SET ptx.fake_now = '2025-05-26 09:10:00+08';
SELECT ptx.decrypt_bid(:bid3, 'key-3') ->> 'price' AS price3;
SET ptx.fake_now = '2025-05-26 09:30:00+08';

-- bids (44_bids.sql)
-- registered, not announced
SET lc_messages = 'C';
SELECT ptx.submit_bid(:p5, 3, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(:p5, 3, 4100000);
\echo :LAST_ERROR_SQLSTATE
-- opened
SET lc_messages = 'C';
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:p3, 6, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:p3, 6, 4100000);
\echo :LAST_ERROR_SQLSTATE
-- after the deadline
SET lc_messages = 'C';
SELECT ptx.submit_bid(:p8, 4, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(:p8, 4, 4100000);
\echo :LAST_ERROR_SQLSTATE
-- the tenderee
SET lc_messages = 'C';
SELECT ptx.submit_bid(:p1, 2, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(:p1, 2, 4100000);
\echo :LAST_ERROR_SQLSTATE
-- not a bidder
SET lc_messages = 'C';
SELECT ptx.submit_bid(:p1, 1, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(:p1, 1, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.submit_bid(:p1, 4, -1);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(:p1, 4, -1);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.submit_bid(:p1, 4, NULL);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(:p1, 4, NULL);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.submit_bid(-1, 4, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(-1, 4, 4100000);
\echo :LAST_ERROR_SQLSTATE
-- sealed by the bidders
SET lc_messages = 'C';
SELECT ptx.submit_bid(:p6, 4, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(:p6, 4, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.withdraw_bid(:p6, 5);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.withdraw_bid(:p6, 5);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.withdraw_bid(:p1, 6);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.withdraw_bid(:p1, 6);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.reject_bid(:p1, 6, '报价低于成本');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.reject_bid(:p1, 6, '报价低于成本');
\echo :LAST_ERROR_SQLSTATE
-- a fingerprint too long for the platform's seal
SET lc_messages = 'C';
SELECT ptx.submit_bid(:p1, 4, 4100000, NULL, repeat('MAC-', 250));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(:p1, 4, 4100000, NULL, repeat('MAC-', 250));
\echo :LAST_ERROR_SQLSTATE
-- direct writes
SET lc_messages = 'C';
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:p1, NULL, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:p1, NULL, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
INSERT INTO ptx.bid (project_id, bidder_id, price, sealed) VALUES (:p1, 4, 4100000, '\x00');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
INSERT INTO ptx.bid (project_id, bidder_id, price, sealed) VALUES (:p1, 4, 4100000, '\x00');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (-1, 4, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (-1, 4, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
DELETE FROM ptx.bid WHERE project_id = :p1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
DELETE FROM ptx.bid WHERE project_id = :p1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.bid SET round = 2 WHERE project_id = :p1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET round = 2 WHERE project_id = :p1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.bid SET doc_digest = '\x01' WHERE project_id = :p1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET doc_digest = '\x01' WHERE project_id = :p1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.bid SET status = 'rejected' WHERE project_id = :p1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET status = 'rejected' WHERE project_id = :p1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.bid SET opened_at = now() WHERE project_id = :p1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET opened_at = now() WHERE project_id = :p1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.bid SET price = 4200001 WHERE project_id = :p8;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET price = 4200001 WHERE project_id = :p8;
\echo :LAST_ERROR_SQLSTATE
-- bidder 3's bid, opened and decrypted
SET lc_messages = 'C';
UPDATE ptx.bid SET status = 'rejected', status_note = 'x' WHERE id = :bid3;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET status = 'rejected', status_note = 'x' WHERE id = :bid3;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.bid SET status_note = 'x' WHERE id = :bid3;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET status_note = 'x' WHERE id = :bid3;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.bid SET fingerprint = 'x' WHERE id = :bid3;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET fingerprint = 'x' WHERE id = :bid3;
\echo :LAST_ERROR_SQLSTATE

-- bids sealed by the bidder (44_bids_sealed.sql)
SET lc_messages = 'C';
SELECT ptx.start_evaluation(:p3);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.start_evaluation(:p3);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.submit_sealed_bid(:p6, 3, '\xdeadbeef', sha256('\x00'::bytea), pg_temp.proof(3));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_sealed_bid(:p6, 3, '\xdeadbeef', sha256('\x00'::bytea), pg_temp.proof(3));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.submit_sealed_bid(:p6, 3, pg_temp.seal(3, '4100000.00'), NULL, pg_temp.proof(3));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_sealed_bid(:p6, 3, pg_temp.seal(3, '4100000.00'), NULL, pg_temp.proof(3));
\echo :LAST_ERROR_SQLSTATE
-- bidder 5's bid in p6, not opened
SET lc_messages = 'C';
UPDATE ptx.bid SET price = 1 WHERE project_id = :p6;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET price = 1 WHERE project_id = :p6;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.bid SET status = 'rejected' WHERE project_id = :p6;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET status = 'rejected' WHERE project_id = :p6;
\echo :LAST_ERROR_SQLSTATE
-- bidder 4's bid in p3, opened, not decrypted
SET lc_messages = 'C';
UPDATE ptx.bid SET sealed = '\x00' WHERE id = :bid4;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET sealed = '\x00' WHERE id = :bid4;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.bid SET clear_bid = '\x00', decrypted_at = now() WHERE id = :bid4;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET clear_bid = '\x00', decrypted_at = now() WHERE id = :bid4;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.bid SET status = 'withdrawn', status_note = 'x' WHERE id = :bid4;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.bid SET status = 'withdrawn', status_note = 'x' WHERE id = :bid4;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.decrypt_bid(:bid5, 'key-5');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.decrypt_bid(:bid5, 'key-5');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.record_decryption_failure(:bid4, ' ');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_decryption_failure(:bid4, ' ');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.record_decryption_failure(:bid3, 'storage fault');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_decryption_failure(:bid3, 'storage fault');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.decrypt_bid(-1, 'key-1');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.decrypt_bid(-1, 'key-1');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.decrypt_bid(:bid3, 'key-3');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.decrypt_bid(:bid3, 'key-3');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.decrypt_bid(:bid4, NULL);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.decrypt_bid(:bid4, NULL);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.decrypt_bid(:bid4, 'key-9');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.decrypt_bid(:bid4, 'key-9');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.close_decryption(:p3);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.close_decryption(:p3);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.close_decryption(:p1);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.close_decryption(:p1);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.register_bidder_credential(3, '\x00');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.register_bidder_credential(3, '\x00');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.register_bidder_credential(1, sha256('\x01'::bytea));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.register_bidder_credential(1, sha256('\x01'::bytea));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.submit_sealed_bid(:p6, 3, pg_temp.seal(3, '4100000.00'), sha256(pg_temp.clear(3, '4100000.00')), '\x0102');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_sealed_bid(:p6, 3, pg_temp.seal(3, '4100000.00'), sha256(pg_temp.clear(3, '4100000.00')), '\x0102');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.submit_sealed_bid(:p1, 3, pg_temp.seal(3, '4100000.00'), sha256(pg_temp.clear(3, '4100000.00')), pg_temp.proof(3));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_sealed_bid(:p1, 3, pg_temp.seal(3, '4100000.00'), sha256(pg_temp.clear(3, '4100000.00')), pg_temp.proof(3));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.submit_sealed_bid(-1, 3, pg_temp.seal(3, '4100000.00'), sha256(pg_temp.clear(3, '4100000.00')), pg_temp.proof(3));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_sealed_bid(-1, 3, pg_temp.seal(3, '4100000.00'), sha256(pg_temp.clear(3, '4100000.00')), pg_temp.proof(3));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.withdraw_sealed_bid(:p6, 6, pg_temp.proof(6));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.withdraw_sealed_bid(:p6, 6, pg_temp.proof(6));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.bid_receipt(:p6, 6, pg_temp.proof(6));
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.bid_receipt(:p6, 6, pg_temp.proof(6));
\echo :LAST_ERROR_SQLSTATE
-- after the opening window
SET lc_messages = 'C';
SET ptx.fake_now = '2025-05-26 10:00:01+08';
SELECT ptx.decrypt_bid(:bid4, 'key-4');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SET ptx.fake_now = '2025-05-26 10:00:01+08';
SELECT ptx.decrypt_bid(:bid4, 'key-4');
\echo :LAST_ERROR_SQLSTATE

-- procurement and the tender documents (44_procurement.sql)
SET lc_messages = 'C';
SET ptx.fake_now = '2025-05-26 09:30:00+08';
SELECT ptx.mark_complex(:p1, NULL);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SET ptx.fake_now = '2025-05-26 09:30:00+08';
SELECT ptx.mark_complex(:p1, NULL);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.mark_complex(-1);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.mark_complex(-1);
\echo :LAST_ERROR_SQLSTATE
-- held by the objection
SET lc_messages = 'C';
SELECT ptx.submit_bid(:p2, 4, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.submit_bid(:p2, 4, 4100000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
UPDATE ptx.document_amendment SET summary = 'x';
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.document_amendment SET summary = 'x';
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.amend_documents(NULL, '更正');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.amend_documents(NULL, '更正');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.amend_documents(:p1, '   ');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.amend_documents(:p1, '   ');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.amend_documents(:p5, '更正');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.amend_documents(:p5, '更正');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.amend_documents(:p8, '更正');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.amend_documents(:p8, '更正');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.amend_documents(:p1, '延期', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.amend_documents(:p1, '延期', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.amend_documents(:p1, '提前', '2025-06-01 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.amend_documents(:p1, '提前', '2025-06-01 09:00+08');
\echo :LAST_ERROR_SQLSTATE

-- contracts (46_contracts.sql)
SET lc_messages = 'C';
UPDATE ptx.contract SET amount = 1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.contract SET amount = 1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.record_contract(NULL, 2, 3, 'construction', '150102', 100, 'private', '2025-06-01');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_contract(NULL, 2, 3, 'construction', '150102', 100, 'private', '2025-06-01');
\echo :LAST_ERROR_SQLSTATE
-- off the platform: an entry with every condition, one with none but a term
SET lc_messages = 'C';
SELECT ptx.record_contract(NULL, 2, 3, 'construction', '150102', 4500000, 'state', '2025-05-20', 'works');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_contract(NULL, 2, 3, 'construction', '150102', 4500000, 'state', '2025-05-20', 'works');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.record_contract(NULL, 2, 3, 'procurement', '150102', 800, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_contract(NULL, 2, 3, 'procurement', '150102', 800, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount, signed_on)
VALUES (-1, 2, 4, 'construction', '150102', 4000004, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount, signed_on)
VALUES (-1, 2, 4, 'construction', '150102', 4000004, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.record_contract(:p1, 2, 3, 'construction', '150102', 4100000, 'state', '2025-05-20', 'works');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_contract(:p1, 2, 3, 'construction', '150102', 4100000, 'state', '2025-05-20', 'works');
\echo :LAST_ERROR_SQLSTATE
-- the awarded project
SET lc_messages = 'C';
SELECT ptx.record_contract(:p4, 2, 5, 'construction', '150102', 4000005, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_contract(:p4, 2, 5, 'construction', '150102', 4000005, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.record_contract(:p4, 2, 4, 'construction', '150102', 4000000, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_contract(:p4, 2, 4, 'construction', '150102', 4000000, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.record_contract(:p4, 2, 4, 'procurement', '150102', 4000004, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_contract(:p4, 2, 4, 'procurement', '150102', 4000004, NULL, '2025-05-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'C';
SELECT ptx.record_contract(:p4, 2, 4, 'construction', '150102', 4000004, NULL, '2025-04-20');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_contract(:p4, 2, 4, 'construction', '150102', 4000004, NULL, '2025-04-20');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;
