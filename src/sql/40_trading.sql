-- Trading core tables (交易): projects, bids, contracts.  The rules that
-- govern them (catalog matching, the state machine and its clocks, credit
-- restrictions, draws) are attached by the modules that own those rules.
--
-- The columns below are the shared contract between modules: modules add
-- columns, constraints and triggers, never rename or drop these.

CREATE TABLE ptx.project (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (pg_catalog.btrim(code) <> ''),
    title           text NOT NULL CHECK (pg_catalog.btrim(title) <> ''),
    category        text NOT NULL REFERENCES ptx.category (code),
    region          text NOT NULL REFERENCES ptx.region (code),
    tenderee_id     bigint NOT NULL REFERENCES ptx.org (id),
    agency_id       bigint REFERENCES ptx.org (id),
    supervisor_id   bigint NOT NULL REFERENCES ptx.org (id),
    amount          numeric(18, 2) NOT NULL CHECK (amount >= 0),
    funding         text,
    method          text NOT NULL DEFAULT 'open',
    state           text NOT NULL DEFAULT 'registered',
    registered_at   timestamptz NOT NULL DEFAULT ptx.now(),
    bid_deadline    timestamptz
);
COMMENT ON TABLE ptx.project IS 'projects entering the platform (进场项目)';
COMMENT ON COLUMN ptx.project.amount IS 'estimated amount (预算金额 / 估算价), CNY';
COMMENT ON COLUMN ptx.project.funding IS 'funding source (资金来源), e.g. state, state_owned, private';
CREATE INDEX project_tenderee_idx ON ptx.project (tenderee_id);
CREATE INDEX project_agency_idx ON ptx.project (agency_id);
CREATE INDEX project_supervisor_idx ON ptx.project (supervisor_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.project', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.project', 'id'), '');

CREATE TABLE ptx.bid (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES ptx.project (id),
    bidder_id       bigint NOT NULL REFERENCES ptx.org (id),
    price           numeric(18, 2) NOT NULL CHECK (price >= 0),
    doc_digest      bytea,
    fingerprint     text,
    submitted_at    timestamptz NOT NULL DEFAULT ptx.now(),
    status          text NOT NULL DEFAULT 'valid',
    UNIQUE (project_id, bidder_id)
);
COMMENT ON TABLE ptx.bid IS 'bids (投标文件), invisible to everyone before opening';
COMMENT ON COLUMN ptx.bid.doc_digest IS 'digest of the bid documents (投标文件摘要)';
COMMENT ON COLUMN ptx.bid.fingerprint IS 'machine fingerprint of the preparing computer (制作机器特征码)';
CREATE INDEX bid_bidder_idx ON ptx.bid (bidder_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.bid', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.bid', 'id'), '');

CREATE TABLE ptx.contract (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint REFERENCES ptx.project (id),
    tenderee_id     bigint NOT NULL REFERENCES ptx.org (id),
    supplier_id     bigint NOT NULL REFERENCES ptx.org (id),
    category        text NOT NULL REFERENCES ptx.category (code),
    region          text NOT NULL REFERENCES ptx.region (code),
    amount          numeric(18, 2) NOT NULL CHECK (amount >= 0),
    funding         text,
    signed_on       date NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT ptx.now()
);
COMMENT ON TABLE ptx.contract IS 'contracts and trade records (合同); project_id NULL is a trade outside the platform';
CREATE INDEX contract_project_idx ON ptx.contract (project_id);
CREATE INDEX contract_tenderee_idx ON ptx.contract (tenderee_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.contract', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.contract', 'id'), '');

GRANT SELECT ON ptx.project, ptx.contract TO ptx_admin, ptx_operator, ptx_supervisor;
