-- Objections (异议) to the tenderee and complaints (投诉) to the supervisory
-- department (R4; 招标投标法实施条例 §22, §44, §54, §60–§62).
--
-- An objection is filed at its stage: to the documents (招标文件) at least
-- objection.documents_days_before_deadline days before the bid deadline,
-- to the opening (开标) on the day of the opening, to the result (评标结果)
-- during the publicity of the candidates.  Until the tenderee answers, the
-- project is suspended: the lifecycle refuses its next step (PX011).
-- A complaint about those stages needs an objection first; it is filed
-- within complaint.file_days days of knowing, the days an objection waited
-- for its answer not counted; the department decides on acceptance within
-- complaint.accept_working_days working days and on the case within
-- complaint.decide_working_days working days of accepting it, and may
-- suspend the project meanwhile.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('objection.documents_days_before_deadline', 10, 'days', '招标投标法实施条例 §22',
   'an objection to the tender documents is filed at least this many days before the bid deadline'),
  ('objection.opening_days', 0, 'days', '招标投标法实施条例 §44',
   'days after the opening an objection to the opening may still be filed (0: at the opening, the same day)'),
  ('objection.answer_days', 3, 'days', '招标投标法实施条例 §22, §54',
   'days the tenderee has to answer an objection to the documents or the result'),
  ('objection.answer_days_opening', 0, 'days', '招标投标法实施条例 §44',
   'days the tenderee has to answer an objection to the opening (0: at the opening)'),
  ('complaint.file_days', 10, 'days', '招标投标法实施条例 §60',
   'days from knowing of the matter within which a complaint is filed (an objection''s waiting days not counted)'),
  ('complaint.accept_working_days', 3, 'working days', '招标投标法实施条例 §61',
   'working days the supervisory department has to decide whether it accepts a complaint'),
  ('complaint.decide_working_days', 30, 'working days', '招标投标法实施条例 §61',
   'working days from acceptance within which the department decides the complaint'),
  ('challenge.file_working_days', 7, 'working days', '政府采购法 §52; 政府采购质疑和投诉办法 (财政部令第94号) §10',
   'government procurement: working days from knowing of the matter within which a supplier challenges (质疑) in writing'),
  ('challenge.answer_working_days', 7, 'working days', '政府采购法 §53; 财政部令第94号 §13',
   'government procurement: working days from receiving a challenge within which the buyer or agency answers'),
  ('challenge.suspends', 0, 'boolean', '政府采购法 §52-§54, §57',
   '1: an unanswered challenge suspends the procurement; 0 (the law): it goes on, the finance department may suspend it on a complaint'),
  ('complaint.file_days.procurement', 15, 'working days', '政府采购法 §55; 财政部令第94号 §17',
   'government procurement: working days after the end of the challenge''s answer period within which the complaint (投诉) reaches the finance department'),
  ('complaint.accept_working_days.procurement', 5, 'working days', '财政部令第94号 §21',
   'government procurement: working days the finance department has to examine a complaint and decide on its acceptance'),
  ('complaint.decide_working_days.procurement', 30, 'working days', '政府采购法 §56; 财政部令第94号 §26',
   'government procurement: working days from receiving the complaint (not from accepting it) within which the department decides');

