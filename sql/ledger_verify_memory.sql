-- Ledger (R3): the comparison of tracked tables with their last images
-- (ptx.verify_rows) and of the lookup indexes with the sealed entries
-- (ptx.verify_index) find the same problems whatever memory they are
-- given: with too little maintenance_work_mem the first splits the keys
-- into partitions, the second falls back to a set-based query.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
DROP SCHEMA IF EXISTS regress_vmem CASCADE;
DROP ROLE IF EXISTS regress_vmem_aud;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
CREATE ROLE regress_vmem_aud LOGIN;
GRANT ptx_auditor TO regress_vmem_aud;

-- 12,000 rows with wide keys: more than 1 MB of keys
CREATE SCHEMA regress_vmem;
CREATE TABLE regress_vmem.lot (region text, id int, price numeric, PRIMARY KEY (region, id));
SELECT ptx.track('regress_vmem.lot');
INSERT INTO regress_vmem.lot SELECT 'region-' || repeat('x', 40) || (g % 7), g, g * 10
  FROM generate_series(1, 12000) g;
UPDATE regress_vmem.lot SET price = price + 1 WHERE id % 1000 = 0;
DELETE FROM regress_vmem.lot WHERE id = 11999;
SELECT ptx.seal() > 0 AS sealed;
SELECT count(*) AS problems FROM ptx.verify();

-- A superuser changes, removes and adds rows behind the ledger's back.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE regress_vmem.lot SET price = 1 WHERE id = 5000;
DELETE FROM regress_vmem.lot WHERE id IN (7, 8000);
INSERT INTO regress_vmem.lot VALUES ('region-x', 1, 1), ('region-' || repeat('x', 40) || '6', 11999, 0);
CREATE TEMP TABLE found_default AS SELECT * FROM ptx.verify_rows();
SET LOCAL maintenance_work_mem = '1MB';
CREATE TEMP TABLE found_small AS SELECT * FROM ptx.verify_rows();
SELECT problem, detail FROM found_default ORDER BY seq NULLS LAST, detail;
-- the same problems in the same order
SELECT (SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM found_default f)
     = (SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM found_small f) AS same_with_1mb;
ROLLBACK;

-- The lookup indexes: a block's range stretched so far that its seqs do
-- not fit in 1 MB, an index row removed and one slipped in.
BEGIN;
SET LOCAL session_replication_role = replica;
SELECT max(seq) AS last FROM ptx.ledger_entry \gset
SELECT max(seq) AS deleted FROM ptx.ledger_entry
 WHERE relation = 'regress_vmem.lot' AND operation = 'DELETE' \gset
DELETE FROM ptx.ledger_key_index
 WHERE relation = 'regress_vmem.lot' AND key = (SELECT key::text FROM ptx.ledger_entry WHERE seq = :deleted);
INSERT INTO ptx.ledger_key_index VALUES ('regress_vmem.lot', '{"id": 0, "region": "none"}', 1, ARRAY[:last - 3]);
INSERT INTO ptx.ledger_project_index VALUES (77, 1, ARRAY[:last - 2, NULL]);
UPDATE ptx.ledger_block SET last_seq = last_seq + 200000
 WHERE block_no = (SELECT max(block_no) FROM ptx.ledger_block);
CREATE TEMP TABLE index_default AS SELECT * FROM ptx.verify_index(1);
SET LOCAL maintenance_work_mem = '1MB';
CREATE TEMP TABLE index_small AS SELECT * FROM ptx.verify_index(1);
SELECT block_no, seq - :last AS n, problem, detail FROM index_default ORDER BY seq NULLS FIRST, problem, detail;
SELECT (SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM index_default f)
     = (SELECT string_agg(f::text, ' ' ORDER BY f::text) FROM index_small f) AS same_with_1mb;
ROLLBACK;

-- The comparison of rows is the ledger owner's (it reads every tracked
-- table); an auditor has it through ptx.verify(), and compares the lookup
-- indexes, which it may read, itself.
SET ROLE regress_vmem_aud;
SELECT count(*) FROM ptx.verify_rows_compare('{}', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS index_problems FROM ptx.verify_index(1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS auditor_problems FROM ptx.verify();
RESET ROLE;

-- Hostile arguments are refused with a clear error.
SELECT * FROM ptx.verify_rows_compare(NULL, ARRAY['x']);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.verify_rows_compare(ARRAY[0::oid], ARRAY['x']);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.verify_rows_compare(ARRAY['regress_vmem.lot'::regclass::oid], ARRAY[]::text[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.verify_rows_compare(ARRAY[['regress_vmem.lot'::regclass::oid]], ARRAY[['x']]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.verify_rows_compare(ARRAY['pg_class_oid_index'::regclass::oid], ARRAY['pg_catalog.pg_class_oid_index']);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.verify_index_compare(1, NULL, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS nothing_sealed FROM ptx.verify_index_compare(1, 10, -5)
 WHERE problem <> 'index_extra';
-- seqs without end: too many for the slots, the query answers instead
SELECT count(*) AS listed_but_absent
  FROM ptx.verify_index_compare(1, -9223372036854775807, 9223372036854775807)
 WHERE problem = 'index_extra';

SET client_min_messages = warning;
DROP EXTENSION ptx CASCADE;
DROP SCHEMA regress_vmem CASCADE;
DROP ROLE regress_vmem_aud;
RESET client_min_messages;
