-- Ledger (R3, 可查可溯): entries are found by relation, key and project
-- through the lookup indexes the sealer builds (ptx.ledger_key_index,
-- ptx.ledger_project_index), and through a scan of the entries not sealed
-- yet.  A trail reads the same before and after sealing; the indexes are
-- append-only, and one emptied by a superuser is reported by ptx.verify().
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
DROP SCHEMA IF EXISTS regress_index CASCADE;
DROP ROLE IF EXISTS regress_index_op;
DROP ROLE IF EXISTS regress_index_aud;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SELECT ptx.seal() > 0 AS sealed;
SELECT max(seq) AS base FROM ptx.ledger_entry \gset

-- writers maintain the primary key of ptx.ledger_entry only
SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'ptx.ledger_entry'::regclass;

CREATE SCHEMA regress_index;
CREATE TABLE regress_index.offer (id int PRIMARY KEY, project_id bigint, price numeric);
SELECT ptx.track('regress_index.offer');
INSERT INTO regress_index.offer VALUES (1, 500, 10), (2, 500, 20), (3, 501, 30);
UPDATE regress_index.offer SET price = 11 WHERE id = 1;

-- not sealed yet: found by the scan of the tail
SELECT count(*) AS unsealed_in_index FROM ptx.ledger_key_index WHERE relation = 'regress_index.offer';
SELECT seq - :base AS n, operation, data ->> 'price' AS price FROM ptx.trail('regress_index.offer', '{"id": 1}');
SELECT seq - :base AS n, operation, key FROM ptx.trail(500) ORDER BY seq;
SELECT count(*) AS untracked_key FROM ptx.ledger_seqs('regress_index.offer', '{"id": 9}');
-- the keyless 'track' event of the table
SELECT e.kind FROM ptx.ledger_seqs('regress_index.offer', NULL) s(seq)
  JOIN ptx.ledger_entry e ON e.seq = s.seq ORDER BY e.seq;

-- sealed: the same trails through the indexes, one row per key and block
SELECT ptx.seal() > 0 AS sealed;
SELECT key, cardinality(seqs) AS entries FROM ptx.ledger_key_index
 WHERE relation = 'regress_index.offer' ORDER BY key;
SELECT project_id, cardinality(seqs) AS entries FROM ptx.ledger_project_index
 WHERE project_id IN (500, 501) ORDER BY 1;
SELECT seq - :base AS n, operation, data ->> 'price' AS price FROM ptx.trail('regress_index.offer', '{"id": 1}');
SELECT seq - :base AS n, operation, key FROM ptx.trail(500) ORDER BY seq;
-- a later change: one entry in the tail, two in the index
UPDATE regress_index.offer SET price = 12 WHERE id = 1;
SELECT seq - :base AS n, operation, data ->> 'price' AS price FROM ptx.trail('regress_index.offer', '{"id": 1}');
SELECT ptx.seal() > 0 AS sealed;
SELECT count(*) AS index_rows FROM ptx.ledger_key_index
 WHERE relation = 'regress_index.offer' AND key = '{"id": 1}';
SELECT * FROM ptx.verify();

