-- Ledger (R3): every kind of tampering that bypasses the triggers
-- (a superuser with session_replication_role = replica) is found by
-- ptx.verify(); an untouched ledger verifies clean.  Each case runs in a
-- transaction that is rolled back, so the next one starts from the same
-- sealed ledger.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET ptx.fake_now = '2025-03-01 09:00:00+08';

CREATE FUNCTION pg_temp.merkle(h bytea[]) RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE nxt bytea[];
BEGIN
    WHILE cardinality(h) > 1 LOOP
        nxt := '{}';
        FOR i IN 1 .. cardinality(h) BY 2 LOOP
            nxt := nxt || CASE WHEN i < cardinality(h) THEN sha256('\x01'::bytea || h[i] || h[i + 1]) ELSE h[i] END;
        END LOOP;
        h := nxt;
    END LOOP;
    RETURN h[1];
END $$;

SELECT ptx.seal();
SELECT max(seq) AS base FROM ptx.ledger_entry \gset
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_org('91150000000000001' || ptx.uscc_check_char('91150000000000001'), '自治区住建厅', '150000', '{supervisor}') AS sup \gset
SELECT ptx.add_org('91150100000000002' || ptx.uscc_check_char('91150100000000002'), '呼和浩特城投', '150100', '{tenderee}') AS ten \gset
SELECT ptx.add_org('91150100000000003' || ptx.uscc_check_char('91150100000000003'), '甲建设公司', '150100', '{bidder}') AS b1 \gset
INSERT INTO ptx.project (code, title, category, region, tenderee_id, supervisor_id, amount)
VALUES ('P-2025-001', '学校教学楼', 'construction', '150100', :ten, :sup, 12000000) RETURNING id AS p1 \gset
BEGIN;
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:p1, :b1, 1);
ROLLBACK;                                   -- leaves a gap in the seqs
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:p1, :b1, 11500000) RETURNING id AS bid \gset
UPDATE ptx.project SET state = 'announced' WHERE id = :p1;
SET ptx.block_max_entries = 3;
SELECT ptx.seal();
RESET ptx.block_max_entries;
SELECT block_no, first_seq - :base AS first, last_seq - :base AS last, entry_count
  FROM ptx.ledger_block WHERE block_no > 1 ORDER BY block_no;
SELECT seq - :base AS n, operation, relation, key FROM ptx.ledger_entry WHERE seq > :base ORDER BY seq;
-- the digest an auditor printed out
SELECT ptx.digest() AS published \gset
SELECT * FROM ptx.verify();
SELECT * FROM ptx.verify(:'published'::jsonb);

-- An entry changed.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.ledger_entry SET row_image = replace(row_image::text, '11500000', '9500000')::json WHERE seq = :base + 8;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- An entry changed and its hash recomputed: the block's Merkle root no longer fits.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.ledger_entry SET row_image = replace(row_image::text, '11500000', '9500000')::json WHERE seq = :base + 8;
UPDATE ptx.ledger_entry SET entry_hash = sha256(ptx.ledger_entry_bytes(seq)) WHERE seq = :base + 8;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- An entry removed.
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM ptx.ledger_entry WHERE seq = :base + 3;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- An entry inserted into a sealed range, in the gap of the rolled-back bid,
-- with a well-formed hash.
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO ptx.ledger_entry
SELECT :base + 7, xid, logged_at, business_at, session_user_name, current_user_name, application_name,
       client_addr, operation, kind, relation, '{"id": 1}', row_image, project_id, format, entry_hash
  FROM ptx.ledger_entry WHERE seq = :base + 8;
UPDATE ptx.ledger_entry SET entry_hash = sha256(ptx.ledger_entry_bytes(seq)) WHERE seq = :base + 7;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- A block changed.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.ledger_block SET sealed_at = sealed_at + interval '1 hour' WHERE block_no = 3;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- A block changed and its hash recomputed: the next block's link breaks.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.ledger_block SET sealed_at = sealed_at + interval '1 hour' WHERE block_no = 3;
UPDATE ptx.ledger_block SET block_hash = sha256(ptx.ledger_block_bytes(block_no)) WHERE block_no = 3;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- A block removed.
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM ptx.ledger_block WHERE block_no = 3;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- The last block removed: its entries are unsealed again, and the published
-- digest names a block that is gone.
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM ptx.ledger_block WHERE block_no = 4;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify(:'published'::jsonb);
ROLLBACK;

