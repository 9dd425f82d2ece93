-- Credit (信用, 失信名单): dishonesty records on organisations and experts,
-- their revocation, and the restriction they impose (R7, 一处失信，处处受约).
--
-- A record restricts its subject from valid_from to valid_to, both days
-- included (valid_to NULL: until revoked), in every region and category.
-- Records are never changed or deleted: a record is lifted by a revocation
-- (撤销), itself a new record, effective from the day it is recorded.
-- The guards that refuse restricted subjects are in 50_credit_guard.sql,
-- the bulk import of credit lists in 50_credit_import.sql.

------------------------------------------------------------------------
-- Append-only tables: rows are never changed or deleted, even by the
-- owner (a restore in session_replication_role = replica brings rows back as they were).
------------------------------------------------------------------------
CREATE FUNCTION ptx.append_only() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    hint text;
BEGIN
    -- the trigger's argument is the hint: those of ptx's tables are in the
    -- catalogue, in both languages; any other is given as it is
    hint := CASE TG_ARGV[0]
        WHEN 'Lift a credit record with ptx.revoke_credit_record; record a corrected one as a new record.'
            THEN ptx.message_text('credit.history_hint.credit_record')
        WHEN 'A revocation is final; restrict the subject again with a new credit record.'
            THEN ptx.message_text('credit.history_hint.credit_revocation')
        WHEN 'Register a revision with ptx.add_policy_document(..., revises => id), or repeal with ptx.repeal_policy_document.'
            THEN ptx.message_text('credit.history_hint.policy_document')
        WHEN 'Status changes are final.'
            THEN ptx.message_text('credit.history_hint.policy_document_change')
        WHEN 'A red flag found unfounded is dismissed with ptx.dismiss_red_flag.'
            THEN ptx.message_text('credit.history_hint.red_flag')
        WHEN 'A dismissal is a record and stays as it was made.'
            THEN ptx.message_text('credit.history_hint.red_flag_dismissal')
        WHEN 'A cancellation is final: request a new draw.'
            THEN ptx.message_text('credit.history_hint.draw_cancellation')
        ELSE TG_ARGV[0] END;
    PERFORM ptx.raise(CASE TG_OP WHEN 'UPDATE' THEN 'credit.history_update'
                                 WHEN 'DELETE' THEN 'credit.history_delete'
                                 ELSE 'credit.history_truncate' END,
                      pg_catalog.quote_ident(TG_TABLE_SCHEMA), pg_catalog.quote_ident(TG_TABLE_NAME), hint);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ptx.append_only() IS
    'trigger refusing UPDATE, DELETE and TRUNCATE on a history table; the argument is the hint';

------------------------------------------------------------------------
-- Kinds of credit records (失信行为类别), with their legal basis.
------------------------------------------------------------------------
CREATE TABLE ptx.credit_kind (
    code    text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'),
    name_zh text NOT NULL CHECK (pg_catalog.btrim(name_zh) <> ''),
    name_en text NOT NULL CHECK (pg_catalog.btrim(name_en) <> ''),
    basis   text NOT NULL CHECK (pg_catalog.btrim(basis) <> '')
);
COMMENT ON TABLE ptx.credit_kind IS 'kinds of credit records (失信行为类别); regions may add their own';
SELECT pg_catalog.pg_extension_config_dump('ptx.credit_kind',
    'WHERE code NOT IN (''dishonest_list'', ''court_dishonest'', ''bid_ban'', ''procurement_ban'', ''agency_suspension'', ''expert_ban'')');

INSERT INTO ptx.credit_kind (code, name_zh, name_en, basis) VALUES
    ('dishonest_list',    '列入失信名单',               'listed as dishonest',
     '内政办发〔2018〕67号 §7'),
    ('court_dishonest',   '失信被执行人',               'dishonest judgment debtor',
     '最高人民法院关于公布失信被执行人名单信息的若干规定'),
    ('bid_ban',           '取消投标资格',               'barred from bidding',
     '招标投标法 §53, §54; 招标投标法实施条例 §67, §68'),
    ('procurement_ban',   '禁止参加政府采购活动',       'barred from government procurement',
     '政府采购法 §77'),
    ('agency_suspension', '暂停招标代理业务',           'agency business suspended',
     '招标投标法 §50; 招标投标法实施条例 §65'),
    ('expert_ban',        '取消担任评标委员会成员资格', 'barred from evaluation committees',
     '招标投标法 §56; 招标投标法实施条例 §72');

