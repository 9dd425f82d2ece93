-- Supervisory acts on tables that ptx_supervisor may also write directly
-- (inspectors and their conflicts, inspection priorities, results and
-- follow-ups, credit records and revocations, red-flag dismissals): the
-- jurisdiction check (src/sql/21_staff.sql) runs in a BEFORE trigger, so
-- that the wrapper functions and a direct INSERT or UPDATE are held to the
-- same rule.  Each refusal is PX015 outside_jurisdiction; a superuser is
-- trusted (ptx.acting_login()).

CREATE FUNCTION ptx.staff_check_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    act text := TG_ARGV[0];
    region text;
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'inspector' THEN
        IF TG_OP = 'UPDATE' AND OLD.supervisor_id IS DISTINCT FROM NEW.supervisor_id THEN
            PERFORM ptx.check_jurisdiction(act, OLD.supervisor_id, pg_catalog.jsonb_build_object('inspector', OLD.id));
        END IF;
        PERFORM ptx.check_jurisdiction(act, NEW.supervisor_id, pg_catalog.jsonb_build_object('inspector', NEW.id));
    WHEN 'inspector_conflict' THEN
        PERFORM ptx.check_jurisdiction(act,
            (SELECT i.supervisor_id FROM ptx.inspector i WHERE i.id = NEW.inspector_id),
            pg_catalog.jsonb_build_object('inspector', NEW.inspector_id, 'org', NEW.org_id));
    WHEN 'inspection_priority' THEN
        PERFORM ptx.check_jurisdiction(act, NEW.supervisor_id,
            pg_catalog.jsonb_build_object('year', NEW.year, 'agency', NEW.agency_id));
    WHEN 'inspection_result' THEN
        PERFORM ptx.check_jurisdiction(act,
            (SELECT d.supervisor_id FROM ptx.inspection_draw d WHERE d.draw_id = NEW.draw_id),
            pg_catalog.jsonb_build_object('draw', NEW.draw_id, 'agency', NEW.agency_id));
    WHEN 'inspection_followup' THEN
        PERFORM ptx.check_jurisdiction(act,
            (SELECT d.supervisor_id FROM ptx.inspection_result r
               JOIN ptx.inspection_draw d ON d.draw_id = r.draw_id
              WHERE r.id = NEW.result_id),
            pg_catalog.jsonb_build_object('inspection_result', NEW.result_id));
    WHEN 'credit_record' THEN
        region := CASE NEW.subject_kind
                  WHEN 'org' THEN (SELECT o.region FROM ptx.org o WHERE o.id = NEW.subject_id)
                  WHEN 'expert' THEN (SELECT e.region FROM ptx.expert e WHERE e.id = NEW.subject_id) END;
        PERFORM ptx.check_region_supervisor(act, region,
            pg_catalog.jsonb_build_object('subject_kind', NEW.subject_kind, 'subject', NEW.subject_id));
    WHEN 'credit_revocation' THEN
        SELECT CASE r.subject_kind
               WHEN 'org' THEN (SELECT o.region FROM ptx.org o WHERE o.id = r.subject_id)
               WHEN 'expert' THEN (SELECT e.region FROM ptx.expert e WHERE e.id = r.subject_id) END
          INTO region
          FROM ptx.credit_record r WHERE r.id = NEW.record_id;
        PERFORM ptx.check_region_supervisor(act, region,
            pg_catalog.jsonb_build_object('credit_record', NEW.record_id));
    WHEN 'red_flag_dismissal' THEN
        PERFORM ptx.check_jurisdiction(act,
            (SELECT COALESCE(f.supervisor_id, p.supervisor_id)
               FROM ptx.red_flag f LEFT JOIN ptx.project p ON p.id = f.project_id
              WHERE f.id = NEW.flag_id),
            pg_catalog.jsonb_build_object('red_flag', NEW.flag_id));
    END CASE;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.staff_check_write() IS
    'trigger: a supervisory write is refused with PX015 unless the acting login is staff of the department concerned';

CREATE TRIGGER ptx_staff_check BEFORE INSERT OR UPDATE ON ptx.inspector
    FOR EACH ROW EXECUTE FUNCTION ptx.staff_check_write('manage_inspector');
CREATE TRIGGER ptx_staff_check BEFORE INSERT ON ptx.inspector_conflict
    FOR EACH ROW EXECUTE FUNCTION ptx.staff_check_write('add_inspector_conflict');
CREATE TRIGGER ptx_staff_check BEFORE INSERT ON ptx.inspection_priority
    FOR EACH ROW EXECUTE FUNCTION ptx.staff_check_write('add_inspection_priority');
CREATE TRIGGER ptx_staff_check BEFORE INSERT ON ptx.inspection_result
    FOR EACH ROW EXECUTE FUNCTION ptx.staff_check_write('record_inspection_result');
CREATE TRIGGER ptx_staff_check BEFORE INSERT ON ptx.inspection_followup
    FOR EACH ROW EXECUTE FUNCTION ptx.staff_check_write('record_inspection_followup');
CREATE TRIGGER ptx_staff_check BEFORE INSERT ON ptx.credit_record
    FOR EACH ROW EXECUTE FUNCTION ptx.staff_check_write('add_credit_record');
CREATE TRIGGER ptx_staff_check BEFORE INSERT ON ptx.credit_revocation
    FOR EACH ROW EXECUTE FUNCTION ptx.staff_check_write('revoke_credit_record');
CREATE TRIGGER ptx_staff_check BEFORE INSERT ON ptx.red_flag_dismissal
    FOR EACH ROW EXECUTE FUNCTION ptx.staff_check_write('dismiss_red_flag');
