-- Receipts and consistency proofs (DESIGN.md §11.7, docs/ledger-format.md
-- "Proofs"): a receipt's path folds to its block's root, its chain of
-- headers reaches the newest block hash; a consistency proof carries an
-- earlier block hash to a later one.  Checked here in SQL from the format;
-- test/t/060_sealed_bids.pl checks them with test/ptx_receipt.py.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET ptx.fake_now = '2025-03-01 09:00:00+08';

DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor', 'auditor', 'public'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    IF NOT pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;

-- The checker's side, from the documented format only.
CREATE FUNCTION pg_temp.fld(v bytea) RETURNS bytea LANGUAGE sql IMMUTABLE
    RETURN CASE WHEN v IS NULL THEN '\xffffffff'::bytea ELSE int4send(length(v)) || v END;
CREATE FUNCTION pg_temp.fld(v text) RETURNS bytea LANGUAGE sql IMMUTABLE
    RETURN pg_temp.fld(convert_to(v, 'UTF8'));
CREATE FUNCTION pg_temp.block_hash(h jsonb, prev bytea) RETURNS bytea LANGUAGE sql IMMUTABLE
    RETURN sha256(pg_temp.fld('ptx-ledger-block/1') || pg_temp.fld(h ->> 'block_no') || pg_temp.fld(h ->> 'first_seq')
                  || pg_temp.fld(h ->> 'last_seq') || pg_temp.fld(h ->> 'entry_count')
                  || pg_temp.fld(decode(h ->> 'merkle_root', 'hex')) || pg_temp.fld(prev)
                  || pg_temp.fld(h ->> 'sealed_at_us'));
