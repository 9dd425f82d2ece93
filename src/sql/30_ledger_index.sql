-- The ledger's lookup indexes (追溯索引), built by the sealer.
--
-- Writers pay only for ptx.ledger_entry's primary key: an entry's
-- relation, key and project are found through these two tables, which the
-- sealer fills for each block it seals, in the sealing transaction, one row
-- per (relation, key) or project and block with the entries' seqs.  Entries
-- not sealed yet (seq above the last block's last_seq, about one
-- ptx.seal_interval of writes) are found by a scan of that tail.
-- ptx.ledger_seqs() and ptx.ledger_project_seqs() put the two together.
--
-- They are derived data: nothing in them is hashed, and ptx.verify()
-- checks that they hold exactly the sealed entries (ptx.verify_index).
-- Like the ledger they are append-only (35_ledger_index_guard.sql).  The
-- text columns compare bytes (COLLATE "C"): equality is all they serve.

CREATE TABLE ptx.ledger_key_index (
    relation    text COLLATE "C" NOT NULL,
    key         text COLLATE "C" NOT NULL,
    block_no    bigint NOT NULL,
    seqs        bigint[] NOT NULL,
    PRIMARY KEY (relation, key, block_no)
);
COMMENT ON TABLE ptx.ledger_key_index IS
    'sealed entries by relation and key (追溯索引), one row per (relation, key, block); built by the sealer, append-only';
COMMENT ON COLUMN ptx.ledger_key_index.key IS
    'the entry''s key as text (jsonb''s canonical text), or the empty string for entries without a key';
COMMENT ON COLUMN ptx.ledger_key_index.seqs IS 'the seqs of the block''s entries with this relation and key, ascending';
SELECT pg_catalog.pg_extension_config_dump('ptx.ledger_key_index', '');

CREATE TABLE ptx.ledger_project_index (
    project_id  bigint NOT NULL,
    block_no    bigint NOT NULL,
    seqs        bigint[] NOT NULL,
    PRIMARY KEY (project_id, block_no)
);
COMMENT ON TABLE ptx.ledger_project_index IS
    'sealed entries by project (追溯索引), one row per (project, block); built by the sealer, append-only';
COMMENT ON COLUMN ptx.ledger_project_index.seqs IS 'the seqs of the block''s entries of this project, ascending';
SELECT pg_catalog.pg_extension_config_dump('ptx.ledger_project_index', '');

-- The rows of one block, from its entries.  The sealer writes the same
-- rows itself as it reads the block's entries for their hashes
-- (src/seal_index.c), in the sealing transaction; this function fills them
-- for blocks sealed before the indexes existed (the upgrade from 0.1.0),
-- and is what the sealer's rows are tested against.  A block number sealed
-- again after a superuser removed blocks finds its old rows there and the
-- seal fails (23505) until they are removed too: ptx.verify() tells what
-- was done.
CREATE FUNCTION ptx.ledger_index_block(block_no bigint, first_seq bigint, last_seq bigint)
    RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        WITH e AS MATERIALIZED (
            SELECT e.seq, e.relation COLLATE "C" AS relation,
                   COALESCE(e.key::text, '') COLLATE "C" AS key, e.project_id
              FROM ptx.ledger_entry e
             WHERE e.seq BETWEEN ledger_index_block.first_seq AND ledger_index_block.last_seq),
        k AS (
            INSERT INTO ptx.ledger_key_index (relation, key, block_no, seqs)
            SELECT e.relation, e.key, ledger_index_block.block_no, pg_catalog.array_agg(e.seq ORDER BY e.seq)
              FROM e
             WHERE e.relation IS NOT NULL
             GROUP BY e.relation, e.key
             ORDER BY e.relation, e.key)
        INSERT INTO ptx.ledger_project_index (project_id, block_no, seqs)
        SELECT e.project_id, ledger_index_block.block_no, pg_catalog.array_agg(e.seq ORDER BY e.seq)
          FROM e
         WHERE e.project_id IS NOT NULL
         GROUP BY e.project_id
         ORDER BY e.project_id;
    END;
COMMENT ON FUNCTION ptx.ledger_index_block(bigint, bigint, bigint) IS
    'adds the entries of a sealed block to ptx.ledger_key_index and ptx.ledger_project_index, as the sealer does';

