-- The expert database (评标专家库, R5): experts with their specialty codes,
-- employer, region, title, training certificate and status; declared
-- relations with organisations (for recusal, 回避); penalties.  Personal
-- data (resident ID numbers, phones) is kept only as a keyed hash and
-- pgcrypto ciphertext: see 62_experts_personal_data.sql.  src/experts.c.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('expert.min_practice_years', 8, 'years',
   '招标投标法 §37; 评标专家和评标专家库管理暂行办法 §7',
   'an expert is qualified with at least this many years in the field (a recorded number below it makes the expert ineligible)'),
  ('expert.min_title_rank', 3, 'rank',
   '招标投标法 §37 (高级职称或者具有同等专业水平)',
   'an expert is qualified with a title of at least this rank: 4 senior 正高级, 3 associate senior 副高级 or equivalent 同等专业水平, 2 intermediate 中级, 1 junior 初级'),
  ('expert.recusal_years', 3, 'years',
   '政府采购法实施条例 §9; 招标投标法实施条例 §46',
   'an expert is recused who was employed by, a director or supervisor of, or a controller of a party within this many years before the evaluation');

------------------------------------------------------------------------
-- Specialty codes (评标专家专业分类标准).
------------------------------------------------------------------------
CREATE FUNCTION ptx.specialty_code_valid(text) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_specialty_code_valid';
COMMENT ON FUNCTION ptx.specialty_code_valid(text) IS
    'true when a text is a specialty code of the national classification: A, B or C and one to three levels of two digits (A08, A0801, A080101)';

CREATE FUNCTION ptx.check_specialty_codes(text[]) RETURNS boolean
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_check_specialty_codes';
COMMENT ON FUNCTION ptx.check_specialty_codes(text[]) IS
    'true for a non-empty list of valid specialty codes, else error PX010';

CREATE FUNCTION ptx.specialty_prefixes(text[]) RETURNS text[]
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_specialty_prefixes';
COMMENT ON FUNCTION ptx.specialty_prefixes(text[]) IS
    'every level of every code, sorted: {A080101} → {A08, A0801, A080101}; a need is met by an expert whose prefixes contain it';

CREATE FUNCTION ptx.expert_title_rank(title text) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE title WHEN 'senior' THEN 4 WHEN 'associate_senior' THEN 3 WHEN 'equivalent' THEN 3
                      WHEN 'intermediate' THEN 2 WHEN 'junior' THEN 1 END;
COMMENT ON FUNCTION ptx.expert_title_rank(text) IS
    'rank of a professional title (职称): senior 正高级 4, associate_senior 副高级 3, equivalent 同等专业水平 3, intermediate 中级 2, junior 初级 1';