CREATE FUNCTION pg_temp.check_receipt(r jsonb, digest jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    node bytea := sha256(decode(r ->> 'entry', 'hex'));
    p jsonb;
    h bytea;
    hd jsonb;
BEGIN
    IF encode(node, 'hex') <> r ->> 'entry_hash' THEN RETURN 'entry hash differs'; END IF;
    FOR p IN SELECT * FROM jsonb_array_elements(r -> 'path') LOOP
        node := CASE p ->> 'side' WHEN 'left' THEN sha256('\x01'::bytea || decode(p ->> 'hash', 'hex') || node)
                                  ELSE sha256('\x01'::bytea || node || decode(p ->> 'hash', 'hex')) END;
    END LOOP;
    IF encode(node, 'hex') <> r -> 'block' ->> 'merkle_root' THEN RETURN 'path does not give the root'; END IF;
    h := pg_temp.block_hash(r -> 'block', decode(r -> 'block' ->> 'prev_hash', 'hex'));
    FOR hd IN SELECT * FROM jsonb_array_elements(r -> 'chain') LOOP
        h := pg_temp.block_hash(hd, h);
    END LOOP;
    IF encode(h, 'hex') <> digest ->> 'block_hash' THEN RETURN 'chain does not reach the digest'; END IF;
    RETURN 'ok';
END $$;

-- The install's baseline first (its size depends on the modules), then
-- 23 events, sealed into blocks of at most 5 entries, in 3 sealings.
SET ptx.block_max_entries = 5;
SELECT ptx.seal() AS baseline_blocks \gset
SELECT ptx.digest() AS d0 \gset
SELECT (:'d0'::jsonb ->> 'block_no')::bigint AS b0, (:'d0'::jsonb ->> 'last_seq')::bigint AS s0 \gset
SELECT count(ptx.ledger_event('note', 'regress.receipt', jsonb_build_object('n', n), '{}')) FROM generate_series(1, 7) n;
SELECT ptx.seal() AS blocks;
SELECT ptx.digest() AS d1 \gset
SELECT count(ptx.ledger_event('note', 'regress.receipt', jsonb_build_object('n', n), '{}')) FROM generate_series(8, 20) n;
SELECT ptx.seal() AS blocks;
SELECT count(ptx.ledger_event('note', 'regress.receipt', jsonb_build_object('n', n), '{}')) FROM generate_series(21, 23) n;
SELECT ptx.seal() AS blocks;
SELECT ptx.digest() AS d2 \gset
SELECT block_no - :b0 AS block, first_seq - :s0 AS first_event, last_seq - :s0 AS last_event, entry_count
  FROM ptx.ledger_block WHERE block_no > :b0 ORDER BY block_no;

-- Every entry's receipt checks against the newest digest; its header
-- fields give the stored block hash.
SELECT count(*) > 23 AS many,
       count(*) - count(*) FILTER (WHERE pg_temp.check_receipt(ptx.receipt(e.seq), :'d2') = 'ok') AS receipts_failed,
       count(*) - count(*) FILTER (WHERE (ptx.receipt(e.seq) -> 'block' ->> 'block_hash')
                              = encode(pg_temp.block_hash(ptx.receipt(e.seq) -> 'block',
                                       decode(ptx.receipt(e.seq) -> 'block' ->> 'prev_hash', 'hex')), 'hex')) AS headers_failed
  FROM ptx.ledger_entry e;
-- the shape: the first and last entries of a full block, two of the
-- newest block of 3 entries, and the first entry of the ledger
SELECT (r ->> 'seq')::bigint - :s0 AS event, r ->> 'index' AS index, jsonb_array_length(r -> 'path') AS path_len,
       (SELECT string_agg(p ->> 'side', ',') FROM jsonb_array_elements(r -> 'path') p) AS sides,
       (r -> 'block' ->> 'block_no')::bigint - :b0 AS block, jsonb_array_length(r -> 'chain') AS chain_len
  FROM (SELECT ptx.receipt(:s0 + s) AS r FROM unnest(ARRAY[1, 5, 21, 22, 23]) s) x;
SELECT pg_temp.check_receipt(ptx.receipt(1), :'d2') AS first_entry,
       jsonb_array_length(ptx.receipt(1) -> 'chain') = (:'d2'::jsonb ->> 'block_no')::int - 1 AS chain_to_newest;
-- up to an earlier digest
SELECT pg_temp.check_receipt(ptx.receipt(:s0 + 3, (:'d1'::jsonb ->> 'block_no')::bigint), :'d1') AS against_d1;
-- tampered: entry bytes, path, chain
SELECT pg_temp.check_receipt(jsonb_set(r, '{entry}', to_jsonb(overlay(r ->> 'entry' placing 'ff' from 41 for 2))), :'d2') AS entry,
       pg_temp.check_receipt(jsonb_set(r, '{path,0,hash}', to_jsonb(repeat('00', 32))), :'d2') AS path,
       pg_temp.check_receipt(jsonb_set(r, '{chain,0,sealed_at_us}', to_jsonb('1'::text)), :'d2') AS chain
  FROM (SELECT ptx.receipt(:s0 + 2) AS r) x;
-- an entry not sealed yet: its bytes and hash, no path
SELECT ptx.ledger_event('note', 'regress.receipt', '{"n": 24}', '{}') AS seq24 \gset
SELECT r ->> 'sealed' AS sealed, r ? 'path' AS has_path,
       encode(sha256(decode(r ->> 'entry', 'hex')), 'hex') = r ->> 'entry_hash' AS hash_ok
  FROM (SELECT ptx.receipt(:seq24) AS r) x;
SELECT ptx.receipt(0);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.receipt(100000);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY sqlstate
SELECT ptx.receipt(1, 100000);
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE

-- Consistency: the headers between two digests carry the earlier hash to
-- the later one.
CREATE FUNCTION pg_temp.check_consistency(p jsonb, d_old jsonb, d_new jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    h bytea := decode(d_old ->> 'block_hash', 'hex');
    hd jsonb;
BEGIN
    FOR hd IN SELECT * FROM jsonb_array_elements(p -> 'blocks') LOOP
        h := pg_temp.block_hash(hd, h);
    END LOOP;
    RETURN encode(h, 'hex') = d_new ->> 'block_hash';
END $$;
SELECT jsonb_array_length(p -> 'blocks') AS blocks, pg_temp.check_consistency(p, :'d1', :'d2') AS holds,
       pg_temp.check_consistency(p, jsonb_build_object('block_hash', repeat('00', 32)), :'d2') AS from_other_hash
  FROM (SELECT ptx.consistency((:'d1'::jsonb ->> 'block_no')::bigint, (:'d2'::jsonb ->> 'block_no')::bigint) AS p) x;
SELECT ptx.consistency(3, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.consistency(0, 2);
\echo :LAST_ERROR_SQLSTATE

-- Who may ask: receipts show an entry, so auditors only; consistency
-- proofs show block headers, so everyone, the public through ptx_public.
SET ROLE regress_ptx_auditor;
SELECT ptx.receipt(1) ->> 'seq' AS auditor_receipt;
SET ROLE regress_ptx_operator;
SELECT ptx.receipt(1);
\echo :LAST_ERROR_SQLSTATE
SELECT jsonb_array_length(ptx.consistency(1, 2) -> 'blocks') AS operator_consistency;
SET ROLE regress_ptx_public;
SELECT ptx.receipt(1);
\echo :LAST_ERROR_SQLSTATE
SELECT jsonb_array_length(ptx_public.ledger_consistency(:b0, :b0 + 2) -> 'blocks') AS public_consistency;
RESET ROLE;

DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor', 'auditor', 'public'] LOOP
    IF pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET ptx.seal_worker', current_database()); END $$;
