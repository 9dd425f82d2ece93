-- Receipts and consistency proofs (DESIGN.md §11.7; docs/ledger-format.md,
-- "Proofs").  A receipt lets whoever holds it check, outside the database
-- and against a block hash published earlier (ptx.digest()), that one entry
-- is in the ledger as it stands: the entry's canonical bytes, the Merkle
-- path from its hash to its block's root, and the headers of the blocks
-- after it up to the newest.  A consistency proof shows that a later
-- published block hash extends an earlier one: the headers of the blocks
-- between them, without any entry.  test/ptx_receipt.py checks both with
-- the Python standard library alone.

-- The header of a block as the proofs give it: every field of the block's
-- serialization but the previous block's hash, which the checker carries
-- from block to block.
CREATE FUNCTION ptx.ledger_block_header(b ptx.ledger_block) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT pg_catalog.jsonb_build_object(
                   'block_no', b.block_no,
                   'first_seq', b.first_seq,
                   'last_seq', b.last_seq,
                   'entry_count', b.entry_count,
                   'merkle_root', pg_catalog.encode(b.merkle_root, 'hex'),
                   'sealed_at_us', (EXTRACT(epoch FROM b.sealed_at) * 1000000)::bigint::text,
                   'block_hash', pg_catalog.encode(b.block_hash, 'hex'));
    END;
COMMENT ON FUNCTION ptx.ledger_block_header(ptx.ledger_block) IS
    'a block''s fields as receipts and consistency proofs give them (docs/ledger-format.md)';

CREATE FUNCTION ptx.receipt(seq bigint, to_block bigint DEFAULT NULL) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    e ptx.ledger_entry;
    b ptx.ledger_block;
    newest bigint;
    lv bytea[];
    nxt bytea[];
    n integer;
    idx integer;                            -- 0-based position in the level
    leaf integer;                           -- 0-based position of the entry
    path jsonb := '[]'::jsonb;
    chain jsonb;
BEGIN
    IF seq IS NULL OR seq < 1 THEN
        PERFORM ptx.raise('receipts.no_seq');
    END IF;
    SELECT * INTO e FROM ptx.ledger_entry le WHERE le.seq = receipt.seq;
    IF NOT FOUND THEN
        PERFORM ptx.raise('receipts.entry_missing', seq::text);
    END IF;
    SELECT * INTO b FROM ptx.ledger_block lb
     WHERE lb.first_seq <= e.seq AND lb.last_seq >= e.seq
     ORDER BY lb.block_no LIMIT 1;
    IF NOT FOUND THEN
        RETURN pg_catalog.jsonb_build_object(
                   'format', 1,
                   'seq', e.seq,
                   'entry', pg_catalog.encode(ptx.ledger_entry_bytes(e.seq), 'hex'),
                   'entry_hash', pg_catalog.encode(e.entry_hash, 'hex'),
                   'sealed', false);
    END IF;
    SELECT max(lb.block_no) INTO newest FROM ptx.ledger_block lb;
    IF to_block IS NOT NULL THEN
        IF to_block < b.block_no OR to_block > newest THEN
            PERFORM ptx.raise('receipts.to_block_out_of_range', to_block::text, b.block_no::text, newest::text);
        END IF;
        newest := to_block;
    END IF;

    -- The Merkle path: the sibling at each level, bottom up (seal.c).
    SELECT pg_catalog.array_agg(le.entry_hash ORDER BY le.seq),
           pg_catalog.count(*) FILTER (WHERE le.seq < e.seq)
      INTO lv, idx
      FROM ptx.ledger_entry le
     WHERE le.seq BETWEEN b.first_seq AND b.last_seq;
    n := pg_catalog.cardinality(lv);
    leaf := idx;
    IF n <> b.entry_count THEN
        PERFORM ptx.raise('receipts.entry_count', b.block_no::text, n::text, b.entry_count::text);
    END IF;
    WHILE n > 1 LOOP
        IF idx % 2 = 1 THEN
            path := path || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                        'side', 'left', 'hash', pg_catalog.encode(lv[idx], 'hex')));
        ELSIF idx + 1 < n THEN
            path := path || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                        'side', 'right', 'hash', pg_catalog.encode(lv[idx + 2], 'hex')));
        END IF;
        SELECT pg_catalog.array_agg(CASE WHEN i < n
                                         THEN pg_catalog.sha256('\x01'::bytea || lv[i] || lv[i + 1])
                                         ELSE lv[i] END ORDER BY i)
          INTO nxt
          FROM pg_catalog.generate_series(1, n, 2) i;
        lv := nxt;
        n := pg_catalog.cardinality(lv);
        idx := idx / 2;
    END LOOP;
    IF lv[1] <> b.merkle_root THEN
        PERFORM ptx.raise('receipts.merkle_root', b.block_no::text);
    END IF;

    SELECT COALESCE(pg_catalog.jsonb_agg(ptx.ledger_block_header(lb) ORDER BY lb.block_no), '[]')
      INTO chain
      FROM ptx.ledger_block lb
     WHERE lb.block_no > b.block_no AND lb.block_no <= newest;

    RETURN pg_catalog.jsonb_build_object(
               'format', 1,
               'seq', e.seq,
               'entry', pg_catalog.encode(ptx.ledger_entry_bytes(e.seq), 'hex'),
               'entry_hash', pg_catalog.encode(e.entry_hash, 'hex'),
               'sealed', true,
               'index', leaf,
               'path', path,
               'block', ptx.ledger_block_header(b)
                        || pg_catalog.jsonb_build_object('prev_hash', pg_catalog.encode(b.prev_hash, 'hex')),
               'chain', chain);