------------------------------------------------------------------------
-- Experts.
------------------------------------------------------------------------
CREATE TABLE ptx.expert (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text NOT NULL CHECK (pg_catalog.btrim(name) <> ''),
    id_number_hash      bytea NOT NULL,
    id_number_cipher    bytea NOT NULL,
    phone_hash          bytea,
    phone_cipher        bytea,
    employer_id         bigint REFERENCES ptx.org (id),
    region              text NOT NULL REFERENCES ptx.region (code),
    specialties         text[] NOT NULL CHECK (ptx.check_specialty_codes(specialties)),
    specialty_prefixes  text[] GENERATED ALWAYS AS (ptx.specialty_prefixes(specialties)) STORED,
    title               text CHECK (title IN ('senior', 'associate_senior', 'equivalent', 'intermediate', 'junior')),
    practice_years      int CHECK (practice_years BETWEEN 0 AND 80),
    trained_until       date,
    status              text NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'suspended', 'dismissed')),
    suspended_until     date,
    registered_at       timestamptz NOT NULL DEFAULT ptx.now(),
    CONSTRAINT expert_id_number_unique UNIQUE (id_number_hash),
    CONSTRAINT expert_suspension_check CHECK ((status = 'suspended') = (suspended_until IS NOT NULL)),
    CONSTRAINT expert_phone_check CHECK ((phone_hash IS NULL) = (phone_cipher IS NULL))
);
COMMENT ON TABLE ptx.expert IS 'evaluation experts (评标专家) of the expert database (专家库)';
COMMENT ON COLUMN ptx.expert.id_number_hash IS 'HMAC-SHA-256 of the resident ID number (公民身份号码) under the personal data key: finds duplicates, reveals nothing';
COMMENT ON COLUMN ptx.expert.id_number_cipher IS 'the resident ID number encrypted with pgcrypto under the personal data key';
COMMENT ON COLUMN ptx.expert.specialties IS 'codes of the national classification (评标专家专业分类标准) the expert holds';
COMMENT ON COLUMN ptx.expert.specialty_prefixes IS 'every level of every code: a need for a code is met by the experts whose prefixes hold it';
COMMENT ON COLUMN ptx.expert.title IS 'professional title (职称): senior, associate_senior, equivalent, intermediate, junior; NULL when not recorded';
COMMENT ON COLUMN ptx.expert.practice_years IS 'years of work in the field; NULL when not recorded';
COMMENT ON COLUMN ptx.expert.trained_until IS 'expiry of the training certificate (培训合格证, 先培训后上岗); NULL when not trained';
COMMENT ON COLUMN ptx.expert.status IS 'active, suspended (until suspended_until, 暂停) or dismissed (清退); changed only through ptx.expert_status_event';
CREATE INDEX expert_employer_idx ON ptx.expert (employer_id);
CREATE INDEX expert_phone_hash_idx ON ptx.expert (phone_hash);
SELECT pg_catalog.pg_extension_config_dump('ptx.expert', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.expert', 'id'), '');

------------------------------------------------------------------------
-- Status history (动态管理): every change of status is an event; the
-- expert's status follows the latest event.  Dismissal (清退) is final.
------------------------------------------------------------------------
CREATE TABLE ptx.expert_status_event (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    expert_id       bigint NOT NULL REFERENCES ptx.expert (id),
    status          text NOT NULL CHECK (status IN ('active', 'suspended', 'dismissed')),
    suspended_until date,
    reason          text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    decided_by      text NOT NULL DEFAULT session_user,
    decided_at      timestamptz NOT NULL DEFAULT ptx.now(),
    CHECK ((status = 'suspended') = (suspended_until IS NOT NULL))
);
COMMENT ON TABLE ptx.expert_status_event IS 'history of experts'' status: suspension (暂停), dismissal (清退), reinstatement';
CREATE INDEX expert_status_event_expert_idx ON ptx.expert_status_event (expert_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.expert_status_event', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.expert_status_event', 'id'), '');

CREATE FUNCTION ptx.expert_status_event_apply() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cur ptx.expert;
BEGIN
    SELECT * INTO cur FROM ptx.expert e WHERE e.id = NEW.expert_id FOR UPDATE;
    IF cur.status = 'dismissed' THEN
        PERFORM ptx.raise('experts.dismissed', NEW.expert_id::text);
    END IF;
    IF NEW.status = 'suspended' AND NEW.suspended_until < ptx.today() THEN
        PERFORM ptx.raise('experts.suspension_in_past', NEW.expert_id::text, NEW.suspended_until::text,
                          ptx.today()::text);
    END IF;
    UPDATE ptx.expert e
       SET status = NEW.status, suspended_until = NEW.suspended_until
     WHERE e.id = NEW.expert_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER expert_status_event_apply BEFORE INSERT ON ptx.expert_status_event
    FOR EACH ROW EXECUTE FUNCTION ptx.expert_status_event_apply();

