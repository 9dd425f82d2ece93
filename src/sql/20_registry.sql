-- Registry (登记): regions, trading categories, organisations and their
-- roles, supervisors' jurisdiction (R2).

------------------------------------------------------------------------
-- Regions: GB/T 2260 administrative divisions with their hierarchy.
-- path holds the codes from the top region down to the region itself, so
-- that "within" is one array test and needs no recursion.
------------------------------------------------------------------------
CREATE TABLE ptx.region (
    code    text PRIMARY KEY CHECK (ptx.check_region_code(code)),
    name    text NOT NULL CHECK (pg_catalog.btrim(name) <> ''),
    parent  text REFERENCES ptx.region (code),
    level   smallint NOT NULL,
    path    text[] NOT NULL
);
COMMENT ON TABLE ptx.region IS 'administrative divisions (行政区划, GB/T 2260) with their hierarchy';
COMMENT ON COLUMN ptx.region.level IS '1 province (省级), 2 prefecture or league (地市级, 盟), 3 county (县级)';
COMMENT ON COLUMN ptx.region.path IS 'codes from the top registered ancestor down to this region';
CREATE INDEX region_path_idx ON ptx.region USING gin (path);
SELECT pg_catalog.pg_extension_config_dump('ptx.region', '');

CREATE FUNCTION ptx.region_level(code text) RETURNS smallint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN pg_catalog.substr(code, 3) = '0000' THEN 1
                WHEN pg_catalog.substr(code, 5) = '00' THEN 2
                ELSE 3 END;

CREATE FUNCTION ptx.region_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.region;
    keep int;
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.code IS DISTINCT FROM OLD.code
                             OR NEW.parent IS DISTINCT FROM OLD.parent) THEN
        PERFORM ptx.raise('registry.region_fixed', OLD.code);
    END IF;
    NEW.level := ptx.region_level(NEW.code);
    IF NEW.parent IS NULL THEN
        NEW.path := ARRAY[NEW.code];
        RETURN NEW;
    END IF;
    SELECT * INTO p FROM ptx.region r WHERE r.code = NEW.parent;
    IF NOT FOUND THEN
        PERFORM ptx.raise('registry.parent_region_missing', NEW.parent, NEW.code);
    END IF;
    keep := CASE p.level WHEN 1 THEN 2 WHEN 2 THEN 4 ELSE 6 END;
    IF p.level >= NEW.level
       OR pg_catalog.left(NEW.code, keep) <> pg_catalog.left(p.code, keep) THEN
        PERFORM ptx.raise('registry.region_misplaced', NEW.code, p.code, pg_catalog.left(p.code, keep));
    END IF;
    NEW.path := p.path || NEW.code;
    RETURN NEW;
END
$$;
CREATE TRIGGER region_before_write BEFORE INSERT OR UPDATE ON ptx.region
    FOR EACH ROW EXECUTE FUNCTION ptx.region_before_write();

CREATE FUNCTION ptx.region_within(region text, ancestor text) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT COALESCE((SELECT ancestor = ANY (r.path) FROM ptx.region r WHERE r.code = region), false);
    END;
COMMENT ON FUNCTION ptx.region_within(text, text) IS
    'true when a region is the ancestor region itself or lies below it';

CREATE FUNCTION ptx.add_region(code text, name text, parent text DEFAULT NULL) RETURNS void
    LANGUAGE sql
    BEGIN ATOMIC
        INSERT INTO ptx.region (code, name, parent, level, path)
        VALUES (add_region.code, add_region.name, add_region.parent, 0, '{}');
    END;
COMMENT ON FUNCTION ptx.add_region(text, text, text) IS
    'register an administrative division (GB/T 2260 code) under its parent';

------------------------------------------------------------------------
-- Trading categories of the catalog (交易目录的类别).
------------------------------------------------------------------------
CREATE TABLE ptx.category (
    code    text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'),
    name_zh text NOT NULL,
    name_en text NOT NULL
);
COMMENT ON TABLE ptx.category IS 'trading categories (交易类别); regions may add their own';
SELECT pg_catalog.pg_extension_config_dump('ptx.category', 'WHERE code NOT IN (''construction'', ''procurement'', ''land'', ''mining'', ''state_property'', ''other'')');

INSERT INTO ptx.category (code, name_zh, name_en) VALUES
    ('construction',   '工程建设招投标', 'engineering construction tendering'),
    ('procurement',    '政府采购',       'government procurement'),
    ('land',           '土地使用权出让', 'land use rights'),
    ('mining',         '矿业权出让',     'mining rights'),
    ('state_property', '国有产权交易',   'state-owned property rights'),
    ('other',          '其他',           'other public resources');

------------------------------------------------------------------------
-- Organisations (市场主体与机构) with their roles on the platform.
------------------------------------------------------------------------
CREATE FUNCTION ptx.check_org_roles(roles text[]) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    bad text[];
BEGIN
    bad := ARRAY(SELECT r FROM unnest(COALESCE(roles, '{}')) r
                  WHERE r IS NULL OR r NOT IN ('tenderee', 'bidder', 'agency', 'supervisor', 'centre'));
    IF cardinality(COALESCE(roles, '{}')) = 0 OR cardinality(bad) > 0 THEN
        IF cardinality(bad) > 0 THEN
            PERFORM ptx.raise('registry.org_roles_unknown', COALESCE(roles::text, 'NULL'),
                              array_to_string(bad, ', ', 'NULL'));
        END IF;
        PERFORM ptx.raise('registry.org_roles_missing', COALESCE(roles::text, 'NULL'));
    END IF;
    RETURN true;
