-- The tamper-evident ledger (R3, 全程留痕、可查可溯、电子固化; DESIGN.md §3).
-- Tables.  src/ledger.c writes entries, src/seal.c seals them into blocks,
-- src/verify.c checks them.  The serialization that the hashes cover is in
-- docs/ledger-format.md.
--
-- Partition-ready: every key leads with the column a range partitioning
-- would use (seq for entries, block_no for blocks), no unique constraint
-- spans anything else, and nothing references these tables.

-- CACHE 1 matters: the sealer relies on every seq <= the sequence's last
-- value having been handed out to a transaction that was already running.
CREATE SEQUENCE ptx.ledger_seq AS bigint NO CYCLE CACHE 1;
COMMENT ON SEQUENCE ptx.ledger_seq IS 'ledger entry numbers';
SELECT pg_catalog.pg_extension_config_dump('ptx.ledger_seq', '');

CREATE TABLE ptx.ledger_entry (
    seq                 bigint PRIMARY KEY,
    xid                 xid8 NOT NULL,
    logged_at           timestamptz NOT NULL,
    business_at         timestamptz NOT NULL,
    session_user_name   text NOT NULL,
    current_user_name   text NOT NULL,
    application_name    text,
    client_addr         inet,
    operation           text NOT NULL
        CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'SNAPSHOT', 'EVENT')),
    kind                text CHECK ((operation = 'EVENT') = (kind IS NOT NULL)),
    relation            text,
    key                 json,
    row_image           json,
    project_id          bigint,
    format              smallint NOT NULL,
    entry_hash          bytea NOT NULL
);
COMMENT ON TABLE ptx.ledger_entry IS 'ledger entries (留痕记录): one per changed row of a tracked table and per event; append-only';
COMMENT ON COLUMN ptx.ledger_entry.xid IS 'transaction that wrote the entry';
COMMENT ON COLUMN ptx.ledger_entry.logged_at IS 'clock_timestamp() when the entry was written';
COMMENT ON COLUMN ptx.ledger_entry.business_at IS 'ptx.now(), the business clock';
COMMENT ON COLUMN ptx.ledger_entry.operation IS 'INSERT, UPDATE, DELETE of a row, SNAPSHOT of a row when its table came under tracking, or EVENT';
COMMENT ON COLUMN ptx.ledger_entry.kind IS 'kind of an event (transition, draw, sealed_read, credit_revocation, track, untrack, ...)';
COMMENT ON COLUMN ptx.ledger_entry.relation IS 'schema.table of the row, or the relation an event is about';
COMMENT ON COLUMN ptx.ledger_entry.key IS 'primary key of the row as a JSON object, in jsonb''s canonical text';
COMMENT ON COLUMN ptx.ledger_entry.row_image IS 'the row after INSERT/UPDATE, before DELETE, or an event''s payload, in jsonb''s canonical text';
COMMENT ON COLUMN ptx.ledger_entry.project_id IS 'project the entry belongs to (the row''s project_id, a project''s own id, an event''s project_id)';
COMMENT ON COLUMN ptx.ledger_entry.entry_hash IS 'SHA-256 of the canonical serialization (docs/ledger-format.md)';
-- Only the primary key is maintained as entries are written: entries are
-- found by relation, key and project through the indexes the sealer builds
-- (30_ledger_index.sql).
SELECT pg_catalog.pg_extension_config_dump('ptx.ledger_entry', '');

CREATE TABLE ptx.ledger_block (
    block_no        bigint PRIMARY KEY,
    first_seq       bigint NOT NULL,
    last_seq        bigint NOT NULL,
    entry_count     bigint NOT NULL,
    merkle_root     bytea NOT NULL,
    prev_hash       bytea NOT NULL,
    block_hash      bytea NOT NULL,
    sealed_at       timestamptz NOT NULL,
    format          smallint NOT NULL
);
COMMENT ON TABLE ptx.ledger_block IS 'sealed blocks of ledger entries (电子固化), chained by hash; append-only';
COMMENT ON COLUMN ptx.ledger_block.first_seq IS 'the block holds the committed entries with first_seq <= seq <= last_seq';
COMMENT ON COLUMN ptx.ledger_block.merkle_root IS 'Merkle root of the entry hashes in seq order';
COMMENT ON COLUMN ptx.ledger_block.prev_hash IS 'block_hash of the previous block; 32 zero bytes for block 1';
CREATE INDEX ledger_block_last_seq_idx ON ptx.ledger_block (last_seq);
SELECT pg_catalog.pg_extension_config_dump('ptx.ledger_block', '');

CREATE TABLE ptx.ledger_check (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checked_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    from_block  bigint NOT NULL,
    to_block    bigint,
    problems    bigint NOT NULL,
    report      jsonb NOT NULL
);
COMMENT ON TABLE ptx.ledger_check IS 'results of scheduled verifications (ptx.verify_incremental)';
SELECT pg_catalog.pg_extension_config_dump('ptx.ledger_check', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.ledger_check', 'id'), '');

GRANT SELECT ON ptx.ledger_block TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT SELECT ON ptx.ledger_check TO ptx_admin, ptx_auditor;
-- ptx.ledger_entry: ptx_auditor only (99_finish.sql).  Row images may hold
-- what a role may not see in the tables themselves (sealed lists).