CREATE FUNCTION ptx.expert_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'active' THEN
            PERFORM ptx.raise('experts.new_not_active');
        END IF;
    ELSIF (NEW.status IS DISTINCT FROM OLD.status OR NEW.suspended_until IS DISTINCT FROM OLD.suspended_until)
          AND pg_trigger_depth() < 2 THEN
        PERFORM ptx.raise('experts.status_outside_history', OLD.id::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER expert_before_write BEFORE INSERT OR UPDATE ON ptx.expert
    FOR EACH ROW EXECUTE FUNCTION ptx.expert_before_write();

------------------------------------------------------------------------
-- The roster: what a draw reads of each expert, one row per level of each
-- of the expert's codes, under a covering index, so that the experts of a
-- specialty are one index-only range scan, already sorted by id.  Derived
-- from ptx.expert by the trigger below; in ptx_private (no role reads it,
-- the ledger does not copy it: it holds nothing that ptx.expert does not).
------------------------------------------------------------------------
CREATE SCHEMA ptx_private;
COMMENT ON SCHEMA ptx_private IS 'ptx: internal data readable only by the extension''s owner (keys, derived indexes)';
REVOKE ALL ON SCHEMA ptx_private FROM PUBLIC;

CREATE TABLE ptx_private.expert_roster (
    code            text NOT NULL,
    expert_id       bigint NOT NULL,
    employer_id     bigint,
    region          text NOT NULL,
    status          text NOT NULL,
    suspended_until date,
    trained_until   date,
    practice_years  int,
    title           text,
    CONSTRAINT expert_roster_pkey PRIMARY KEY (code, expert_id)
        INCLUDE (employer_id, region, status, suspended_until, trained_until, practice_years, title)
);
COMMENT ON TABLE ptx_private.expert_roster IS 'experts by specialty prefix with what a draw filters on, kept from ptx.expert';
CREATE INDEX expert_roster_expert_idx ON ptx_private.expert_roster (expert_id);
SELECT pg_catalog.pg_extension_config_dump('ptx_private.expert_roster', '');
REVOKE ALL ON TABLE ptx_private.expert_roster FROM PUBLIC;

CREATE FUNCTION ptx.expert_roster_sync() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM ptx_private.expert_roster r WHERE r.expert_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO ptx_private.expert_roster (code, expert_id, employer_id, region, status, suspended_until,
                                               trained_until, practice_years, title)
        SELECT c, NEW.id, NEW.employer_id, NEW.region, NEW.status, NEW.suspended_until,
               NEW.trained_until, NEW.practice_years, NEW.title
          FROM unnest(NEW.specialty_prefixes) c;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER expert_roster_sync_insert AFTER INSERT OR DELETE ON ptx.expert
    FOR EACH ROW EXECUTE FUNCTION ptx.expert_roster_sync();
CREATE TRIGGER expert_roster_sync_update AFTER UPDATE ON ptx.expert
    FOR EACH ROW
    WHEN ((OLD.specialties, OLD.employer_id, OLD.region, OLD.status, OLD.suspended_until, OLD.trained_until,
           OLD.practice_years, OLD.title)
          IS DISTINCT FROM
          (NEW.specialties, NEW.employer_id, NEW.region, NEW.status, NEW.suspended_until, NEW.trained_until,
           NEW.practice_years, NEW.title))
    EXECUTE FUNCTION ptx.expert_roster_sync();

------------------------------------------------------------------------
-- Declared relations (利害关系) with organisations, for recusal (回避).
-- The employer is an employee relation kept by the expert's row.
------------------------------------------------------------------------
CREATE TABLE ptx.expert_relation (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    expert_id   bigint NOT NULL REFERENCES ptx.expert (id),
    org_id      bigint NOT NULL REFERENCES ptx.org (id),
    kind        text NOT NULL CHECK (kind IN ('employee', 'director', 'controller', 'relative',
                                              'supervisor_staff', 'other')),
    valid_from  date,
    valid_to    date,
    source      text NOT NULL DEFAULT 'declared' CHECK (source IN ('declared', 'employer')),
    declared_by text NOT NULL DEFAULT session_user,
    declared_at timestamptz NOT NULL DEFAULT ptx.now(),
    CONSTRAINT expert_relation_period_check CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);
COMMENT ON TABLE ptx.expert_relation IS 'relations of experts with organisations (任职, 董事监事, 控股或实际控制, 近亲属, 监管部门工作人员, 其他利害关系), for recusal';
COMMENT ON COLUMN ptx.expert_relation.kind IS
    'employee (任职), director (董事、监事), controller (控股股东或实际控制人), relative (与其法定代表人或负责人有近亲属关系), supervisor_staff (监管部门工作人员), other (其他利害关系)';
COMMENT ON COLUMN ptx.expert_relation.valid_to IS 'last day of the relation; NULL while it lasts';
COMMENT ON COLUMN ptx.expert_relation.source IS 'declared, or employer when kept from the expert''s employer';
-- covering: the recusal of a draw reads only this index
CREATE INDEX expert_relation_org_idx ON ptx.expert_relation (org_id)
    INCLUDE (expert_id, kind, valid_from, valid_to);
CREATE INDEX expert_relation_expert_idx ON ptx.expert_relation (expert_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.expert_relation', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.expert_relation', 'id'), '');