CREATE FUNCTION ptx.ledger_seqs(relation text, key text)
    RETURNS SETOF bigint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT s.seq
          FROM ptx.ledger_key_index k, unnest(k.seqs) AS s(seq)
         WHERE k.relation = (ledger_seqs.relation COLLATE "C")
           AND k.key = (COALESCE(ledger_seqs.key, '') COLLATE "C")
        UNION ALL
        SELECT e.seq
          FROM ptx.ledger_entry e
         WHERE e.seq > COALESCE((SELECT max(b.last_seq) FROM ptx.ledger_block b), 0)
           AND e.relation = ledger_seqs.relation
           AND COALESCE(e.key::text, '') = COALESCE(ledger_seqs.key, '');
    END;
COMMENT ON FUNCTION ptx.ledger_seqs(text, text) IS
    'seqs of the entries of a relation and key (key NULL: the entries about the relation without a key), sealed or not, in no particular order';

CREATE FUNCTION ptx.ledger_project_seqs(project_id bigint)
    RETURNS SETOF bigint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT s.seq
          FROM ptx.ledger_project_index p, unnest(p.seqs) AS s(seq)
         WHERE p.project_id = ledger_project_seqs.project_id
        UNION ALL
        SELECT e.seq
          FROM ptx.ledger_entry e
         WHERE e.seq > COALESCE((SELECT max(b.last_seq) FROM ptx.ledger_block b), 0)
           AND e.project_id = ledger_project_seqs.project_id;
    END;
COMMENT ON FUNCTION ptx.ledger_project_seqs(bigint) IS
    'seqs of the entries of a project, sealed or not, in no particular order';

-- The newest entry of a row of a relation (INSERT, UPDATE, DELETE or
-- SNAPSHOT), whatever its key: the unsealed tail first, then the blocks
-- from the newest down until one has such an entry.
CREATE FUNCTION ptx.ledger_last_row_seq(relation text)
    RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    found bigint;
    b bigint;
BEGIN
    SELECT max(e.seq) INTO found
      FROM ptx.ledger_entry e
     WHERE e.seq > COALESCE((SELECT max(lb.last_seq) FROM ptx.ledger_block lb), 0)
       AND e.relation = ledger_last_row_seq.relation
       AND e.operation IN ('INSERT', 'UPDATE', 'DELETE', 'SNAPSHOT');
    IF found IS NOT NULL THEN
        RETURN found;
    END IF;
    FOR b IN SELECT DISTINCT k.block_no FROM ptx.ledger_key_index k
              WHERE k.relation = (ledger_last_row_seq.relation COLLATE "C") AND k.key <> ''
              ORDER BY 1 DESC
    LOOP
        SELECT max(e.seq) INTO found
          FROM ptx.ledger_key_index k, unnest(k.seqs) AS s(seq), ptx.ledger_entry e
         WHERE k.relation = (ledger_last_row_seq.relation COLLATE "C") AND k.key <> ''
           AND k.block_no = b AND e.seq = s.seq
           AND e.operation IN ('INSERT', 'UPDATE', 'DELETE', 'SNAPSHOT');
        IF found IS NOT NULL THEN
            RETURN found;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ptx.ledger_last_row_seq(text) IS
    'seq of the newest row entry (INSERT, UPDATE, DELETE, SNAPSHOT) of a relation, or NULL';

-- Both indexes against the sealed entries of the blocks from from_block on
-- (as ptx.verify(from_block) checks the chain from there): an entry missing
-- from them, or a seq in them that no sealed entry of that relation and key
-- (project) has, or that they list twice, is reported.
--
-- src/verify_index.c does it in one pass over each table, in
-- maintenance_work_mem; where that is too little, it runs the set-based
-- query below, which does it in work_mem (and on disk).
CREATE FUNCTION ptx.verify_index_compare(from_block bigint, first_seq bigint, last_seq bigint)
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'ptx_verify_index_compare';
COMMENT ON FUNCTION ptx.verify_index_compare(bigint, bigint, bigint) IS
    'the lookup indexes'' rows of the blocks from from_block on against the sealed entries first_seq .. last_seq; for ptx.verify_index()';