------------------------------------------------------------------------
-- Credit records (信用记录).
------------------------------------------------------------------------
CREATE TABLE ptx.credit_record (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_kind text NOT NULL CHECK (subject_kind IN ('org', 'expert')),
    subject_id   bigint NOT NULL,
    subject_name text NOT NULL CHECK (pg_catalog.btrim(subject_name) <> ''),
    kind         text NOT NULL REFERENCES ptx.credit_kind (code),
    reason       text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    source       text,
    valid_from   date NOT NULL,
    valid_to     date,
    recorded_at  timestamptz NOT NULL DEFAULT ptx.now(),
    recorded_by  text NOT NULL DEFAULT session_user,
    CONSTRAINT credit_record_period_valid CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
COMMENT ON TABLE ptx.credit_record IS 'credit records (信用记录, 失信名单): each restricts its subject everywhere during its period';
COMMENT ON COLUMN ptx.credit_record.subject_id IS 'ptx.org.id when subject_kind is org, ptx.expert.id when expert';
COMMENT ON COLUMN ptx.credit_record.subject_name IS 'the name under which the subject was listed (列入名单时的名称)';
COMMENT ON COLUMN ptx.credit_record.source IS 'deciding authority, decision number or list the record comes from (来源)';
COMMENT ON COLUMN ptx.credit_record.valid_to IS 'last day of the restriction, included; NULL until revoked';
CREATE INDEX credit_record_subject_idx ON ptx.credit_record (subject_kind, subject_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.credit_record', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.credit_record', 'id'), '');

CREATE TABLE ptx.credit_revocation (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id    bigint NOT NULL UNIQUE REFERENCES ptx.credit_record (id),
    reason       text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    effective_on date NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT ptx.now(),
    recorded_by  text NOT NULL DEFAULT session_user
);
COMMENT ON TABLE ptx.credit_revocation IS 'revocations (撤销) of credit records: the record stops restricting from effective_on';
COMMENT ON COLUMN ptx.credit_revocation.effective_on IS 'the business date the revocation was recorded; the record no longer restricts from that day';
SELECT pg_catalog.pg_extension_config_dump('ptx.credit_revocation', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.credit_revocation', 'id'), '');

------------------------------------------------------------------------
-- Subjects: organisations of the registry, experts of the expert database.
------------------------------------------------------------------------
CREATE FUNCTION ptx.credit_subject_name(subject_kind text, subject_id bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n text;
BEGIN
    IF subject_kind = 'org' THEN
        SELECT o.name INTO n FROM ptx.org o WHERE o.id = subject_id;
    ELSIF subject_kind = 'expert' THEN
        SELECT e.name INTO n FROM ptx.expert e WHERE e.id = subject_id;
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ptx.credit_subject_name(text, bigint) IS
    'registered name of a credit subject (organisation or expert), NULL when not registered';

CREATE FUNCTION ptx.credit_record_before_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    registered text;
BEGIN
    IF NEW.subject_kind IS NULL OR NEW.subject_kind NOT IN ('org', 'expert') THEN
        PERFORM ptx.raise('credit.invalid_subject_kind', COALESCE(pg_catalog.quote_literal(NEW.subject_kind), 'NULL'));
    END IF;
    registered := ptx.credit_subject_name(NEW.subject_kind, NEW.subject_id);
    IF registered IS NULL THEN
        PERFORM ptx.raise(CASE NEW.subject_kind WHEN 'org' THEN 'credit.org_not_registered'
                                                ELSE 'credit.expert_not_registered' END,
                          COALESCE(NEW.subject_id::text, 'NULL'));
    END IF;
    NEW.subject_name := COALESCE(NULLIF(pg_catalog.btrim(NEW.subject_name), ''), registered);
    IF NULLIF(pg_catalog.btrim(NEW.reason), '') IS NULL THEN
        PERFORM ptx.raise('credit.record_no_reason', NEW.subject_kind, NEW.subject_id::text);
    END IF;
    IF NEW.valid_from IS NULL THEN
        PERFORM ptx.raise('credit.record_no_first_day', NEW.subject_kind, NEW.subject_id::text);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.credit_kind k WHERE k.code = NEW.kind) THEN
        PERFORM ptx.raise('credit.unknown_kind', COALESCE(pg_catalog.quote_literal(NEW.kind), 'NULL'));
    END IF;
    IF NEW.valid_to < NEW.valid_from THEN
        PERFORM ptx.raise('credit.record_period_reversed', NEW.valid_from::text, NEW.valid_to::text);
    END IF;
    NEW.recorded_at := ptx.now();
    NEW.recorded_by := session_user;
    RETURN NEW;
END
$$;
CREATE TRIGGER credit_record_before_insert BEFORE INSERT ON ptx.credit_record
    FOR EACH ROW EXECUTE FUNCTION ptx.credit_record_before_insert();
CREATE TRIGGER credit_record_append_only BEFORE UPDATE OR DELETE ON ptx.credit_record
    FOR EACH ROW EXECUTE FUNCTION ptx.append_only('Lift a credit record with ptx.revoke_credit_record; record a corrected one as a new record.');
CREATE TRIGGER credit_record_no_truncate BEFORE TRUNCATE ON ptx.credit_record
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.append_only('Lift a credit record with ptx.revoke_credit_record; record a corrected one as a new record.');

CREATE FUNCTION ptx.credit_revocation_before_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    earlier ptx.credit_revocation;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.credit_record r WHERE r.id = NEW.record_id) THEN
        PERFORM ptx.raise('credit.record_missing', COALESCE(NEW.record_id::text, 'NULL'));
    END IF;
    IF NULLIF(pg_catalog.btrim(NEW.reason), '') IS NULL THEN
        PERFORM ptx.raise('credit.revocation_no_reason', NEW.record_id::text);
    END IF;
    SELECT * INTO earlier FROM ptx.credit_revocation v WHERE v.record_id = NEW.record_id;
    IF FOUND THEN
        PERFORM ptx.raise('credit.already_revoked', NEW.record_id::text, earlier.id::text,
                          earlier.effective_on::text, earlier.reason);
    END IF;
    NEW.effective_on := ptx.today();
    NEW.recorded_at := ptx.now();
    NEW.recorded_by := session_user;
    RETURN NEW;