END
$$;
COMMENT ON FUNCTION ptx.receipt(bigint, bigint) IS
    'a receipt for one ledger entry: its canonical bytes, its Merkle path to its block''s root and the block headers up to the newest block (or to_block); check with test/ptx_receipt.py';

CREATE FUNCTION ptx.consistency(from_block bigint, to_block bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    f ptx.ledger_block;
    t ptx.ledger_block;
    blocks jsonb;
BEGIN
    SELECT * INTO f FROM ptx.ledger_block b WHERE b.block_no = from_block;
    IF NOT FOUND THEN
        PERFORM ptx.raise('receipts.block_missing', COALESCE(from_block::text, '<NULL>'));
    END IF;
    SELECT * INTO t FROM ptx.ledger_block b WHERE b.block_no = to_block;
    IF NOT FOUND OR to_block < from_block THEN
        PERFORM ptx.raise('receipts.to_block_missing', COALESCE(to_block::text, '<NULL>'), from_block::text);
    END IF;
    SELECT COALESCE(pg_catalog.jsonb_agg(ptx.ledger_block_header(b) ORDER BY b.block_no), '[]')
      INTO blocks
      FROM ptx.ledger_block b
     WHERE b.block_no > from_block AND b.block_no <= to_block;
    RETURN pg_catalog.jsonb_build_object(
               'format', 1,
               'from', pg_catalog.jsonb_build_object('block_no', f.block_no, 'last_seq', f.last_seq,
                                                     'block_hash', pg_catalog.encode(f.block_hash, 'hex')),
               'to', pg_catalog.jsonb_build_object('block_no', t.block_no, 'last_seq', t.last_seq,
                                                   'block_hash', pg_catalog.encode(t.block_hash, 'hex')),
               'blocks', blocks);
END
$$;
COMMENT ON FUNCTION ptx.consistency(bigint, bigint) IS
    'the proof that the block hash of to_block extends that of from_block: the headers of the blocks between them; check with test/ptx_receipt.py';

-- For the public, who keep the published hashes.
CREATE FUNCTION ptx_public.ledger_consistency(from_block bigint, to_block bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    RETURN ptx.consistency(from_block, to_block);
COMMENT ON FUNCTION ptx_public.ledger_consistency(bigint, bigint) IS
    'ptx.consistency for the public: the proof that a later published block hash extends an earlier one';

REVOKE ALL ON FUNCTION ptx_public.ledger_consistency(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ptx_public.ledger_consistency(bigint, bigint)
    TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
REVOKE ALL ON FUNCTION ptx.ledger_block_header(ptx.ledger_block), ptx.receipt(bigint, bigint),
    ptx.consistency(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ptx.receipt(bigint, bigint) TO ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.consistency(bigint, bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