END
$$;

CREATE TABLE ptx.org (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uscc        text NOT NULL UNIQUE CHECK (ptx.check_uscc(uscc)),
    name        text NOT NULL CHECK (pg_catalog.btrim(name) <> ''),
    region      text NOT NULL REFERENCES ptx.region (code),
    roles       text[] NOT NULL CHECK (ptx.check_org_roles(roles)),
    created_at  timestamptz NOT NULL DEFAULT ptx.now()
);
COMMENT ON TABLE ptx.org IS 'organisations: tenderees (招标人), bidders (投标人), agencies (代理机构), supervisory departments (监管部门), trading centres (交易中心)';
COMMENT ON COLUMN ptx.org.uscc IS '统一社会信用代码, checked by GB 32100-2015';
CREATE INDEX org_region_idx ON ptx.org (region);
SELECT pg_catalog.pg_extension_config_dump('ptx.org', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.org', 'id'), '');

CREATE FUNCTION ptx.has_role(org_id bigint, role text) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT COALESCE((SELECT role = ANY (o.roles) FROM ptx.org o WHERE o.id = org_id), false);
    END;
COMMENT ON FUNCTION ptx.has_role(bigint, text) IS 'true when an organisation holds a role';

CREATE FUNCTION ptx.add_org(uscc text, name text, region text, roles text[]) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO ptx.org (uscc, name, region, roles)
    VALUES (add_org.uscc, add_org.name, add_org.region, add_org.roles)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.add_org(text, text, text, text[]) IS
    'register an organisation by its unified social credit code; returns its id';

------------------------------------------------------------------------
-- Supervisors' jurisdiction (监管职责): category × region, inherited by
-- the sub-regions of the region (谁监管谁负责).
------------------------------------------------------------------------
CREATE TABLE ptx.jurisdiction (
    supervisor_id bigint NOT NULL REFERENCES ptx.org (id),
    category      text NOT NULL REFERENCES ptx.category (code),
    region        text NOT NULL REFERENCES ptx.region (code),
    granted_at    timestamptz NOT NULL DEFAULT ptx.now(),
    PRIMARY KEY (supervisor_id, category, region)
);
COMMENT ON TABLE ptx.jurisdiction IS 'which supervisory department (监管部门) supervises which category in which region and its sub-regions';
CREATE INDEX jurisdiction_category_region_idx ON ptx.jurisdiction (category, region);
SELECT pg_catalog.pg_extension_config_dump('ptx.jurisdiction', '');

CREATE FUNCTION ptx.jurisdiction_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT ptx.has_role(NEW.supervisor_id, 'supervisor') THEN
        PERFORM ptx.raise('registry.not_a_supervisor', NEW.supervisor_id::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER jurisdiction_before_write BEFORE INSERT OR UPDATE ON ptx.jurisdiction
    FOR EACH ROW EXECUTE FUNCTION ptx.jurisdiction_before_write();

CREATE FUNCTION ptx.grant_jurisdiction(supervisor_id bigint, category text, region text) RETURNS void
    LANGUAGE sql
    BEGIN ATOMIC
        INSERT INTO ptx.jurisdiction (supervisor_id, category, region)
        VALUES (grant_jurisdiction.supervisor_id, grant_jurisdiction.category, grant_jurisdiction.region)
        ON CONFLICT DO NOTHING;
    END;
COMMENT ON FUNCTION ptx.grant_jurisdiction(bigint, text, text) IS
    'give a supervisory department jurisdiction over a category in a region and its sub-regions';

CREATE FUNCTION ptx.has_jurisdiction(supervisor_id bigint, category text, region text) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT EXISTS (
            SELECT 1
              FROM ptx.jurisdiction j
              JOIN ptx.region r ON r.code = has_jurisdiction.region
             WHERE j.supervisor_id = has_jurisdiction.supervisor_id
               AND j.category = has_jurisdiction.category
               AND j.region = ANY (r.path));
    END;
COMMENT ON FUNCTION ptx.has_jurisdiction(bigint, text, text) IS
    'true when a supervisory department has jurisdiction over a category in a region (directly or through an ancestor region)';

CREATE FUNCTION ptx.supervisors_of(category text, region text) RETURNS SETOF bigint
    LANGUAGE sql STABLE STRICT
    BEGIN ATOMIC
        SELECT DISTINCT j.supervisor_id
          FROM ptx.jurisdiction j
          JOIN ptx.region r ON r.code = supervisors_of.region
         WHERE j.category = supervisors_of.category
           AND j.region = ANY (r.path)
         ORDER BY 1;
    END;
COMMENT ON FUNCTION ptx.supervisors_of(text, text) IS
    'the supervisory departments with jurisdiction over a category in a region';

GRANT SELECT ON ptx.region, ptx.category, ptx.org, ptx.jurisdiction
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT INSERT, UPDATE ON ptx.region, ptx.category, ptx.org, ptx.jurisdiction TO ptx_admin;
GRANT DELETE ON ptx.jurisdiction TO ptx_admin;
GRANT INSERT, UPDATE ON ptx.org TO ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.region_level(text), ptx.region_within(text, text),
    ptx.check_org_roles(text[]),
    ptx.has_role(bigint, text), ptx.has_jurisdiction(bigint, text, text),
    ptx.supervisors_of(text, text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.add_region(text, text, text),
    ptx.grant_jurisdiction(bigint, text, text) TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.add_org(text, text, text, text[]) TO ptx_admin, ptx_operator;