END
$$;
CREATE TRIGGER credit_revocation_before_insert BEFORE INSERT ON ptx.credit_revocation
    FOR EACH ROW EXECUTE FUNCTION ptx.credit_revocation_before_insert();
CREATE TRIGGER credit_revocation_append_only BEFORE UPDATE OR DELETE ON ptx.credit_revocation
    FOR EACH ROW EXECUTE FUNCTION ptx.append_only('A revocation is final; restrict the subject again with a new credit record.');
CREATE TRIGGER credit_revocation_no_truncate BEFORE TRUNCATE ON ptx.credit_revocation
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.append_only('A revocation is final; restrict the subject again with a new credit record.');

------------------------------------------------------------------------
-- Restriction.  The functions below are plain SQL so that the planner
-- inlines them: is_restricted becomes an index probe on
-- credit_record_subject_idx, restricted_subjects a set to anti-join.
------------------------------------------------------------------------
CREATE FUNCTION ptx.credit_in_force(r ptx.credit_record, at_date date) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT r.valid_from <= at_date
           AND (r.valid_to IS NULL OR r.valid_to >= at_date)
           AND NOT EXISTS (SELECT 1 FROM ptx.credit_revocation v
                            WHERE v.record_id = r.id AND v.effective_on <= at_date);
    END;
COMMENT ON FUNCTION ptx.credit_in_force(ptx.credit_record, date) IS
    'true when a credit record restricts its subject on a date: within its period, not revoked by then';

CREATE FUNCTION ptx.credit_restrictions(subject_kind text, subject_id bigint,
                                        at_date date DEFAULT ptx.today())
    RETURNS SETOF ptx.credit_record
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT r.*
          FROM ptx.credit_record r
         WHERE r.subject_kind = credit_restrictions.subject_kind
           AND r.subject_id = credit_restrictions.subject_id
           AND ptx.credit_in_force(r, credit_restrictions.at_date)
         ORDER BY r.valid_to DESC NULLS FIRST, r.id;
    END;
COMMENT ON FUNCTION ptx.credit_restrictions(text, bigint, date) IS
    'the credit records restricting a subject on a date, the longest-lasting first';

CREATE FUNCTION ptx.is_restricted(subject_kind text, subject_id bigint,
                                  at_date date DEFAULT ptx.today()) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT EXISTS (SELECT 1
                         FROM ptx.credit_record r
                        WHERE r.subject_kind = is_restricted.subject_kind
                          AND r.subject_id = is_restricted.subject_id
                          AND ptx.credit_in_force(r, is_restricted.at_date));
    END;
COMMENT ON FUNCTION ptx.is_restricted(text, bigint, date) IS
    'true when a credit record restricts an organisation (org) or expert (expert) on a date (一处失信，处处受约)';

CREATE FUNCTION ptx.restricted_subjects(subject_kind text, at_date date DEFAULT ptx.today())
    RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT DISTINCT r.subject_id
          FROM ptx.credit_record r
         WHERE r.subject_kind = restricted_subjects.subject_kind
           AND ptx.credit_in_force(r, restricted_subjects.at_date);
    END;
COMMENT ON FUNCTION ptx.restricted_subjects(text, date) IS
    'ids of the subjects of a kind restricted on a date, for anti-joins in draws';

