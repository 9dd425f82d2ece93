-- Ledger (R3): capture of every change to ptx tables in the same
-- transaction, events, the entry hash recomputed independently in SQL from
-- docs/ledger-format.md, sealing into chained blocks, digests, trails, and
-- the append-only guard.
-- The sealing workers stay out of this database, so that block numbers and
-- seqs are those of this script.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
DROP SCHEMA IF EXISTS regress_ledger CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET ptx.fake_now = '2025-03-01 09:00:00+08';
SET application_name = 'ledger_test';

-- An auditor's own serialization (docs/ledger-format.md), in plain SQL.
CREATE FUNCTION pg_temp.fld(v bytea) RETURNS bytea LANGUAGE sql IMMUTABLE
    RETURN CASE WHEN v IS NULL THEN '\xffffffff'::bytea ELSE int4send(length(v)) || v END;
CREATE FUNCTION pg_temp.fld(v text) RETURNS bytea LANGUAGE sql IMMUTABLE
    RETURN pg_temp.fld(convert_to(v, 'UTF8'));
CREATE FUNCTION pg_temp.micros(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN (extract(epoch FROM t) * 1000000)::bigint::text;
CREATE FUNCTION pg_temp.entry_bytes(e ptx.ledger_entry) RETURNS bytea LANGUAGE sql STABLE
    RETURN pg_temp.fld('ptx-ledger-entry/1') || pg_temp.fld(e.seq::text) || pg_temp.fld(e.xid::text)
        || pg_temp.fld(pg_temp.micros(e.logged_at)) || pg_temp.fld(pg_temp.micros(e.business_at))
        || pg_temp.fld(e.session_user_name) || pg_temp.fld(e.current_user_name)
        || pg_temp.fld(e.application_name) || pg_temp.fld(e.client_addr::text)
        || pg_temp.fld(e.operation) || pg_temp.fld(e.kind) || pg_temp.fld(e.relation)
        || pg_temp.fld(e.key::text) || pg_temp.fld(e.row_image::text) || pg_temp.fld(e.project_id::text);
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
CREATE FUNCTION pg_temp.block_bytes(b ptx.ledger_block) RETURNS bytea LANGUAGE sql STABLE
    RETURN pg_temp.fld('ptx-ledger-block/1') || pg_temp.fld(b.block_no::text) || pg_temp.fld(b.first_seq::text)
        || pg_temp.fld(b.last_seq::text) || pg_temp.fld(b.entry_count::text) || pg_temp.fld(b.merkle_root)
        || pg_temp.fld(b.prev_hash) || pg_temp.fld(pg_temp.micros(b.sealed_at));
-- every entry, block and link, recomputed
CREATE VIEW pg_temp.audit AS
SELECT (SELECT count(*) > 0 FROM ptx.ledger_entry) AS entries,
       (SELECT count(*) FROM ptx.ledger_entry e WHERE sha256(pg_temp.entry_bytes(e)) <> e.entry_hash
            OR pg_temp.entry_bytes(e) <> ptx.ledger_entry_bytes(e.seq)) AS bad_entries,
       (SELECT count(*) FROM ptx.ledger_block) AS blocks,
       (SELECT count(*) FROM ptx.ledger_block b
         WHERE sha256(pg_temp.block_bytes(b)) <> b.block_hash
            OR b.merkle_root <> pg_temp.merkle(ARRAY(SELECT e.entry_hash FROM ptx.ledger_entry e
                                                      WHERE e.seq BETWEEN b.first_seq AND b.last_seq ORDER BY e.seq))
            OR b.entry_count <> (SELECT count(*) FROM ptx.ledger_entry e WHERE e.seq BETWEEN b.first_seq AND b.last_seq)
            OR b.prev_hash <> COALESCE((SELECT p.block_hash FROM ptx.ledger_block p WHERE p.block_no = b.block_no - 1),
                                       '\x0000000000000000000000000000000000000000000000000000000000000000')
            OR b.first_seq <> COALESCE((SELECT p.last_seq + 1 FROM ptx.ledger_block p WHERE p.block_no = b.block_no - 1), 1)
       ) AS bad_blocks;

-- Every table of schema ptx is tracked, except the ledger's own two
-- (other modules' tables are tracked alike; these are the registry's).
SELECT relation, enabled FROM ptx.tracked
 WHERE relation IN ('ptx.bid', 'ptx.category', 'ptx.contract', 'ptx.jurisdiction', 'ptx.ledger_check',
                    'ptx.org', 'ptx.policy', 'ptx.policy_default', 'ptx.project', 'ptx.region')
 ORDER BY relation;
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'ptx'::regnamespace AND c.relkind = 'r'
   AND NOT EXISTS (SELECT 1 FROM ptx.tracked t WHERE t.rel = c.oid::regclass)
 ORDER BY 1;

-- The install logs nothing; the first seal takes a baseline of the rows the
-- install script wrote (built-in categories, policy defaults).
SELECT count(*) FROM ptx.ledger_entry;
SELECT ptx.seal();
SELECT operation, kind, relation, key FROM ptx.ledger_entry
 WHERE relation IN ('ptx.category', 'ptx.region', 'ptx.project') ORDER BY seq;
SELECT count(*) = (SELECT count(*) FROM ptx.tracked) AS one_track_event_per_table
  FROM ptx.ledger_entry WHERE kind = 'track';
SELECT block_no, first_seq, last_seq = (SELECT max(seq) FROM ptx.ledger_entry) AS up_to_last,
       entry_count = (SELECT count(*) FROM ptx.ledger_entry) AS all_entries,
       encode(prev_hash, 'hex') = repeat('0', 64) AS genesis
  FROM ptx.ledger_block;
SELECT * FROM ptx.verify();
SELECT ptx.seal();      -- nothing new: no block
SELECT max(seq) AS base FROM ptx.ledger_entry \gset

-- Business rows: one entry per row and operation, in the same transaction.
BEGIN;
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_org('91150000000000001' || ptx.uscc_check_char('91150000000000001'), '自治区住建厅', '150000', '{supervisor}') AS sup \gset
SELECT ptx.add_org('91150100000000002' || ptx.uscc_check_char('91150100000000002'), '呼和浩特城投', '150100', '{tenderee}') AS ten \gset
SELECT ptx.add_org('91150100000000003' || ptx.uscc_check_char('91150100000000003'), '甲建设公司', '150100', '{bidder}') AS b1 \gset
SELECT ptx.add_org('91150100000000004' || ptx.uscc_check_char('91150100000000004'), '乙建设公司', '150100', '{bidder}') AS b2 \gset
SELECT ptx.grant_jurisdiction(:sup, 'construction', '150000');
SELECT ptx.register_project('P-2025-001', '学校教学楼', 'construction', '150100', :ten, 12000000, :sup) AS p1 \gset
SELECT ptx.register_project('P-2025-002', '道路维修', 'construction', '150100', :ten, 800000, :sup) AS p2 \gset
SELECT e.xid = pg_current_xact_id() AS same_transaction, count(*)
  FROM ptx.ledger_entry e WHERE e.seq > :base GROUP BY 1;
COMMIT;
-- a DBA's table of offers, tracked, carrying project_id
CREATE SCHEMA regress_ledger;
CREATE TABLE regress_ledger.offer (id int PRIMARY KEY, project_id bigint, bidder_id bigint,
                                   price numeric(18, 2) CHECK (price >= 0), doc_digest bytea,
                                   submitted_at timestamptz DEFAULT ptx.now());
SELECT ptx.track('regress_ledger.offer');
INSERT INTO regress_ledger.offer (id, project_id, bidder_id, price)
VALUES (1, :p1, :b1, 11500000), (2, :p1, :b2, 11800000);
SELECT ptx.announce(:p1, '2025-04-01 09:00+08');
DELETE FROM regress_ledger.offer WHERE id = 2;
SELECT seq - :base AS after, operation, kind, relation, key, project_id FROM ptx.ledger_entry WHERE seq > :base ORDER BY seq;
-- who, when, from where, what
SELECT session_user_name, current_user_name, application_name, client_addr, business_at,
       logged_at BETWEEN now() - interval '1 minute' AND clock_timestamp() AS logged_now, format,
       row_image::jsonb ->> 'state' AS state
  FROM ptx.ledger_entry WHERE relation = 'ptx.project' AND operation = 'UPDATE';
SELECT row_image FROM ptx.ledger_entry WHERE relation = 'regress_ledger.offer' AND operation = 'DELETE';
-- images do not depend on the writer's settings: a verifier with others agrees
SET TimeZone = 'Asia/Shanghai';
SET IntervalStyle = 'iso_8601';
SET extra_float_digits = 3;
SET bytea_output = 'escape';
UPDATE regress_ledger.offer SET doc_digest = '\x00ff', submitted_at = '2025-03-01 10:00:00+08' WHERE id = 1;
RESET TimeZone;
RESET IntervalStyle;
RESET extra_float_digits;
RESET bytea_output;
SELECT row_image FROM ptx.ledger_entry WHERE relation = 'regress_ledger.offer' ORDER BY seq DESC LIMIT 1;
SELECT count(*) AS problems FROM ptx.verify();

-- Rows refused by a constraint or rolled back never reach the ledger.
SELECT max(seq) AS before FROM ptx.ledger_entry \gset
INSERT INTO regress_ledger.offer (id, project_id, bidder_id, price) VALUES (3, :p1, :b2, -1);
\echo :LAST_ERROR_SQLSTATE
BEGIN;
INSERT INTO regress_ledger.offer (id, project_id, bidder_id, price) VALUES (4, :p2, :b1, 700000);
SAVEPOINT s;
INSERT INTO regress_ledger.offer (id, project_id, bidder_id, price) VALUES (5, :p2, :b2, 750000);
ROLLBACK TO s;
COMMIT;
BEGIN;
INSERT INTO regress_ledger.offer (id, project_id, bidder_id, price) VALUES (6, :p2, :b2, 710000);
ROLLBACK;
SELECT seq - :before AS after, operation, relation, key FROM ptx.ledger_entry WHERE seq > :before ORDER BY seq;

-- Events: one entry point for what has no row.
SELECT ptx.ledger_event('state_note', 'ptx.project', jsonb_build_object('id', :p1),
                        '{"from": "announced", "to": "opened"}') - :before AS event_seq;
SELECT ptx.ledger_event('sealed_read', 'ptx.committee', NULL,
                        jsonb_build_object('project_id', :p2, 'reader', 'supervisor')) - :before AS event_seq;
SELECT ptx.ledger_event('credit_revocation', 'ptx.credit_record', '{"id": 9}', NULL) - :before AS event_seq;
SELECT seq - :before AS after, operation, kind, relation, key, row_image, project_id
  FROM ptx.ledger_entry WHERE operation = 'EVENT' AND seq > :before ORDER BY seq;
SELECT ptx.ledger_event(NULL, NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.ledger_event('', NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE

-- Sealing in blocks of at most 4 entries: adjacent ranges, the rolled-back
-- seqs fall inside them, every committed entry in exactly one block.
SET ptx.block_max_entries = 4;
SELECT ptx.seal();
RESET ptx.block_max_entries;
SELECT block_no, first_seq - :base AS first, last_seq - :base AS last, entry_count
  FROM ptx.ledger_block WHERE block_no > 1 ORDER BY block_no;
SELECT count(*) AS unsealed FROM ptx.ledger_entry e
 WHERE NOT EXISTS (SELECT 1 FROM ptx.ledger_block b WHERE e.seq BETWEEN b.first_seq AND b.last_seq);
SELECT * FROM pg_temp.audit;
SELECT * FROM ptx.verify();
SELECT * FROM ptx.verify(3);
SELECT * FROM ptx.verify(ptx.digest());
SELECT d - '{sealed_at,system_identifier,block_hash,last_seq}'::text[] AS digest,
       (d ->> 'last_seq')::bigint - :base AS last,
       d ->> 'block_hash' = (SELECT encode(block_hash, 'hex') FROM ptx.ledger_block
                              WHERE block_no = (d ->> 'block_no')::bigint) AS hash_ok
  FROM ptx.digest() d;

-- Entry bytes, as docs/ledger-format.md shows them.
SELECT ptx.ledger_entry_bytes(seq) = pg_temp.entry_bytes(e) AS same_bytes,
       sha256(ptx.ledger_entry_bytes(seq)) = entry_hash AS hash_ok
  FROM ptx.ledger_entry e WHERE seq = :before + 1;
SELECT ptx.ledger_entry_bytes(100000) IS NULL AS no_such_entry;

-- A seal must see every entry committed while it waited for writers.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT ptx.seal();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- The trail of a project: its row, its bids, its events, in order.
SELECT seq - :before AS after, block_no, operation, kind, relation, key, business_at
  FROM ptx.trail(:p1) ORDER BY seq;
SELECT count(*) FROM ptx.trail(:p2);
SELECT operation, key, data ->> 'state' AS state FROM ptx.trail('ptx.project', jsonb_build_object('id', :p1));
SELECT count(*) FROM ptx.trail('ptx.project', '{"id": 999}');

-- Append-only, even for a superuser.
UPDATE ptx.ledger_entry SET row_image = '{}' WHERE seq = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.ledger_entry WHERE seq = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.ledger_entry WHERE false;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.ledger_entry;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.ledger_block SET sealed_at = now();
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.ledger_block;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.ledger_check;
\echo :LAST_ERROR_SQLSTATE
-- DDL on ledger objects
ALTER TABLE ptx.ledger_entry ADD COLUMN note text;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ptx.ledger_block DISABLE TRIGGER ledger_block_append_only;
\echo :LAST_ERROR_SQLSTATE
CREATE TRIGGER sneak BEFORE INSERT ON ptx.ledger_entry FOR EACH ROW EXECUTE FUNCTION ptx.ledger_refuse_change();
\echo :LAST_ERROR_SQLSTATE
CREATE INDEX ON ptx.ledger_entry (logged_at);
\echo :LAST_ERROR_SQLSTATE
CREATE RULE sneak AS ON UPDATE TO ptx.ledger_entry DO INSTEAD NOTHING;
\echo :LAST_ERROR_SQLSTATE
ALTER SEQUENCE ptx.ledger_seq RESTART WITH 1;
\echo :LAST_ERROR_SQLSTATE
GRANT INSERT ON ptx.ledger_entry TO ptx_admin;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE ptx.ledger_block;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE ptx.ledger_entry DROP CONSTRAINT ledger_entry_pkey;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER ledger_entry_append_only ON ptx.ledger_entry;
\echo :LAST_ERROR_SQLSTATE
-- the capture of ptx's own tables cannot be dropped; a superuser can
-- switch it off (as pg_restore --disable-triggers does), and what changes
-- meanwhile is reported by ptx.verify()
DROP TRIGGER ptx_ledger ON ptx.bid;
\echo :LAST_ERROR_SQLSTATE
BEGIN;
ALTER TABLE ptx.org DISABLE TRIGGER ptx_ledger;
UPDATE ptx.org SET name = '甲建设有限公司' WHERE id = :b1;
ALTER TABLE ptx.org ENABLE TRIGGER ptx_ledger;
SELECT block_no, seq - :before AS after, problem, detail FROM ptx.verify();
ROLLBACK;
SELECT ptx.untrack('ptx.bid');
\echo :LAST_ERROR_SQLSTATE
-- ENABLE ALWAYS is stronger (it fires under session_replication_role = replica too)
ALTER TABLE ptx.bid ENABLE ALWAYS TRIGGER ptx_ledger;
ALTER TABLE ptx.bid ENABLE TRIGGER ptx_ledger;
-- other DDL is not hindered; a change of a tracked table's columns changes
-- its rows' images, so the ledger takes a new snapshot of it
ALTER TABLE regress_ledger.offer ADD COLUMN note text;
SELECT operation, kind, key, row_image FROM ptx.ledger_entry
 WHERE relation = 'regress_ledger.offer' ORDER BY seq DESC LIMIT 3;
SELECT count(*) AS problems FROM ptx.verify();
ALTER TABLE regress_ledger.offer DROP COLUMN note;
SELECT count(*) AS problems FROM ptx.verify();
SELECT * FROM pg_temp.audit;

-- Roles: writers record events, nobody else writes or reads entries.
CREATE ROLE regress_ptx_op LOGIN IN ROLE ptx_operator;
CREATE ROLE regress_ptx_pub LOGIN IN ROLE ptx_public;
CREATE ROLE regress_ptx_aud LOGIN IN ROLE ptx_auditor;
SET ROLE regress_ptx_op;
SELECT ptx.ledger_event('draw', 'ptx.draw', '{"id": 1}', jsonb_build_object('project_id', :p1)) > 0 AS logged;
SELECT count(*) FROM ptx.ledger_entry;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.ledger_entry SELECT * FROM ptx.ledger_entry WHERE false;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) > 0 AS blocks_visible FROM ptx.ledger_block;
SELECT * FROM ptx.verify();
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.seal();
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_pub;
SELECT ptx.ledger_event('draw', NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
-- the public reads the blocks' hashes, which verify as digests
SELECT count(*) > 0 AS public_blocks FROM ptx_public.ledger_block;
SELECT jsonb_agg(to_jsonb(b)) AS published FROM ptx_public.ledger_block b \gset
SELECT ptx.digest();
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_aud;
SELECT count(*) AS problems_with_published FROM ptx.verify(:'published'::jsonb);
SELECT problem FROM ptx.verify(jsonb_set(:'published'::jsonb, '{0,block_hash}', to_jsonb(repeat('0', 64))))
 WHERE problem LIKE 'digest%';
SELECT current_user_name, session_user_name, kind FROM ptx.ledger_entry WHERE kind = 'draw';
SELECT count(*) FROM ptx.verify();
SELECT count(*) > 0 AS trail_for_auditors FROM ptx.trail(:p1);
UPDATE ptx.ledger_entry SET kind = 'x';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_ptx_op, regress_ptx_pub, regress_ptx_aud;

-- The scheduled verification records its result and starts where the
-- last clean one ended.
SELECT ptx.seal();
SELECT ptx.verify_incremental();
SELECT from_block, to_block, problems FROM ptx.ledger_check ORDER BY id;
SELECT ptx.verify_incremental();
SELECT from_block, to_block, problems FROM ptx.ledger_check ORDER BY id;

-- The ledger and its lookup indexes carry a statistics target of 10 on
-- every column: ANALYZE (autovacuum's as the ledger grows) samples 3,000
-- rows of them, not 30,000.
SELECT c.relname, count(*) AS columns, count(*) FILTER (WHERE a.attstattarget = 10) AS target_10
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.oid IN ('ptx.ledger_entry'::regclass, 'ptx.ledger_key_index'::regclass,
                 'ptx.ledger_project_index'::regclass)
   AND a.attnum > 0 AND NOT a.attisdropped
 GROUP BY c.relname ORDER BY c.relname;
-- and nobody changes it, a superuser neither: the guard refuses DDL on them
ALTER TABLE ptx.ledger_entry ALTER COLUMN seq SET STATISTICS 1000;
ALTER TABLE ptx.ledger_key_index ALTER COLUMN key SET STATISTICS 1000;
SELECT attstattarget FROM pg_attribute WHERE attrelid = 'ptx.ledger_entry'::regclass AND attname = 'seq';

-- DROP EXTENSION takes the ledger with it.
SET client_min_messages = warning;
DROP EXTENSION ptx CASCADE;
DROP SCHEMA regress_ledger CASCADE;
RESET client_min_messages;
SELECT count(*) FROM pg_class WHERE relname LIKE 'ledger\_%';
SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'ptx%';
CREATE EXTENSION ptx;
SELECT count(*) FROM ptx.ledger_entry;
