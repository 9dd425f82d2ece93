-- Trading core tables (交易): projects, bids, contracts.  The rules that
-- govern them (catalog matching, the state machine and its clocks, credit
-- restrictions, draws) are attached by the modules that own those rules.
--
-- The columns below are the shared contract between modules: modules add
-- columns, constraints and triggers, never rename or drop these.
-- The lifecycle columns of ptx.project (announced_at … awarded_at, round,
-- winner_id) are maintained by the state machine (src/lifecycle.c); the
-- clear columns of ptx.bid (price, doc_digest, fingerprint) stay NULL until
-- the opening (开标), when they are filled from the sealed payload.

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
    bid_deadline    timestamptz,
    kind            text,
    catalog_id      bigint,
    voluntary       boolean NOT NULL DEFAULT false,
    round           integer NOT NULL DEFAULT 1,
    announced_at    timestamptz,
    opened_at       timestamptz,
    reported_at     timestamptz,
    publicity_from  timestamptz,
    publicity_until timestamptz,
    winner_id       bigint REFERENCES ptx.org (id),
    awarded_at      timestamptz,
    state_changed_at timestamptz,
    state_note      text,
    CHECK (state IN ('registered', 'announced', 'opened', 'failed', 'evaluating',
                     'publicity', 'awarded', 'contracted', 'closed', 'terminated'))
);
COMMENT ON TABLE ptx.project IS 'projects entering the platform (进场项目)';
COMMENT ON COLUMN ptx.project.amount IS 'estimated amount (预算金额 / 估算价), CNY';
COMMENT ON COLUMN ptx.project.funding IS 'funding source (资金来源), e.g. state, state_owned, private';
COMMENT ON COLUMN ptx.project.kind IS 'project kind (项目类型), e.g. works 施工, goods 货物, services 服务';
COMMENT ON COLUMN ptx.project.method IS 'trading method (交易方式), e.g. open 公开招标, invited 邀请招标, auction 拍卖, listing 挂牌';
COMMENT ON COLUMN ptx.project.state IS 'lifecycle state; changes only along the state machine (src/lifecycle.c)';
COMMENT ON COLUMN ptx.project.catalog_id IS 'the catalog entry (交易目录) that made entering obligatory; NULL when voluntary';
COMMENT ON COLUMN ptx.project.voluntary IS 'true when no catalog entry covers the project and it entered voluntarily (自愿进场)';
COMMENT ON COLUMN ptx.project.round IS 'tender round: 1, then one more for each re-tender after a failed one (重新招标)';
COMMENT ON COLUMN ptx.project.reported_at IS 'when the evaluation report (评标报告) was received';
COMMENT ON COLUMN ptx.project.publicity_until IS 'end of the publicity of the candidates (中标候选人公示)';
COMMENT ON COLUMN ptx.project.awarded_at IS 'award notice (中标通知书)';
COMMENT ON COLUMN ptx.project.state_note IS 'reason given with the last state change (e.g. of a termination)';
CREATE INDEX project_tenderee_idx ON ptx.project (tenderee_id);
CREATE INDEX project_agency_idx ON ptx.project (agency_id);
CREATE INDEX project_supervisor_idx ON ptx.project (supervisor_id);
CREATE INDEX project_state_idx ON ptx.project (state);
SELECT pg_catalog.pg_extension_config_dump('ptx.project', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.project', 'id'), '');

CREATE TABLE ptx.bid (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES ptx.project (id),
    bidder_id       bigint NOT NULL REFERENCES ptx.org (id),
    round           integer NOT NULL DEFAULT 1,
    price           numeric(18, 2) CHECK (price >= 0),
    doc_digest      bytea,
    fingerprint     text,
    sealed          bytea,
    submitted_at    timestamptz NOT NULL DEFAULT ptx.now(),
    status          text NOT NULL DEFAULT 'valid',
    status_note     text,
    opened_at       timestamptz,
    UNIQUE (project_id, round, bidder_id),
    CHECK (status IN ('valid', 'withdrawn', 'rejected', 'returned')),
    CHECK (sealed IS NOT NULL OR price IS NOT NULL)
);
COMMENT ON TABLE ptx.bid IS 'bids (投标文件), invisible to everyone before opening';
COMMENT ON COLUMN ptx.bid.price IS 'bid price (投标报价); NULL until the opening (开标)';
COMMENT ON COLUMN ptx.bid.doc_digest IS 'digest of the bid documents (投标文件摘要); NULL until the opening';
COMMENT ON COLUMN ptx.bid.fingerprint IS 'machine fingerprint of the preparing computer (制作机器特征码); NULL until the opening';
COMMENT ON COLUMN ptx.bid.sealed IS 'price, digest and fingerprint as OpenPGP ciphertext (pgcrypto) under the project''s key';
COMMENT ON COLUMN ptx.bid.status IS 'valid, withdrawn (撤回) before the deadline, rejected (否决) in evaluation, returned (退回) when the tender failed or ended unopened';
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
    recorded_at     timestamptz NOT NULL DEFAULT ptx.now(),
    kind            text
);
COMMENT ON TABLE ptx.contract IS 'contracts and trade records (合同); project_id NULL is a trade outside the platform';
CREATE INDEX contract_project_idx ON ptx.contract (project_id);
CREATE INDEX contract_tenderee_idx ON ptx.contract (tenderee_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.contract', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.contract', 'id'), '');

-- Bids are read through ptx.bid_opened (44_bids.sql): only the system and
-- auditors read the table itself, and its clear columns are empty until
-- the opening.
GRANT SELECT ON ptx.project, ptx.contract TO ptx_admin, ptx_operator, ptx_supervisor;