CREATE FUNCTION ptx.verify_index_query(from_block bigint, first_seq bigint, last_seq bigint)
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        WITH sealed AS (
            SELECT verify_index_query.last_seq AS last, verify_index_query.first_seq AS first),
        -- entries and listings are matched one to one (a second listing
        -- of an entry is extra, a second entry under a seq is missing)
        e AS (
            SELECT e.seq, e.relation COLLATE "C" AS relation,
                   COALESCE(e.key::text, '') COLLATE "C" AS key, e.project_id
              FROM ptx.ledger_entry e
             WHERE e.seq BETWEEN (SELECT sealed.first FROM sealed) AND (SELECT sealed.last FROM sealed)),
        ek AS (
            SELECT e.seq, e.relation, e.key,
                   pg_catalog.row_number() OVER (PARTITION BY e.seq, e.relation, e.key) AS n
              FROM e WHERE e.relation IS NOT NULL),
        ep AS (
            SELECT e.seq, e.project_id,
                   pg_catalog.row_number() OVER (PARTITION BY e.seq, e.project_id) AS n
              FROM e WHERE e.project_id IS NOT NULL),
        k AS (
            SELECT k.block_no, s.seq, k.relation, k.key,
                   pg_catalog.row_number() OVER (PARTITION BY s.seq, k.relation, k.key) AS n
              FROM ptx.ledger_key_index k, unnest(k.seqs) AS s(seq)
             WHERE k.block_no >= verify_index_query.from_block),
        p AS (
            SELECT p.block_no, s.seq, p.project_id,
                   pg_catalog.row_number() OVER (PARTITION BY s.seq, p.project_id) AS n
              FROM ptx.ledger_project_index p, unnest(p.seqs) AS s(seq)
             WHERE p.block_no >= verify_index_query.from_block),
        problems AS (
            SELECT k.block_no, COALESCE(e.seq, k.seq) AS seq,
                   CASE WHEN k.n IS NULL THEN 'index_missing' ELSE 'index_extra' END AS problem,
                   CASE WHEN k.n IS NULL
                        THEN pg_catalog.format('Entry %s of %s is missing from ptx.ledger_key_index.', e.seq, e.relation)
                        ELSE pg_catalog.format('ptx.ledger_key_index lists seq %s under %s %s, which no sealed entry has.', k.seq, k.relation, k.key) END AS detail
              FROM ek e
              FULL JOIN k ON k.seq = e.seq AND k.relation = e.relation AND k.key = e.key AND k.n = e.n
             WHERE e.n IS NULL OR k.n IS NULL
            UNION ALL
            SELECT p.block_no, COALESCE(e.seq, p.seq),
                   CASE WHEN p.n IS NULL THEN 'index_missing' ELSE 'index_extra' END,
                   CASE WHEN p.n IS NULL
                        THEN pg_catalog.format('Entry %s of project %s is missing from ptx.ledger_project_index.', e.seq, e.project_id)
                        ELSE pg_catalog.format('ptx.ledger_project_index lists seq %s under project %s, which no sealed entry has.', p.seq, p.project_id) END
              FROM ep e
              FULL JOIN p ON p.seq = e.seq AND p.project_id = e.project_id AND p.n = e.n
             WHERE e.n IS NULL OR p.n IS NULL)
        SELECT problems.block_no, problems.seq, problems.problem, problems.detail
          FROM problems
         ORDER BY 2, 3, 4;
    END;
COMMENT ON FUNCTION ptx.verify_index_query(bigint, bigint, bigint) IS
    'ptx.verify_index_compare() as one set-based query, which it runs when maintenance_work_mem is too small';

CREATE FUNCTION ptx.verify_index(from_block bigint)
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT c.block_no, c.seq, c.problem, c.detail
          FROM (SELECT COALESCE(max(b.last_seq), 0) AS last,
                       COALESCE(min(b.first_seq) FILTER (WHERE b.block_no >= verify_index.from_block),
                                max(b.last_seq) + 1, 1) AS first
                  FROM ptx.ledger_block b) s,
               ptx.verify_index_compare(verify_index.from_block, s.first, s.last) c
         ORDER BY 2, 3, 4;
    END;
COMMENT ON FUNCTION ptx.verify_index(bigint) IS
    'compare the sealer''s lookup indexes with the sealed entries of the blocks from from_block on (part of ptx.verify)';

REVOKE ALL ON FUNCTION ptx.ledger_index_block(bigint, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION ptx.ledger_seqs(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION ptx.ledger_project_seqs(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION ptx.verify_index(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION ptx.verify_index_compare(bigint, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION ptx.verify_index_query(bigint, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION ptx.ledger_last_row_seq(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ptx.ledger_seqs(text, text), ptx.ledger_project_seqs(bigint),
    ptx.ledger_last_row_seq(text), ptx.verify_index(bigint),
    ptx.verify_index_compare(bigint, bigint, bigint), ptx.verify_index_query(bigint, bigint, bigint) TO ptx_auditor;
GRANT SELECT ON ptx.ledger_key_index, ptx.ledger_project_index TO ptx_auditor;