-- Two blocks swapped.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.ledger_block SET block_no = -3 WHERE block_no = 3;
UPDATE ptx.ledger_block SET block_no = 3 WHERE block_no = 2;
UPDATE ptx.ledger_block SET block_no = 2 WHERE block_no = -3;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- Tracked rows changed, removed and added with the triggers off.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.project SET amount = 1200000 WHERE id = :p1;
DELETE FROM ptx.bid WHERE id = :bid;
INSERT INTO ptx.org (uscc, name, region, roles)
VALUES ('91150100000000009' || ptx.uscc_check_char('91150100000000009'), '影子公司', '150100', '{bidder}');
SELECT block_no, seq - :base AS n, problem, detail FROM ptx.verify();
ROLLBACK;
-- the same changes made normally are logged, and verify clean
BEGIN;
UPDATE ptx.project SET amount = 1200000 WHERE id = :p1;
DELETE FROM ptx.bid WHERE id = :bid;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- Entries left unsealed past the lag (ptx.seal_max_lag seconds): at the
-- boundary, an entry just written is within a lag of 60 s and past one of 0.
BEGIN;
SELECT ptx.add_region('150200', '包头市', '150000');
SELECT pg_sleep(0.01);
SET LOCAL ptx.seal_max_lag = 0;
SELECT block_no, seq - :base AS after, problem, detail FROM ptx.verify();
SET LOCAL ptx.seal_max_lag = 60;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- The whole chain rewritten after a change: every hash recomputed, so the
-- ledger is consistent in itself; only a digest published before exposes it.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.ledger_entry SET row_image = replace(row_image::text, '11500000', '9500000')::json WHERE seq = :base + 8;
UPDATE ptx.ledger_entry SET entry_hash = sha256(ptx.ledger_entry_bytes(seq)) WHERE seq = :base + 8;
UPDATE ptx.bid SET price = 9500000 WHERE id = :bid;
DO $$
DECLARE
    b record;
    prev bytea;
BEGIN
    FOR b IN SELECT * FROM ptx.ledger_block WHERE block_no >= 3 ORDER BY block_no LOOP
        prev := COALESCE(prev, (SELECT block_hash FROM ptx.ledger_block WHERE block_no = b.block_no - 1));
        UPDATE ptx.ledger_block
           SET prev_hash = prev,
               merkle_root = pg_temp.merkle(ARRAY(SELECT e.entry_hash FROM ptx.ledger_entry e
                                                   WHERE e.seq BETWEEN b.first_seq AND b.last_seq ORDER BY e.seq))
         WHERE block_no = b.block_no;
        UPDATE ptx.ledger_block SET block_hash = sha256(ptx.ledger_block_bytes(block_no))
         WHERE block_no = b.block_no RETURNING block_hash INTO prev;
    END LOOP;
END
$$;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
SELECT block_no, seq - :base AS n, problem FROM ptx.verify(:'published'::jsonb);
SELECT block_no, seq - :base AS n, problem FROM ptx.verify(jsonb_build_array(:'published'::jsonb, '{"block_no": 1, "block_hash": "00"}'::jsonb));
ROLLBACK;

-- Incremental verification from a block trusts the block before it.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.ledger_entry SET current_user_name = 'nobody' WHERE seq = :base + 2;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify(2);
SELECT block_no, seq - :base AS n, problem FROM ptx.verify(3);
SELECT block_no, seq - :base AS n, problem FROM ptx.verify(99);
ROLLBACK;

-- Bad digests are refused, not ignored.
SELECT * FROM ptx.verify('"x"'::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.verify('[{"block_no": "two"}]'::jsonb);
\echo :LAST_ERROR_SQLSTATE

-- After all that, the ledger is as it was.
SELECT * FROM ptx.verify(:'published'::jsonb);
