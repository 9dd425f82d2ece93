-- Ledger (R3): an UPDATE that changes a tracked row's primary key.  The
-- ledger records the row gone under its old key (a DELETE entry with the
-- image before) and the UPDATE under the new key, so verification reports
-- neither the old key as missing nor the new one as unlogged.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
DROP SCHEMA IF EXISTS regress_keys CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SELECT ptx.seal() > 0 AS sealed;
SELECT max(seq) AS base FROM ptx.ledger_entry \gset

CREATE SCHEMA regress_keys;
CREATE TABLE regress_keys.lot (id int PRIMARY KEY, v int);
-- a composite key, and a column type rendered through to_jsonb()
CREATE TABLE regress_keys.pair (a text, b int, ratio float8, PRIMARY KEY (a, b));
SELECT ptx.track('regress_keys.lot'), ptx.track('regress_keys.pair');
INSERT INTO regress_keys.lot VALUES (1, 1), (2, 2);
INSERT INTO regress_keys.pair VALUES ('x', 1, 0.5);

UPDATE regress_keys.lot SET id = 10 WHERE id = 1;   -- key changes
UPDATE regress_keys.lot SET v = 20 WHERE id = 2;    -- key stays: one entry
UPDATE regress_keys.lot SET id = 2, v = 2 WHERE id = 2;  -- same key written again: one entry
UPDATE regress_keys.pair SET b = 2;
SELECT seq - :base AS n, operation, relation, key, row_image
  FROM ptx.ledger_entry WHERE seq > :base AND operation <> 'EVENT' ORDER BY seq;
SELECT * FROM ptx.verify_rows();
SELECT ptx.seal() > 0 AS sealed;
SELECT * FROM ptx.verify();
-- the trail of the old key ends with its DELETE
SELECT operation, data FROM ptx.trail('regress_keys.lot', '{"id": 1}');

SELECT ptx.untrack('regress_keys.lot'), ptx.untrack('regress_keys.pair');
SET client_min_messages = warning;
DROP SCHEMA regress_keys CASCADE;
RESET client_min_messages;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET ptx.seal_worker', current_database()); END $$;
