-- Demo, part 2b: bids sealed by the bidders themselves (R14, 电子招标投标办法),
-- and a bidder checking its receipt outside the database.
--
-- In January 2026 the bidder client is piloted: the policy goes back to
-- the law for a project, whose bids the bidders encrypt with GnuPG.  Four bidders seal their bids, three give their keys at the
-- opening, one never does and its bid is withdrawn (撤销); the opening goes
-- on.  A bidder keeps the digest published after its submission and checks
-- its receipt with test/ptx_receipt.py, which knows only the format.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2026-01-05 09:00:00+08';
\set gpghome `mktemp -d /tmp/ptx-demo-gpg.XXXXXX`
\setenv GNUPGHOME :gpghome

\echo '== The policy goes back to the law: bids sealed by the bidders'
SELECT ptx.set_policy('bids.bidder_sealed', NULL, NULL) \gset
SELECT key, value, basis FROM ptx.policy_effective WHERE key LIKE 'bids.%' ORDER BY key;

SELECT j.supervisor_id, j.region, t.id AS tenderee_id
  FROM ptx.jurisdiction j
  JOIN ptx.org t ON 'tenderee' = ANY (t.roles) AND ptx.region_within(t.region, j.region)
 WHERE j.category = 'procurement'
 ORDER BY j.region, j.supervisor_id, t.id LIMIT 1 \gset
SELECT ptx.register_project('ZC-2026-GPG-01', '医用直线加速器采购 (投标人自行加密)', 'procurement', :'region',
                            :tenderee_id, 9000000, :supervisor_id) AS project_id \gset
SELECT ptx.announce(:project_id, '2026-01-26 09:00:00+08');
\echo '== The public sees how the bids of the project are sealed'
SET ROLE ptx_public;
SELECT code, mode, basis FROM ptx_public.bid_sealing WHERE code = 'ZC-2026-GPG-01';
RESET ROLE;

-- Four bidders, each with its proof (registered once) and its passphrase.
CREATE TEMP TABLE demo_bidder AS
SELECT row_number() OVER (ORDER BY o.id) AS n, o.id AS bidder_id, o.name,
       encode(sha256(convert_to('proof of ' || o.uscc || ' ' || random(), 'UTF8')), 'hex') AS proof,
       encode(sha256(convert_to('passphrase of ' || o.uscc || ' ' || random(), 'UTF8')), 'hex') AS passphrase,
       (ARRAY['8765432.10', '8654321.00', '8799000.00', '8712345.60'])[row_number() OVER (ORDER BY o.id)] AS price
  FROM ptx.org o
 WHERE 'bidder' = ANY (o.roles) AND NOT ptx.is_restricted('org', o.id)
   AND o.id NOT IN (:tenderee_id, :supervisor_id)
 ORDER BY o.id LIMIT 4;
SELECT count(ptx.register_bidder_credential(bidder_id, sha256(decode(proof, 'hex')))) AS credentials
  FROM demo_bidder;

\echo '== Each bidder seals its bid on its own computer: gpg --symmetric --cipher-algo AES256'
SET ptx.fake_now = '2026-01-20 15:00:00+08';
CREATE TEMP TABLE demo_sealed (n int, clear text, commitment text, sealed text);
SELECT n, passphrase,
       format('{"price": "%s", "digest": "%s", "fingerprint": "MAC-%s", "nonce": "%s"}',
              price, encode(sha256(convert_to('bid documents ' || n, 'UTF8')), 'hex'), n,
              encode(sha256(convert_to('nonce ' || random(), 'UTF8')), 'hex')) AS clear
  FROM demo_bidder WHERE n = 1 \gset s_
\set ct `printf '%s' :'s_clear' | gpg --batch --quiet --pinentry-mode loopback --no-symkey-cache --passphrase :'s_passphrase' --symmetric --cipher-algo AES256 -o - | od -An -v -tx1 | tr -d ' \n'`
INSERT INTO demo_sealed VALUES (:s_n, :'s_clear', encode(sha256(convert_to(:'s_clear', 'UTF8')), 'hex'), :'ct');
SELECT n, passphrase,
       format('{"price": "%s", "digest": "%s", "fingerprint": "MAC-%s", "nonce": "%s"}',
              price, encode(sha256(convert_to('bid documents ' || n, 'UTF8')), 'hex'), n,
              encode(sha256(convert_to('nonce ' || random(), 'UTF8')), 'hex')) AS clear
  FROM demo_bidder WHERE n = 2 \gset s_
\set ct `printf '%s' :'s_clear' | gpg --batch --quiet --pinentry-mode loopback --no-symkey-cache --passphrase :'s_passphrase' --symmetric --cipher-algo AES256 -o - | od -An -v -tx1 | tr -d ' \n'`
INSERT INTO demo_sealed VALUES (:s_n, :'s_clear', encode(sha256(convert_to(:'s_clear', 'UTF8')), 'hex'), :'ct');
SELECT n, passphrase,
       format('{"price": "%s", "digest": "%s", "fingerprint": "MAC-%s", "nonce": "%s"}',
              price, encode(sha256(convert_to('bid documents ' || n, 'UTF8')), 'hex'), n,
              encode(sha256(convert_to('nonce ' || random(), 'UTF8')), 'hex')) AS clear
  FROM demo_bidder WHERE n = 3 \gset s_
