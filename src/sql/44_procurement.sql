-- Rules of the tender documents and of government procurement that the
-- lifecycle's machine does not keep itself (R4, R11, R12):
--
-- * clarifications and amendments of the documents (澄清或者修改, 招标投标法
--   §23, 招标投标法实施条例 §21; 财政部令第87号 §27, 第74号 §29, §45,
--   财库〔2014〕214号 §10): recorded, public, and moving the bid deadline
--   so that the least period after them is kept;
-- * no bid while an objection or complaint suspends the tender
--   (招标投标法实施条例 §22: 作出答复前，应当暂停招标投标活动);
-- * the flag of a procurement that is technically complex, highly
--   specialised or of great social impact, whose committee has 7+
--   members (财政部令第87号 §47; the check is in 64_committee.sql).
--
-- Trading methods and their periods are in 43_lifecycle.sql, the
-- procurement challenge (质疑) and complaint clocks in 45_objections.sql.

------------------------------------------------------------------------
-- Complex procurement (87号令 §47).
------------------------------------------------------------------------
CREATE FUNCTION ptx.mark_complex(project_id bigint, complex boolean DEFAULT true) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF complex IS NULL THEN
        PERFORM ptx.raise('procurement.complex_null');
    END IF;
    UPDATE ptx.project p SET complex = mark_complex.complex WHERE p.id = mark_complex.project_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('procurement.no_project', COALESCE(project_id::text, 'NULL'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.mark_complex(bigint, boolean) IS
    'mark a procurement technically complex, highly specialised or of great social impact: its committee needs committee.procurement_large_min_members (财政部令第87号 §47)';

------------------------------------------------------------------------
-- No bids while suspended (招标投标法实施条例 §22, §54; 政府采购法 §57).
-- Fires after bid_before_write, which reports the state and the deadline.
------------------------------------------------------------------------
CREATE FUNCTION ptx.bid_not_suspended() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    o ptx.objection;
    c ptx.complaint;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.sealed IS NOT DISTINCT FROM OLD.sealed THEN
        RETURN NEW;                  -- not a new bid: opening, return, rejection
    END IF;
    SELECT * INTO o FROM ptx.objection x
     WHERE x.project_id = NEW.project_id AND x.answered_at IS NULL AND x.suspends
     ORDER BY x.filed_at, x.id LIMIT 1;
    IF FOUND THEN
        PERFORM ptx.raise('procurement.suspended_objection',
                          (SELECT p.code FROM ptx.project p WHERE p.id = NEW.project_id), o.id::text,
                          o.stage, ptx.local_date(o.filed_at)::text);
    END IF;
    SELECT * INTO c FROM ptx.complaint x
     WHERE x.project_id = NEW.project_id AND x.suspend AND x.decided_at IS NULL
     ORDER BY x.filed_at, x.id LIMIT 1;
    IF FOUND THEN
        PERFORM ptx.raise('procurement.suspended_complaint',
                          (SELECT p.code FROM ptx.project p WHERE p.id = NEW.project_id), c.id::text,
                          ptx.local_date(c.filed_at)::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER bid_not_suspended BEFORE INSERT OR UPDATE ON ptx.bid
    FOR EACH ROW EXECUTE FUNCTION ptx.bid_not_suspended();

------------------------------------------------------------------------
-- Clarifications and amendments of the documents (条例 §21).
------------------------------------------------------------------------
CREATE TABLE ptx.document_amendment (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES ptx.project (id),
    round           integer NOT NULL,
    summary         text NOT NULL CHECK (pg_catalog.btrim(summary) <> ''),
    issued_at       timestamptz NOT NULL,
    period_key      text NOT NULL,
    earliest_day    date NOT NULL,
    deadline_before timestamptz NOT NULL,
    deadline_after  timestamptz NOT NULL,
    moved           boolean NOT NULL,
    recorded_by     text NOT NULL DEFAULT session_user,
    CHECK (deadline_after >= deadline_before)
);
COMMENT ON TABLE ptx.document_amendment IS
    'clarifications and amendments of the tender documents (招标文件的澄清或者修改), with the bid deadline before and after';
COMMENT ON COLUMN ptx.document_amendment.period_key IS 'the policy setting of the least period between the amendment and the deadline';
COMMENT ON COLUMN ptx.document_amendment.earliest_day IS 'the first day the deadline may fall on after this amendment';
COMMENT ON COLUMN ptx.document_amendment.moved IS 'true when the deadline was moved to keep the least period (条例 §21: 不足15日的，应当顺延)';
CREATE INDEX document_amendment_project_idx ON ptx.document_amendment (project_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.document_amendment', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.document_amendment', 'id'), '');

CREATE FUNCTION ptx.document_amendment_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.raise('procurement.amendment_record', TG_OP);
    RETURN NULL;
END
$$;
CREATE TRIGGER document_amendment_before_write BEFORE UPDATE OR DELETE ON ptx.document_amendment
    FOR EACH ROW EXECUTE FUNCTION ptx.document_amendment_before_write();
CREATE TRIGGER document_amendment_no_truncate BEFORE TRUNCATE ON ptx.document_amendment
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.document_amendment_before_write();

CREATE FUNCTION ptx.amend_documents(project_id bigint, summary text,
                                    new_deadline timestamptz DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    t timestamptz := ptx.now();
    key text;
    earliest date;
    deadline timestamptz;
    moved boolean := false;
    new_id bigint;
BEGIN
    IF project_id IS NULL THEN
        PERFORM ptx.raise('procurement.amend_no_project');
    END IF;
    PERFORM ptx.check_centre('amend_documents', project_id);
    p := ptx.project_lock(project_id);
    -- before the announcement, the prequalification documents (资格预审文件)
    -- while their applications are open (src/sql/45_prequalification.sql)
    IF p.state IN ('registered', 'failed') AND (ptx.open_prequalification(p.id)).project_id IS NOT NULL THEN
        RETURN ptx.amend_prequalification(p.id, summary, new_deadline);
    END IF;
    IF summary IS NULL OR pg_catalog.btrim(summary) = '' THEN
        PERFORM ptx.raise('procurement.amendment_summary', p.code);
    END IF;
    IF p.state <> 'announced' THEN
        PERFORM ptx.raise('procurement.amend_state', p.code, p.state::text);
    END IF;
    IF t >= p.bid_deadline THEN
        PERFORM ptx.raise('procurement.deadline_passed', p.code, p.bid_deadline::text);
    END IF;
    IF new_deadline IS NOT NULL AND NOT pg_catalog.isfinite(new_deadline) THEN
        PERFORM ptx.raise('procurement.bad_deadline', p.code, new_deadline::text);
    END IF;
    IF new_deadline < p.bid_deadline THEN
        PERFORM ptx.raise('procurement.deadline_forward', p.code, p.bid_deadline::text, new_deadline::text);
    END IF;
    deadline := COALESCE(new_deadline, p.bid_deadline);
    key := ptx.period_key('amendment.min_days', p.category, p.method);
    earliest := ptx.clock_date(ptx.local_date(t), key);
    IF ptx.local_date(deadline) < earliest THEN
        -- 不足15日的，应当顺延: the same hour, on the earliest day
        deadline := ((deadline AT TIME ZONE 'Asia/Shanghai')
                     + (earliest - ptx.local_date(deadline)) * interval '1 day') AT TIME ZONE 'Asia/Shanghai';
        moved := true;
    END IF;
    IF deadline <> p.bid_deadline THEN
        UPDATE ptx.project SET bid_deadline = deadline WHERE id = p.id;
    END IF;
    INSERT INTO ptx.document_amendment (project_id, round, summary, issued_at, period_key,
                                        earliest_day, deadline_before, deadline_after, moved)
    VALUES (p.id, p.round, summary, t, key, earliest, p.bid_deadline, deadline, moved)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.amend_documents(bigint, text, timestamptz) IS
    'clarify or amend the tender documents (条例 §21): recorded and public; a deadline closer than amendment.min_days (15 days; procurement methods their own) is moved to keep it';

CREATE VIEW ptx_public.document_amendment WITH (security_barrier = true) AS
SELECT a.id, p.code AS project_code, p.title AS project_title, a.round, a.summary,
       a.issued_at, a.deadline_before, a.deadline_after, a.moved
  FROM ptx.document_amendment a
  JOIN ptx.project p ON p.id = a.project_id;
COMMENT ON VIEW ptx_public.document_amendment IS
    'every clarification and amendment of tender documents (澄清或者修改), with the bid deadline before and after';

GRANT SELECT ON ptx.document_amendment TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT SELECT ON ptx_public.document_amendment
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor, ptx_public;
GRANT EXECUTE ON FUNCTION ptx.amend_documents(bigint, text, timestamptz),
    ptx.mark_complex(bigint, boolean)
    TO ptx_admin, ptx_operator;