-- The employer as an employee relation: opened when the expert is
-- registered or changes employer, closed the day before the change.
CREATE FUNCTION ptx.expert_employer_relation() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    today date := ptx.today();
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.employer_id IS NOT DISTINCT FROM OLD.employer_id THEN
            RETURN NULL;
        END IF;
        UPDATE ptx.expert_relation r
           SET valid_to = GREATEST(today - 1, COALESCE(r.valid_from, today - 1))
         WHERE r.expert_id = NEW.id AND r.source = 'employer' AND r.valid_to IS NULL;
    END IF;
    IF NEW.employer_id IS NOT NULL THEN
        INSERT INTO ptx.expert_relation (expert_id, org_id, kind, valid_from, source)
        VALUES (NEW.id, NEW.employer_id, 'employee',
                CASE WHEN TG_OP = 'UPDATE' THEN today END, 'employer');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER expert_employer_relation AFTER INSERT OR UPDATE OF employer_id ON ptx.expert
    FOR EACH ROW EXECUTE FUNCTION ptx.expert_employer_relation();

------------------------------------------------------------------------
-- Penalties for misconduct in tendering (受过行政处罚或刑事处罚): an expert
-- punished is never drawn again (评标委员会和评标方法暂行规定 §12).
------------------------------------------------------------------------
CREATE TABLE ptx.expert_penalty (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    expert_id   bigint NOT NULL REFERENCES ptx.expert (id),
    decided_on  date NOT NULL,
    authority   text,
    reason      text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    recorded_by text NOT NULL DEFAULT session_user,
    recorded_at timestamptz NOT NULL DEFAULT ptx.now()
);
COMMENT ON TABLE ptx.expert_penalty IS 'administrative or criminal penalties of experts for misconduct in tendering; a punished expert is recused from every draw';
CREATE INDEX expert_penalty_expert_idx ON ptx.expert_penalty (expert_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.expert_penalty', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.expert_penalty', 'id'), '');

