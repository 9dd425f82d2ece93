-- Agency inspection: results (检查结果), rectification deadlines (限期整改)
-- and follow-up (整改跟踪).  Results and follow-ups are only ever added:
-- a correction is a new follow-up, never an edit.

CREATE TABLE ptx.inspection_result (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    draw_id         bigint NOT NULL REFERENCES ptx.inspection_draw (draw_id),
    agency_id       bigint NOT NULL REFERENCES ptx.org (id),
    inspected_on    date NOT NULL,
    findings        text NOT NULL CHECK (pg_catalog.btrim(findings) <> ''),
    outcome         text NOT NULL CHECK (outcome IN ('no_issue', 'rectify', 'penalty')),
    rectify_by      date,
    recorded_by     text NOT NULL DEFAULT session_user,
    recorded_at     timestamptz NOT NULL DEFAULT ptx.now(),
    UNIQUE (draw_id, agency_id),
    CONSTRAINT inspection_result_deadline CHECK (
        CASE outcome WHEN 'no_issue' THEN rectify_by IS NULL
                     WHEN 'rectify' THEN rectify_by IS NOT NULL
                     ELSE true END
        AND (rectify_by IS NULL OR rectify_by > inspected_on))
);
COMMENT ON TABLE ptx.inspection_result IS 'results of agency inspections (检查结果): findings, outcome, rectification deadline';
COMMENT ON COLUMN ptx.inspection_result.outcome IS 'no_issue (未发现问题), rectify (责令限期整改), penalty (依法处理, with or without a deadline)';
COMMENT ON COLUMN ptx.inspection_result.rectify_by IS 'rectification deadline (整改期限)';
SELECT pg_catalog.pg_extension_config_dump('ptx.inspection_result', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.inspection_result', 'id'), '');

CREATE FUNCTION ptx.inspection_result_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM ptx.raise('inspection_results.record', OLD.id::text);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.inspection_pick p
                    WHERE p.draw_id = NEW.draw_id AND p.agency_id = NEW.agency_id) THEN
        PERFORM ptx.raise('inspection_results.not_inspected', COALESCE(NEW.agency_id::text, '<NULL>'),
                          COALESCE(NEW.draw_id::text, '<NULL>'));
    END IF;
    IF NEW.inspected_on > ptx.today() THEN
        PERFORM ptx.raise('inspection_results.future_date', NEW.inspected_on::text, ptx.today()::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER inspection_result_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.inspection_result
    FOR EACH ROW EXECUTE FUNCTION ptx.inspection_result_before_write();

CREATE FUNCTION ptx.record_inspection_result(draw_id bigint, agency_id bigint, findings text,
                                             outcome text, rectify_by date DEFAULT NULL,
                                             inspected_on date DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    IF outcome = 'rectify' AND rectify_by IS NULL THEN
        PERFORM ptx.raise('inspection_results.no_deadline');
    END IF;
    IF outcome = 'no_issue' AND rectify_by IS NOT NULL THEN
        PERFORM ptx.raise('inspection_results.no_issue_deadline');
    END IF;
    IF rectify_by IS NOT NULL AND rectify_by <= COALESCE(inspected_on, ptx.today()) THEN
        PERFORM ptx.raise('inspection_results.deadline_too_early', rectify_by::text,
                          COALESCE(inspected_on, ptx.today())::text);
    END IF;
    INSERT INTO ptx.inspection_result (draw_id, agency_id, inspected_on, findings, outcome, rectify_by)
    VALUES (record_inspection_result.draw_id, record_inspection_result.agency_id,
            COALESCE(record_inspection_result.inspected_on, ptx.today()),
            record_inspection_result.findings, record_inspection_result.outcome,
            record_inspection_result.rectify_by)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.record_inspection_result(bigint, bigint, text, text, date, date) IS
    'record the result of inspecting an agency of a draw: findings, outcome (no_issue, rectify, penalty), rectification deadline';

------------------------------------------------------------------------
-- Follow-up of rectification orders (整改跟踪).
------------------------------------------------------------------------
CREATE TABLE ptx.inspection_followup (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    result_id       bigint NOT NULL REFERENCES ptx.inspection_result (id),
    status          text NOT NULL CHECK (status IN ('rectified', 'not_rectified', 'escalated')),
    note            text NOT NULL CHECK (pg_catalog.btrim(note) <> ''),
    recorded_by     text NOT NULL DEFAULT session_user,
    recorded_at     timestamptz NOT NULL DEFAULT ptx.now()
);
COMMENT ON TABLE ptx.inspection_followup IS 'follow-up of rectification orders (整改跟踪): rectified (整改完成), not_rectified (逾期未整改), escalated (移送处理)';
CREATE INDEX inspection_followup_result_idx ON ptx.inspection_followup (result_id, id);
SELECT pg_catalog.pg_extension_config_dump('ptx.inspection_followup', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.inspection_followup', 'id'), '');

CREATE FUNCTION ptx.inspection_followup_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.inspection_result;
    last text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM ptx.raise('inspection_results.followup_record', OLD.id::text);
    END IF;
    SELECT * INTO r FROM ptx.inspection_result x WHERE x.id = NEW.result_id;
    IF r.rectify_by IS NULL THEN
        PERFORM ptx.raise('inspection_results.no_rectification', COALESCE(NEW.result_id::text, '<NULL>'), r.outcome);
    END IF;
    SELECT f.status INTO last FROM ptx.inspection_followup f
     WHERE f.result_id = NEW.result_id ORDER BY f.id DESC LIMIT 1;
    IF last IN ('rectified', 'escalated') THEN
        PERFORM ptx.raise('inspection_results.rectification_closed', NEW.result_id::text, last);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER inspection_followup_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.inspection_followup
    FOR EACH ROW EXECUTE FUNCTION ptx.inspection_followup_before_write();

CREATE FUNCTION ptx.record_inspection_followup(result_id bigint, status text, note text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO ptx.inspection_followup (result_id, status, note)
    VALUES (record_inspection_followup.result_id, record_inspection_followup.status,
            record_inspection_followup.note)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.record_inspection_followup(bigint, text, text) IS
    'record the follow-up of a rectification order: rectified, not_rectified or escalated';

-- The follow-up status of every result: none (no rectification ordered),
-- pending (before the deadline), overdue (past it, no follow-up), or the
-- last follow-up.
CREATE VIEW ptx.inspection_result_status AS
SELECT r.id AS result_id, r.draw_id, r.agency_id, r.inspected_on, r.findings, r.outcome,
       r.rectify_by,
       CASE WHEN r.rectify_by IS NULL THEN 'none'
            WHEN f.status IS NOT NULL THEN f.status
            WHEN r.rectify_by < ptx.today() THEN 'overdue'
            ELSE 'pending' END AS status,
       f.note AS last_note, f.recorded_at AS last_followup_at
  FROM ptx.inspection_result r
  LEFT JOIN LATERAL (SELECT x.status, x.note, x.recorded_at
                       FROM ptx.inspection_followup x
                      WHERE x.result_id = r.id
                      ORDER BY x.id DESC LIMIT 1) f ON true;
COMMENT ON VIEW ptx.inspection_result_status IS
    'inspection results with their follow-up status: none, pending, overdue, rectified, not_rectified, escalated';

GRANT SELECT ON ptx.inspection_result, ptx.inspection_followup, ptx.inspection_result_status
    TO ptx_admin, ptx_supervisor;
GRANT INSERT ON ptx.inspection_result, ptx.inspection_followup TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.record_inspection_result(bigint, bigint, text, text, date, date),
    ptx.record_inspection_followup(bigint, text, text)
    TO ptx_admin, ptx_supervisor;
