-- Bounds of the C functions: arguments that once crashed the server or
-- raised internal errors (XX000) are refused with a clear error.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
DROP ROLE IF EXISTS regress_ptx_bounds_auditor;
CREATE ROLE regress_ptx_bounds_auditor LOGIN IN ROLE ptx_auditor;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- draw_pick_needs: counts far above the pool (their sum overflowed int)
SET ROLE regress_ptx_bounds_auditor;
SELECT count(*) FROM ptx.draw_pick_needs('\x000102030405060708090a0b0c0d0e0f',
    (SELECT array_agg(g::bigint) FROM generate_series(1, 20000) g),
    '{20000,0,0}', '{2147483647,2147483647,2}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.draw_pick_needs('\x000102030405060708090a0b0c0d0e0f',
    '{1,2,3}', '{3}', '{200000000}');
\echo :LAST_ERROR_SQLSTATE
-- sizes that overflow or do not add up
SELECT count(*) FROM ptx.draw_pick_needs('\x000102030405060708090a0b0c0d0e0f',
    '{1,2,3}', '{2147483647,2147483647,5}', '{1,1,1}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.draw_pick_needs('\x000102030405060708090a0b0c0d0e0f',
    '{1,2,3}', '{1,1}', '{1,1}');
\echo :LAST_ERROR_SQLSTATE
-- the boundary: every candidate of every pool picked
SELECT count(*) FROM ptx.draw_pick_needs('\x000102030405060708090a0b0c0d0e0f',
    '{1,2,3,4,5,6}', '{3,3}', '{3,3}');
SELECT count(*) FROM ptx.draw_pick_needs('\x000102030405060708090a0b0c0d0e0f',
    '{1,2,3,4,5,6}', '{3,3}', '{3,4}');
\echo :LAST_ERROR_SQLSTATE

-- inspection_sample: a huge number of inspectors per agency
SELECT count(*) FROM ptx.inspection_sample('\x000102030405060708090a0b0c0d0e0f',
    '{1,2,3}', 1, '{}', '{10,11}', '{}', '{}', 2147483647);
\echo :LAST_ERROR_SQLSTATE
-- no agency picked: nothing to assign, however large per_agency is
SELECT count(*) FROM ptx.inspection_sample('\x000102030405060708090a0b0c0d0e0f',
    '{1,2,3}', 0, '{}', '{10,11}', '{}', '{}', 2147483647);
-- the boundary: exactly as many inspectors as asked
SELECT count(*) FROM ptx.inspection_sample('\x000102030405060708090a0b0c0d0e0f',
    '{1,2,3}', 1, '{}', '{10,11}', '{}', '{}', 2);
SELECT count(*) FROM ptx.inspection_sample('\x000102030405060708090a0b0c0d0e0f',
    '{1,2,3}', 1, '{}', '{10,11}', '{}', '{}', 3);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- ledger_snapshot of a relation that does not exist, as superuser
SELECT ptx.ledger_snapshot(4294967295::oid::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.ledger_snapshot(0::oid::regclass);
\echo :LAST_ERROR_SQLSTATE

-- seal() never wraps the block number round; verify() reports blocks
-- numbered below 1.  The blocks are forged by a superuser bypassing the
-- append-only trigger, in transactions that are rolled back.
SET ptx.fake_now = '2025-03-01 09:00:00+08';
SELECT ptx.seal() > 0 AS sealed;
SELECT count(*) AS findings FROM ptx.verify();
SELECT ptx.ledger_event('bounds', NULL, NULL, '{}') > 0 AS logged;
SELECT ptx.ledger_event('bounds', NULL, NULL, '{}') > 0 AS logged;
BEGIN;
INSERT INTO ptx.ledger_block
SELECT 9223372036854775807, last_seq + 1, last_seq, 0, '\x00', '\x00', '\x00', now(), format
  FROM ptx.ledger_block ORDER BY block_no DESC LIMIT 1;
SELECT ptx.seal();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- the boundary: block 9223372036854775807 is written
BEGIN;
INSERT INTO ptx.ledger_block
SELECT 9223372036854775806, last_seq + 1, last_seq, 0, '\x00', '\x00', '\x00', now(), format
  FROM ptx.ledger_block ORDER BY block_no DESC LIMIT 1;
SELECT ptx.seal() AS sealed;
SELECT max(block_no) FROM ptx.ledger_block;
ROLLBACK;
-- and two blocks, the second past it, are not
BEGIN;
SET LOCAL ptx.block_max_entries = 1;
INSERT INTO ptx.ledger_block
SELECT 9223372036854775806, last_seq + 1, last_seq, 0, '\x00', '\x00', '\x00', now(), format
  FROM ptx.ledger_block ORDER BY block_no DESC LIMIT 1;
SELECT ptx.seal();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
INSERT INTO ptx.ledger_block
SELECT -5, first_seq, last_seq, entry_count, merkle_root, prev_hash, block_hash, sealed_at, format
  FROM ptx.ledger_block ORDER BY block_no LIMIT 1;
SELECT block_no, problem FROM ptx.verify() WHERE block_no < 1;
ROLLBACK;
SELECT ptx.seal() AS sealed;
SELECT count(*) AS findings FROM ptx.verify();

-- entries are inserted around the executor: what the executor would do
-- for the table (CHECK constraints) is done, what it cannot do (triggers)
-- is refused rather than skipped
BEGIN;
SET LOCAL session_replication_role = replica;
ALTER TABLE ptx.ledger_entry ADD CONSTRAINT regress_no_forbidden CHECK (kind <> 'forbidden');
SELECT ptx.ledger_event('allowed', NULL, NULL, '{}') > 0 AS logged;
SELECT ptx.ledger_event('forbidden', NULL, NULL, '{}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
CREATE FUNCTION pg_temp.regress_noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER regress_noop AFTER INSERT ON ptx.ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.regress_noop();
SELECT ptx.ledger_event('triggered', NULL, NULL, '{}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT ptx.ledger_event('after', NULL, NULL, '{}') > 0 AS logged;
SELECT ptx.seal() AS sealed;
SELECT count(*) AS findings FROM ptx.verify();

DROP ROLE regress_ptx_bounds_auditor;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET ptx.seal_worker', current_database()); END $$;