------------------------------------------------------------------------
-- The API.
------------------------------------------------------------------------
CREATE FUNCTION ptx.add_expert_relation(expert_id bigint, org_id bigint, kind text,
                                        valid_from date DEFAULT NULL, valid_to date DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    IF kind IS NULL OR kind NOT IN ('employee', 'director', 'controller', 'relative', 'supervisor_staff', 'other') THEN
        PERFORM ptx.raise('experts.invalid_relation_kind', COALESCE(kind, '<NULL>'));
    END IF;
    IF valid_from > valid_to THEN
        PERFORM ptx.raise('experts.relation_ends_before_start', valid_to::text, valid_from::text);
    END IF;
    INSERT INTO ptx.expert_relation AS r (expert_id, org_id, kind, valid_from, valid_to)
    VALUES (add_expert_relation.expert_id, add_expert_relation.org_id, add_expert_relation.kind,
            add_expert_relation.valid_from, add_expert_relation.valid_to)
    RETURNING r.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.add_expert_relation(bigint, bigint, text, date, date) IS
    'declare a relation of an expert with an organisation (employment with its dates, directorship, control, relative, supervisory staff, other interest); returns its id';

CREATE FUNCTION ptx.set_expert_status(expert_id bigint, status text, suspended_until date, reason text)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    PERFORM ptx.check_region_supervisor('expert_' || COALESCE(status, 'status'), (SELECT e.region FROM ptx.expert e WHERE e.id = set_expert_status.expert_id), pg_catalog.jsonb_build_object('expert', expert_id));
    IF NOT EXISTS (SELECT 1 FROM ptx.expert e WHERE e.id = set_expert_status.expert_id) THEN
        PERFORM ptx.raise('experts.not_found', COALESCE(expert_id::text, '<NULL>'));
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        PERFORM ptx.raise('experts.status_reason_missing');
    END IF;
    INSERT INTO ptx.expert_status_event AS s (expert_id, status, suspended_until, reason)
    VALUES (set_expert_status.expert_id, set_expert_status.status,
            set_expert_status.suspended_until, set_expert_status.reason)
    RETURNING s.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.set_expert_status(bigint, text, date, text) IS
    'record a change of an expert''s status with its reason (internal; see suspend, dismiss, reinstate)';

CREATE FUNCTION ptx.suspend_expert(expert_id bigint, until date, reason text) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    RETURN ptx.set_expert_status(expert_id, 'suspended', until, reason);
COMMENT ON FUNCTION ptx.suspend_expert(bigint, date, text) IS
    'suspend an expert (暂停) until a date, with a reason; the expert is drawn again from the day after';

CREATE FUNCTION ptx.dismiss_expert(expert_id bigint, reason text) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    RETURN ptx.set_expert_status(expert_id, 'dismissed', NULL, reason);
COMMENT ON FUNCTION ptx.dismiss_expert(bigint, text) IS
    'dismiss an expert from the database (清退), for good; the history is kept';

CREATE FUNCTION ptx.reinstate_expert(expert_id bigint, reason text) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    RETURN ptx.set_expert_status(expert_id, 'active', NULL, reason);
COMMENT ON FUNCTION ptx.reinstate_expert(bigint, text) IS
    'end an expert''s suspension before its date, with a reason';

CREATE FUNCTION ptx.record_expert_penalty(expert_id bigint, decided_on date, reason text,
                                          authority text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    PERFORM ptx.check_region_supervisor('record_expert_penalty', (SELECT e.region FROM ptx.expert e WHERE e.id = record_expert_penalty.expert_id), pg_catalog.jsonb_build_object('expert', expert_id));
    INSERT INTO ptx.expert_penalty AS p (expert_id, decided_on, authority, reason)
    VALUES (record_expert_penalty.expert_id, record_expert_penalty.decided_on,
            record_expert_penalty.authority, record_expert_penalty.reason)
    RETURNING p.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.record_expert_penalty(bigint, date, text, text) IS
    'record a penalty of an expert for misconduct in tendering; from its date the expert is recused from every draw';

CREATE FUNCTION ptx.expert_mask_name(name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.left(name, 1) || pg_catalog.repeat('*', GREATEST(pg_catalog.length(name) - 1, 1));
COMMENT ON FUNCTION ptx.expert_mask_name(text) IS 'a name for publication: its first character, the rest masked (张三丰 → 张**)';

GRANT SELECT (id, name, employer_id, region, specialties, specialty_prefixes, title, practice_years,
              trained_until, status, suspended_until, registered_at)
    ON ptx.expert TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT SELECT ON ptx.expert_status_event, ptx.expert_relation, ptx.expert_penalty
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.specialty_code_valid(text), ptx.check_specialty_codes(text[]),
    ptx.specialty_prefixes(text[]), ptx.expert_title_rank(text), ptx.expert_mask_name(text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.add_expert_relation(bigint, bigint, text, date, date)
    TO ptx_admin, ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.suspend_expert(bigint, date, text), ptx.dismiss_expert(bigint, text),
    ptx.reinstate_expert(bigint, text), ptx.record_expert_penalty(bigint, date, text, text)
    TO ptx_admin, ptx_supervisor;