CREATE FUNCTION ptx.assert_not_restricted(subject_kind text, subject_id bigint, acting_as text,
                                          at_date date DEFAULT ptx.today()) RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c ptx.credit_record;
    r ptx.credit_record;
    k ptx.credit_kind;
    others int := -1;
BEGIN
    FOR c IN SELECT * FROM ptx.credit_restrictions(subject_kind, subject_id, at_date) LOOP
        IF others < 0 THEN
            r := c;
        END IF;
        others := others + 1;
    END LOOP;
    IF others < 0 THEN
        RETURN;
    END IF;
    SELECT * INTO k FROM ptx.credit_kind ck WHERE ck.code = r.kind;
    -- the parts of the detail that depend on the record are messages of
    -- their own, in the session's language
    PERFORM ptx.raise(CASE subject_kind WHEN 'org' THEN 'credit.restricted_org' ELSE 'credit.restricted_expert' END,
                      subject_id::text, r.subject_name, at_date::text,
                      CASE acting_as
                          WHEN 'bidder' THEN ptx.message_text('credit.acting_as.bidder')
                          WHEN 'agency' THEN ptx.message_text('credit.acting_as.agency')
                          WHEN 'expert' THEN ptx.message_text('credit.acting_as.expert')
                          WHEN 'contract party (tenderee)' THEN ptx.message_text('credit.acting_as.contract_tenderee')
                          WHEN 'contract party (supplier)' THEN ptx.message_text('credit.acting_as.contract_supplier')
                          ELSE COALESCE(acting_as, '<NULL>') END,
                      r.id::text, k.name_zh,
                      CASE WHEN r.source IS NOT NULL THEN ptx.message_text('credit.restricted_source', r.source) ELSE '' END,
                      r.valid_from::text,
                      CASE WHEN r.valid_to IS NULL THEN ptx.message_text('credit.restricted_until_revoked')
                           ELSE ptx.message_text('credit.restricted_to', r.valid_to::text) END,
                      r.reason,
                      CASE others WHEN 0 THEN ''
                                  WHEN 1 THEN ptx.message_text('credit.restricted_one_more')
                                  ELSE ptx.message_text('credit.restricted_more', others::text) END);
END
$$;
COMMENT ON FUNCTION ptx.assert_not_restricted(text, bigint, text, date) IS
    'raise PX006, naming the restricting record, when a subject is credit-restricted on a date';

------------------------------------------------------------------------
-- The API.
------------------------------------------------------------------------
CREATE FUNCTION ptx.add_credit_record(subject_kind text, subject_id bigint, kind text, reason text,
                                      valid_from date, valid_to date DEFAULT NULL,
                                      source text DEFAULT NULL, subject_name text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql
    BEGIN ATOMIC
        INSERT INTO ptx.credit_record (subject_kind, subject_id, subject_name, kind, reason,
                                       source, valid_from, valid_to)
        VALUES (add_credit_record.subject_kind, add_credit_record.subject_id,
                add_credit_record.subject_name, add_credit_record.kind,
                add_credit_record.reason, add_credit_record.source,
                add_credit_record.valid_from, add_credit_record.valid_to)
        RETURNING id;
    END;
COMMENT ON FUNCTION ptx.add_credit_record(text, bigint, text, text, date, date, text, text) IS
    'record a credit restriction on an organisation or expert; returns the record id';

CREATE FUNCTION ptx.revoke_credit_record(id bigint, reason text) RETURNS bigint
    LANGUAGE sql
    BEGIN ATOMIC
        INSERT INTO ptx.credit_revocation (record_id, reason, effective_on)
        VALUES (revoke_credit_record.id, revoke_credit_record.reason, ptx.today())
        RETURNING id;
    END;
COMMENT ON FUNCTION ptx.revoke_credit_record(bigint, text) IS
    'revoke (撤销) a credit record from today; the revocation is itself a record, whose id is returned';

GRANT SELECT ON ptx.credit_kind, ptx.credit_record, ptx.credit_revocation
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT INSERT, UPDATE ON ptx.credit_kind TO ptx_admin;
GRANT INSERT ON ptx.credit_record, ptx.credit_revocation TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.credit_in_force(ptx.credit_record, date),
    ptx.credit_restrictions(text, bigint, date), ptx.is_restricted(text, bigint, date),
    ptx.restricted_subjects(text, date), ptx.assert_not_restricted(text, bigint, text, date)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.credit_subject_name(text, bigint),
    ptx.add_credit_record(text, bigint, text, text, date, date, text, text),
    ptx.revoke_credit_record(bigint, text)
    TO ptx_admin, ptx_supervisor;