------------------------------------------------------------------------
-- Objections
------------------------------------------------------------------------
CREATE TABLE ptx.objection (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES ptx.project (id),
    round           integer NOT NULL,
    complainant_id  bigint NOT NULL REFERENCES ptx.org (id),
    stage           text NOT NULL CONSTRAINT objection_stage_check
                        CHECK (stage IN ('documents', 'opening', 'result', 'challenge')),
    body            text NOT NULL CHECK (pg_catalog.btrim(body) <> ''),
    filed_at        timestamptz NOT NULL DEFAULT ptx.now(),
    answer_due      date NOT NULL,
    answer          text,
    answered_at     timestamptz,
    answered_by     text,
    known_on        date,
    suspends        boolean NOT NULL DEFAULT true,
    upheld          boolean,
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
COMMENT ON COLUMN ptx.objection.known_on IS 'a challenge (质疑): the day the supplier knew or should have known of the matter';
COMMENT ON COLUMN ptx.objection.suspends IS 'whether the objection suspends the project until it is answered (a challenge only when challenge.suspends is 1)';
COMMENT ON COLUMN ptx.objection.upheld IS 'the answer found the objection well founded (异议成立); an upheld objection to the result sends the project back to evaluation';
COMMENT ON TABLE ptx.objection IS 'objections (异议) to the tenderee; an unanswered one suspends the project';
COMMENT ON COLUMN ptx.objection.stage IS 'documents (招标文件), opening (开标) or result (评标结果); challenge (质疑) in government procurement';
COMMENT ON COLUMN ptx.objection.answer_due IS 'last day for the answer';
CREATE INDEX objection_project_idx ON ptx.objection (project_id);
CREATE INDEX objection_pending_idx ON ptx.objection (project_id) WHERE answered_at IS NULL;
SELECT pg_catalog.pg_extension_config_dump('ptx.objection', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.objection', 'id'), '');

------------------------------------------------------------------------
-- Complaints
------------------------------------------------------------------------
CREATE TABLE ptx.complaint (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES ptx.project (id),
    round           integer NOT NULL,
    complainant_id  bigint NOT NULL REFERENCES ptx.org (id),
    supervisor_id   bigint NOT NULL REFERENCES ptx.org (id),
    stage           text NOT NULL CONSTRAINT complaint_stage_check
                        CHECK (stage IN ('documents', 'opening', 'result', 'challenge', 'other')),
    objection_id    bigint REFERENCES ptx.objection (id),
    body            text NOT NULL CHECK (pg_catalog.btrim(body) <> ''),
    known_on        date NOT NULL,
    filed_at        timestamptz NOT NULL DEFAULT ptx.now(),
    accept_due      date NOT NULL,
    accepted        boolean,
    accept_note     text,
    accepted_at     timestamptz,
    suspend         boolean NOT NULL DEFAULT false,
    decision_due    date,
    decision        text,
    decided_at      timestamptz,
    CHECK ((accepted IS NULL) = (accepted_at IS NULL)),
    CHECK (NOT suspend OR accepted),
    CHECK ((decision IS NULL) = (decided_at IS NULL)),
    CHECK (decided_at IS NULL OR accepted)
);
COMMENT ON TABLE ptx.complaint IS 'complaints (投诉) to the supervisory department of the project';
COMMENT ON COLUMN ptx.complaint.stage IS 'documents, opening or result (an objection must come first), challenge (a procurement challenge first, 政府采购法 §55), or other';
COMMENT ON COLUMN ptx.complaint.known_on IS 'the day the complainant knew or should have known of the matter';
COMMENT ON COLUMN ptx.complaint.accept_due IS 'last day to decide on acceptance (受理)';
COMMENT ON COLUMN ptx.complaint.suspend IS 'the department suspends the project until its decision (责令暂停)';
COMMENT ON COLUMN ptx.complaint.decision_due IS 'last day for the written decision (书面处理决定)';
CREATE INDEX complaint_project_idx ON ptx.complaint (project_id);
CREATE INDEX complaint_supervisor_idx ON ptx.complaint (supervisor_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.complaint', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.complaint', 'id'), '');

-- Suspension and resumption are steps of the project in ptx.transition.
CREATE FUNCTION ptx.project_blocked(project_id bigint) RETURNS boolean
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT EXISTS (SELECT 1 FROM ptx.objection o
                        WHERE o.project_id = project_blocked.project_id AND o.answered_at IS NULL
                          AND o.suspends)
            OR EXISTS (SELECT 1 FROM ptx.complaint c
                        WHERE c.project_id = project_blocked.project_id AND c.suspend
                          AND c.decided_at IS NULL);
    END;
COMMENT ON FUNCTION ptx.project_blocked(bigint) IS
    'true while an unanswered objection or a complaint under suspension holds the project';

CREATE FUNCTION ptx.record_suspension(project_id bigint, was_blocked boolean, reason text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    now_blocked boolean := ptx.project_blocked(project_id);
BEGIN
    IF now_blocked = was_blocked THEN
        RETURN;
    END IF;
    SELECT * INTO p FROM ptx.project WHERE id = record_suspension.project_id;
    INSERT INTO ptx.transition (project_id, round, from_state, to_state, reason)
    VALUES (p.id, p.round,
            CASE WHEN now_blocked THEN p.state ELSE 'suspended' END,
            CASE WHEN now_blocked THEN 'suspended' ELSE p.state END,
            reason);
END
$$;

CREATE FUNCTION ptx.objection_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    t timestamptz;
    today date;
    last_day date;
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM ptx.raise('objections.objection_record', OLD.id::text);
    END IF;
    -- The project row is share-locked, as by a bid: a step of the project
    -- and an objection to it are never decided on stale states.
    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('objections.objection_project_missing', COALESCE(NEW.project_id::text, '<NULL>'));
    END IF;

    IF TG_OP = 'UPDATE' THEN
        IF (NEW.id, NEW.project_id, NEW.round, NEW.complainant_id, NEW.stage, NEW.body,
            NEW.filed_at, NEW.answer_due, NEW.known_on, NEW.suspends)
           IS DISTINCT FROM
           (OLD.id, OLD.project_id, OLD.round, OLD.complainant_id, OLD.stage, OLD.body,
            OLD.filed_at, OLD.answer_due, OLD.known_on, OLD.suspends) THEN
            PERFORM ptx.raise('objections.objection_fixed', OLD.id::text);
        END IF;
        IF OLD.answered_at IS NOT NULL THEN
            PERFORM ptx.raise('objections.objection_answered', OLD.id::text, OLD.answered_at::text);
        END IF;
        IF pg_catalog.btrim(COALESCE(NEW.answer, '')) = '' THEN
            PERFORM ptx.raise('objections.objection_no_answer', OLD.id::text);
        END IF;
        NEW.answered_at := ptx.now();
        NEW.answered_by := session_user;
        RETURN NEW;
    END IF;

    t := ptx.receipt_time();
    today := ptx.local_date(t);
    IF NEW.stage IS NULL OR NEW.stage NOT IN ('documents', 'opening', 'result', 'challenge') THEN
        PERFORM ptx.raise('objections.objection_bad_stage', COALESCE(NEW.stage, 'NULL'));
    END IF;
    -- Government procurement has its own challenge (质疑, 政府采购法 §52-§54)
    -- instead of the tendering law's objections, and only there.
    IF (NEW.stage = 'challenge') <> (p.category = 'procurement') THEN
        PERFORM ptx.raise(CASE WHEN p.category = 'procurement' THEN 'objections.objection_stage_procurement'
                               ELSE 'objections.objection_stage_challenge' END,
                          p.code, p.category, NEW.stage);
    END IF;
    IF pg_catalog.btrim(COALESCE(NEW.body, '')) = '' THEN
        PERFORM ptx.raise('objections.objection_no_body', p.code);
    END IF;
    IF NEW.complainant_id = p.tenderee_id THEN
        PERFORM ptx.raise('objections.own_project', p.code);
    END IF;
    IF NEW.stage = 'documents' THEN
        IF p.announced_at IS NULL OR p.state IN ('failed', 'terminated') THEN
            PERFORM ptx.raise('objections.documents_wrong_state', p.code, p.state);
        END IF;
        last_day := ptx.local_date(p.bid_deadline)
                    - ptx.setting('objection.documents_days_before_deadline')::integer;
        IF today > last_day OR p.state <> 'announced' THEN
            PERFORM ptx.raise('objections.documents_late', p.code, ptx.local_date(p.bid_deadline)::text,
                              last_day::text, ptx.setting('objection.documents_days_before_deadline')::text,
                              today::text);
        END IF;
    ELSIF NEW.stage = 'opening' THEN
        IF p.opened_at IS NULL OR p.state IN ('failed', 'terminated') THEN
            PERFORM ptx.raise('objections.opening_wrong_state', p.code, p.state);
        END IF;
        last_day := ptx.clock_date(ptx.local_date(p.opened_at), 'objection.opening_days');
        IF today > last_day OR p.state <> 'opened' THEN
            PERFORM ptx.raise('objections.opening_late', p.code, ptx.local_date(p.opened_at)::text,
                              last_day::text, today::text);
        END IF;
    ELSIF NEW.stage = 'challenge' THEN
        IF p.announced_at IS NULL OR p.state IN ('closed', 'terminated') THEN
            PERFORM ptx.raise('objections.challenge_wrong_state', p.code, p.state);
        END IF;
        NEW.known_on := COALESCE(NEW.known_on, today);
        IF NEW.known_on > today THEN
            PERFORM ptx.raise('objections.challenge_future', p.code, NEW.known_on::text, today::text);
        END IF;
        last_day := ptx.clock_date(NEW.known_on, 'challenge.file_working_days');
        IF today > last_day THEN
            PERFORM ptx.raise('objections.challenge_late', p.code, NEW.known_on::text, last_day::text,
                              ptx.setting('challenge.file_working_days')::text, today::text);
        END IF;
    ELSIF p.publicity_until IS NULL OR p.state = 'terminated' THEN
        PERFORM ptx.raise('objections.result_wrong_state', p.code, p.state);
    ELSIF p.state <> 'publicity' OR t >= p.publicity_until THEN
        PERFORM ptx.raise('objections.result_late', p.code, p.publicity_from::text, p.publicity_until::text,
                          t::text);
    END IF;
    NEW.round := p.round;
    NEW.filed_at := t;
    NEW.answer_due := ptx.clock_date(today, CASE WHEN NEW.stage = 'opening'
                                                 THEN 'objection.answer_days_opening'
                                                 WHEN NEW.stage = 'challenge'
                                                 THEN 'challenge.answer_working_days'
                                                 ELSE 'objection.answer_days' END);
    NEW.suspends := NEW.stage <> 'challenge' OR ptx.setting('challenge.suspends') <> 0;
    IF NEW.stage <> 'challenge' THEN
        NEW.known_on := NULL;
    END IF;
    NEW.upheld := NULL;
    NEW.answer := NULL;
    NEW.answered_at := NULL;
    NEW.answered_by := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER objection_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.objection
    FOR EACH ROW EXECUTE FUNCTION ptx.objection_before_write();

CREATE FUNCTION ptx.objection_after_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- blocked before unless this objection is the only pending one
        PERFORM ptx.record_suspension(NEW.project_id,
            EXISTS (SELECT 1 FROM ptx.objection o
                     WHERE o.project_id = NEW.project_id AND o.answered_at IS NULL AND o.suspends
                       AND o.id <> NEW.id)
            OR EXISTS (SELECT 1 FROM ptx.complaint c
                        WHERE c.project_id = NEW.project_id AND c.suspend AND c.decided_at IS NULL),
            format('objection %s to the %s filed', NEW.id, NEW.stage));
    ELSE
        PERFORM ptx.record_suspension(NEW.project_id, NEW.suspends OR ptx.project_blocked(NEW.project_id),
            format('objection %s answered', NEW.id));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER objection_after_write AFTER INSERT OR UPDATE ON ptx.objection
    FOR EACH ROW EXECUTE FUNCTION ptx.objection_after_write();

CREATE FUNCTION ptx.file_objection(project_id bigint, complainant_id bigint, stage text, body text)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    PERFORM ptx.check_centre('file_objection', project_id);
    INSERT INTO ptx.objection (project_id, complainant_id, stage, body)
    VALUES (file_objection.project_id, file_objection.complainant_id, file_objection.stage,
            file_objection.body)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
CREATE FUNCTION ptx.file_challenge(project_id bigint, supplier_id bigint, body text,
                                   known_on date DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO ptx.objection (project_id, complainant_id, stage, body, known_on)
    VALUES (file_challenge.project_id, file_challenge.supplier_id, 'challenge',
            file_challenge.body, file_challenge.known_on)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.file_challenge(bigint, bigint, text, date) IS
    'a supplier''s written challenge (质疑) to a government procurement, within 7 working days of knowing (政府采购法 §52); answered within 7 working days (§53)';

COMMENT ON FUNCTION ptx.file_objection(bigint, bigint, text, text) IS
    'file an objection (异议) to the documents, the opening or the result; the project is suspended until it is answered';

CREATE FUNCTION ptx.answer_objection(objection_id bigint, answer text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_centre('answer_objection', (SELECT o.project_id FROM ptx.objection o WHERE o.id = objection_id));
    UPDATE ptx.objection o SET answer = answer_objection.answer WHERE o.id = objection_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('objections.objection_missing', COALESCE(objection_id::text, '<NULL>'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.answer_objection(bigint, text) IS
    'the tenderee''s answer to an objection (异议答复); the project resumes when nothing else holds it';

CREATE FUNCTION ptx.answer_objection(objection_id bigint, answer text, upheld boolean) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF upheld IS NULL THEN
        PERFORM ptx.raise('objections.answer_upheld_missing', COALESCE(objection_id::text, '<NULL>'));
    END IF;
    UPDATE ptx.objection o SET answer = answer_objection.answer, upheld = answer_objection.upheld
     WHERE o.id = objection_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('objections.objection_missing', COALESCE(objection_id::text, '<NULL>'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.answer_objection(bigint, text, boolean) IS
    'the answer to an objection or challenge, saying whether it is upheld (成立); an upheld objection to the result lets the project go back to evaluation';

------------------------------------------------------------------------
-- Complaint rules.
------------------------------------------------------------------------
CREATE FUNCTION ptx.complaint_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    o ptx.objection;
    today date;
    waited integer := 0;
    last_day date;
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM ptx.raise('objections.complaint_record', OLD.id::text);
    END IF;
    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('objections.complaint_project_missing', COALESCE(NEW.project_id::text, '<NULL>'));
    END IF;
    today := ptx.today();

    IF TG_OP = 'UPDATE' THEN
        IF (NEW.id, NEW.project_id, NEW.round, NEW.complainant_id, NEW.supervisor_id, NEW.stage,
            NEW.objection_id, NEW.body, NEW.known_on, NEW.filed_at, NEW.accept_due)
           IS DISTINCT FROM
           (OLD.id, OLD.project_id, OLD.round, OLD.complainant_id, OLD.supervisor_id, OLD.stage,
            OLD.objection_id, OLD.body, OLD.known_on, OLD.filed_at, OLD.accept_due) THEN
            PERFORM ptx.raise('objections.complaint_fixed', OLD.id::text);
        END IF;
        IF (NEW.accepted, NEW.accept_note) IS DISTINCT FROM (OLD.accepted, OLD.accept_note)
           OR NEW.suspend IS DISTINCT FROM OLD.suspend THEN
            IF OLD.accepted IS NOT NULL THEN
                PERFORM ptx.raise(CASE WHEN OLD.accepted THEN 'objections.acceptance_decided_accepted'
                                       ELSE 'objections.acceptance_decided_refused' END,
                                  OLD.id::text, OLD.accepted_at::text);
            END IF;
            IF NEW.accepted IS NULL THEN
                PERFORM ptx.raise('objections.complaint_no_acceptance', OLD.id::text);
            END IF;
            IF NOT NEW.accepted AND pg_catalog.btrim(COALESCE(NEW.accept_note, '')) = '' THEN
                PERFORM ptx.raise('objections.complaint_refused_no_reason', OLD.id::text);
            END IF;
            NEW.accepted_at := ptx.now();
            -- government procurement counts from the receipt (政府采购法 §56)
            NEW.decision_due := CASE WHEN NOT NEW.accepted THEN NULL
                                     WHEN p.category = 'procurement'
                                     THEN ptx.clock_date(ptx.local_date(OLD.filed_at), 'complaint.decide_working_days.procurement')
                                     ELSE ptx.clock_date(today, 'complaint.decide_working_days') END;
        ELSIF (NEW.accepted_at, NEW.decision_due) IS DISTINCT FROM (OLD.accepted_at, OLD.decision_due) THEN
            PERFORM ptx.raise('objections.complaint_acceptance_fixed', OLD.id::text);
        END IF;
        IF (NEW.decision, NEW.decided_at) IS DISTINCT FROM (OLD.decision, OLD.decided_at) THEN
            IF OLD.decided_at IS NOT NULL THEN
                PERFORM ptx.raise('objections.complaint_decided', OLD.id::text);
            END IF;
            IF NOT COALESCE(NEW.accepted, false) THEN
                PERFORM ptx.raise('objections.complaint_not_accepted', OLD.id::text);
            END IF;
            IF pg_catalog.btrim(COALESCE(NEW.decision, '')) = '' THEN
                PERFORM ptx.raise('objections.complaint_no_decision', OLD.id::text);
            END IF;
            NEW.decided_at := ptx.now();
        END IF;
        RETURN NEW;
    END IF;

    IF NEW.stage IS NULL OR NEW.stage NOT IN ('documents', 'opening', 'result', 'challenge', 'other') THEN
        PERFORM ptx.raise('objections.complaint_bad_stage', COALESCE(NEW.stage, 'NULL'));
    END IF;
    IF NEW.stage IN ('documents', 'opening', 'result', 'challenge')
       AND (NEW.stage = 'challenge') <> (p.category = 'procurement') THEN
        PERFORM ptx.raise('objections.complaint_stage', p.code, p.category, NEW.stage);
    END IF;
    IF pg_catalog.btrim(COALESCE(NEW.body, '')) = '' THEN
        PERFORM ptx.raise('objections.complaint_no_body', p.code);
    END IF;
    IF NEW.stage IN ('documents', 'opening', 'result', 'challenge') THEN
        IF NEW.objection_id IS NOT NULL THEN
            SELECT * INTO o FROM ptx.objection
             WHERE id = NEW.objection_id AND project_id = NEW.project_id
               AND complainant_id = NEW.complainant_id AND stage = NEW.stage;
        ELSE
            SELECT * INTO o FROM ptx.objection
             WHERE project_id = NEW.project_id AND complainant_id = NEW.complainant_id
               AND stage = NEW.stage
             ORDER BY filed_at DESC, id DESC LIMIT 1;
        END IF;
        IF o.id IS NULL THEN
            PERFORM ptx.raise(CASE WHEN NEW.objection_id IS NOT NULL THEN 'objections.complaint_needs_objection_matching'
                                   ELSE 'objections.complaint_needs_objection' END,
                              NEW.stage, p.code, NEW.complainant_id::text, NEW.objection_id::text);
        END IF;
        NEW.objection_id := o.id;
        NEW.known_on := COALESCE(NEW.known_on, ptx.local_date(o.filed_at));
        -- the days the objection waited for its answer are not counted
        waited := COALESCE(ptx.local_date(o.answered_at), today) - ptx.local_date(o.filed_at);
    ELSE
        NEW.objection_id := NULL;
        NEW.known_on := COALESCE(NEW.known_on, today);
    END IF;
    IF NEW.known_on > today THEN
        PERFORM ptx.raise('objections.complaint_future', p.code, NEW.known_on::text, today::text);
    END IF;
    last_day := ptx.clock_date(NEW.known_on, 'complaint.file_days') + waited;
    IF NEW.stage = 'challenge' THEN
        -- 政府采购法 §55: after the answer, or once the answer period has
        -- ended unanswered; within 15 working days after that period.
        IF o.answered_at IS NULL AND today <= o.answer_due THEN
            PERFORM ptx.raise('objections.complaint_waits_answer', p.code, o.id::text,
                              ptx.local_date(o.filed_at)::text, o.answer_due::text);
        END IF;
        last_day := ptx.clock_date(o.answer_due, 'complaint.file_days.procurement');
        IF today > last_day THEN
            PERFORM ptx.raise('objections.complaint_late_procurement', p.code, o.id::text, o.answer_due::text,
                              last_day::text, ptx.setting('complaint.file_days.procurement')::text, today::text);
        END IF;
    ELSIF today > last_day THEN
        PERFORM ptx.raise(CASE WHEN waited = 1 THEN 'objections.complaint_late_waited_day'
                               WHEN waited > 1 THEN 'objections.complaint_late_waited_days'
                               ELSE 'objections.complaint_late' END,
                          p.code, NEW.known_on::text, last_day::text, ptx.setting('complaint.file_days')::text,
                          today::text, waited::text);
    END IF;
    NEW.round := p.round;
    NEW.supervisor_id := p.supervisor_id;
    NEW.filed_at := ptx.now();
    NEW.accept_due := ptx.clock_date(today, ptx.period_key('complaint.accept_working_days', p.category));
    NEW.accepted := NULL;
    NEW.accept_note := NULL;
    NEW.accepted_at := NULL;
    NEW.suspend := false;
    NEW.decision_due := NULL;
    NEW.decision := NULL;
    NEW.decided_at := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER complaint_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.complaint
    FOR EACH ROW EXECUTE FUNCTION ptx.complaint_before_write();

CREATE FUNCTION ptx.complaint_after_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NEW.suspend AND NOT OLD.suspend THEN
        PERFORM ptx.record_suspension(NEW.project_id,
            EXISTS (SELECT 1 FROM ptx.objection o
                     WHERE o.project_id = NEW.project_id AND o.answered_at IS NULL AND o.suspends)
            OR EXISTS (SELECT 1 FROM ptx.complaint c
                        WHERE c.project_id = NEW.project_id AND c.suspend
                          AND c.decided_at IS NULL AND c.id <> NEW.id),
            format('complaint %s accepted with suspension', NEW.id));
    ELSIF NEW.suspend AND NEW.decided_at IS NOT NULL AND OLD.decided_at IS NULL THEN
        PERFORM ptx.record_suspension(NEW.project_id, true,
            format('complaint %s decided', NEW.id));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER complaint_after_write AFTER UPDATE ON ptx.complaint
    FOR EACH ROW EXECUTE FUNCTION ptx.complaint_after_write();

CREATE FUNCTION ptx.file_complaint(project_id bigint, complainant_id bigint, stage text, body text,
                                   known_on date DEFAULT NULL, objection_id bigint DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.project p WHERE p.id = file_complaint.project_id) THEN
        PERFORM ptx.raise('objections.project_missing', COALESCE(project_id::text, '<NULL>'));
    END IF;
    INSERT INTO ptx.complaint (project_id, complainant_id, stage, objection_id, body, known_on)
    VALUES (file_complaint.project_id, file_complaint.complainant_id, file_complaint.stage,
            file_complaint.objection_id, file_complaint.body, file_complaint.known_on)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.file_complaint(bigint, bigint, text, text, date, bigint) IS
    'file a complaint (投诉) with the project''s supervisory department';

CREATE FUNCTION ptx.accept_complaint(complaint_id bigint, accepted boolean, note text DEFAULT NULL,
                                     suspend boolean DEFAULT false) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_jurisdiction('accept_complaint', (SELECT c.supervisor_id FROM ptx.complaint c WHERE c.id = complaint_id), pg_catalog.jsonb_build_object('complaint', complaint_id));
    IF suspend AND NOT accepted THEN
        PERFORM ptx.raise('objections.suspend_not_accepted', COALESCE(complaint_id::text, '<NULL>'));
    END IF;
    UPDATE ptx.complaint c
       SET accepted = accept_complaint.accepted, accept_note = accept_complaint.note,
           suspend = COALESCE(accept_complaint.suspend, false)
     WHERE c.id = complaint_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('objections.complaint_missing', COALESCE(complaint_id::text, '<NULL>'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.accept_complaint(bigint, boolean, text, boolean) IS
    'the department''s decision on accepting a complaint (受理), optionally suspending the project';

CREATE FUNCTION ptx.decide_complaint(complaint_id bigint, decision text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_jurisdiction('decide_complaint', (SELECT c.supervisor_id FROM ptx.complaint c WHERE c.id = complaint_id), pg_catalog.jsonb_build_object('complaint', complaint_id));
    UPDATE ptx.complaint c SET decision = decide_complaint.decision WHERE c.id = complaint_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('objections.complaint_missing', COALESCE(complaint_id::text, '<NULL>'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.decide_complaint(bigint, text) IS
    'the department''s written decision on a complaint (处理决定); a suspension ends';

------------------------------------------------------------------------
-- State as seen from outside, and overdue items for supervisors.
------------------------------------------------------------------------
CREATE VIEW ptx.project_status AS
SELECT p.id, p.code, p.title, p.category, p.region, p.supervisor_id, p.round, p.state,
       CASE WHEN ptx.project_blocked(p.id) THEN 'suspended' ELSE p.state END AS status,
       p.state_changed_at
  FROM ptx.project p;
COMMENT ON VIEW ptx.project_status IS 'projects with their status: suspended while an objection or complaint holds them';

CREATE FUNCTION ptx.overdue_items(on_date date DEFAULT ptx.today(), for_supervisor bigint DEFAULT NULL)
    RETURNS TABLE (kind text, item_id bigint, project_id bigint, project_code text,
                   supervisor_id bigint, due date, days_overdue integer, detail text)
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT * FROM (
            SELECT 'objection_answer', o.id, p.id, p.code, p.supervisor_id, o.answer_due,
                   overdue_items.on_date - o.answer_due,
                   format('objection to the %s filed on %s by organisation %s is unanswered',
                          o.stage, ptx.local_date(o.filed_at), o.complainant_id)
              FROM ptx.objection o JOIN ptx.project p ON p.id = o.project_id
             WHERE o.answered_at IS NULL AND overdue_items.on_date > o.answer_due
            UNION ALL
            SELECT 'complaint_acceptance', c.id, p.id, p.code, c.supervisor_id, c.accept_due,
                   overdue_items.on_date - c.accept_due,
                   format('complaint filed on %s by organisation %s awaits the decision on acceptance',
                          ptx.local_date(c.filed_at), c.complainant_id)
              FROM ptx.complaint c JOIN ptx.project p ON p.id = c.project_id
             WHERE c.accepted IS NULL AND overdue_items.on_date > c.accept_due
            UNION ALL
            SELECT 'complaint_decision', c.id, p.id, p.code, c.supervisor_id, c.decision_due,
                   overdue_items.on_date - c.decision_due,
                   format('complaint accepted on %s awaits the written decision', ptx.local_date(c.accepted_at))
              FROM ptx.complaint c JOIN ptx.project p ON p.id = c.project_id
             WHERE c.accepted AND c.decided_at IS NULL AND overdue_items.on_date > c.decision_due
            UNION ALL
            SELECT 'candidate_publication', p.id, p.id, p.code, p.supervisor_id, d.due,
                   overdue_items.on_date - d.due,
                   format('evaluation report received on %s, candidates not published', ptx.local_date(p.reported_at))
              FROM ptx.project p,
                   LATERAL (SELECT ptx.clock_date(ptx.local_date(p.reported_at), 'publicity.publish_within_days') AS due) d
             WHERE p.state = 'evaluating' AND p.reported_at IS NOT NULL AND overdue_items.on_date > d.due
            UNION ALL
            SELECT 'contract_signing', p.id, p.id, p.code, p.supervisor_id, d.due,
                   overdue_items.on_date - d.due,
                   format('awarded on %s to organisation %s, no contract recorded', ptx.local_date(p.awarded_at), p.winner_id)
              FROM ptx.project p,
                   LATERAL (SELECT ptx.clock_date(ptx.local_date(p.awarded_at), 'contract.sign_days') AS due) d
             WHERE p.state = 'awarded' AND overdue_items.on_date > d.due
        ) x(kind, item_id, project_id, project_code, supervisor_id, due, days_overdue, detail)
         WHERE overdue_items.for_supervisor IS NULL OR x.supervisor_id = overdue_items.for_supervisor
         ORDER BY x.due, x.kind, x.item_id;
    END;
COMMENT ON FUNCTION ptx.overdue_items(date, bigint) IS
    'objections, complaints, publications and contracts past their legal day on a date, for one department or all';

CREATE VIEW ptx.overdue AS SELECT * FROM ptx.overdue_items();
COMMENT ON VIEW ptx.overdue IS 'items past their legal day today, for the supervisory departments';

GRANT SELECT ON ptx.objection, ptx.complaint, ptx.project_status, ptx.overdue
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.project_blocked(bigint),
    ptx.overdue_items(date, bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.file_objection(bigint, bigint, text, text),
    ptx.file_challenge(bigint, bigint, text, date),
    ptx.answer_objection(bigint, text), ptx.answer_objection(bigint, text, boolean)
    TO ptx_admin, ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.file_complaint(bigint, bigint, text, text, date, bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.accept_complaint(bigint, boolean, text, boolean),
    ptx.decide_complaint(bigint, text)
    TO ptx_admin, ptx_supervisor;
