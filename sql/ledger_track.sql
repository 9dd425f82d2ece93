-- Ledger (R3): ptx.track() and ptx.untrack() for a DBA's own tables.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
DROP SCHEMA IF EXISTS regress_shop CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SELECT ptx.seal();
SELECT max(seq) AS base FROM ptx.ledger_entry \gset

-- A DBA's tables, with rows already in them.
CREATE SCHEMA regress_shop;
CREATE TABLE regress_shop.invoice (no int PRIMARY KEY, amount numeric NOT NULL, paid boolean DEFAULT false);
INSERT INTO regress_shop.invoice VALUES (1, 100), (2, 250.5);
CREATE TABLE regress_shop.line (invoice int, pos int, item text, PRIMARY KEY (invoice, pos));
CREATE TABLE regress_shop.note (body text);
CREATE VIEW regress_shop.unpaid AS SELECT * FROM regress_shop.invoice WHERE NOT paid;

-- Tracking starts with a snapshot of the rows already there.
SELECT ptx.track('regress_shop.invoice');
SELECT ptx.track('regress_shop.line');
SELECT seq - :base AS n, operation, kind, relation, key, row_image FROM ptx.ledger_entry WHERE seq > :base ORDER BY seq;
SELECT rel, relation, enabled FROM ptx.tracked WHERE relation LIKE 'regress%' ORDER BY 1;

-- Every change is logged from then on, with composite keys as objects.
INSERT INTO regress_shop.line VALUES (1, 1, 'cement'), (1, 2, 'steel');
UPDATE regress_shop.invoice SET paid = true WHERE no = 1;
DELETE FROM regress_shop.line WHERE pos = 2;
SELECT seq - :base AS n, operation, relation, key, row_image FROM ptx.ledger_entry WHERE seq > :base + 5 ORDER BY seq;
SELECT ptx.seal();
SELECT * FROM ptx.verify();
SELECT operation, data ->> 'paid' AS paid FROM ptx.trail('regress_shop.invoice', '{"no": 1}');

-- Changes with the triggers off are found.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE regress_shop.invoice SET amount = 1 WHERE no = 2;
INSERT INTO regress_shop.line VALUES (2, 1, 'sand');
SELECT block_no, seq - :base AS n, problem, detail FROM ptx.verify();
ROLLBACK;

-- Refusals: no primary key, not a table, twice, the ledger itself, another owner's table.
SELECT ptx.track('regress_shop.note');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.track('regress_shop.unpaid');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.track('regress_shop.invoice');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.track('ptx.ledger_entry');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.untrack('regress_shop.note');
\echo :LAST_ERROR_SQLSTATE
CREATE ROLE regress_ptx_dba LOGIN IN ROLE ptx_admin;
GRANT USAGE ON SCHEMA regress_shop TO regress_ptx_dba;
SET ROLE regress_ptx_dba;
SELECT ptx.untrack('regress_shop.invoice');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.ledger_snapshot('regress_shop.invoice');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE regress_shop.mine (id int PRIMARY KEY);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT CREATE ON SCHEMA regress_shop TO regress_ptx_dba;
SET ROLE regress_ptx_dba;
CREATE TABLE regress_shop.mine (id int PRIMARY KEY);
INSERT INTO regress_shop.mine VALUES (7);
SELECT ptx.track('regress_shop.mine');
INSERT INTO regress_shop.mine VALUES (8);
-- its owner cannot switch the capture off, nor drop it
ALTER TABLE regress_shop.mine DISABLE TRIGGER ptx_ledger;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE regress_shop.mine DISABLE TRIGGER ALL;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER ptx_ledger ON regress_shop.mine;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- (the track event is written with the ledger's rights; the login that
-- tracked the table is in its payload)
SELECT operation, session_user_name, current_user_name, key, row_image::jsonb->>'by' AS by
  FROM ptx.ledger_entry
 WHERE relation = 'regress_shop.mine' ORDER BY seq;

-- A tracked table's capture cannot be dropped behind the ledger's back,
-- nor the table itself.
DROP TRIGGER ptx_ledger ON regress_shop.invoice;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE regress_shop.line;
\echo :LAST_ERROR_SQLSTATE

-- Untracking is itself logged; later changes are not, and verify no
-- longer compares the table.
SELECT ptx.untrack('regress_shop.line');
INSERT INTO regress_shop.line VALUES (3, 1, 'glass');
SELECT operation, kind, relation, key, row_image FROM ptx.ledger_entry
 WHERE relation = 'regress_shop.line' ORDER BY seq DESC LIMIT 2;
DROP TABLE regress_shop.line;
SELECT ptx.seal();
SELECT * FROM ptx.verify();
-- tracked again, from a new snapshot
CREATE TABLE regress_shop.line (invoice int, pos int, item text, PRIMARY KEY (invoice, pos));
INSERT INTO regress_shop.line VALUES (5, 1, 'wood');
SELECT ptx.track('regress_shop.line');
SELECT ptx.seal();
SELECT * FROM ptx.verify();

-- Partitioned tables: every partition is snapshot and logged under its name.
CREATE TABLE regress_shop.payment (id int, year int, amount numeric, PRIMARY KEY (id, year)) PARTITION BY LIST (year);
CREATE TABLE regress_shop.payment_2024 PARTITION OF regress_shop.payment FOR VALUES IN (2024);
CREATE TABLE regress_shop.payment_2025 PARTITION OF regress_shop.payment FOR VALUES IN (2025);
INSERT INTO regress_shop.payment VALUES (1, 2024, 10);
SELECT ptx.track('regress_shop.payment');
INSERT INTO regress_shop.payment VALUES (2, 2025, 20);
SELECT operation, kind, relation, key FROM ptx.ledger_entry WHERE relation LIKE 'regress_shop.payment%' ORDER BY seq;
SELECT ptx.seal();
SELECT * FROM ptx.verify();
SELECT ptx.untrack('regress_shop.payment');
SELECT count(*) FROM ptx.tracked WHERE relation LIKE 'regress_shop.payment%';

SET client_min_messages = warning;
DROP SCHEMA regress_shop CASCADE;
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION ptx CASCADE;
DROP SCHEMA regress_shop CASCADE;
RESET client_min_messages;
DROP ROLE regress_ptx_dba;
