-- Register of policy documents (制度文件清理, R10; notice §10): the
-- region's trading rules with their status, valid, revised (修订) or
-- repealed (废止), and the list of valid ones, which is public
-- (ptx_public.valid_policy_documents, 80_disclosure.sql).
--
-- A document is registered once and never changed.  Its status changes
-- are new records in ptx.policy_document_change, dated, with the reason
-- and the document that made the change: a revision is registered as a
-- new document naming the one it revises, which the register marks as
-- revised from the day the new one takes effect.  Revised and repealed
-- are final: a document is changed at most once.

CREATE TABLE ptx.policy_document (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number       text NOT NULL UNIQUE CHECK (pg_catalog.btrim(number) <> ''),
    title        text NOT NULL CHECK (pg_catalog.btrim(title) <> ''),
    issuer       text NOT NULL CHECK (pg_catalog.btrim(issuer) <> ''),
    region       text NOT NULL REFERENCES ptx.region (code),
    issued_on    date NOT NULL,
    effective_on date NOT NULL,
    revises      bigint REFERENCES ptx.policy_document (id),
    recorded_at  timestamptz NOT NULL DEFAULT ptx.now(),
    recorded_by  text NOT NULL DEFAULT session_user,
    CONSTRAINT policy_document_effective_after_issue CHECK (effective_on >= issued_on)
);
COMMENT ON TABLE ptx.policy_document IS 'policy documents on public resource trading (公共资源交易制度文件) issued in a region';
COMMENT ON COLUMN ptx.policy_document.number IS 'document number (文号), e.g. 内政办发〔2018〕67号';
COMMENT ON COLUMN ptx.policy_document.issuer IS 'issuing authority (制定机关); 谁制定、谁清理';
COMMENT ON COLUMN ptx.policy_document.effective_on IS 'first day in force (施行日期)';
COMMENT ON COLUMN ptx.policy_document.revises IS 'the document this one revises (修订), which stops being valid when this one takes effect';
SELECT pg_catalog.pg_extension_config_dump('ptx.policy_document', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.policy_document', 'id'), '');

CREATE TABLE ptx.policy_document_change (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id    bigint NOT NULL UNIQUE REFERENCES ptx.policy_document (id),
    status         text NOT NULL CHECK (status IN ('revised', 'repealed')),
    effective_on   date NOT NULL,
    reason         text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    by_document_id bigint REFERENCES ptx.policy_document (id),
    recorded_at    timestamptz NOT NULL DEFAULT ptx.now(),
    recorded_by    text NOT NULL DEFAULT session_user,
    CONSTRAINT policy_document_change_revision_named CHECK (status <> 'revised' OR by_document_id IS NOT NULL)
);
COMMENT ON TABLE ptx.policy_document_change IS 'status changes of policy documents: revised (修订) or repealed (废止), from a date';
COMMENT ON COLUMN ptx.policy_document_change.by_document_id IS 'the revising document, or the decision that repeals (optional for a repeal)';
SELECT pg_catalog.pg_extension_config_dump('ptx.policy_document_change', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.policy_document_change', 'id'), '');

CREATE FUNCTION ptx.policy_document_status(document_id bigint, at_date date DEFAULT ptx.today())
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT CASE WHEN c.effective_on <= at_date THEN c.status
                    WHEN d.effective_on > at_date THEN 'pending'
                    ELSE 'valid' END
          FROM ptx.policy_document d
          LEFT JOIN ptx.policy_document_change c ON c.document_id = d.id
         WHERE d.id = policy_document_status.document_id;
    END;
COMMENT ON FUNCTION ptx.policy_document_status(bigint, date) IS
    'status of a policy document on a date: valid, revised, repealed, or pending (issued, not yet in force); NULL for an unknown id';

CREATE FUNCTION ptx.policy_document_change_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d ptx.policy_document;
    earlier ptx.policy_document_change;
BEGIN
    SELECT * INTO d FROM ptx.policy_document p WHERE p.id = NEW.document_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('policy_documents.missing', COALESCE(NEW.document_id::text, 'NULL'));
    END IF;
    SELECT * INTO earlier FROM ptx.policy_document_change c WHERE c.document_id = NEW.document_id;
    IF FOUND THEN
        PERFORM ptx.raise(CASE earlier.status WHEN 'revised' THEN 'policy_documents.already_revised'
                                              ELSE 'policy_documents.already_repealed' END,
                          d.id::text, d.number, earlier.effective_on::text, earlier.reason);
    END IF;
    IF NULLIF(pg_catalog.btrim(NEW.reason), '') IS NULL THEN
        PERFORM ptx.raise('policy_documents.change_no_reason', d.id::text, d.number);
    END IF;
    IF NEW.effective_on < d.issued_on THEN
        PERFORM ptx.raise(CASE NEW.status WHEN 'revised' THEN 'policy_documents.revised_before_issue'
                                          WHEN 'repealed' THEN 'policy_documents.repealed_before_issue'
                                          ELSE 'policy_documents.changed_before_issue' END,
                          d.id::text, d.number, d.issued_on::text, NEW.effective_on::text,
                          COALESCE(NEW.status, '<NULL>'));
    END IF;
    IF NEW.by_document_id = NEW.document_id THEN
        PERFORM ptx.raise('policy_documents.changes_itself', d.id::text, d.number);
    END IF;
    NEW.recorded_at := ptx.now();
    NEW.recorded_by := session_user;
    RETURN NEW;
END
$$;
CREATE TRIGGER policy_document_change_before_insert BEFORE INSERT ON ptx.policy_document_change
    FOR EACH ROW EXECUTE FUNCTION ptx.policy_document_change_before_insert();

CREATE FUNCTION ptx.policy_document_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NULLIF(pg_catalog.btrim(NEW.number), '') IS NULL OR NULLIF(pg_catalog.btrim(NEW.title), '') IS NULL
       OR NULLIF(pg_catalog.btrim(NEW.issuer), '') IS NULL OR NEW.issued_on IS NULL THEN
        PERFORM ptx.raise('policy_documents.incomplete',
                          COALESCE(NULLIF(pg_catalog.btrim(NEW.number), ''), NEW.title, '(no number)'));
    END IF;
    NEW.effective_on := COALESCE(NEW.effective_on, NEW.issued_on);
    IF NEW.effective_on < NEW.issued_on THEN
        PERFORM ptx.raise('policy_documents.effective_before_issue', NEW.number, NEW.issued_on::text,
                          NEW.effective_on::text);
    END IF;
    NEW.recorded_at := ptx.now();
    NEW.recorded_by := session_user;
    RETURN NEW;
END
$$;
CREATE TRIGGER policy_document_before_insert BEFORE INSERT ON ptx.policy_document
    FOR EACH ROW EXECUTE FUNCTION ptx.policy_document_before_insert();

-- A revision marks the document it revises, in the same statement.
CREATE FUNCTION ptx.policy_document_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO ptx.policy_document_change (document_id, status, effective_on, reason, by_document_id)
    VALUES (NEW.revises, 'revised', NEW.effective_on,
            pg_catalog.format('revised by %s %s', NEW.number, NEW.title), NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER policy_document_after_insert AFTER INSERT ON ptx.policy_document
    FOR EACH ROW WHEN (NEW.revises IS NOT NULL)
    EXECUTE FUNCTION ptx.policy_document_after_insert();

CREATE TRIGGER policy_document_append_only BEFORE UPDATE OR DELETE ON ptx.policy_document
    FOR EACH ROW EXECUTE FUNCTION ptx.append_only('Register a revision with ptx.add_policy_document(..., revises => id), or repeal with ptx.repeal_policy_document.');
CREATE TRIGGER policy_document_no_truncate BEFORE TRUNCATE ON ptx.policy_document
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.append_only('Register a revision with ptx.add_policy_document(..., revises => id), or repeal with ptx.repeal_policy_document.');
CREATE TRIGGER policy_document_change_append_only BEFORE UPDATE OR DELETE ON ptx.policy_document_change
    FOR EACH ROW EXECUTE FUNCTION ptx.append_only('Status changes are final.');
CREATE TRIGGER policy_document_change_no_truncate BEFORE TRUNCATE ON ptx.policy_document_change
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.append_only('Status changes are final.');

CREATE FUNCTION ptx.add_policy_document(number text, title text, issuer text, region text,
                                        issued_on date, effective_on date DEFAULT NULL,
                                        revises bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE sql
    BEGIN ATOMIC
        INSERT INTO ptx.policy_document (number, title, issuer, region, issued_on, effective_on, revises)
        VALUES (add_policy_document.number, add_policy_document.title, add_policy_document.issuer,
                add_policy_document.region, add_policy_document.issued_on,
                add_policy_document.effective_on, add_policy_document.revises)
        RETURNING id;
    END;
COMMENT ON FUNCTION ptx.add_policy_document(text, text, text, text, date, date, bigint) IS
    'register a policy document (effective_on defaults to issued_on); with revises, the revised document stops being valid when this one takes effect';

CREATE FUNCTION ptx.repeal_policy_document(id bigint, reason text,
                                           effective_on date DEFAULT ptx.today(),
                                           by_document bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE sql
    BEGIN ATOMIC
        INSERT INTO ptx.policy_document_change (document_id, status, effective_on, reason, by_document_id)
        VALUES (repeal_policy_document.id, 'repealed', repeal_policy_document.effective_on,
                repeal_policy_document.reason, repeal_policy_document.by_document)
        RETURNING id;
    END;
COMMENT ON FUNCTION ptx.repeal_policy_document(bigint, text, date, bigint) IS
    'repeal (废止) a policy document from a date, optionally naming the repealing decision; returns the change id';

GRANT SELECT ON ptx.policy_document, ptx.policy_document_change
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT INSERT ON ptx.policy_document, ptx.policy_document_change TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.policy_document_status(bigint, date)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.add_policy_document(text, text, text, text, date, date, bigint),
    ptx.repeal_policy_document(bigint, text, date, bigint)
    TO ptx_admin, ptx_supervisor;