-- append-only, whoever tries: the operator has no right at all, the owner
-- is refused by the guard (PX009), and DDL on them is refused
CREATE ROLE regress_index_op LOGIN IN ROLE ptx_operator;
CREATE ROLE regress_index_aud LOGIN IN ROLE ptx_auditor;
SET ROLE regress_index_op;
SELECT count(*) FROM ptx.ledger_key_index;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.ledger_seqs('regress_index.offer', '{"id": 1}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_index_aud;
SELECT count(*) AS auditor_reads FROM ptx.ledger_seqs('regress_index.offer', '{"id": 1}');
DELETE FROM ptx.ledger_key_index;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DELETE FROM ptx.ledger_key_index WHERE relation = 'regress_index.offer';
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.ledger_project_index SET seqs = '{}' WHERE project_id = 500;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.ledger_project_index;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE ptx.ledger_project_index;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ptx.ledger_key_index DROP CONSTRAINT ledger_key_index_pkey;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.track('ptx.ledger_key_index');
\echo :LAST_ERROR_SQLSTATE

-- A superuser who bypasses the guard to hide an offer's history from its
-- trail, or to slip a seq under another key, is reported.
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM ptx.ledger_key_index WHERE relation = 'regress_index.offer' AND key = '{"id": 2}';
SELECT count(*) AS hidden FROM ptx.trail('regress_index.offer', '{"id": 2}');
SELECT seq - :base AS n, problem FROM ptx.verify() ORDER BY seq;
-- an incremental check covers the blocks from where it starts
SELECT count(*) AS from_block_1 FROM ptx.verify_index(1);
SELECT count(*) AS from_after_it FROM ptx.verify_index(
    (SELECT min(k.block_no) + 1 FROM ptx.ledger_key_index k WHERE k.relation = 'regress_index.offer'));
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.ledger_project_index SET project_id = 502 WHERE project_id = 501;
SELECT seq - :base AS n, problem FROM ptx.verify() ORDER BY seq, problem;
ROLLBACK;
SELECT count(*) AS problems FROM ptx.verify();

-- The sealer writes the rows while it reads the block's entries for their
-- hashes; they are exactly those ptx.ledger_index_block() makes from the
-- same entries (keyless events, several entries of a key in one block,
-- entries of no project among them).
BEGIN;
CREATE TEMP TABLE sealer_keys AS SELECT relation, key, block_no, seqs FROM ptx.ledger_key_index;
CREATE TEMP TABLE sealer_projects AS SELECT project_id, block_no, seqs FROM ptx.ledger_project_index;
SET LOCAL session_replication_role = replica;
DELETE FROM ptx.ledger_key_index;
DELETE FROM ptx.ledger_project_index;
SELECT count(*) AS blocks FROM (
    SELECT ptx.ledger_index_block(b.block_no, b.first_seq, b.last_seq) FROM ptx.ledger_block b) i;
SELECT count(*) AS key_rows, count(*) FILTER (WHERE key = '') AS keyless,
       count(*) FILTER (WHERE cardinality(seqs) > 1) AS several
  FROM ptx.ledger_key_index;
(SELECT * FROM ptx.ledger_key_index EXCEPT ALL SELECT * FROM sealer_keys)
UNION ALL (SELECT * FROM sealer_keys EXCEPT ALL SELECT * FROM ptx.ledger_key_index);
(SELECT * FROM ptx.ledger_project_index EXCEPT ALL SELECT * FROM sealer_projects)
UNION ALL (SELECT * FROM sealer_projects EXCEPT ALL SELECT * FROM ptx.ledger_project_index);
ROLLBACK;

-- A block number sealed again after a superuser removed the last block
-- finds that block's rows in the indexes: the seal is refused (23505) and
-- nothing of it is kept.
INSERT INTO regress_index.offer VALUES (4, 501, 40);
SELECT ptx.seal() > 0 AS sealed;
SELECT max(block_no) AS last_block FROM ptx.ledger_block \gset
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM ptx.ledger_block WHERE block_no = :last_block;
SELECT ptx.seal();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT max(block_no) = :last_block AS same_last_block,
       (SELECT count(*) FROM ptx.ledger_key_index WHERE block_no = :last_block) AS its_key_rows
  FROM ptx.ledger_block;
SELECT count(*) AS problems FROM ptx.verify();

-- Entries name the session's and the current user as they are at the
-- write: a role renamed between two writes, a SET ROLE between two others.
CREATE ROLE regress_index_writer;
GRANT USAGE ON SCHEMA regress_index TO regress_index_writer;
GRANT ALL ON regress_index.offer TO regress_index_writer;
SET ROLE regress_index_writer;
UPDATE regress_index.offer SET price = 13 WHERE id = 3;
RESET ROLE;
ALTER ROLE regress_index_writer RENAME TO regress_index_renamed;
SET ROLE regress_index_renamed;
UPDATE regress_index.offer SET price = 14 WHERE id = 3;
RESET ROLE;
UPDATE regress_index.offer SET price = 15 WHERE id = 3;
SELECT data ->> 'price' AS price, current_user_name = session_user_name AS same_user,
       CASE WHEN current_user_name LIKE 'regress_index_%' THEN current_user_name END AS role_name
  FROM ptx.trail('regress_index.offer', '{"id": 3}')
 WHERE operation = 'UPDATE' AND current_user_name LIKE 'regress_index_%'
    OR operation = 'UPDATE' AND data ->> 'price' = '15'
 ORDER BY seq;
REVOKE ALL ON regress_index.offer FROM regress_index_renamed;
REVOKE ALL ON SCHEMA regress_index FROM regress_index_renamed;
DROP ROLE regress_index_renamed;

SELECT ptx.untrack('regress_index.offer');
SET client_min_messages = warning;
DROP SCHEMA regress_index CASCADE;
DROP ROLE regress_index_op;
DROP ROLE regress_index_aud;
RESET client_min_messages;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET ptx.seal_worker', current_database()); END $$;