\set ct `printf '%s' :'s_clear' | gpg --batch --quiet --pinentry-mode loopback --no-symkey-cache --passphrase :'s_passphrase' --symmetric --cipher-algo AES256 -o - | od -An -v -tx1 | tr -d ' \n'`
INSERT INTO demo_sealed VALUES (:s_n, :'s_clear', encode(sha256(convert_to(:'s_clear', 'UTF8')), 'hex'), :'ct');
SELECT n, passphrase,
       format('{"price": "%s", "digest": "%s", "fingerprint": "MAC-%s", "nonce": "%s"}',
              price, encode(sha256(convert_to('bid documents ' || n, 'UTF8')), 'hex'), n,
              encode(sha256(convert_to('nonce ' || random(), 'UTF8')), 'hex')) AS clear
  FROM demo_bidder WHERE n = 4 \gset s_
\set ct `printf '%s' :'s_clear' | gpg --batch --quiet --pinentry-mode loopback --no-symkey-cache --passphrase :'s_passphrase' --symmetric --cipher-algo AES256 -o - | od -An -v -tx1 | tr -d ' \n'`
INSERT INTO demo_sealed VALUES (:s_n, :'s_clear', encode(sha256(convert_to(:'s_clear', 'UTF8')), 'hex'), :'ct');

\echo '== The platform receives ciphertext, commitment and proof; its answer is the bidder''s first receipt'
SELECT b.n, b.name, octet_length(decode(s.sealed, 'hex')) AS ciphertext_bytes, left(s.commitment, 16) || '…' AS commitment,
       r ->> 'bid_id' AS bid_id, r ->> 'seq' AS ledger_seq, left(r ->> 'entry_hash', 16) || '…' AS entry_hash
  FROM demo_bidder b JOIN demo_sealed s USING (n),
       LATERAL ptx.submit_sealed_bid(:project_id, b.bidder_id, decode(s.sealed, 'hex'),
                                     decode(s.commitment, 'hex'), decode(b.proof, 'hex')) r
 ORDER BY b.n;
\echo '== A bid in clear is refused; without the proof no one learns whether an organisation bid'
\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never
SELECT ptx.submit_bid(:project_id, (SELECT bidder_id FROM demo_bidder WHERE n = 1), 100);
SELECT ptx.withdraw_sealed_bid(:project_id, (SELECT bidder_id FROM demo_bidder WHERE n = 1), '\x00');
SELECT ptx.withdraw_sealed_bid(:project_id, (SELECT max(id) FROM ptx.org), '\x00');
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT errors

\echo '== Before the opening the database holds no price and no key'
SELECT count(*) AS bids, count(price) AS clear_prices, count(clear_bid) AS clear_bids,
       (SELECT count(*) FROM ptx_seal.project_key WHERE project_key.project_id = :project_id) AS platform_keys,
       bool_or(position(convert_to('8765432.10', 'UTF8') IN sealed) > 0) AS price_in_ciphertext
  FROM ptx.bid WHERE project_id = :project_id;

\echo '== Bidder 1 keeps the published digest and checks its receipt with test/ptx_receipt.py'
SELECT ptx.seal() AS sealed_blocks \gset
\set receipt_dir `mktemp -d /tmp/ptx-demo-receipt.XXXXXX`
\pset tuples_only on
\pset format unaligned
SELECT ptx.digest() \g :receipt_dir/digest.json
SELECT ptx.bid_receipt(:project_id, bidder_id, decode(proof, 'hex')) FROM demo_bidder WHERE n = 1 \g :receipt_dir/receipt.json
\pset tuples_only off
\pset format aligned
\set check `python3 :'ptx_src'/test/ptx_receipt.py receipt :'receipt_dir'/receipt.json :'receipt_dir'/digest.json`
\echo :check

\echo '== The opening: bidders 1, 2 and 3 give their keys, bidder 4 does not'
SET ptx.fake_now = '2026-01-26 09:00:00+08';
SELECT ptx.open_bids(:project_id) AS opening;
SET ptx.fake_now = '2026-01-26 09:12:00+08';
SELECT b.n, (ptx.decrypt_bid((SELECT id FROM ptx.bid WHERE project_id = :project_id AND bidder_id = b.bidder_id),
                             b.passphrase) ->> 'price')::numeric AS decrypted_price
  FROM demo_bidder b WHERE b.n <= 3 ORDER BY b.n;
\echo '== A wrong key is refused'
\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never
SELECT ptx.decrypt_bid((SELECT id FROM ptx.bid WHERE project_id = :project_id
                         AND bidder_id = (SELECT bidder_id FROM demo_bidder WHERE n = 4)), 'not the key');
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT errors
\echo '== The window closes: the bid not decrypted is withdrawn by its bidder (撤销), the opening goes on'
SET ptx.fake_now = '2026-01-26 10:00:01+08';
SELECT ptx.close_decryption(:project_id) AS after_window;
SELECT o.name AS bidder, b.price, b.status, b.status_note
  FROM ptx.bid_opened b JOIN ptx.org o ON o.id = b.bidder_id
 WHERE b.project_id = :project_id ORDER BY b.price NULLS LAST;
SELECT count(*) FILTER (WHERE sha256(clear_bid) = commitment) AS commitments_hold
  FROM ptx.bid WHERE project_id = :project_id;
\set done `rm -rf :'gpghome' :'receipt_dir'`

-- The pilot is over; the other bidders get the client in the summer: until
-- then the platform seals again (the demo's later parts bid that way).
SELECT ptx.set_policy('bids.bidder_sealed', 0,
                      'bidder client piloted on ZC-2026-GPG-01; rolled out to every bidder in July') \gset
RESET ptx.fake_now;
