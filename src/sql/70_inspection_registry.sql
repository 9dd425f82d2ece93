-- Agency inspection (代理机构检查, 双随机一公开), R6, notice §6: the policy
-- settings, each supervisor's pool of inspectors (检查人员名录库) with
-- their declared conflicts, and the priority targets (重点检查对象) a
-- supervisor puts on top of the random sample.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('inspection.default_ratio', 0.25, 'ratio',
   '内政办发〔2018〕67号 §6',
   'yearly inspection ratio of agencies when no national ratio is set: not below 25 % of the agencies that did agency business on the platform that year'),
  ('inspection.national_ratio', 0, 'ratio (0 = none set)',
   '内政办发〔2018〕67号 §6 (国家政策规定比例)',
   'the national inspection ratio when one is set; when it is above 0 it is the minimum ratio instead of inspection.default_ratio, even when lower'),
  ('inspection.inspectors_per_agency', 2, 'inspectors',
   '行政处罚法 §42; 国办发〔2015〕58号 (双随机)',
   'inspectors drawn at random for each inspected agency: law enforcement needs at least two');

------------------------------------------------------------------------
-- Inspectors (检查人员): law-enforcement staff of a supervisory department.
------------------------------------------------------------------------
CREATE TABLE ptx.inspector (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supervisor_id   bigint NOT NULL REFERENCES ptx.org (id),
    name            text NOT NULL CHECK (pg_catalog.btrim(name) <> ''),
    active          boolean NOT NULL DEFAULT true,
    added_at        timestamptz NOT NULL DEFAULT ptx.now()
);
COMMENT ON TABLE ptx.inspector IS 'inspectors (检查人员) of each supervisory department, drawn at random for agency inspections';
COMMENT ON COLUMN ptx.inspector.active IS 'false once the inspector has left the pool; inactive inspectors are never drawn';
CREATE INDEX inspector_supervisor_idx ON ptx.inspector (supervisor_id) WHERE active;
SELECT pg_catalog.pg_extension_config_dump('ptx.inspector', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.inspector', 'id'), '');

CREATE FUNCTION ptx.inspector_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.supervisor_id IS DISTINCT FROM OLD.supervisor_id THEN
        PERFORM ptx.raise('inspection_registry.inspector_moved', OLD.id::text, OLD.supervisor_id::text);
    END IF;
    IF NOT ptx.has_role(NEW.supervisor_id, 'supervisor') THEN
        PERFORM ptx.raise('inspection_registry.inspector_not_a_supervisor', NEW.supervisor_id::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER inspector_before_write BEFORE INSERT OR UPDATE ON ptx.inspector
    FOR EACH ROW EXECUTE FUNCTION ptx.inspector_before_write();

CREATE FUNCTION ptx.add_inspector(supervisor_id bigint, name text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO ptx.inspector (supervisor_id, name)
    VALUES (add_inspector.supervisor_id, add_inspector.name)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.add_inspector(bigint, text) IS
    'add an inspector (检查人员) to a supervisory department''s pool; returns its id';

CREATE FUNCTION ptx.set_inspector_active(inspector_id bigint, active boolean) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE ptx.inspector i SET active = set_inspector_active.active
     WHERE i.id = set_inspector_active.inspector_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('inspection_registry.inspector_missing', COALESCE(inspector_id::text, '<NULL>'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.set_inspector_active(bigint, boolean) IS
    'take an inspector out of the pool (false) or back in (true); past draws keep them';

------------------------------------------------------------------------
-- Declared conflicts (利害关系回避): an inspector is never drawn for an
-- agency they declared a conflict with.
------------------------------------------------------------------------
CREATE TABLE ptx.inspector_conflict (
    inspector_id    bigint NOT NULL REFERENCES ptx.inspector (id),
    org_id          bigint NOT NULL REFERENCES ptx.org (id),
    declared_at     timestamptz NOT NULL DEFAULT ptx.now(),
    PRIMARY KEY (inspector_id, org_id)
);
COMMENT ON TABLE ptx.inspector_conflict IS 'conflicts of interest declared by inspectors with organisations (回避)';
CREATE INDEX inspector_conflict_org_idx ON ptx.inspector_conflict (org_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.inspector_conflict', '');

CREATE FUNCTION ptx.add_inspector_conflict(inspector_id bigint, org_id bigint) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO ptx.inspector_conflict (inspector_id, org_id)
    VALUES (add_inspector_conflict.inspector_id, add_inspector_conflict.org_id)
    ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION ptx.add_inspector_conflict(bigint, bigint) IS
    'declare a conflict of interest between an inspector and an organisation: the inspector is never drawn to inspect it';

------------------------------------------------------------------------
-- Priority targets (重点检查对象): agencies with complaints, credit records
-- or red flags, inspected on top of the random sample.  The list of a year
-- is frozen when that year's draw is requested.
------------------------------------------------------------------------
CREATE TABLE ptx.inspection_priority (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year            int NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    supervisor_id   bigint NOT NULL REFERENCES ptx.org (id),
    agency_id       bigint NOT NULL REFERENCES ptx.org (id),
    kind            text NOT NULL CHECK (kind IN ('complaint', 'credit', 'red_flag')),
    reason          text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    added_by        text NOT NULL DEFAULT session_user,
    added_at        timestamptz NOT NULL DEFAULT ptx.now(),
    UNIQUE (year, supervisor_id, agency_id)
);
COMMENT ON TABLE ptx.inspection_priority IS 'priority targets (重点检查对象) of a department''s yearly inspection, on top of the random sample';
COMMENT ON COLUMN ptx.inspection_priority.kind IS 'complaint (投诉举报), credit (信用记录) or red_flag (关联分析预警)';
SELECT pg_catalog.pg_extension_config_dump('ptx.inspection_priority', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.inspection_priority', 'id'), '');

CREATE FUNCTION ptx.inspection_priority_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM ptx.raise('inspection_registry.priority_record', OLD.agency_id::text, OLD.supervisor_id::text,
                          OLD.year::text);
    END IF;
    IF NOT ptx.has_role(NEW.supervisor_id, 'supervisor') THEN
        PERFORM ptx.raise('inspection_registry.priority_not_a_supervisor', NEW.supervisor_id::text);
    END IF;
    IF NOT ptx.has_role(NEW.agency_id, 'agency') THEN
        PERFORM ptx.raise('inspection_registry.priority_not_an_agency', NEW.agency_id::text);
    END IF;
    -- The list of a year is frozen once that year's draw is requested.
    IF EXISTS (SELECT 1 FROM ptx.inspection_draw d
                WHERE d.year = NEW.year AND d.supervisor_id = NEW.supervisor_id) THEN
        PERFORM ptx.raise('inspection_registry.priority_frozen', NEW.supervisor_id::text, NEW.year::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER inspection_priority_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.inspection_priority
    FOR EACH ROW EXECUTE FUNCTION ptx.inspection_priority_before_write();

CREATE FUNCTION ptx.add_inspection_priority(year int, supervisor_id bigint, agency_id bigint,
                                            kind text, reason text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO ptx.inspection_priority (year, supervisor_id, agency_id, kind, reason)
    VALUES (add_inspection_priority.year, add_inspection_priority.supervisor_id,
            add_inspection_priority.agency_id, add_inspection_priority.kind,
            add_inspection_priority.reason)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.add_inspection_priority(int, bigint, bigint, text, text) IS
    'put an agency with complaints, credit records or red flags on a department''s inspection list of a year, on top of the random sample';

GRANT SELECT ON ptx.inspector, ptx.inspector_conflict, ptx.inspection_priority
    TO ptx_admin, ptx_supervisor;
GRANT INSERT, UPDATE ON ptx.inspector TO ptx_admin, ptx_supervisor;
GRANT INSERT ON ptx.inspector_conflict, ptx.inspection_priority TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.add_inspector(bigint, text),
    ptx.set_inspector_active(bigint, boolean),
    ptx.add_inspector_conflict(bigint, bigint),
    ptx.add_inspection_priority(int, bigint, bigint, text, text)
    TO ptx_admin, ptx_supervisor;
