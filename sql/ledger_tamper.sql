-- Ledger (R3): every kind of tampering that bypasses the triggers
-- (a superuser with session_replication_role = replica) is found by
-- ptx.verify(); an untouched ledger verifies clean.  Each case runs in a
-- transaction that is rolled back, so the next one starts from the same
-- sealed ledger.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
DROP SCHEMA IF EXISTS regress_tamper CASCADE;
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
CREATE SCHEMA regress_tamper;
CREATE TABLE regress_tamper.offer (id int PRIMARY KEY, project_id bigint, price numeric(18, 2));
SELECT ptx.track('regress_tamper.offer');                                   -- +1
SELECT ptx.add_region('150000', '内蒙古自治区');                            -- +2
SELECT ptx.add_region('150100', '呼和浩特市', '150000');                     -- +3
-- +4
SELECT ptx.add_org('91150000000000001' || ptx.uscc_check_char('91150000000000001'),
                   '住建厅', '150000', '{supervisor}') AS sup \gset
INSERT INTO regress_tamper.offer VALUES (1, 1, 100), (2, 1, 200);           -- +5, +6
BEGIN;
INSERT INTO regress_tamper.offer VALUES (3, 1, 1);                          -- +7
ROLLBACK;                                   -- leaves a gap in the seqs
-- +8
INSERT INTO regress_tamper.offer VALUES (4, 1, 11500000) RETURNING id AS bid \gset
UPDATE ptx.org SET name = '自治区住建厅' WHERE id = :sup;                    -- +9
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

-- An entry inserted into a sealed range, in the gap of the rolled-back offer,
-- with a well-formed hash.
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO ptx.ledger_entry
SELECT :base + 7, xid, logged_at, business_at, session_user_name, current_user_name, application_name,
       client_addr, operation, kind, relation, '{"id": 3}', row_image, project_id, format, entry_hash
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
UPDATE regress_tamper.offer SET price = 1 WHERE id = :bid;
DELETE FROM regress_tamper.offer WHERE id = 1;
INSERT INTO regress_tamper.offer VALUES (9, 1, 50);
UPDATE ptx.org SET name = '影子' WHERE id = :sup;
INSERT INTO ptx.region (code, name, parent, level, path) VALUES ('150200', '包头市', '150000', 2, '{150000,150200}');
SELECT block_no, seq - :base AS n, problem, detail FROM ptx.verify();
ROLLBACK;
-- the same changes made normally are logged, and verify clean
BEGIN;
UPDATE regress_tamper.offer SET price = 1 WHERE id = :bid;
DELETE FROM regress_tamper.offer WHERE id = 1;
INSERT INTO regress_tamper.offer VALUES (9, 1, 50);
UPDATE ptx.org SET name = '影子' WHERE id = :sup;
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
UPDATE regress_tamper.offer SET price = 9500000 WHERE id = :bid;
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

-- A second entry under a seq already taken, which only a dropped primary
-- key allows: both entries are checked, the copy's hash is not its
-- content's, and its block holds one entry too many.
BEGIN;
SET LOCAL session_replication_role = replica;
ALTER TABLE ptx.ledger_entry DROP CONSTRAINT ledger_entry_pkey;
INSERT INTO ptx.ledger_entry
SELECT seq, xid, logged_at, business_at, session_user_name, current_user_name, application_name,
       client_addr, operation, kind, relation, '{"id": 5}', row_image, project_id, format, entry_hash
  FROM ptx.ledger_entry WHERE seq = :base + 8;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify();
ROLLBACK;

-- With seqs spread too far for maintenance_work_mem (33 bytes per seq),
-- verification walks the primary key instead of the heap, and finds the
-- same problems: here an entry changed and a forged one far beyond the
-- last block.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.ledger_entry SET row_image = replace(row_image::text, '11500000', '9500000')::json WHERE seq = :base + 8;
INSERT INTO ptx.ledger_entry
SELECT :base + 100000, xid, logged_at, business_at, session_user_name, current_user_name, application_name,
       client_addr, operation, kind, relation, key, row_image, project_id, format, entry_hash
  FROM ptx.ledger_entry WHERE seq = :base + 6;
SELECT block_no, seq - :base AS n, problem FROM ptx.verify_chain(1);
SET LOCAL maintenance_work_mem = '1MB';
SELECT block_no, seq - :base AS n, problem FROM ptx.verify_chain(1);
ROLLBACK;

-- After all that, the ledger is as it was.
SELECT * FROM ptx.verify(:'published'::jsonb);
SET client_min_messages = warning;
DROP EXTENSION ptx CASCADE;
DROP SCHEMA regress_tamper CASCADE;
RESET client_min_messages;
