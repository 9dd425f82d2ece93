-- ptx 0.1.0: the install script of release 0.1.0 (commit b5dbc0e), frozen; do not edit
\echo Use "CREATE EXTENSION ptx CASCADE" to load this file. \quit

-- ==== src/sql/00_schema.sql
-- Schemas and group roles (DESIGN.md §7).
--
-- The schemas belong to the extension: DROP EXTENSION removes them with all
-- they hold.  The group roles are cluster-wide: created here when missing,
-- never dropped by ptx (a DBA may have granted them to people).

CREATE SCHEMA ptx;
COMMENT ON SCHEMA ptx IS 'ptx: integrity core of a public resource trading platform (公共资源交易平台)';
CREATE SCHEMA ptx_public;
COMMENT ON SCHEMA ptx_public IS 'ptx: public disclosure (信息公开), masked views only';

REVOKE ALL ON SCHEMA ptx FROM PUBLIC;
REVOKE ALL ON SCHEMA ptx_public FROM PUBLIC;

DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['ptx_admin', 'ptx_operator', 'ptx_supervisor',
                             'ptx_auditor', 'ptx_public']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$roles$;

GRANT USAGE ON SCHEMA ptx TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT USAGE ON SCHEMA ptx_public TO ptx_admin, ptx_operator, ptx_supervisor,
    ptx_auditor, ptx_public;

-- ==== src/sql/05_clock.sql
-- The business clock (DESIGN.md §5).

CREATE FUNCTION ptx.now() RETURNS timestamptz
    LANGUAGE c STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_now_sql';
GRANT EXECUTE ON FUNCTION ptx.now() TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
COMMENT ON FUNCTION ptx.now() IS
    'business clock: now(), or the superuser-only setting ptx.fake_now when set';

-- ==== src/sql/10_ids.sql
-- Identifier checks (GB 32100-2015, GB 11643-1999, GB/T 2260).  src/ids.c.

CREATE FUNCTION ptx.uscc_valid(text) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_uscc_valid';
COMMENT ON FUNCTION ptx.uscc_valid(text) IS
    'true when a unified social credit code (统一社会信用代码) is well formed with the right check character';

CREATE FUNCTION ptx.uscc_check_char(text) RETURNS text
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_uscc_check_char';
COMMENT ON FUNCTION ptx.uscc_check_char(text) IS
    'the GB 32100-2015 check character for the first 17 characters of a code';

CREATE FUNCTION ptx.check_uscc(text) RETURNS boolean
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_check_uscc';
COMMENT ON FUNCTION ptx.check_uscc(text) IS
    'true, or error PX010 naming the expected check character';

CREATE FUNCTION ptx.resident_id_valid(text) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_resident_id_valid';
COMMENT ON FUNCTION ptx.resident_id_valid(text) IS
    'true when a resident identity number (公民身份号码) has a valid birth date and check character';

CREATE FUNCTION ptx.check_resident_id(text) RETURNS boolean
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_check_resident_id';
COMMENT ON FUNCTION ptx.check_resident_id(text) IS
    'true, or error PX010 naming the expected check character (the number itself is never echoed)';

CREATE FUNCTION ptx.region_code_valid(text) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_region_code_valid';
COMMENT ON FUNCTION ptx.region_code_valid(text) IS
    'true when a text has the form of a GB/T 2260 region code';

CREATE FUNCTION ptx.check_region_code(text) RETURNS boolean
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_check_region_code';
COMMENT ON FUNCTION ptx.check_region_code(text) IS 'true, or error PX010';

GRANT EXECUTE ON FUNCTION ptx.uscc_valid(text), ptx.uscc_check_char(text),
    ptx.check_uscc(text), ptx.resident_id_valid(text), ptx.check_resident_id(text),
    ptx.region_code_valid(text), ptx.check_region_code(text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

-- ==== src/sql/10_policy.sql
-- Policy settings: every legal number is a setting (RULES.md, DESIGN.md §1.3).
--
-- ptx.policy_default holds the national or notice value with its legal basis;
-- it belongs to the extension and is replaced on upgrade.  ptx.policy holds a
-- region's overrides; it is the DBA's data and is kept by pg_dump.
-- ptx.setting(key) answers the override if any, else the default.

CREATE TABLE ptx.policy_default (
    key         text PRIMARY KEY,
    value       numeric NOT NULL,
    unit        text NOT NULL,
    basis       text NOT NULL,
    description text NOT NULL
);
COMMENT ON TABLE ptx.policy_default IS 'legal defaults of every policy setting, with their basis';

CREATE TABLE ptx.policy (
    key         text PRIMARY KEY REFERENCES ptx.policy_default (key),
    value       numeric NOT NULL,
    reason      text NOT NULL CHECK (pg_catalog.length(reason) > 0),
    set_by      text NOT NULL DEFAULT session_user,
    set_at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE ptx.policy IS 'regional overrides of policy settings (政策参数)';
SELECT pg_catalog.pg_extension_config_dump('ptx.policy', '');

CREATE VIEW ptx.policy_effective AS
SELECT d.key,
       COALESCE(p.value, d.value) AS value,
       d.value AS default_value,
       p.value IS NOT NULL AS overridden,
       d.unit, d.basis, d.description, p.reason, p.set_by, p.set_at
  FROM ptx.policy_default d
  LEFT JOIN ptx.policy p USING (key);

CREATE FUNCTION ptx.setting(key text) RETURNS numeric
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v numeric;
BEGIN
    SELECT COALESCE(p.value, d.value) INTO v
      FROM ptx.policy_default d
      LEFT JOIN ptx.policy p ON p.key = d.key
     WHERE d.key = setting.key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown policy setting "%"', key
            USING ERRCODE = '22023',
                  HINT = 'The settings are listed in ptx.policy_effective.';
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION ptx.setting(text) IS 'value of a policy setting: the override, else the legal default';

CREATE FUNCTION ptx.set_policy(key text, value numeric, reason text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.policy_default d WHERE d.key = set_policy.key) THEN
        RAISE EXCEPTION 'unknown policy setting "%"', key
            USING ERRCODE = '22023',
                  HINT = 'The settings are listed in ptx.policy_effective.';
    END IF;
    IF value IS NULL THEN
        DELETE FROM ptx.policy p WHERE p.key = set_policy.key;
        RETURN;
    END IF;
    INSERT INTO ptx.policy AS p (key, value, reason)
    VALUES (set_policy.key, set_policy.value, set_policy.reason)
    ON CONFLICT ON CONSTRAINT policy_pkey DO UPDATE
       SET value = excluded.value, reason = excluded.reason,
           set_by = session_user, set_at = pg_catalog.clock_timestamp();
END
$$;
COMMENT ON FUNCTION ptx.set_policy(text, numeric, text) IS
    'override a policy setting with a reason; a NULL value restores the legal default';

-- Defaults.  Modules add their own rows in their own files.
INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('expert_db.min_size', 500, 'experts',
   '评标专家和评标专家库管理暂行办法 §8',
   'below this many active experts a draw warns that the expert database is too small');

GRANT SELECT ON ptx.policy_default, ptx.policy, ptx.policy_effective
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT INSERT, UPDATE, DELETE ON ptx.policy TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.setting(text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.set_policy(text, numeric, text) TO ptx_admin;

-- ==== src/sql/20_registry.sql
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
        RAISE EXCEPTION 'region % cannot change its code or parent', OLD.code
            USING ERRCODE = '22023',
                  DETAIL = 'Regions below it and records in it depend on its place in the hierarchy.',
                  HINT = 'Register the new division as a new region.';
    END IF;
    NEW.level := ptx.region_level(NEW.code);
    IF NEW.parent IS NULL THEN
        NEW.path := ARRAY[NEW.code];
        RETURN NEW;
    END IF;
    SELECT * INTO p FROM ptx.region r WHERE r.code = NEW.parent;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'parent region % of % is not registered', NEW.parent, NEW.code
            USING ERRCODE = '23503',
                  HINT = 'Register the parent region first.';
    END IF;
    keep := CASE p.level WHEN 1 THEN 2 WHEN 2 THEN 4 ELSE 6 END;
    IF p.level >= NEW.level
       OR pg_catalog.left(NEW.code, keep) <> pg_catalog.left(p.code, keep) THEN
        RAISE EXCEPTION 'region % cannot lie under region %', NEW.code, p.code
            USING ERRCODE = 'PX010',
                  DETAIL = pg_catalog.format('Under GB/T 2260 a region under %s must be of a lower level and its code must begin with %s.',
                                             p.code, pg_catalog.left(p.code, keep)),
                  HINT = 'Check the parent code.';
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
        RAISE EXCEPTION 'invalid organisation roles %', COALESCE(roles::text, 'NULL')
            USING ERRCODE = '22023',
                  DETAIL = CASE WHEN cardinality(bad) > 0
                                THEN format('Unknown roles: %s.', array_to_string(bad, ', ', 'NULL'))
                                ELSE 'An organisation needs at least one role.' END,
                  HINT = 'Roles are tenderee, bidder, agency, supervisor and centre.';
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
        RAISE EXCEPTION 'organisation % is not a supervisory department', NEW.supervisor_id
            USING ERRCODE = 'PX002',
                  DETAIL = 'Jurisdiction can only be granted to an organisation with the role supervisor.',
                  HINT = 'Register the department with the role supervisor.';
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

-- ==== src/sql/25_jobs.sql
-- Scheduled jobs (DESIGN.md §5): pg_cron jobs named ptx:<purpose>.
--
-- Each module adds its jobs to ptx.scheduled_job; ptx.schedule_jobs()
-- registers them all with pg_cron in this database.  pg_cron is a run-time
-- dependency only: ptx installs and works without it, and these functions
-- say clearly what to do when it is missing.

CREATE TABLE ptx.scheduled_job (
    name        text PRIMARY KEY CHECK (name ~ '^ptx:[a-z0-9][a-z0-9-]*$'),
    schedule    text NOT NULL,
    command     text NOT NULL,
    description text NOT NULL
);
COMMENT ON TABLE ptx.scheduled_job IS 'the pg_cron jobs ptx needs (定时任务), registered by ptx.schedule_jobs()';

CREATE FUNCTION ptx.pg_cron_present() RETURNS boolean
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron');
    END;

CREATE FUNCTION ptx.job_statements() RETURNS SETOF text
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT pg_catalog.format('SELECT cron.schedule_in_database(%L, %L, %L, %L);',
                                 j.name, j.schedule, j.command, pg_catalog.current_database())
          FROM ptx.scheduled_job j
         ORDER BY j.name;
    END;
COMMENT ON FUNCTION ptx.job_statements() IS
    'the cron.schedule_in_database statements for ptx''s jobs, to run in pg_cron''s database when that is another one';

CREATE FUNCTION ptx.schedule_jobs() RETURNS TABLE (job_name text, job_id bigint, schedule text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    j ptx.scheduled_job;
BEGIN
    IF NOT ptx.pg_cron_present() THEN
        RAISE EXCEPTION 'pg_cron is not installed in database %', current_database()
            USING ERRCODE = 'PX014',
                  DETAIL = 'ptx''s scheduled jobs (ledger sealing, verification, the annual inspection draw) run under pg_cron.',
                  HINT = 'Add pg_cron to shared_preload_libraries and run CREATE EXTENSION pg_cron in the database named by cron.database_name. '
                         'If that is another database, run the statements of ptx.job_statements() there.';
    END IF;
    FOR j IN SELECT * FROM ptx.scheduled_job ORDER BY name LOOP
        job_name := j.name;
        schedule := j.schedule;
        EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)'
           INTO job_id
          USING j.name, j.schedule, j.command, current_database();
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.schedule_jobs() IS
    'register ptx''s jobs (ptx:<purpose>) with pg_cron in this database; registering again updates them';

CREATE FUNCTION ptx.unschedule_jobs() RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n text;
    id bigint;
BEGIN
    IF NOT ptx.pg_cron_present() THEN
        RAISE EXCEPTION 'pg_cron is not installed in database %', current_database()
            USING ERRCODE = 'PX014',
                  DETAIL = 'There are no pg_cron jobs to remove here.',
                  HINT = 'If ptx''s jobs were scheduled from pg_cron''s own database, remove them there with cron.unschedule(job name).';
    END IF;
    FOR n, id IN EXECUTE
        'SELECT jobname, jobid FROM cron.job WHERE jobname LIKE ''ptx:%'' AND database = current_database() ORDER BY jobname'
    LOOP
        EXECUTE 'SELECT cron.unschedule($1)' USING id;
        RETURN NEXT n;
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.unschedule_jobs() IS 'remove ptx''s pg_cron jobs of this database';

GRANT SELECT ON ptx.scheduled_job TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.pg_cron_present(), ptx.job_statements()
    TO ptx_admin, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.schedule_jobs(), ptx.unschedule_jobs() TO ptx_admin;

-- ==== src/sql/30_ledger.sql
-- The tamper-evident ledger (R3, 全程留痕、可查可溯、电子固化; DESIGN.md §3).
-- Tables.  src/ledger.c writes entries, src/seal.c seals them into blocks,
-- src/verify.c checks them.  The serialization that the hashes cover is in
-- docs/ledger-format.md.
--
-- Partition-ready: every key leads with the column a range partitioning
-- would use (seq for entries, block_no for blocks), no unique constraint
-- spans anything else, and nothing references these tables.

-- CACHE 1 matters: the sealer relies on every seq <= the sequence's last
-- value having been handed out to a transaction that was already running.
CREATE SEQUENCE ptx.ledger_seq AS bigint NO CYCLE CACHE 1;
COMMENT ON SEQUENCE ptx.ledger_seq IS 'ledger entry numbers';
SELECT pg_catalog.pg_extension_config_dump('ptx.ledger_seq', '');

CREATE TABLE ptx.ledger_entry (
    seq                 bigint PRIMARY KEY,
    xid                 xid8 NOT NULL,
    logged_at           timestamptz NOT NULL,
    business_at         timestamptz NOT NULL,
    session_user_name   text NOT NULL,
    current_user_name   text NOT NULL,
    application_name    text,
    client_addr         inet,
    operation           text NOT NULL
        CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'SNAPSHOT', 'EVENT')),
    kind                text CHECK ((operation = 'EVENT') = (kind IS NOT NULL)),
    relation            text,
    key                 json,
    row_image           json,
    project_id          bigint,
    format              smallint NOT NULL,
    entry_hash          bytea NOT NULL
);
COMMENT ON TABLE ptx.ledger_entry IS 'ledger entries (留痕记录): one per changed row of a tracked table and per event; append-only';
COMMENT ON COLUMN ptx.ledger_entry.xid IS 'transaction that wrote the entry';
COMMENT ON COLUMN ptx.ledger_entry.logged_at IS 'clock_timestamp() when the entry was written';
COMMENT ON COLUMN ptx.ledger_entry.business_at IS 'ptx.now(), the business clock';
COMMENT ON COLUMN ptx.ledger_entry.operation IS 'INSERT, UPDATE, DELETE of a row, SNAPSHOT of a row when its table came under tracking, or EVENT';
COMMENT ON COLUMN ptx.ledger_entry.kind IS 'kind of an event (transition, draw, sealed_read, credit_revocation, track, untrack, ...)';
COMMENT ON COLUMN ptx.ledger_entry.relation IS 'schema.table of the row, or the relation an event is about';
COMMENT ON COLUMN ptx.ledger_entry.key IS 'primary key of the row as a JSON object, in jsonb''s canonical text';
COMMENT ON COLUMN ptx.ledger_entry.row_image IS 'the row after INSERT/UPDATE, before DELETE, or an event''s payload, in jsonb''s canonical text';
COMMENT ON COLUMN ptx.ledger_entry.project_id IS 'project the entry belongs to (the row''s project_id, a project''s own id, an event''s project_id)';
COMMENT ON COLUMN ptx.ledger_entry.entry_hash IS 'SHA-256 of the canonical serialization (docs/ledger-format.md)';
CREATE INDEX ledger_entry_relation_key_idx ON ptx.ledger_entry (relation, (key::text));
CREATE INDEX ledger_entry_project_idx ON ptx.ledger_entry (project_id) WHERE project_id IS NOT NULL;
SELECT pg_catalog.pg_extension_config_dump('ptx.ledger_entry', '');

CREATE TABLE ptx.ledger_block (
    block_no        bigint PRIMARY KEY,
    first_seq       bigint NOT NULL,
    last_seq        bigint NOT NULL,
    entry_count     bigint NOT NULL,
    merkle_root     bytea NOT NULL,
    prev_hash       bytea NOT NULL,
    block_hash      bytea NOT NULL,
    sealed_at       timestamptz NOT NULL,
    format          smallint NOT NULL
);
COMMENT ON TABLE ptx.ledger_block IS 'sealed blocks of ledger entries (电子固化), chained by hash; append-only';
COMMENT ON COLUMN ptx.ledger_block.first_seq IS 'the block holds the committed entries with first_seq <= seq <= last_seq';
COMMENT ON COLUMN ptx.ledger_block.merkle_root IS 'Merkle root of the entry hashes in seq order';
COMMENT ON COLUMN ptx.ledger_block.prev_hash IS 'block_hash of the previous block; 32 zero bytes for block 1';
CREATE INDEX ledger_block_last_seq_idx ON ptx.ledger_block (last_seq);
SELECT pg_catalog.pg_extension_config_dump('ptx.ledger_block', '');

CREATE TABLE ptx.ledger_check (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checked_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    from_block  bigint NOT NULL,
    to_block    bigint,
    problems    bigint NOT NULL,
    report      jsonb NOT NULL
);
COMMENT ON TABLE ptx.ledger_check IS 'results of scheduled verifications (ptx.verify_incremental)';
SELECT pg_catalog.pg_extension_config_dump('ptx.ledger_check', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.ledger_check', 'id'), '');

GRANT SELECT ON ptx.ledger_block TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT SELECT ON ptx.ledger_check TO ptx_admin, ptx_auditor;
-- ptx.ledger_entry: ptx_auditor only (99_finish.sql).  Row images may hold
-- what a role may not see in the tables themselves (sealed lists).

-- ==== src/sql/30_ledger_jobs.sql
-- The ledger's pg_cron jobs (ptx.schedule_jobs() registers them).  With ptx
-- in shared_preload_libraries the sealing workers seal within seconds and
-- ptx:seal only finds nothing left to do; without them it bounds the lag to
-- a minute.
INSERT INTO ptx.scheduled_job (name, schedule, command, description) VALUES
  ('ptx:seal', '* * * * *', 'SELECT ptx.seal()',
   'seal ledger entries into hash-chained blocks (电子固化)'),
  ('ptx:verify', '17 2 * * *', 'SELECT ptx.verify_incremental()',
   'verify the ledger from the last clean check on; results in ptx.ledger_check');

-- ==== src/sql/31_ledger_api.sql
-- The ledger's functions (R3): capture, events, tracking, sealing, digests,
-- verification and trails.  Reference: docs/reference/ledger.md.

------------------------------------------------------------------------
-- Capture and events (src/ledger.c)
------------------------------------------------------------------------
CREATE FUNCTION ptx.ledger_capture() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'ptx_ledger_capture';
COMMENT ON FUNCTION ptx.ledger_capture() IS
    'AFTER ROW trigger of tracked tables: one ledger entry per changed row, in the same transaction';

-- SECURITY INVOKER on purpose: the C function writes the entry as the
-- ledger's owner itself, and an invoker function records the caller's
-- current_user rather than the function owner's (docs/reference/ledger.md).
CREATE FUNCTION ptx.ledger_event(kind text, relation text, key jsonb, payload jsonb)
    RETURNS bigint
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'ptx_ledger_event';
COMMENT ON FUNCTION ptx.ledger_event(text, text, jsonb, jsonb) IS
    'record an event without a row (transition, draw, sealed read, credit revocation) in the ledger; returns its seq';

CREATE FUNCTION ptx.ledger_relation_name(rel oid) RETURNS text
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_ledger_relation_name_sql';
COMMENT ON FUNCTION ptx.ledger_relation_name(oid) IS
    'schema.table of a relation as ledger entries name it';

CREATE FUNCTION ptx.ledger_snapshot(rel regclass) RETURNS bigint
    LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', 'ptx_ledger_snapshot';
COMMENT ON FUNCTION ptx.ledger_snapshot(regclass) IS
    'write a SNAPSHOT entry for every row of a table the caller owns; returns the number of rows';

CREATE FUNCTION ptx.in_extension_script() RETURNS boolean
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'ptx_in_extension_script';
COMMENT ON FUNCTION ptx.in_extension_script() IS
    'true while CREATE EXTENSION or ALTER EXTENSION runs a script (lets the DDL guard step aside)';

CREATE FUNCTION ptx.ledger_entry_bytes(seq bigint) RETURNS bytea
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'ptx_ledger_entry_bytes';
COMMENT ON FUNCTION ptx.ledger_entry_bytes(bigint) IS
    'the canonical serialization of an entry, whose SHA-256 is its entry_hash';

CREATE FUNCTION ptx.ledger_block_bytes(block_no bigint) RETURNS bytea
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'ptx_ledger_block_bytes';
COMMENT ON FUNCTION ptx.ledger_block_bytes(bigint) IS
    'the canonical serialization of a block, whose SHA-256 is its block_hash';

------------------------------------------------------------------------
-- Tracking of DBAs' own tables
------------------------------------------------------------------------
CREATE FUNCTION ptx.track(rel regclass) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c pg_catalog.pg_class;
    leaf record;
    n bigint := 0;
BEGIN
    SELECT * INTO c FROM pg_catalog.pg_class WHERE oid = rel;
    IF c.relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', rel
            USING ERRCODE = '42809',
                  HINT = 'Only tables can be tracked by the ledger.';
    END IF;
    IF c.relnamespace = 'ptx'::regnamespace
       AND c.relname IN ('ledger_entry', 'ledger_block') THEN
        RAISE EXCEPTION 'the ledger cannot track its own table %', rel
            USING ERRCODE = 'PX009',
                  DETAIL = 'Ledger entries and blocks are protected by their hashes.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                    WHERE i.indrelid = rel AND i.indisprimary) THEN
        RAISE EXCEPTION 'table % has no primary key', rel
            USING ERRCODE = '55000',
                  DETAIL = 'The ledger identifies every row by its primary key.',
                  HINT = 'Add a primary key to the table, then track it.';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                WHERE t.tgrelid = rel AND t.tgname = 'ptx_ledger') THEN
        RAISE EXCEPTION 'table % is already tracked', rel
            USING ERRCODE = '42710';
    END IF;
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER ptx_ledger AFTER INSERT OR UPDATE OR DELETE ON %s'
        ' FOR EACH ROW EXECUTE FUNCTION ptx.ledger_capture()', rel);
    -- the starting point of every row, partition by partition
    FOR leaf IN SELECT rel::oid AS relid WHERE c.relkind = 'r' AND NOT c.relispartition
                UNION
                SELECT t.relid::oid FROM pg_catalog.pg_partition_tree(rel) t WHERE t.isleaf
                ORDER BY 1
    LOOP
        PERFORM ptx.ledger_event('track', ptx.ledger_relation_name(leaf.relid), NULL,
                                 pg_catalog.jsonb_build_object('table', rel::text));
        n := n + ptx.ledger_snapshot(leaf.relid::regclass);
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ptx.track(regclass) IS
    'bring a table with a primary key under the ledger: log every change, starting with a snapshot of its rows; returns the number of rows';

CREATE FUNCTION ptx.untrack(rel regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    leaf record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid = rel AND t.tgname = 'ptx_ledger'
                      AND t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure) THEN
        RAISE EXCEPTION 'table % is not tracked', rel
            USING ERRCODE = '55000',
                  HINT = 'Tracked tables are listed in ptx.tracked.';
    END IF;
    IF (SELECT c.relnamespace FROM pg_catalog.pg_class c WHERE c.oid = rel) = 'ptx'::regnamespace THEN
        RAISE EXCEPTION 'table % belongs to ptx and is always tracked', rel
            USING ERRCODE = 'PX009',
                  DETAIL = 'Every change to trading data is recorded (R3).';
    END IF;
    FOR leaf IN SELECT rel::oid AS relid
                UNION
                SELECT t.relid::oid FROM pg_catalog.pg_partition_tree(rel) t
                ORDER BY 1
    LOOP
        PERFORM ptx.ledger_event('untrack', ptx.ledger_relation_name(leaf.relid), NULL,
                                 pg_catalog.jsonb_build_object('table', rel::text));
    END LOOP;
    EXECUTE pg_catalog.format('DROP TRIGGER ptx_ledger ON %s', rel);
END
$$;
COMMENT ON FUNCTION ptx.untrack(regclass) IS
    'stop logging a table; the untracking is itself a ledger event';

CREATE VIEW ptx.tracked AS
SELECT t.tgrelid::regclass AS rel,
       ptx.ledger_relation_name(t.tgrelid) AS relation,
       t.tgenabled IN ('O', 'A') AS enabled
  FROM pg_catalog.pg_trigger t
 WHERE t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure
   AND t.tgparentid = 0;
COMMENT ON VIEW ptx.tracked IS 'tables under the ledger''s capture trigger';

------------------------------------------------------------------------
-- Sealing and digests (src/seal.c, src/worker.c)
------------------------------------------------------------------------
CREATE FUNCTION ptx.seal() RETURNS bigint
    LANGUAGE c VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'ptx_seal';
COMMENT ON FUNCTION ptx.seal() IS
    'seal every entry that can no longer change into hash-chained blocks; returns the number of blocks made';

CREATE FUNCTION ptx.digest() RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT pg_catalog.jsonb_build_object(
                   'block_no', b.block_no,
                   'block_hash', pg_catalog.encode(b.block_hash, 'hex'),
                   'last_seq', b.last_seq,
                   'sealed_at', b.sealed_at,
                   'format', b.format,
                   'database', pg_catalog.current_database(),
                   'system_identifier', (SELECT s.system_identifier::text
                                           FROM pg_catalog.pg_control_system() s))
          FROM ptx.ledger_block b
         ORDER BY b.block_no DESC
         LIMIT 1;
    END;
COMMENT ON FUNCTION ptx.digest() IS
    'the newest block''s number, hash and time, for publication outside the database; NULL before the first block';

------------------------------------------------------------------------
-- Verification (src/verify.c)
------------------------------------------------------------------------
CREATE FUNCTION ptx.verify_chain(from_block bigint)
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'ptx_verify_chain';
COMMENT ON FUNCTION ptx.verify_chain(bigint) IS
    'entry hashes, Merkle roots, block hashes and links from a block on (part of ptx.verify)';

-- Current rows are rendered with the settings the capture trigger uses
-- (src/ledger.c), whatever the caller's session has.
CREATE FUNCTION ptx.verify_rows()
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET TimeZone = 'UTC'
    SET IntervalStyle = 'postgres'
    SET extra_float_digits = 1
    SET bytea_output = 'hex'
    AS $$
DECLARE
    r record;
    since bigint;
BEGIN
    FOR r IN
        SELECT t.tgrelid AS relid, ptx.ledger_relation_name(t.tgrelid) AS name,
               (SELECT pg_catalog.string_agg(pg_catalog.format('%L, i.img -> %L', a.attname, a.attname),
                                             ', ' ORDER BY k.ord)
                  FROM pg_catalog.pg_index x,
                       unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord),
                       pg_catalog.pg_attribute a
                 WHERE x.indrelid = t.tgrelid AND x.indisprimary
                   AND k.ord <= x.indnkeyatts
                   AND a.attrelid = t.tgrelid AND a.attnum = k.attnum) AS keyexpr
          FROM pg_catalog.pg_trigger t
          JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
         WHERE t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure
           AND c.relkind = 'r'
         ORDER BY 2
    LOOP
        IF r.keyexpr IS NULL THEN
            block_no := NULL; seq := NULL; problem := 'no_primary_key';
            detail := pg_catalog.format('Tracked table %s has no primary key; its rows cannot be compared with the ledger.', r.name);
            RETURN NEXT;
            CONTINUE;
        END IF;
        SELECT max(e.seq) INTO since
          FROM ptx.ledger_entry e
         WHERE e.relation = r.name AND (e.key::text) IS NULL
           AND e.operation = 'EVENT' AND e.kind = 'track';
        -- rows are compared from the table's baseline on: a table of ptx
        -- just installed (or restored) gets it at the next ptx.seal()
        CONTINUE WHEN since IS NULL;
        RETURN QUERY EXECUTE pg_catalog.format($q$
            WITH cur AS (
                SELECT pg_catalog.jsonb_build_object(%s)::text AS k, i.img::text AS img
                  FROM (SELECT pg_catalog.to_jsonb(t) AS img FROM %s t) i),
            last AS (
                SELECT DISTINCT ON (e.key::text) e.key::text AS k, e.seq, e.operation,
                       e.row_image::text AS img
                  FROM ptx.ledger_entry e
                 WHERE e.relation = $1 AND e.seq >= $2 AND e.operation <> 'EVENT'
                 ORDER BY e.key::text, e.seq DESC)
            SELECT NULL::bigint, l.seq,
                   CASE WHEN c.k IS NULL THEN 'row_missing'
                        WHEN l.k IS NULL OR l.operation = 'DELETE' THEN 'row_unlogged'
                        ELSE 'row_changed' END,
                   CASE WHEN c.k IS NULL
                        THEN pg_catalog.format('Row %%s of %%s has no DELETE in the ledger but is gone from the table.', l.k, $1)
                        WHEN l.k IS NULL OR l.operation = 'DELETE'
                        THEN pg_catalog.format('Row %%s of %%s is in the table but the ledger has no image of it.', c.k, $1)
                        ELSE pg_catalog.format('Row %%s of %%s differs from its last ledger image.', c.k, $1) END
              FROM cur c
              FULL JOIN last l ON l.k = c.k
             WHERE (c.k IS NULL AND l.operation <> 'DELETE')
                OR (c.k IS NOT NULL AND (l.k IS NULL OR l.operation = 'DELETE'))
                OR (c.k IS NOT NULL AND l.k IS NOT NULL AND l.operation <> 'DELETE' AND c.img <> l.img)
             ORDER BY 2 NULLS LAST, 4$q$, r.keyexpr, r.relid::regclass)
            USING r.name, since;
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.verify_rows() IS
    'compare every tracked table''s rows with their last ledger images (part of ptx.verify)';

CREATE FUNCTION ptx.verify_lag()
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        WITH lag AS (
            SELECT COALESCE(pg_catalog.current_setting('ptx.seal_max_lag', true)::int, 60) AS s)
        SELECT NULL::bigint, min(e.seq), 'unsealed',
               pg_catalog.format('%s entries older than %s seconds are not sealed into a block.',
                                 count(*), (SELECT lag.s FROM lag))
          FROM ptx.ledger_entry e
         WHERE e.seq > COALESCE((SELECT max(b.last_seq) FROM ptx.ledger_block b), 0)
           AND e.logged_at < pg_catalog.clock_timestamp()
                             - (SELECT lag.s FROM lag) * interval '1 second'
        HAVING count(*) > 0;
    END;
COMMENT ON FUNCTION ptx.verify_lag() IS
    'entries left unsealed longer than ptx.seal_max_lag seconds (part of ptx.verify)';

CREATE FUNCTION ptx.verify(from_block bigint)
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY SELECT * FROM ptx.verify_chain(from_block);
    RETURN QUERY SELECT * FROM ptx.verify_rows();
    -- the tables not captured row by row (90_ledger_track.sql) are checked
    -- against what the ledger holds of them instead
    RETURN QUERY SELECT * FROM ptx.verify_draws();
    RETURN QUERY SELECT * FROM ptx.verify_agency_business();
    RETURN QUERY SELECT * FROM ptx.verify_lag();
END
$$;
COMMENT ON FUNCTION ptx.verify(bigint) IS
    'verify the ledger from a block on, the tracked tables, the executed draws, the derived agency summary and the sealing lag; one row per problem, none when verified';

CREATE FUNCTION ptx.verify()
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT * FROM ptx.verify(1::bigint);
    END;
COMMENT ON FUNCTION ptx.verify() IS
    'verify the whole ledger, the tracked tables and the sealing lag; one row per problem, none when verified';

CREATE FUNCTION ptx.verify(digests jsonb)
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d jsonb;
    b ptx.ledger_block;
    n bigint;
BEGIN
    IF jsonb_typeof(digests) = 'object' THEN
        digests := jsonb_build_array(digests);
    END IF;
    IF jsonb_typeof(digests) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'digests must be a digest object or an array of them'
            USING ERRCODE = '22023',
                  HINT = 'Pass what ptx.digest() returned, e.g. ''[{"block_no": 7, "block_hash": "…"}]''.';
    END IF;
    FOR d IN SELECT value FROM jsonb_array_elements(digests)
    LOOP
        BEGIN
            n := (d ->> 'block_no')::bigint;
        EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
            n := NULL;
        END;
        IF n IS NULL OR d ->> 'block_hash' IS NULL THEN
            RAISE EXCEPTION 'digest % has no block_no or block_hash', d
                USING ERRCODE = '22023';
        END IF;
        SELECT * INTO b FROM ptx.ledger_block x WHERE x.block_no = n;
        IF NOT FOUND THEN
            block_no := n; seq := NULL; problem := 'digest_block_missing';
            detail := format('Block %s of a published digest is not in the ledger.', n);
            RETURN NEXT;
        ELSIF encode(b.block_hash, 'hex') IS DISTINCT FROM lower(d ->> 'block_hash') THEN
            block_no := n; seq := NULL; problem := 'digest_mismatch';
            detail := format('Block %s has the hash %s; the digest published %s.',
                             n, encode(b.block_hash, 'hex'), d ->> 'block_hash');
            RETURN NEXT;
        END IF;
    END LOOP;
    RETURN QUERY SELECT * FROM ptx.verify(1::bigint);
END
$$;
COMMENT ON FUNCTION ptx.verify(jsonb) IS
    'verify the whole ledger and check its chain against digests published earlier (catches a rewritten chain)';

CREATE FUNCTION ptx.verify_incremental() RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    from_no bigint;
    to_no bigint;
    found jsonb;
    n bigint;
BEGIN
    SELECT COALESCE(max(c.to_block), 0) + 1 INTO from_no
      FROM ptx.ledger_check c WHERE c.problems = 0;
    SELECT max(b.block_no) INTO to_no FROM ptx.ledger_block b;
    SELECT COALESCE(jsonb_agg(to_jsonb(v)), '[]'::jsonb), count(*) INTO found, n
      FROM ptx.verify(from_no) v;
    INSERT INTO ptx.ledger_check (from_block, to_block, problems, report)
    VALUES (from_no, COALESCE(to_no, from_no - 1), n, found);
    IF n > 0 THEN
        RAISE WARNING 'ptx ledger verification found % problems', n
            USING DETAIL = 'The problems are in ptx.ledger_check.',
                  HINT = 'Investigate with SELECT * FROM ptx.verify().';
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ptx.verify_incremental() IS
    'verify from the block after the last clean check on, record the result in ptx.ledger_check; returns the number of problems (the nightly job)';

------------------------------------------------------------------------
-- Trails (可查可溯)
------------------------------------------------------------------------
CREATE FUNCTION ptx.trail(project_id bigint)
    RETURNS TABLE (seq bigint, block_no bigint, logged_at timestamptz, business_at timestamptz,
                   session_user_name text, current_user_name text, operation text, kind text,
                   relation text, key jsonb, data jsonb)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT e.seq,
               (SELECT b.block_no FROM ptx.ledger_block b
                 WHERE b.last_seq >= e.seq AND b.first_seq <= e.seq
                 ORDER BY b.last_seq LIMIT 1),
               e.logged_at, e.business_at, e.session_user_name, e.current_user_name,
               e.operation, e.kind, e.relation, e.key::jsonb, e.row_image::jsonb
          FROM ptx.ledger_entry e
         WHERE e.project_id = trail.project_id
         ORDER BY e.seq;
    END;
COMMENT ON FUNCTION ptx.trail(bigint) IS
    'a project''s whole history in order: its row and every entry whose row or payload carries its project_id';

CREATE FUNCTION ptx.trail(relation text, key jsonb)
    RETURNS TABLE (seq bigint, block_no bigint, logged_at timestamptz, business_at timestamptz,
                   session_user_name text, current_user_name text, operation text, kind text,
                   relation text, key jsonb, data jsonb)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT e.seq,
               (SELECT b.block_no FROM ptx.ledger_block b
                 WHERE b.last_seq >= e.seq AND b.first_seq <= e.seq
                 ORDER BY b.last_seq LIMIT 1),
               e.logged_at, e.business_at, e.session_user_name, e.current_user_name,
               e.operation, e.kind, e.relation, e.key::jsonb, e.row_image::jsonb
          FROM ptx.ledger_entry e
         WHERE e.relation = trail.relation AND (e.key::text) = (trail.key::text)
         ORDER BY e.seq;
    END;
COMMENT ON FUNCTION ptx.trail(text, jsonb) IS
    'the history of one row (or of the events about one key) in order, e.g. ptx.trail(''ptx.bid'', ''{"id": 7}'')';

GRANT EXECUTE ON FUNCTION ptx.ledger_event(text, text, jsonb, jsonb)
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.ledger_capture(), ptx.ledger_snapshot(regclass),
    ptx.track(regclass), ptx.untrack(regclass), ptx.seal() TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.ledger_relation_name(oid), ptx.in_extension_script()
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.digest()
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.verify(), ptx.verify(bigint), ptx.verify(jsonb),
    ptx.verify_chain(bigint), ptx.verify_rows(), ptx.verify_lag(),
    ptx.verify_incremental() TO ptx_admin, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.trail(bigint), ptx.trail(text, jsonb),
    ptx.ledger_entry_bytes(bigint), ptx.ledger_block_bytes(bigint) TO ptx_auditor;
GRANT SELECT ON ptx.tracked TO ptx_admin, ptx_auditor;

-- ==== src/sql/32_ledger_guard.sql
-- The ledger is append-only (R3): UPDATE, DELETE and TRUNCATE of its
-- tables are refused, DDL on its objects is refused, and the capture
-- trigger of a tracked table can be neither disabled nor dropped except by
-- ptx.untrack(), which logs it.  A superuser with
-- session_replication_role = replica bypasses triggers: that is what
-- ptx.verify() detects.

CREATE FUNCTION ptx.ledger_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RAISE EXCEPTION '% on %.% is refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'PX009',
              DETAIL = 'The ledger is append-only: its entries and blocks are never updated or removed.',
              HINT = 'Record a correction as a new event with ptx.ledger_event().';
END
$$;
COMMENT ON FUNCTION ptx.ledger_refuse_change() IS 'refuses UPDATE, DELETE and TRUNCATE on ledger tables (PX009)';

CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ptx.ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_change();
CREATE TRIGGER ledger_block_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ptx.ledger_block
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_change();
CREATE TRIGGER ledger_check_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ptx.ledger_check
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_change();

-- the ledger's own relations and their indexes
CREATE FUNCTION ptx.ledger_relids() RETURNS SETOF oid
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT c.oid FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'ptx'::pg_catalog.regnamespace
           AND c.relname IN ('ledger_entry', 'ledger_block', 'ledger_check', 'ledger_seq')
        UNION ALL
        SELECT i.indexrelid FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
         WHERE c.relnamespace = 'ptx'::pg_catalog.regnamespace
           AND c.relname IN ('ledger_entry', 'ledger_block', 'ledger_check');
    END;

CREATE FUNCTION ptx.ledger_guard_ddl() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cmd record;
    target oid;
    bad text;
BEGIN
    -- A tracked table whose columns changed (added, dropped, renamed, also
    -- by ALTER EXTENSION UPDATE) renders its rows differently from their
    -- last images: log a new starting point of every row.  Only then: a
    -- snapshot after any ALTER TABLE would launder changes made while a
    -- superuser had the capture switched off.
    FOR cmd IN SELECT DISTINCT d.objid FROM pg_catalog.pg_event_trigger_ddl_commands() d
                 JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relkind = 'r'
                WHERE d.command_tag = 'ALTER TABLE'
                  AND d.classid = 'pg_catalog.pg_class'::regclass
                  AND EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                               WHERE t.tgrelid = d.objid
                                 AND t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure)
                  AND (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attname::text)
                         FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = d.objid AND a.attnum > 0 AND NOT a.attisdropped)
                      IS DISTINCT FROM
                      (SELECT pg_catalog.array_agg(k ORDER BY k)
                         FROM pg_catalog.jsonb_object_keys(
                                (SELECT e.row_image::jsonb FROM ptx.ledger_entry e
                                  WHERE e.relation = ptx.ledger_relation_name(d.objid)
                                    AND e.operation IN ('INSERT', 'UPDATE', 'DELETE', 'SNAPSHOT')
                                  ORDER BY e.seq DESC LIMIT 1)) k)
                  AND EXISTS (SELECT 1 FROM ptx.ledger_entry e
                               WHERE e.relation = ptx.ledger_relation_name(d.objid)
                                 AND e.operation IN ('INSERT', 'UPDATE', 'DELETE', 'SNAPSHOT'))
    LOOP
        PERFORM ptx.ledger_event('track', ptx.ledger_relation_name(cmd.objid), NULL,
                                 '{"reason": "ALTER TABLE"}');
        PERFORM ptx.ledger_snapshot(cmd.objid::regclass);
    END LOOP;
    IF ptx.in_extension_script() THEN
        RETURN;
    END IF;
    FOR cmd IN SELECT * FROM pg_catalog.pg_event_trigger_ddl_commands() LOOP
        target := CASE cmd.classid
            WHEN 'pg_catalog.pg_class'::regclass THEN cmd.objid
            WHEN 'pg_catalog.pg_trigger'::regclass THEN
                (SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid = cmd.objid)
            WHEN 'pg_catalog.pg_rewrite'::regclass THEN
                (SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid = cmd.objid)
            WHEN 'pg_catalog.pg_policy'::regclass THEN
                (SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid = cmd.objid)
            WHEN 'pg_catalog.pg_constraint'::regclass THEN
                (SELECT k.conrelid FROM pg_catalog.pg_constraint k WHERE k.oid = cmd.objid)
            ELSE NULL END;
        IF target IN (SELECT ptx.ledger_relids()) THEN
            RAISE EXCEPTION '% on ledger object % is refused', cmd.command_tag, cmd.object_identity
                USING ERRCODE = 'PX009',
                      DETAIL = 'The ledger''s tables, indexes and sequence change only with ALTER EXTENSION ptx UPDATE.';
        END IF;
    END LOOP;
    -- whatever the command, the ledger must still capture and stay closed.
    -- A superuser may switch a capture trigger off (pg_restore
    -- --disable-triggers does): superusers can bypass triggers anyway, and
    -- ptx.verify() reports whatever changed meanwhile.
    SELECT pg_catalog.string_agg(t.tgrelid::regclass::text, ', ') INTO bad
      FROM pg_catalog.pg_trigger t
     WHERE t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure
       AND t.tgenabled IN ('D', 'R');
    IF bad IS NOT NULL AND NOT COALESCE((
           SELECT r.rolsuper FROM pg_catalog.pg_roles r
            WHERE r.rolname = CASE pg_catalog.current_setting('role')
                                  WHEN 'none' THEN session_user
                                  ELSE pg_catalog.current_setting('role') END), false) THEN
        RAISE EXCEPTION 'the ledger capture trigger of % cannot be disabled', bad
            USING ERRCODE = 'PX009',
                  HINT = 'Stop logging a table of your own with ptx.untrack(); the ledger records it.';
    END IF;
    SELECT pg_catalog.string_agg(DISTINCT c.oid::regclass::text || ' ' || a.privilege_type || ' to ' ||
                                 CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, ', ')
      INTO bad
      FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
     WHERE c.oid IN (SELECT ptx.ledger_relids())
       AND a.grantee <> c.relowner
       AND a.privilege_type NOT IN ('SELECT');
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'granting write privileges on the ledger is refused: %', bad
            USING ERRCODE = 'PX009',
                  DETAIL = 'Entries are written only by the ledger''s own functions.';
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.ledger_guard_ddl() IS
    'event trigger: refuses DDL on ledger objects, disabling a capture trigger and granting writes on the ledger (PX009)';

CREATE FUNCTION ptx.ledger_guard_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    o record;
    rel text;
BEGIN
    IF ptx.in_extension_script() OR TG_TAG = 'DROP EXTENSION' THEN
        RETURN;
    END IF;
    FOR o IN SELECT * FROM pg_catalog.pg_event_trigger_dropped_objects() LOOP
        IF o.object_identity ~ '(^| on )ptx\.ledger_(entry|block|check|seq)' THEN
            RAISE EXCEPTION 'dropping ledger object % is refused', o.object_identity
                USING ERRCODE = 'PX009',
                      DETAIL = 'The ledger is removed only with DROP EXTENSION ptx.';
        END IF;
        IF o.object_type = 'trigger' AND o.address_names[3] = 'ptx_ledger' THEN
            rel := pg_catalog.format('%I.%I', o.address_names[1], o.address_names[2]);
            IF NOT EXISTS (SELECT 1 FROM ptx.ledger_entry e
                            WHERE e.relation = rel AND (e.key::text) IS NULL
                              AND e.operation = 'EVENT' AND e.kind = 'untrack'
                              AND e.xid = pg_catalog.pg_current_xact_id()) THEN
                RAISE EXCEPTION 'dropping the ledger capture trigger of % is refused', rel
                    USING ERRCODE = 'PX009',
                          DETAIL = 'A tracked table stops being logged only through ptx.untrack(), which records it.',
                          HINT = 'Call ptx.untrack() first, also before dropping a tracked table.';
            END IF;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.ledger_guard_drop() IS
    'event trigger: refuses dropping ledger objects, or a capture trigger without ptx.untrack() (PX009)';

CREATE EVENT TRIGGER ptx_ledger_guard_ddl ON ddl_command_end
    EXECUTE FUNCTION ptx.ledger_guard_ddl();
CREATE EVENT TRIGGER ptx_ledger_guard_drop ON sql_drop
    EXECUTE FUNCTION ptx.ledger_guard_drop();

-- ==== src/sql/33_ledger_public.sql
-- The ledger's blocks for the public (公开): what ptx.digest() returns for
-- the newest block, for every block, so that anyone can keep the hashes
-- and later hold the operator to them with ptx.verify(digests).  Block
-- hashes and ranges reveal nothing of the entries.
CREATE VIEW ptx_public.ledger_block WITH (security_barrier = true) AS
SELECT b.block_no,
       pg_catalog.encode(b.block_hash, 'hex') AS block_hash,
       b.first_seq,
       b.last_seq,
       b.entry_count,
       b.sealed_at,
       b.format
  FROM ptx.ledger_block b;
COMMENT ON VIEW ptx_public.ledger_block IS
    'every sealed block of the ledger (区块): number, hash, range and time, for publication; pass rows to ptx.verify(digests)';

GRANT SELECT ON ptx_public.ledger_block TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

-- ==== src/sql/40_trading.sql
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

-- ==== src/sql/41_calendar.sql
-- Legal clocks (法定期限): the local date of a business time, the working-day
-- calendar (工作日) and the due date of a period set by a policy setting.
--
-- Periods are counted in days: the day of the event is not counted (期间开始
--的当日不计入), so a period of n days after day d ends on d + n.  A period
-- in working days skips weekends and public holidays, and counts the
-- adjusted working days (调休上班) on weekends.

------------------------------------------------------------------------
-- The local date.  China keeps one time zone; the business clock is turned
-- into a date there whatever the session's TimeZone is.
------------------------------------------------------------------------
CREATE FUNCTION ptx.local_date(ts timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (ts AT TIME ZONE 'Asia/Shanghai')::date;
COMMENT ON FUNCTION ptx.local_date(timestamptz) IS
    'the calendar date of a time in China (Asia/Shanghai), the date legal periods count in';

CREATE FUNCTION ptx.today() RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN ptx.local_date(ptx.now());
COMMENT ON FUNCTION ptx.today() IS 'the local date of the business clock ptx.now()';

------------------------------------------------------------------------
-- Working-day calendar.  ptx.holiday_default holds the State Council's
-- holiday arrangements (国务院办公厅关于部分节假日安排的通知) shipped with ptx;
-- ptx.holiday holds the region's own rows, which win over the defaults for
-- the same day.  Both are editable: add next year's arrangement to
-- ptx.holiday as soon as it is published, correct a default by a row for
-- the same day.
------------------------------------------------------------------------
CREATE TABLE ptx.holiday_default (
    day     date PRIMARY KEY,
    kind    text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name    text NOT NULL
);
COMMENT ON TABLE ptx.holiday_default IS
    'public holidays (法定节假日) and adjusted working days (调休上班日) shipped with ptx; override them in ptx.holiday';

CREATE TABLE ptx.holiday (
    day     date PRIMARY KEY,
    kind    text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name    text NOT NULL CHECK (pg_catalog.btrim(name) <> ''),
    reason  text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    set_by  text NOT NULL DEFAULT session_user,
    set_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE ptx.holiday IS
    'the region''s calendar rows: holidays and adjusted working days, winning over ptx.holiday_default';
COMMENT ON COLUMN ptx.holiday.kind IS 'holiday: no work on that day; workday: a weekend day worked (调休上班) or a default holiday cancelled';
SELECT pg_catalog.pg_extension_config_dump('ptx.holiday', '');

CREATE VIEW ptx.calendar AS
SELECT COALESCE(h.day, d.day) AS day,
       COALESCE(h.kind, d.kind) AS kind,
       COALESCE(h.name, d.name) AS name,
       h.day IS NOT NULL AS local
  FROM ptx.holiday_default d
  FULL JOIN ptx.holiday h ON h.day = d.day;
COMMENT ON VIEW ptx.calendar IS 'the effective holidays and adjusted working days';

-- 2025: 国办发明电〔2024〕12号; 2026: 国办发明电〔2025〕7号.
INSERT INTO ptx.holiday_default (day, kind, name)
SELECT d::date, 'holiday', n
  FROM (VALUES ('2025-01-01', '2025-01-01', '元旦'),
               ('2025-01-28', '2025-02-04', '春节'),
               ('2025-04-04', '2025-04-06', '清明节'),
               ('2025-05-01', '2025-05-05', '劳动节'),
               ('2025-05-31', '2025-06-02', '端午节'),
               ('2025-10-01', '2025-10-08', '国庆节、中秋节'),
               ('2026-01-01', '2026-01-03', '元旦'),
               ('2026-02-15', '2026-02-23', '春节'),
               ('2026-04-04', '2026-04-06', '清明节'),
               ('2026-05-01', '2026-05-05', '劳动节'),
               ('2026-06-19', '2026-06-21', '端午节'),
               ('2026-09-25', '2026-09-27', '中秋节'),
               ('2026-10-01', '2026-10-07', '国庆节')) v(a, b, n),
       LATERAL pg_catalog.generate_series(a::date, b::date, interval '1 day') d;
INSERT INTO ptx.holiday_default (day, kind, name) VALUES
    ('2025-01-26', 'workday', '春节调休上班'),
    ('2025-02-08', 'workday', '春节调休上班'),
    ('2025-04-27', 'workday', '劳动节调休上班'),
    ('2025-09-28', 'workday', '国庆节调休上班'),
    ('2025-10-11', 'workday', '国庆节调休上班'),
    ('2026-01-04', 'workday', '元旦调休上班'),
    ('2026-02-14', 'workday', '春节调休上班'),
    ('2026-02-28', 'workday', '春节调休上班'),
    ('2026-05-09', 'workday', '劳动节调休上班'),
    ('2026-09-20', 'workday', '国庆节调休上班'),
    ('2026-10-10', 'workday', '国庆节调休上班');

CREATE FUNCTION ptx.is_working_day(day date) RETURNS boolean
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT COALESCE((SELECT h.kind = 'workday' FROM ptx.holiday h WHERE h.day = is_working_day.day),
                        (SELECT d.kind = 'workday' FROM ptx.holiday_default d WHERE d.day = is_working_day.day),
                        pg_catalog.date_part('isodow', is_working_day.day) < 6);
    END;
COMMENT ON FUNCTION ptx.is_working_day(date) IS
    'true on a working day: Monday to Friday unless a holiday, or an adjusted working day';

CREATE FUNCTION ptx.add_working_days(day date, n integer) RETURNS date
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d date := day;
    left_ integer := n;
BEGIN
    IF n < 0 THEN
        RAISE EXCEPTION 'a number of working days cannot be negative'
            USING ERRCODE = '22023', DETAIL = format('%s was given.', n);
    END IF;
    WHILE left_ > 0 LOOP
        d := d + 1;
        IF ptx.is_working_day(d) THEN
            left_ := left_ - 1;
        END IF;
    END LOOP;
    RETURN d;
END
$$;
COMMENT ON FUNCTION ptx.add_working_days(date, integer) IS
    'the n-th working day after a day (the day itself not counted); the day itself for n = 0';

CREATE FUNCTION ptx.working_days_between(a date, b date) RETURNS integer
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT pg_catalog.count(*)::integer
          FROM pg_catalog.generate_series(a + 1, b, interval '1 day') g(d)
         WHERE ptx.is_working_day(g.d::date);
    END;
COMMENT ON FUNCTION ptx.working_days_between(date, date) IS
    'working days after a up to and including b (0 when b <= a)';

------------------------------------------------------------------------
-- Due dates of policy periods.  A setting counted in time has the unit
-- 'days' or 'working days' in ptx.policy_default.
------------------------------------------------------------------------
CREATE FUNCTION ptx.clock_date(start date, key text) RETURNS date
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v numeric := ptx.setting(key);
    u text;
BEGIN
    SELECT d.unit INTO u FROM ptx.policy_default d WHERE d.key = clock_date.key;
    IF v < 0 OR v <> trunc(v) THEN
        RAISE EXCEPTION 'policy setting "%" is not a whole number of days', key
            USING ERRCODE = '22023',
                  DETAIL = format('Its value is %s.', v),
                  HINT = 'Correct the override with ptx.set_policy.';
    END IF;
    IF u = 'days' THEN
        RETURN start + v::integer;
    ELSIF u = 'working days' THEN
        RETURN ptx.add_working_days(start, v::integer);
    END IF;
    RAISE EXCEPTION 'policy setting "%" is not a period', key
        USING ERRCODE = '22023',
              DETAIL = format('Its unit is %s, not days or working days.', u);
END
$$;
COMMENT ON FUNCTION ptx.clock_date(date, text) IS
    'the day a period set by a policy setting ends when it starts on a day (the day itself not counted)';

GRANT SELECT ON ptx.holiday_default, ptx.holiday, ptx.calendar
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT INSERT, UPDATE, DELETE ON ptx.holiday TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.local_date(timestamptz), ptx.today(),
    ptx.is_working_day(date), ptx.add_working_days(date, integer),
    ptx.working_days_between(date, date), ptx.clock_date(date, text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

-- ==== src/sql/42_catalog.sql
-- The trading catalog (公共资源交易目录) and the must-enter rule (应进必进,
-- R1); a named supervisor with jurisdiction for every project (R2).
--
-- An entry applies to a category in a region and its sub-regions over a
-- date range, with optional conditions: an amount threshold, funding
-- sources, project kinds.  Entries are never edited: a new version of the
-- same code supersedes the older ones from its valid_from on.  A condition
-- the caller leaves unknown (NULL funding, kind or amount) never exempts a
-- trade: the entry is taken to apply.

CREATE TABLE ptx.catalog (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL CHECK (pg_catalog.btrim(code) <> ''),
    version     integer NOT NULL,
    category    text NOT NULL REFERENCES ptx.category (code),
    region      text NOT NULL REFERENCES ptx.region (code),
    min_amount  numeric(18, 2) CHECK (min_amount >= 0),
    funding     text[] CHECK (pg_catalog.cardinality(funding) > 0),
    kinds       text[] CHECK (pg_catalog.cardinality(kinds) > 0),
    valid_from  date NOT NULL,
    valid_to    date,
    basis       text,
    created_at  timestamptz NOT NULL DEFAULT ptx.now(),
    created_by  text NOT NULL DEFAULT session_user,
    UNIQUE (code, version),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
COMMENT ON TABLE ptx.catalog IS 'the trading catalog (公共资源交易目录): what must trade on the platform; versioned, never edited';
COMMENT ON COLUMN ptx.catalog.code IS 'entry code; versions of one entry share it';
COMMENT ON COLUMN ptx.catalog.version IS '1, 2, …: a version supersedes the older ones from its valid_from on';
COMMENT ON COLUMN ptx.catalog.region IS 'the region the entry applies in, with its sub-regions';
COMMENT ON COLUMN ptx.catalog.min_amount IS 'amount threshold (限额标准), CNY: the entry applies from this amount on; NULL for every amount';
COMMENT ON COLUMN ptx.catalog.funding IS 'funding sources (资金来源) the entry applies to; NULL for every source';
COMMENT ON COLUMN ptx.catalog.kinds IS 'project kinds (项目类型) the entry applies to; NULL for every kind';
COMMENT ON COLUMN ptx.catalog.valid_to IS 'last day in force (inclusive); NULL while in force';
COMMENT ON COLUMN ptx.catalog.basis IS 'legal basis (依据)';
CREATE INDEX catalog_category_idx ON ptx.catalog (category, region);
SELECT pg_catalog.pg_extension_config_dump('ptx.catalog', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.catalog', 'id'), '');

CREATE FUNCTION ptx.catalog_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NEW.valid_to < NEW.valid_from THEN
        RAISE EXCEPTION 'catalog entry % cannot end before it begins', NEW.code
            USING ERRCODE = '22023',
                  DETAIL = format('It would be in force from %s to %s.', NEW.valid_from, NEW.valid_to);
    END IF;
    PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('ptx.catalog:' || NEW.code));
    SELECT COALESCE(max(c.version), 0) + 1 INTO NEW.version
      FROM ptx.catalog c WHERE c.code = NEW.code;
    NEW.created_at := ptx.now();
    NEW.created_by := session_user;
    RETURN NEW;
END
$$;
CREATE TRIGGER catalog_before_insert BEFORE INSERT ON ptx.catalog
    FOR EACH ROW EXECUTE FUNCTION ptx.catalog_before_insert();

CREATE FUNCTION ptx.catalog_immutable() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RAISE EXCEPTION 'catalog entries cannot be changed or removed'
        USING ERRCODE = '55000',
              DETAIL = format('%s on ptx.catalog was refused: every version of an entry stays as it was published.', TG_OP),
              HINT = 'Add a new version with ptx.add_catalog_entry, or end an entry with ptx.end_catalog_entry.';
END
$$;
CREATE TRIGGER catalog_immutable BEFORE UPDATE OR DELETE ON ptx.catalog
    FOR EACH ROW EXECUTE FUNCTION ptx.catalog_immutable();
CREATE TRIGGER catalog_no_truncate BEFORE TRUNCATE ON ptx.catalog
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.catalog_immutable();

CREATE FUNCTION ptx.add_catalog_entry(code text, category text, region text,
                                      min_amount numeric DEFAULT NULL,
                                      funding text[] DEFAULT NULL,
                                      valid_from date DEFAULT ptx.today(),
                                      valid_to date DEFAULT NULL,
                                      basis text DEFAULT NULL,
                                      kinds text[] DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO ptx.catalog (code, version, category, region, min_amount, funding,
                             kinds, valid_from, valid_to, basis)
    VALUES (add_catalog_entry.code, 0, add_catalog_entry.category, add_catalog_entry.region,
            add_catalog_entry.min_amount, add_catalog_entry.funding, add_catalog_entry.kinds,
            COALESCE(add_catalog_entry.valid_from, ptx.today()),
            add_catalog_entry.valid_to, add_catalog_entry.basis)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.add_catalog_entry(text, text, text, numeric, text[], date, date, text, text[]) IS
    'add a catalog entry, or a new version of the entry with that code; returns its id';

CREATE FUNCTION ptx.catalog_current(on_date date DEFAULT ptx.today()) RETURNS SETOF ptx.catalog
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT c.*
          FROM ptx.catalog c
         WHERE c.valid_from <= catalog_current.on_date
           AND (c.valid_to IS NULL OR c.valid_to >= catalog_current.on_date)
           AND NOT EXISTS (SELECT 1 FROM ptx.catalog n
                            WHERE n.code = c.code AND n.version > c.version
                              AND n.valid_from <= catalog_current.on_date)
         ORDER BY c.category, c.region, c.code;
    END;
COMMENT ON FUNCTION ptx.catalog_current(date) IS
    'the catalog entries in force on a day: for each code, its newest version begun by then, if not ended';

CREATE FUNCTION ptx.end_catalog_entry(code text, last_day date, basis text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c ptx.catalog;
BEGIN
    SELECT * INTO c FROM ptx.catalog e
     WHERE e.code = end_catalog_entry.code
     ORDER BY e.version DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'catalog entry % does not exist', code
            USING ERRCODE = '22023', HINT = 'The entries are listed in ptx.catalog.';
    END IF;
    IF last_day < c.valid_from THEN
        RAISE EXCEPTION 'catalog entry % cannot end before it begins', code
            USING ERRCODE = '22023',
                  DETAIL = format('Its newest version %s is in force from %s; %s was given as its last day.',
                                  c.version, c.valid_from, last_day);
    END IF;
    RETURN ptx.add_catalog_entry(c.code, c.category, c.region, c.min_amount, c.funding,
                                 c.valid_from, last_day, basis, c.kinds);
END
$$;
COMMENT ON FUNCTION ptx.end_catalog_entry(text, date, text) IS
    'end a catalog entry on a last day, by a new version identical but for its end and basis';

-- The entries in force on a day for a trade, whatever its amount.
CREATE FUNCTION ptx.catalog_in_force(category text, region text, funding text,
                                     on_date date, kind text) RETURNS SETOF ptx.catalog
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT c.*
          FROM ptx.catalog_current(catalog_in_force.on_date) c
          JOIN ptx.region r ON r.code = catalog_in_force.region
          JOIN ptx.region cr ON cr.code = c.region
         WHERE c.category = catalog_in_force.category
           AND c.region = ANY (r.path)
           AND (c.funding IS NULL OR catalog_in_force.funding IS NULL
                OR catalog_in_force.funding = ANY (c.funding))
           AND (c.kinds IS NULL OR catalog_in_force.kind IS NULL
                OR catalog_in_force.kind = ANY (c.kinds))
         ORDER BY cr.level DESC, c.min_amount NULLS LAST, c.code;
    END;
COMMENT ON FUNCTION ptx.catalog_in_force(text, text, text, date, text) IS
    'catalog entries in force on a day for a category, region, funding and kind, whatever the amount';

CREATE FUNCTION ptx.catalog_match(category text, region text, amount numeric,
                                  funding text DEFAULT NULL,
                                  on_date date DEFAULT ptx.today(),
                                  kind text DEFAULT NULL) RETURNS SETOF ptx.catalog
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT c.*
          FROM ptx.catalog_in_force(catalog_match.category, catalog_match.region,
                                    catalog_match.funding,
                                    COALESCE(catalog_match.on_date, ptx.today()),
                                    catalog_match.kind) c
         WHERE c.min_amount IS NULL OR catalog_match.amount IS NULL
            OR catalog_match.amount >= c.min_amount;
    END;
COMMENT ON FUNCTION ptx.catalog_match(text, text, numeric, text, date, text) IS
    'the catalog entries that oblige a trade to enter the platform (应进必进), most specific first; none: entering is voluntary';

------------------------------------------------------------------------
-- Projects: catalog entry, voluntary entry, named supervisor.
------------------------------------------------------------------------
ALTER TABLE ptx.project ADD CONSTRAINT project_catalog_fk
    FOREIGN KEY (catalog_id) REFERENCES ptx.catalog (id);
CREATE INDEX project_catalog_idx ON ptx.project (catalog_id);

CREATE FUNCTION ptx.project_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    m ptx.catalog;
    terms_changed boolean;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        terms_changed := (NEW.code, NEW.category, NEW.region, NEW.tenderee_id, NEW.amount,
                          NEW.funding, NEW.kind, NEW.method, NEW.catalog_id, NEW.voluntary)
                         IS DISTINCT FROM
                         (OLD.code, OLD.category, OLD.region, OLD.tenderee_id, OLD.amount,
                          OLD.funding, OLD.kind, OLD.method, OLD.catalog_id, OLD.voluntary);
        IF terms_changed AND OLD.state <> 'registered' THEN
            RAISE EXCEPTION 'project % cannot change its terms in state %', OLD.code, OLD.state
                USING ERRCODE = 'PX003',
                      DETAIL = 'Code, category, region, tenderee, amount, funding, kind, method and catalog entry are fixed once the project is announced.',
                      HINT = 'Terminate the project and register it anew.';
        END IF;
    END IF;

    -- R2: a named supervisory department with jurisdiction.
    IF NEW.supervisor_id IS NULL THEN
        RAISE EXCEPTION 'project % names no supervisory department', NEW.code
            USING ERRCODE = 'PX002',
                  DETAIL = 'Every project entering the platform names its supervisory department (明确监管主体, notice §4).',
                  HINT = 'Give the supervisor_id of a department with jurisdiction, see ptx.supervisors_of(category, region).';
    END IF;
    IF TG_OP = 'INSERT' OR NEW.supervisor_id IS DISTINCT FROM OLD.supervisor_id
       OR NEW.category IS DISTINCT FROM OLD.category OR NEW.region IS DISTINCT FROM OLD.region THEN
        IF NOT ptx.has_role(NEW.supervisor_id, 'supervisor')
           OR NOT ptx.has_jurisdiction(NEW.supervisor_id, NEW.category, NEW.region) THEN
            RAISE EXCEPTION 'organisation % has no jurisdiction over project %', NEW.supervisor_id, NEW.code
                USING ERRCODE = 'PX002',
                      DETAIL = format('Category %s in region %s is supervised by: %s.', NEW.category, NEW.region,
                                      COALESCE((SELECT string_agg(s::text, ', ')
                                                  FROM ptx.supervisors_of(NEW.category, NEW.region) s),
                                               'no department')),
                      HINT = 'Name a department holding jurisdiction over the category in the region or a region above it (谁监管谁负责).';
        END IF;
    END IF;

    IF TG_OP = 'UPDATE' AND NOT terms_changed THEN
        RETURN NEW;
    END IF;

    IF NOT ptx.has_role(NEW.tenderee_id, 'tenderee') THEN
        RAISE EXCEPTION 'organisation % is not a tenderee', NEW.tenderee_id
            USING ERRCODE = '22023',
                  DETAIL = format('Project %s names it as tenderee (招标人).', NEW.code),
                  HINT = 'Register the organisation with the role tenderee.';
    END IF;
    IF NEW.agency_id IS NOT NULL AND NOT ptx.has_role(NEW.agency_id, 'agency') THEN
        RAISE EXCEPTION 'organisation % is not an agency', NEW.agency_id
            USING ERRCODE = '22023',
                  DETAIL = format('Project %s names it as tendering agency (招标代理机构).', NEW.code),
                  HINT = 'Register the organisation with the role agency.';
    END IF;

    -- R1: the entry that obliges the project to enter, else a voluntary entry.
    -- An entry kept from before a change of terms is matched anew.
    IF TG_OP = 'UPDATE' AND NEW.catalog_id IS NOT DISTINCT FROM OLD.catalog_id THEN
        NEW.catalog_id := NULL;
    END IF;
    IF NEW.catalog_id IS NOT NULL THEN
        SELECT * INTO m
          FROM ptx.catalog_match(NEW.category, NEW.region, NEW.amount, NEW.funding,
                                 ptx.today(), NEW.kind) c
         WHERE c.id = NEW.catalog_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'project % does not fall under catalog entry %', NEW.code, NEW.catalog_id
                USING ERRCODE = '22023',
                      DETAIL = format('Entry %s does not cover category %s in region %s for %s CNY on %s.',
                                      NEW.catalog_id, NEW.category, NEW.region, NEW.amount, ptx.today()),
                      HINT = 'A project outside the catalog may enter voluntarily, never by rule: leave catalog_id empty.';
        END IF;
    ELSE
        SELECT * INTO m
          FROM ptx.catalog_match(NEW.category, NEW.region, NEW.amount, NEW.funding,
                                 ptx.today(), NEW.kind)
         LIMIT 1;
    END IF;
    NEW.catalog_id := m.id;
    NEW.voluntary := m.id IS NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER project_before_write BEFORE INSERT OR UPDATE ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.project_before_write();

CREATE FUNCTION ptx.register_project(code text, title text, category text, region text,
                                     tenderee_id bigint, amount numeric, supervisor_id bigint,
                                     funding text DEFAULT NULL, agency_id bigint DEFAULT NULL,
                                     method text DEFAULT 'open',
                                     kind text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id,
                             supervisor_id, amount, funding, method, kind)
    VALUES (register_project.code, register_project.title, register_project.category,
            register_project.region, register_project.tenderee_id, register_project.agency_id,
            register_project.supervisor_id, register_project.amount, register_project.funding,
            COALESCE(register_project.method, 'open'), register_project.kind)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.register_project(text, text, text, text, bigint, numeric, bigint, text, bigint, text, text) IS
    'register a project entering the platform (进场登记); records the catalog entry that obliges it, or that it enters voluntarily';

GRANT SELECT ON ptx.catalog TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION
    ptx.add_catalog_entry(text, text, text, numeric, text[], date, date, text, text[]),
    ptx.end_catalog_entry(text, date, text)
    TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.catalog_current(date),
    ptx.catalog_in_force(text, text, text, date, text),
    ptx.catalog_match(text, text, numeric, text, date, text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION
    ptx.register_project(text, text, text, text, bigint, numeric, bigint, text, bigint, text, text)
    TO ptx_admin, ptx_operator;

-- ==== src/sql/43_lifecycle.sql
-- The trading lifecycle (招标投标程序) and its clocks (R4).  The state
-- machine itself is src/lifecycle.c, as triggers on ptx.project; the
-- functions below are the API, each one UPDATE that the machine checks.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('tender.min_bid_days.construction', 20, 'days', '招标投标法 §24',
   'engineering construction tenders: least days from issuing the documents to the bid deadline'),
  ('tender.min_bid_days.procurement', 20, 'days', '政府采购法 §35; 政府采购货物和服务招标投标管理办法 §16',
   'government procurement tenders: least days from issuing the documents to the bid deadline'),
  ('tender.min_bid_days.land', 20, 'days', '招标拍卖挂牌出让国有建设用地使用权规定 §10',
   'land use rights: least days from the announcement to the start of bidding, auction or listing'),
  ('tender.min_bid_days.mining', 20, 'days', '矿业权交易规则 (公告期)',
   'mining rights: least days from the announcement to the start of bidding, auction or listing'),
  ('tender.min_bid_days.state_property', 20, 'working days', '企业国有资产交易监督管理办法 §13',
   'state-owned property: least working days of disclosure before the transfer'),
  ('tender.min_bid_days.other', 20, 'days', '招标投标法 §24',
   'other categories: least days from the announcement to the bid deadline'),
  ('tender.min_bids', 3, 'bids', '招标投标法 §28; 招标投标法实施条例 §44',
   'fewer valid bids at the deadline: no opening, the tender fails and is tendered again'),
  ('candidates.max', 3, 'candidates', '招标投标法实施条例 §53',
   'most ranked candidates the evaluation committee names'),
  ('publicity.publish_within_days', 3, 'days', '招标投标法实施条例 §54',
   'days after receiving the evaluation report by which the candidates are published'),
  ('publicity.min_days', 3, 'days', '招标投标法实施条例 §54',
   'least days the candidates are publicised before the award');

------------------------------------------------------------------------
-- Transitions: one row per step of a project, never changed.
------------------------------------------------------------------------
CREATE TABLE ptx.transition (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  bigint NOT NULL REFERENCES ptx.project (id),
    round       integer NOT NULL,
    from_state  text,
    to_state    text NOT NULL,
    at          timestamptz NOT NULL DEFAULT ptx.now(),
    real_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    actor       text NOT NULL DEFAULT session_user,
    reason      text
);
COMMENT ON TABLE ptx.transition IS 'every step of every project: entry, state changes, suspensions and resumptions';
COMMENT ON COLUMN ptx.transition.from_state IS 'NULL for the entry of the project';
COMMENT ON COLUMN ptx.transition.to_state IS 'the new state; suspended when an objection or complaint suspends the project, and back when it resumes';
COMMENT ON COLUMN ptx.transition.at IS 'business time (ptx.now())';
COMMENT ON COLUMN ptx.transition.real_at IS 'wall-clock time of the recording';
COMMENT ON COLUMN ptx.transition.actor IS 'the session user who made the step';
CREATE INDEX transition_project_idx ON ptx.transition (project_id, id);
SELECT pg_catalog.pg_extension_config_dump('ptx.transition', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.transition', 'id'), '');

CREATE FUNCTION ptx.transition_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.real_at := pg_catalog.clock_timestamp();
        NEW.actor := session_user;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'transitions cannot be changed or removed'
        USING ERRCODE = '55000',
              DETAIL = format('%s on ptx.transition was refused: the steps of a project are a record.', TG_OP),
              HINT = 'A correction is a new step of the project.';
END
$$;
CREATE TRIGGER transition_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.transition
    FOR EACH ROW EXECUTE FUNCTION ptx.transition_before_write();
CREATE TRIGGER transition_no_truncate BEFORE TRUNCATE ON ptx.transition
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.transition_before_write();

------------------------------------------------------------------------
-- The machine (src/lifecycle.c).
------------------------------------------------------------------------
CREATE FUNCTION ptx.transition_allowed(from_state text, to_state text) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_transition_allowed';
COMMENT ON FUNCTION ptx.transition_allowed(text, text) IS
    'true when the lifecycle has a step from one state to another';

CREATE FUNCTION ptx.next_states(state text) RETURNS text[]
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_next_states';
COMMENT ON FUNCTION ptx.next_states(text) IS 'the states a project can go to from a state';

CREATE FUNCTION ptx.receipt_time() RETURNS timestamptz
    LANGUAGE c VOLATILE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_receipt_time';
COMMENT ON FUNCTION ptx.receipt_time() IS
    'time of receipt of a bid or objection: ptx.now() under a faked clock, else the current wall-clock time';

CREATE FUNCTION ptx.project_guard() RETURNS trigger
    LANGUAGE c
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'ptx_project_guard';
CREATE TRIGGER project_guard BEFORE INSERT OR UPDATE ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.project_guard();

CREATE FUNCTION ptx.project_record() RETURNS trigger
    LANGUAGE c
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'ptx_project_record';
CREATE TRIGGER project_record AFTER INSERT OR UPDATE ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.project_record();

------------------------------------------------------------------------
-- Candidates (中标候选人): at most candidates.max, ranked, each with a
-- valid bid of the current round.
------------------------------------------------------------------------
CREATE TABLE ptx.candidate (
    project_id  bigint NOT NULL REFERENCES ptx.project (id),
    round       integer NOT NULL,
    rank        integer NOT NULL CHECK (rank >= 1),
    bidder_id   bigint NOT NULL REFERENCES ptx.org (id),
    bid_id      bigint NOT NULL REFERENCES ptx.bid (id),
    published_at timestamptz NOT NULL DEFAULT ptx.now(),
    PRIMARY KEY (project_id, round, rank),
    UNIQUE (project_id, round, bidder_id)
);
COMMENT ON TABLE ptx.candidate IS 'ranked candidates (中标候选人) named by the evaluation committee and publicised';
SELECT pg_catalog.pg_extension_config_dump('ptx.candidate', '');

CREATE FUNCTION ptx.candidate_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    b ptx.bid;
    max_rank integer := ptx.setting('candidates.max');
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'candidates cannot be changed or removed'
            USING ERRCODE = '55000',
                  DETAIL = format('%s on ptx.candidate was refused: published candidates are a record.', TG_OP),
                  HINT = 'Terminate the project if the publication was wrong.';
    END IF;
    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', NEW.project_id USING ERRCODE = '23503';
    END IF;
    IF p.state <> 'evaluating' THEN
        RAISE EXCEPTION 'project % cannot name candidates in state %', p.code, p.state
            USING ERRCODE = 'PX003',
                  HINT = 'Candidates are named during the evaluation (评标).';
    END IF;
    IF NEW.rank > max_rank THEN
        RAISE EXCEPTION 'project % cannot have a candidate of rank %', p.code, NEW.rank
            USING ERRCODE = 'PX003',
                  DETAIL = format('At most %s candidates are named.', max_rank),
                  HINT = 'Policy setting candidates.max (招标投标法实施条例 §53).';
    END IF;
    SELECT * INTO b FROM ptx.bid
     WHERE project_id = NEW.project_id AND round = p.round AND bidder_id = NEW.bidder_id;
    IF NOT FOUND OR b.status <> 'valid' THEN
        RAISE EXCEPTION 'organisation % has no valid bid in project %', NEW.bidder_id, p.code
            USING ERRCODE = 'PX003',
                  DETAIL = CASE WHEN b.id IS NULL THEN format('It did not bid in round %s.', p.round)
                                ELSE format('Its bid %s is %s.', b.id, b.status) END,
                  HINT = 'Candidates are chosen among the valid bids.';
    END IF;
    NEW.round := p.round;
    NEW.bid_id := b.id;
    NEW.published_at := ptx.now();
    RETURN NEW;
END
$$;
CREATE TRIGGER candidate_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.candidate
    FOR EACH ROW EXECUTE FUNCTION ptx.candidate_before_write();

------------------------------------------------------------------------
-- The API.  Each function is one step: a single UPDATE the machine checks.
------------------------------------------------------------------------
CREATE FUNCTION ptx.project_lock(project_id bigint, step_to text[] DEFAULT NULL) RETURNS ptx.project
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
BEGIN
    SELECT * INTO p FROM ptx.project WHERE id = project_lock.project_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', project_id
            USING ERRCODE = '22023', HINT = 'The projects are listed in ptx.project.';
    END IF;
    IF p.state = ANY (step_to) THEN
        RAISE EXCEPTION 'project % is already %', p.code, p.state
            USING ERRCODE = 'PX003',
                  DETAIL = format('It went to %s at %s.', p.state, p.state_changed_at);
    END IF;
    RETURN p;
END
$$;
COMMENT ON FUNCTION ptx.project_lock(bigint, text[]) IS
    'the project row, locked for a step to one of the given states; an error when it does not exist or is already there';

CREATE FUNCTION ptx.announce(project_id bigint, bid_deadline timestamptz) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id);
BEGIN
    IF p.state = 'announced' THEN
        RAISE EXCEPTION 'project % is already announced', p.code
            USING ERRCODE = 'PX003',
                  DETAIL = format('Its bid deadline is %s.', p.bid_deadline),
                  HINT = 'Postpone the deadline with ptx.extend_deadline.';
    END IF;
    UPDATE ptx.project SET state = 'announced', bid_deadline = announce.bid_deadline
     WHERE id = announce.project_id;
END
$$;
COMMENT ON FUNCTION ptx.announce(bigint, timestamptz) IS
    'publish the tender announcement and documents (招标公告) with the bid deadline; also re-tenders a failed project';

CREATE FUNCTION ptx.extend_deadline(project_id bigint, bid_deadline timestamptz) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.project_lock(project_id);
    UPDATE ptx.project SET bid_deadline = extend_deadline.bid_deadline
     WHERE id = extend_deadline.project_id;
END
$$;
COMMENT ON FUNCTION ptx.extend_deadline(bigint, timestamptz) IS
    'postpone the bid deadline of an announced project before it passes';

CREATE FUNCTION ptx.open_bids(project_id bigint) RETURNS text
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id, '{opened,failed}');
    n bigint;
    outcome text;
BEGIN
    SELECT count(*) INTO n FROM ptx.bid b
     WHERE b.project_id = p.id AND b.round = p.round AND b.status = 'valid';
    outcome := CASE WHEN n >= ptx.setting('tender.min_bids') THEN 'opened' ELSE 'failed' END;
    UPDATE ptx.project SET state = outcome,
           state_note = CASE WHEN outcome = 'failed'
                             THEN format('%s valid bids at the deadline of round %s', n, p.round) END
     WHERE id = p.id;
    RETURN outcome;
END
$$;
COMMENT ON FUNCTION ptx.open_bids(bigint) IS
    'open the bids (开标) at the deadline: opened with enough valid bids, else failed (流标), to be tendered again';

CREATE FUNCTION ptx.start_evaluation(project_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.project_lock(project_id, '{evaluating}');
    UPDATE ptx.project SET state = 'evaluating' WHERE id = start_evaluation.project_id;
END
$$;
COMMENT ON FUNCTION ptx.start_evaluation(bigint) IS 'hand the opened bids to the evaluation committee (评标)';

CREATE FUNCTION ptx.report_evaluation(project_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id);
BEGIN
    IF p.reported_at IS NOT NULL THEN
        RAISE EXCEPTION 'evaluation report of project % is already recorded', p.code
            USING ERRCODE = 'PX003',
                  DETAIL = format('It was received at %s.', p.reported_at);
    END IF;
    UPDATE ptx.project SET reported_at = ptx.now() WHERE id = report_evaluation.project_id;
END
$$;
COMMENT ON FUNCTION ptx.report_evaluation(bigint) IS
    'record the receipt of the evaluation report (评标报告); the publication clock starts';

CREATE FUNCTION ptx.publish_candidates(project_id bigint, bidder_ids bigint[],
                                       publicity_until timestamptz DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id, '{publicity}');
    max_n integer := ptx.setting('candidates.max');
BEGIN
    IF COALESCE(cardinality(bidder_ids), 0) = 0 OR cardinality(bidder_ids) > max_n
       OR array_position(bidder_ids, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'project % needs between 1 and % candidates', p.code, max_n
            USING ERRCODE = '22023',
                  DETAIL = format('%s were given.', COALESCE(bidder_ids::text, 'none')),
                  HINT = 'Name the ranked candidates, best first (招标投标法实施条例 §53).';
    END IF;
    IF (SELECT count(DISTINCT x) FROM unnest(bidder_ids) x) <> cardinality(bidder_ids) THEN
        RAISE EXCEPTION 'project % has a candidate named twice', p.code
            USING ERRCODE = '22023', DETAIL = format('%s were given.', bidder_ids);
    END IF;
    INSERT INTO ptx.candidate (project_id, rank, bidder_id)
    SELECT p.id, r.rank, r.bidder_id
      FROM unnest(bidder_ids) WITH ORDINALITY r(bidder_id, rank);
    UPDATE ptx.project SET state = 'publicity',
           publicity_until = publish_candidates.publicity_until
     WHERE id = p.id;
END
$$;
COMMENT ON FUNCTION ptx.publish_candidates(bigint, bigint[], timestamptz) IS
    'publish the ranked candidates (中标候选人公示); publicity lasts until the given end, at least publicity.min_days';

CREATE FUNCTION ptx.award(project_id bigint, bidder_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.project_lock(project_id, '{awarded}');
    UPDATE ptx.project SET state = 'awarded', winner_id = award.bidder_id
     WHERE id = award.project_id;
END
$$;
COMMENT ON FUNCTION ptx.award(bigint, bigint) IS
    'issue the award notice (中标通知书) to a candidate after the publicity';

CREATE FUNCTION ptx.terminate(project_id bigint, reason text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.project_lock(project_id, '{terminated}');
    UPDATE ptx.project SET state = 'terminated', state_note = terminate.reason
     WHERE id = terminate.project_id;
END
$$;
COMMENT ON FUNCTION ptx.terminate(bigint, text) IS 'terminate a project (终止招标) with a reason';

CREATE FUNCTION ptx.close_project(project_id bigint, note text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.project_lock(project_id, '{closed}');
    UPDATE ptx.project SET state = 'closed', state_note = close_project.note
     WHERE id = close_project.project_id;
END
$$;
COMMENT ON FUNCTION ptx.close_project(bigint, text) IS 'close a contracted project (归档)';

CREATE FUNCTION ptx.project_history(project_id bigint)
    RETURNS TABLE (at timestamptz, round integer, from_state text, to_state text,
                   actor text, reason text)
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT t.at, t.round, t.from_state, t.to_state, t.actor, t.reason
          FROM ptx.transition t
         WHERE t.project_id = project_history.project_id
         ORDER BY t.id;
    END;
COMMENT ON FUNCTION ptx.project_history(bigint) IS 'the steps of a project in order';

GRANT SELECT ON ptx.transition, ptx.candidate TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT UPDATE ON ptx.project TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.transition_allowed(text, text), ptx.next_states(text),
    ptx.receipt_time(), ptx.project_history(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.announce(bigint, timestamptz),
    ptx.extend_deadline(bigint, timestamptz), ptx.open_bids(bigint),
    ptx.start_evaluation(bigint), ptx.report_evaluation(bigint),
    ptx.publish_candidates(bigint, bigint[], timestamptz), ptx.award(bigint, bigint),
    ptx.terminate(bigint, text), ptx.close_project(bigint, text)
    TO ptx_admin, ptx_operator;

-- ==== src/sql/43_lifecycle_award.sql
-- The choice of the winner (确定中标人, 招标投标法实施条例 §55).  In a project
-- that must be tendered (matched by the catalog, not entered voluntarily)
-- and is funded by the state (国有资金占控股或者主导地位: funding 'state' or
-- 'state_owned'), the tenderee awards the first-ranked candidate.  The next
-- candidate in rank may be awarded only once the first is set aside for one
-- of the causes §55 names; a candidate set aside is never awarded, in any
-- project.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('award.first_ranked_state_funded', 1, 'boolean', '招标投标法实施条例 §55',
   '1: a state-funded project that must be tendered awards its best-ranked candidate not set aside');

CREATE TABLE ptx.candidate_set_aside (
    project_id  bigint NOT NULL,
    round       integer NOT NULL,
    bidder_id   bigint NOT NULL,
    cause       text NOT NULL
        CHECK (cause IN ('declined', 'force_majeure', 'no_performance_bond', 'violation')),
    reason      text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    recorded_at timestamptz NOT NULL DEFAULT ptx.now(),
    recorded_by text NOT NULL DEFAULT session_user,
    PRIMARY KEY (project_id, round, bidder_id),
    FOREIGN KEY (project_id, round, bidder_id)
        REFERENCES ptx.candidate (project_id, round, bidder_id)
);
COMMENT ON TABLE ptx.candidate_set_aside IS
    'candidates set aside before the award (条例 §55): declined 放弃中标, force_majeure 因不可抗力不能履行合同, no_performance_bond 未按要求提交履约保证金, violation 被查实存在影响中标结果的违法行为';
SELECT pg_catalog.pg_extension_config_dump('ptx.candidate_set_aside', '');

CREATE FUNCTION ptx.candidate_set_aside_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RAISE EXCEPTION 'candidates set aside cannot be changed or removed'
        USING ERRCODE = '55000',
              DETAIL = pg_catalog.format('%s on ptx.candidate_set_aside was refused: setting a candidate aside is a record.', TG_OP);
END
$$;
CREATE TRIGGER candidate_set_aside_before_write BEFORE UPDATE OR DELETE ON ptx.candidate_set_aside
    FOR EACH ROW EXECUTE FUNCTION ptx.candidate_set_aside_before_write();
CREATE TRIGGER candidate_set_aside_no_truncate BEFORE TRUNCATE ON ptx.candidate_set_aside
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.candidate_set_aside_before_write();

CREATE FUNCTION ptx.set_aside_candidate(project_id bigint, bidder_id bigint, cause text, reason text)
    RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
BEGIN
    SELECT * INTO p FROM ptx.project WHERE id = set_aside_candidate.project_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', COALESCE(set_aside_candidate.project_id::text, 'NULL')
            USING ERRCODE = '22023';
    END IF;
    IF cause IS NULL OR cause NOT IN ('declined', 'force_majeure', 'no_performance_bond', 'violation') THEN
        RAISE EXCEPTION 'invalid cause % for setting a candidate aside', COALESCE(cause, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'The causes of 招标投标法实施条例 §55 are declined, force_majeure, no_performance_bond and violation.';
    END IF;
    IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
        RAISE EXCEPTION 'a candidate is set aside with a reason'
            USING ERRCODE = '22023';
    END IF;
    IF p.state <> 'publicity' THEN
        RAISE EXCEPTION 'project % is %, not in publicity', p.code, p.state
            USING ERRCODE = 'PX003',
                  DETAIL = 'Candidates are set aside between their publication and the award.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.candidate c
                    WHERE c.project_id = p.id AND c.round = p.round
                      AND c.bidder_id = set_aside_candidate.bidder_id) THEN
        RAISE EXCEPTION 'organisation % is not a candidate of project %',
                        COALESCE(set_aside_candidate.bidder_id::text, 'NULL'), p.code
            USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM ptx.candidate_set_aside s
                WHERE s.project_id = p.id AND s.round = p.round
                  AND s.bidder_id = set_aside_candidate.bidder_id) THEN
        RAISE EXCEPTION 'candidate % of project % is already set aside', set_aside_candidate.bidder_id, p.code
            USING ERRCODE = '23505';
    END IF;
    INSERT INTO ptx.candidate_set_aside (project_id, round, bidder_id, cause, reason)
    VALUES (p.id, p.round, set_aside_candidate.bidder_id, cause, reason);
END
$$;
COMMENT ON FUNCTION ptx.set_aside_candidate(bigint, bigint, text, text) IS
    'set a published candidate aside before the award, for a cause of 招标投标法实施条例 §55, so that the next in rank may be awarded';

-- The winner a project may be awarded to, NULL when any candidate may be:
-- the best-ranked candidate of the round not set aside, in a state-funded
-- project that must be tendered.
CREATE FUNCTION ptx.required_winner(project_id bigint) RETURNS bigint
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT c.bidder_id
          FROM ptx.project p
          JOIN ptx.candidate c ON c.project_id = p.id AND c.round = p.round
         WHERE p.id = required_winner.project_id
           AND ptx.setting('award.first_ranked_state_funded') <> 0
           AND p.catalog_id IS NOT NULL AND NOT p.voluntary
           AND p.funding IN ('state', 'state_owned')
           AND NOT EXISTS (SELECT 1 FROM ptx.candidate_set_aside s
                            WHERE s.project_id = c.project_id AND s.round = c.round
                              AND s.bidder_id = c.bidder_id)
         ORDER BY c.rank
         LIMIT 1;
    END;
COMMENT ON FUNCTION ptx.required_winner(bigint) IS
    'the candidate a state-funded project that must be tendered has to award (条例 §55), NULL when the tenderee may choose among the candidates';

-- Named to fire after the lifecycle's project_guard (triggers fire in name
-- order), which reports a winner who is no candidate at all.
CREATE FUNCTION ptx.project_rank_for_award() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s ptx.candidate_set_aside;
    required bigint;
BEGIN
    SELECT * INTO s FROM ptx.candidate_set_aside a
     WHERE a.project_id = NEW.id AND a.round = NEW.round AND a.bidder_id = NEW.winner_id;
    IF FOUND THEN
        RAISE EXCEPTION 'candidate % of project % was set aside', NEW.winner_id, NEW.code
            USING ERRCODE = 'PX003',
                  DETAIL = pg_catalog.format('It was set aside on %s (%s): %s', s.recorded_at, s.cause, s.reason),
                  HINT = 'Award another candidate, or tender the project again.';
    END IF;
    required := ptx.required_winner(NEW.id);
    IF required IS NOT NULL AND required <> NEW.winner_id THEN
        RAISE EXCEPTION 'project % must be awarded to its first-ranked candidate', NEW.code
            USING ERRCODE = 'PX003',
                  DETAIL = pg_catalog.format('The project is funded by the state (%s) and must be tendered; its best-ranked candidate not set aside is organisation %s, not %s.',
                                             NEW.funding, required, NEW.winner_id),
                  HINT = 'Award that candidate, or record why it is set aside with ptx.set_aside_candidate (招标投标法实施条例 §55).';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER project_rank_for_award BEFORE UPDATE OF state ON ptx.project
    FOR EACH ROW WHEN (NEW.state = 'awarded' AND OLD.state IS DISTINCT FROM 'awarded')
    EXECUTE FUNCTION ptx.project_rank_for_award();

GRANT SELECT ON ptx.candidate_set_aside TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.set_aside_candidate(bigint, bigint, text, text) TO ptx_admin, ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.required_winner(bigint) TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

-- ==== src/sql/44_bids.sql
-- Bids (投标) and their seal (R4, R8): a bid is invisible to everyone but
-- the system until the opening (开标).
--
-- The price, the digest of the documents and the machine fingerprint of a
-- bid are stored only as one OpenPGP message (pgcrypto pgp_sym_encrypt,
-- AES-256, no compression, padded to a fixed length so that its size does
-- not tell the price) under a random 256-bit key of the project.  The keys
-- live in schema ptx_seal, which no role but the extension owner can
-- enter; the ledger's row images and every table read see only the
-- ciphertext.  At the opening the machine fills the clear columns from the
-- seal; a bid that is never opened (failed or terminated tender) stays
-- sealed and is returned (退回).

CREATE SCHEMA ptx_seal;
COMMENT ON SCHEMA ptx_seal IS 'ptx: bid keys, readable by the extension owner only';
REVOKE ALL ON SCHEMA ptx_seal FROM PUBLIC;

CREATE TABLE ptx_seal.project_key (
    project_id  bigint PRIMARY KEY REFERENCES ptx.project (id),
    key         bytea NOT NULL CHECK (pg_catalog.length(key) = 32),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE ptx_seal.project_key IS 'per-project key sealing the bids until the opening';
REVOKE ALL ON ptx_seal.project_key FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('ptx_seal.project_key', '');

-- The schema pgcrypto was installed in (CREATE EXTENSION ptx CASCADE puts
-- it where the DBA chose); its functions are called qualified.
CREATE FUNCTION ptx_seal.pgcrypto_schema() RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s text;
BEGIN
    SELECT n.nspname INTO s
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pgcrypto';
    IF s IS NULL THEN
        RAISE EXCEPTION 'extension pgcrypto is not installed'
            USING ERRCODE = 'PX014',
                  HINT = 'ptx requires pgcrypto: CREATE EXTENSION pgcrypto.';
    END IF;
    RETURN s;
END
$$;

CREATE FUNCTION ptx_seal.seal(project_id bigint, payload text) RETURNS bytea
    LANGUAGE plpgsql VOLATILE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cs text := ptx_seal.pgcrypto_schema();
    k bytea;
    padded text;
    out bytea;
BEGIN
    SELECT key INTO k FROM ptx_seal.project_key WHERE project_key.project_id = seal.project_id;
    IF NOT FOUND THEN
        EXECUTE format('SELECT %I.gen_random_bytes(32)', cs) INTO k;
        INSERT INTO ptx_seal.project_key (project_id, key) VALUES (seal.project_id, k)
        ON CONFLICT ON CONSTRAINT project_key_pkey DO NOTHING;
        SELECT key INTO STRICT k FROM ptx_seal.project_key WHERE project_key.project_id = seal.project_id;
    END IF;
    IF octet_length(payload) > 1000 THEN
        RAISE EXCEPTION 'bid of project % is too large to seal', project_id
            USING ERRCODE = '22023',
                  DETAIL = 'The fingerprint and digest together exceed the sealed record.',
                  HINT = 'Give a digest (a hash) of the documents, not the documents.';
    END IF;
    padded := rpad(payload, 1024, ' ');
    EXECUTE format('SELECT %I.pgp_sym_encrypt($1, $2, %L)', cs,
                   'cipher-algo=aes256, compress-algo=0, s2k-mode=1')
       INTO out USING padded, encode(k, 'hex');
    RETURN out;
END
$$;
COMMENT ON FUNCTION ptx_seal.seal(bigint, text) IS 'seal a bid payload under the project''s key';

CREATE FUNCTION ptx_seal.unseal(project_id bigint, sealed bytea) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cs text := ptx_seal.pgcrypto_schema();
    k bytea;
    clear text;
BEGIN
    SELECT key INTO STRICT k FROM ptx_seal.project_key WHERE project_key.project_id = unseal.project_id;
    EXECUTE format('SELECT %I.pgp_sym_decrypt($1, $2)', cs)
       INTO clear USING sealed, encode(k, 'hex');
    RETURN rtrim(clear, ' ')::jsonb;
END
$$;
COMMENT ON FUNCTION ptx_seal.unseal(bigint, bytea) IS 'open a sealed bid payload';

------------------------------------------------------------------------
-- The bid rules, for the API and for direct writes alike.
------------------------------------------------------------------------
CREATE FUNCTION ptx.bid_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    t timestamptz;
    clear jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'bids cannot be removed'
            USING ERRCODE = '55000',
                  DETAIL = format('Bid %s of project %s stays on record.', OLD.id, OLD.project_id),
                  HINT = 'A bidder withdraws its bid with ptx.withdraw_bid before the deadline.';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;                          -- nothing changes
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.id, NEW.project_id, NEW.bidder_id, NEW.round)
                            IS DISTINCT FROM (OLD.id, OLD.project_id, OLD.bidder_id, OLD.round) THEN
        RAISE EXCEPTION 'bid % cannot change its project, bidder or round', OLD.id
            USING ERRCODE = 'PX003';
    END IF;

    -- The project row is share-locked: the opening, which updates it,
    -- waits for bids being written, and bids wait for an opening.
    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', NEW.project_id
            USING ERRCODE = '23503';
    END IF;

    IF TG_OP = 'INSERT' THEN
        IF p.state <> 'announced' THEN
            RAISE EXCEPTION 'project % does not accept bids in state %', p.code, p.state
                USING ERRCODE = 'PX003',
                      HINT = CASE WHEN p.state = 'registered' THEN 'Bids are accepted once the project is announced.'
                                  ELSE 'Bids are accepted until the bid deadline, before the opening.' END;
        END IF;
        IF NEW.bidder_id IS NULL THEN
            RAISE EXCEPTION 'bid for project % names no bidder', p.code USING ERRCODE = '22023';
        END IF;
        t := ptx.receipt_time();
        IF t > p.bid_deadline THEN
            RAISE EXCEPTION 'bid for project % is late', p.code
                USING ERRCODE = 'PX004',
                      DETAIL = format('It was received at %s, after the bid deadline %s.',
                                      t, p.bid_deadline),
                      HINT = 'A bid received after the deadline is refused (招标投标法 §28).';
        END IF;
        IF NOT ptx.has_role(NEW.bidder_id, 'bidder') THEN
            RAISE EXCEPTION 'organisation % is not a bidder', NEW.bidder_id
                USING ERRCODE = '22023', HINT = 'Register the organisation with the role bidder.';
        END IF;
        IF NEW.bidder_id = p.tenderee_id OR NEW.bidder_id IS NOT DISTINCT FROM p.agency_id THEN
            RAISE EXCEPTION 'organisation % cannot bid in project %', NEW.bidder_id, p.code
                USING ERRCODE = '22023',
                      DETAIL = 'It is the tenderee or the tendering agency of the project.',
                      HINT = 'An agency never bids in a project it runs (招标投标法实施条例 §13).';
        END IF;
        IF NEW.price IS NULL OR NEW.sealed IS NOT NULL THEN
            RAISE EXCEPTION 'bid for project % needs a price', p.code
                USING ERRCODE = '22023',
                      DETAIL = 'The price is given in clear and sealed by ptx; a sealed value cannot be supplied.',
                      HINT = 'Use ptx.submit_bid.';
        END IF;
        NEW.round := p.round;
        NEW.submitted_at := t;
        NEW.status := 'valid';
        NEW.status_note := NULL;
        NEW.opened_at := NULL;
    ELSIF OLD.opened_at IS NULL AND NEW.opened_at IS NOT NULL THEN
        -- The opening: the machine fills the clear columns from the seal.
        IF p.state NOT IN ('opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'closed', 'terminated')
           OR p.opened_at IS NULL OR OLD.round <> p.round THEN
            RAISE EXCEPTION 'bid % cannot be opened before project % is opened', OLD.id, p.code
                USING ERRCODE = 'PX003',
                      HINT = 'Bids are opened by ptx.open_bids at the deadline.';
        END IF;
        clear := ptx_seal.unseal(p.id, OLD.sealed);
        NEW.price := (clear ->> 'price')::numeric;
        NEW.doc_digest := decode(clear ->> 'digest', 'hex');
        NEW.fingerprint := clear ->> 'fingerprint';
        NEW.sealed := OLD.sealed;
        NEW.status := OLD.status;
        NEW.status_note := OLD.status_note;
        NEW.submitted_at := OLD.submitted_at;
        NEW.opened_at := p.opened_at;
        RETURN NEW;
    ELSIF OLD.opened_at IS NULL THEN
        -- Still sealed: resubmission or withdrawal before the deadline, or
        -- the return of a bid never opened.
        IF (NEW.doc_digest, NEW.fingerprint) IS DISTINCT FROM (OLD.doc_digest, OLD.fingerprint)
           AND NEW.price IS NULL THEN
            RAISE EXCEPTION 'bid % is sealed', OLD.id
                USING ERRCODE = 'PX003',
                      HINT = 'A bidder replaces its whole bid with ptx.submit_bid before the deadline.';
        END IF;
        IF NEW.status = 'returned' AND OLD.status IN ('valid', 'withdrawn') AND NEW.price IS NULL
           AND NEW.sealed IS NOT DISTINCT FROM OLD.sealed
           AND (p.state IN ('failed', 'terminated') OR OLD.round < p.round) THEN
            NEW.submitted_at := OLD.submitted_at;
            RETURN NEW;
        END IF;
        IF p.state <> 'announced' OR OLD.round <> p.round THEN
            RAISE EXCEPTION 'bid % cannot change in state %', OLD.id, p.state
                USING ERRCODE = 'PX003',
                      HINT = 'A sealed bid changes only before the deadline, or is returned when the tender fails or ends.';
        END IF;
        t := ptx.receipt_time();
        IF t > p.bid_deadline THEN
            RAISE EXCEPTION 'bid % cannot change after the bid deadline', OLD.id
                USING ERRCODE = 'PX004',
                      DETAIL = format('The change was received at %s, after the bid deadline %s.',
                                      t, p.bid_deadline),
                      HINT = 'Bids are fixed at the deadline (招标投标法 §29).';
        END IF;
        IF NEW.price IS NOT NULL THEN
            NEW.status := 'valid';           -- a new bid replaces the old one
            NEW.status_note := NULL;
        ELSIF NEW.status = 'withdrawn' AND OLD.status = 'valid'
              AND NEW.sealed IS NOT DISTINCT FROM OLD.sealed THEN
            NEW.submitted_at := t;
            RETURN NEW;
        ELSE
            RAISE EXCEPTION 'bid % is sealed', OLD.id
                USING ERRCODE = 'PX003',
                      HINT = 'Before the deadline a bid is replaced with ptx.submit_bid or withdrawn with ptx.withdraw_bid.';
        END IF;
        NEW.submitted_at := t;
    ELSE
        -- Opened: the content is fixed; the evaluation may reject a bid.
        IF (NEW.price, NEW.doc_digest, NEW.fingerprint, NEW.sealed, NEW.submitted_at, NEW.opened_at)
           IS DISTINCT FROM (OLD.price, OLD.doc_digest, OLD.fingerprint, OLD.sealed, OLD.submitted_at, OLD.opened_at) THEN
            RAISE EXCEPTION 'bid % was opened and cannot change', OLD.id
                USING ERRCODE = 'PX003';
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status THEN
            IF NOT (OLD.status = 'valid' AND NEW.status = 'rejected' AND p.state = 'evaluating') THEN
                RAISE EXCEPTION 'bid % cannot go from % to % in state %', OLD.id, OLD.status, NEW.status, p.state
                    USING ERRCODE = 'PX003',
                          HINT = 'The evaluation committee rejects a valid bid (否决投标) during the evaluation.';
            END IF;
            IF pg_catalog.btrim(COALESCE(NEW.status_note, '')) = '' THEN
                RAISE EXCEPTION 'bid % cannot be rejected without a reason', OLD.id
                    USING ERRCODE = '22023';
            END IF;
        ELSIF NEW.status_note IS DISTINCT FROM OLD.status_note THEN
            RAISE EXCEPTION 'bid % cannot change its note', OLD.id USING ERRCODE = 'PX003';
        END IF;
        RETURN NEW;
    END IF;

    -- Seal: the clear values never reach the table.  The table's checks
    -- on the clear columns only apply at the opening: check the price now.
    IF NEW.price < 0 THEN
        RAISE EXCEPTION 'bid for project % has a negative price', p.code
            USING ERRCODE = '22023', HINT = 'A bid price is an amount in CNY, zero or more.';
    END IF;
    NEW.sealed := ptx_seal.seal(p.id, jsonb_build_object(
        'price', NEW.price::text,
        'digest', encode(NEW.doc_digest, 'hex'),
        'fingerprint', NEW.fingerprint)::text);
    NEW.price := NULL;
    NEW.doc_digest := NULL;
    NEW.fingerprint := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER bid_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.bid
    FOR EACH ROW EXECUTE FUNCTION ptx.bid_before_write();

-- The opening fills the clear columns of the round's bids; a tender that
-- fails or ends unopened returns them sealed.
CREATE FUNCTION ptx.project_bids_after_step() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NEW.state = 'opened' THEN
        UPDATE ptx.bid SET opened_at = NEW.opened_at
         WHERE project_id = NEW.id AND round = NEW.round AND opened_at IS NULL;
    ELSIF NEW.state IN ('failed', 'terminated') THEN
        UPDATE ptx.bid SET status = 'returned'
         WHERE project_id = NEW.id AND opened_at IS NULL AND status IN ('valid', 'withdrawn');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER project_bids_after_step AFTER UPDATE OF state ON ptx.project
    FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state)
    EXECUTE FUNCTION ptx.project_bids_after_step();

------------------------------------------------------------------------
-- The API.
------------------------------------------------------------------------
CREATE FUNCTION ptx.submit_bid(project_id bigint, bidder_id bigint, price numeric,
                               doc_digest bytea DEFAULT NULL,
                               fingerprint text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    bid_id bigint;
BEGIN
    SELECT * INTO p FROM ptx.project WHERE id = submit_bid.project_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', project_id USING ERRCODE = '22023';
    END IF;
    IF price IS NULL THEN
        RAISE EXCEPTION 'bid for project % needs a price', p.code USING ERRCODE = '22023';
    END IF;
    SELECT b.id INTO bid_id FROM ptx.bid b
     WHERE b.project_id = p.id AND b.round = p.round AND b.bidder_id = submit_bid.bidder_id;
    IF FOUND THEN
        UPDATE ptx.bid b SET price = submit_bid.price, doc_digest = submit_bid.doc_digest,
               fingerprint = submit_bid.fingerprint
         WHERE b.id = bid_id;
    ELSE
        INSERT INTO ptx.bid (project_id, bidder_id, price, doc_digest, fingerprint)
        VALUES (p.id, submit_bid.bidder_id, submit_bid.price, submit_bid.doc_digest,
                submit_bid.fingerprint)
        RETURNING id INTO bid_id;
    END IF;
    RETURN bid_id;
END
$$;
COMMENT ON FUNCTION ptx.submit_bid(bigint, bigint, numeric, bytea, text) IS
    'submit (or replace) a bid before the deadline; it is sealed until the opening; returns the bid id';

CREATE FUNCTION ptx.withdraw_bid(project_id bigint, bidder_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE ptx.bid b SET status = 'withdrawn'
      FROM ptx.project p
     WHERE p.id = withdraw_bid.project_id AND b.project_id = p.id AND b.round = p.round
       AND b.bidder_id = withdraw_bid.bidder_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organisation % has no bid in project %', bidder_id, project_id
            USING ERRCODE = '22023';
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.withdraw_bid(bigint, bigint) IS 'withdraw a bid before the deadline (撤回投标文件)';

CREATE FUNCTION ptx.reject_bid(project_id bigint, bidder_id bigint, reason text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE ptx.bid b SET status = 'rejected', status_note = reject_bid.reason
      FROM ptx.project p
     WHERE p.id = reject_bid.project_id AND b.project_id = p.id AND b.round = p.round
       AND b.bidder_id = reject_bid.bidder_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organisation % has no bid in project %', bidder_id, project_id
            USING ERRCODE = '22023';
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.reject_bid(bigint, bigint, text) IS
    'reject a bid in the evaluation (否决投标) with the reason';

-- Bids as those who run the platform see them: only once opened.
CREATE VIEW ptx.bid_opened WITH (security_barrier = true) AS
SELECT b.id, b.project_id, b.round, b.bidder_id, b.price, b.doc_digest, b.fingerprint,
       b.submitted_at, b.status, b.status_note, b.opened_at
  FROM ptx.bid b
 WHERE b.opened_at IS NOT NULL;
COMMENT ON VIEW ptx.bid_opened IS 'bids after their opening (开标); sealed bids are not shown';

GRANT SELECT ON ptx.bid_opened TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.submit_bid(bigint, bigint, numeric, bytea, text),
    ptx.withdraw_bid(bigint, bigint), ptx.reject_bid(bigint, bigint, text)
    TO ptx_admin, ptx_operator;

-- ==== src/sql/45_objections.sql
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
   'working days from acceptance within which the department decides the complaint');

------------------------------------------------------------------------
-- Objections
------------------------------------------------------------------------
CREATE TABLE ptx.objection (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES ptx.project (id),
    round           integer NOT NULL,
    complainant_id  bigint NOT NULL REFERENCES ptx.org (id),
    stage           text NOT NULL CHECK (stage IN ('documents', 'opening', 'result')),
    body            text NOT NULL CHECK (pg_catalog.btrim(body) <> ''),
    filed_at        timestamptz NOT NULL DEFAULT ptx.now(),
    answer_due      date NOT NULL,
    answer          text,
    answered_at     timestamptz,
    answered_by     text,
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
COMMENT ON TABLE ptx.objection IS 'objections (异议) to the tenderee; an unanswered one suspends the project';
COMMENT ON COLUMN ptx.objection.stage IS 'documents (招标文件), opening (开标) or result (评标结果)';
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
    stage           text NOT NULL CHECK (stage IN ('documents', 'opening', 'result', 'other')),
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
COMMENT ON COLUMN ptx.complaint.stage IS 'documents, opening or result (an objection must come first), or other';
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
                        WHERE o.project_id = project_blocked.project_id AND o.answered_at IS NULL)
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
        RAISE EXCEPTION 'objections cannot be removed'
            USING ERRCODE = '55000', DETAIL = format('Objection %s stays on record.', OLD.id);
    END IF;
    -- The project row is share-locked, as by a bid: a step of the project
    -- and an objection to it are never decided on stale states.
    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', NEW.project_id USING ERRCODE = '23503';
    END IF;

    IF TG_OP = 'UPDATE' THEN
        IF (NEW.id, NEW.project_id, NEW.round, NEW.complainant_id, NEW.stage, NEW.body,
            NEW.filed_at, NEW.answer_due)
           IS DISTINCT FROM
           (OLD.id, OLD.project_id, OLD.round, OLD.complainant_id, OLD.stage, OLD.body,
            OLD.filed_at, OLD.answer_due) THEN
            RAISE EXCEPTION 'objection % cannot be changed', OLD.id
                USING ERRCODE = '55000', HINT = 'Only the answer is added, once.';
        END IF;
        IF OLD.answered_at IS NOT NULL THEN
            RAISE EXCEPTION 'objection % is already answered', OLD.id
                USING ERRCODE = '55000',
                      DETAIL = format('It was answered at %s.', OLD.answered_at),
                      HINT = 'A complainant who is not satisfied files a complaint with ptx.file_complaint.';
        END IF;
        IF pg_catalog.btrim(COALESCE(NEW.answer, '')) = '' THEN
            RAISE EXCEPTION 'objection % needs an answer', OLD.id USING ERRCODE = '22023';
        END IF;
        NEW.answered_at := ptx.now();
        NEW.answered_by := session_user;
        RETURN NEW;
    END IF;

    t := ptx.receipt_time();
    today := ptx.local_date(t);
    IF NEW.stage IS NULL OR NEW.stage NOT IN ('documents', 'opening', 'result') THEN
        RAISE EXCEPTION 'objections have no stage %', COALESCE(NEW.stage, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'An objection is to the documents, the opening or the result.';
    END IF;
    IF pg_catalog.btrim(COALESCE(NEW.body, '')) = '' THEN
        RAISE EXCEPTION 'objection to project % needs a body', p.code
            USING ERRCODE = '22023', HINT = 'Say what is objected to and why.';
    END IF;
    IF NEW.complainant_id = p.tenderee_id THEN
        RAISE EXCEPTION 'the tenderee cannot object to its own project %', p.code
            USING ERRCODE = '22023';
    END IF;
    IF NEW.stage = 'documents' THEN
        IF p.announced_at IS NULL OR p.state IN ('failed', 'terminated') THEN
            RAISE EXCEPTION 'objections to the documents of project % are not received in state %', p.code, p.state
                USING ERRCODE = 'PX003',
                      HINT = 'They are filed after the announcement, before the bid deadline.';
        END IF;
        last_day := ptx.local_date(p.bid_deadline)
                    - ptx.setting('objection.documents_days_before_deadline')::integer;
        IF today > last_day OR p.state <> 'announced' THEN
            RAISE EXCEPTION 'objection to the documents of project % is late', p.code
                USING ERRCODE = 'PX004',
                      DETAIL = format('The bid deadline is on %s; objections to the documents were received until %s, %s days before. It is %s.',
                                      ptx.local_date(p.bid_deadline), last_day,
                                      ptx.setting('objection.documents_days_before_deadline'), today),
                      HINT = 'Policy setting objection.documents_days_before_deadline (招标投标法实施条例 §22).';
        END IF;
    ELSIF NEW.stage = 'opening' THEN
        IF p.opened_at IS NULL OR p.state IN ('failed', 'terminated') THEN
            RAISE EXCEPTION 'objections to the opening of project % are not received in state %', p.code, p.state
                USING ERRCODE = 'PX003',
                      HINT = 'They are made at the opening (开标现场).';
        END IF;
        last_day := ptx.clock_date(ptx.local_date(p.opened_at), 'objection.opening_days');
        IF today > last_day OR p.state <> 'opened' THEN
            RAISE EXCEPTION 'objection to the opening of project % is late', p.code
                USING ERRCODE = 'PX004',
                      DETAIL = format('The bids were opened on %s; objections to the opening were received until %s. It is %s.',
                                      ptx.local_date(p.opened_at), last_day, today),
                      HINT = 'Policy setting objection.opening_days (招标投标法实施条例 §44).';
        END IF;
    ELSIF p.publicity_until IS NULL OR p.state = 'terminated' THEN
        RAISE EXCEPTION 'objections to the result of project % are not received in state %', p.code, p.state
            USING ERRCODE = 'PX003',
                  HINT = 'They are filed during the publicity of the candidates (招标投标法实施条例 §54).';
    ELSIF p.state <> 'publicity' OR t >= p.publicity_until THEN
        RAISE EXCEPTION 'objection to the result of project % is late', p.code
            USING ERRCODE = 'PX004',
                  DETAIL = format('The publicity ran from %s until %s; it was received at %s.',
                                  p.publicity_from, p.publicity_until, t),
                  HINT = 'Objections to the result are filed during the publicity of the candidates (招标投标法实施条例 §54).';
    END IF;
    NEW.round := p.round;
    NEW.filed_at := t;
    NEW.answer_due := ptx.clock_date(today, CASE WHEN NEW.stage = 'opening'
                                                 THEN 'objection.answer_days_opening'
                                                 ELSE 'objection.answer_days' END);
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
                     WHERE o.project_id = NEW.project_id AND o.answered_at IS NULL AND o.id <> NEW.id)
            OR EXISTS (SELECT 1 FROM ptx.complaint c
                        WHERE c.project_id = NEW.project_id AND c.suspend AND c.decided_at IS NULL),
            format('objection %s to the %s filed', NEW.id, NEW.stage));
    ELSE
        PERFORM ptx.record_suspension(NEW.project_id, true,
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
    INSERT INTO ptx.objection (project_id, complainant_id, stage, body)
    VALUES (file_objection.project_id, file_objection.complainant_id, file_objection.stage,
            file_objection.body)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.file_objection(bigint, bigint, text, text) IS
    'file an objection (异议) to the documents, the opening or the result; the project is suspended until it is answered';

CREATE FUNCTION ptx.answer_objection(objection_id bigint, answer text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE ptx.objection o SET answer = answer_objection.answer WHERE o.id = objection_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'objection % does not exist', objection_id USING ERRCODE = '22023';
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.answer_objection(bigint, text) IS
    'the tenderee''s answer to an objection (异议答复); the project resumes when nothing else holds it';

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
        RAISE EXCEPTION 'complaints cannot be removed'
            USING ERRCODE = '55000', DETAIL = format('Complaint %s stays on record.', OLD.id);
    END IF;
    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', NEW.project_id USING ERRCODE = '23503';
    END IF;
    today := ptx.today();

    IF TG_OP = 'UPDATE' THEN
        IF (NEW.id, NEW.project_id, NEW.round, NEW.complainant_id, NEW.supervisor_id, NEW.stage,
            NEW.objection_id, NEW.body, NEW.known_on, NEW.filed_at, NEW.accept_due)
           IS DISTINCT FROM
           (OLD.id, OLD.project_id, OLD.round, OLD.complainant_id, OLD.supervisor_id, OLD.stage,
            OLD.objection_id, OLD.body, OLD.known_on, OLD.filed_at, OLD.accept_due) THEN
            RAISE EXCEPTION 'complaint % cannot be changed', OLD.id
                USING ERRCODE = '55000', HINT = 'Only the acceptance and the decision are added.';
        END IF;
        IF (NEW.accepted, NEW.accept_note) IS DISTINCT FROM (OLD.accepted, OLD.accept_note)
           OR NEW.suspend IS DISTINCT FROM OLD.suspend THEN
            IF OLD.accepted IS NOT NULL THEN
                RAISE EXCEPTION 'acceptance of complaint % is already decided', OLD.id
                    USING ERRCODE = '55000',
                          DETAIL = format('It was %s at %s.',
                                          CASE WHEN OLD.accepted THEN 'accepted' ELSE 'not accepted' END,
                                          OLD.accepted_at);
            END IF;
            IF NEW.accepted IS NULL THEN
                RAISE EXCEPTION 'complaint % needs a decision on its acceptance', OLD.id
                    USING ERRCODE = '22023';
            END IF;
            IF NOT NEW.accepted AND pg_catalog.btrim(COALESCE(NEW.accept_note, '')) = '' THEN
                RAISE EXCEPTION 'complaint % cannot be refused without a reason', OLD.id
                    USING ERRCODE = '22023',
                          HINT = 'A complaint not accepted is told why (招标投标法实施条例 §61).';
            END IF;
            NEW.accepted_at := ptx.now();
            NEW.decision_due := CASE WHEN NEW.accepted
                                     THEN ptx.clock_date(today, 'complaint.decide_working_days') END;
        ELSIF (NEW.accepted_at, NEW.decision_due) IS DISTINCT FROM (OLD.accepted_at, OLD.decision_due) THEN
            RAISE EXCEPTION 'complaint % cannot be changed', OLD.id USING ERRCODE = '55000';
        END IF;
        IF (NEW.decision, NEW.decided_at) IS DISTINCT FROM (OLD.decision, OLD.decided_at) THEN
            IF OLD.decided_at IS NOT NULL THEN
                RAISE EXCEPTION 'complaint % is already decided', OLD.id USING ERRCODE = '55000';
            END IF;
            IF NOT COALESCE(NEW.accepted, false) THEN
                RAISE EXCEPTION 'complaint % is not accepted and cannot be decided', OLD.id
                    USING ERRCODE = 'PX003', HINT = 'Accept it first with ptx.accept_complaint.';
            END IF;
            IF pg_catalog.btrim(COALESCE(NEW.decision, '')) = '' THEN
                RAISE EXCEPTION 'complaint % needs a written decision', OLD.id USING ERRCODE = '22023';
            END IF;
            NEW.decided_at := ptx.now();
        END IF;
        RETURN NEW;
    END IF;

    IF NEW.stage IS NULL OR NEW.stage NOT IN ('documents', 'opening', 'result', 'other') THEN
        RAISE EXCEPTION 'complaints have no stage %', COALESCE(NEW.stage, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'A complaint is about the documents, the opening, the result or another matter (other).';
    END IF;
    IF pg_catalog.btrim(COALESCE(NEW.body, '')) = '' THEN
        RAISE EXCEPTION 'complaint about project % needs a body', p.code
            USING ERRCODE = '22023', HINT = 'Say what is complained of and why.';
    END IF;
    IF NEW.stage IN ('documents', 'opening', 'result') THEN
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
            RAISE EXCEPTION 'complaint about the % of project % needs an objection first', NEW.stage, p.code
                USING ERRCODE = 'PX003',
                      DETAIL = format('Organisation %s made no objection to the %s of the project%s.',
                                      NEW.complainant_id, NEW.stage,
                                      CASE WHEN NEW.objection_id IS NOT NULL
                                           THEN format(' matching objection %s', NEW.objection_id) ELSE '' END),
                      HINT = 'File an objection with the tenderee first (ptx.file_objection; 招标投标法实施条例 §60).';
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
        RAISE EXCEPTION 'complaint about project % cannot be known of in the future', p.code
            USING ERRCODE = '22023', DETAIL = format('known_on %s is after today %s.', NEW.known_on, today);
    END IF;
    last_day := ptx.clock_date(NEW.known_on, 'complaint.file_days') + waited;
    IF today > last_day THEN
        RAISE EXCEPTION 'complaint about project % is late', p.code
            USING ERRCODE = 'PX004',
                  DETAIL = format('The complainant knew of the matter on %s; complaints were received until %s (%s days%s). It is %s.',
                                  NEW.known_on, last_day, ptx.setting('complaint.file_days'),
                                  CASE WHEN waited > 0
                                       THEN format(', plus %s day%s the objection waited for its answer',
                                                   waited, CASE WHEN waited = 1 THEN '' ELSE 's' END)
                                       ELSE '' END,
                                  today),
                  HINT = 'Policy setting complaint.file_days (招标投标法实施条例 §60).';
    END IF;
    NEW.round := p.round;
    NEW.supervisor_id := p.supervisor_id;
    NEW.filed_at := ptx.now();
    NEW.accept_due := ptx.clock_date(today, 'complaint.accept_working_days');
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
                     WHERE o.project_id = NEW.project_id AND o.answered_at IS NULL)
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
        RAISE EXCEPTION 'project % does not exist', project_id USING ERRCODE = '22023';
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
    IF suspend AND NOT accepted THEN
        RAISE EXCEPTION 'complaint % is not accepted and cannot suspend the project', complaint_id
            USING ERRCODE = '22023';
    END IF;
    UPDATE ptx.complaint c
       SET accepted = accept_complaint.accepted, accept_note = accept_complaint.note,
           suspend = COALESCE(accept_complaint.suspend, false)
     WHERE c.id = complaint_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'complaint % does not exist', complaint_id USING ERRCODE = '22023';
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
    UPDATE ptx.complaint c SET decision = decide_complaint.decision WHERE c.id = complaint_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'complaint % does not exist', complaint_id USING ERRCODE = '22023';
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
    ptx.answer_objection(bigint, text)
    TO ptx_admin, ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.file_complaint(bigint, bigint, text, text, date, bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.accept_complaint(bigint, boolean, text, boolean),
    ptx.decide_complaint(bigint, text)
    TO ptx_admin, ptx_supervisor;

-- ==== src/sql/46_contracts.sql
-- Contracts (合同) and the off-platform trade (场外交易, R1; 招标投标法 §46).
--
-- A contract without a project is a trade outside the platform: refused
-- when the catalog covers it.  A contract of a project is signed with the
-- winner, within contract.sign_days days of the award notice, and moves
-- the project to contracted.  Contracts are a record: never changed.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('contract.sign_days', 30, 'days', '招标投标法 §46',
   'days from the award notice within which the contract is signed');

CREATE UNIQUE INDEX contract_one_per_project ON ptx.contract (project_id)
    WHERE project_id IS NOT NULL;

CREATE FUNCTION ptx.contract_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    m ptx.catalog;
    due date;
    winning_price numeric;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'contracts cannot be changed or removed'
            USING ERRCODE = '55000',
                  DETAIL = format('%s on ptx.contract was refused: a recorded contract stays as it was signed.', TG_OP),
                  HINT = 'Record an amendment as a new trade.';
    END IF;
    NEW.recorded_at := ptx.now();
    IF NEW.amount IS NULL OR NEW.signed_on IS NULL OR NEW.category IS NULL OR NEW.region IS NULL THEN
        RETURN NEW;                          -- the NOT NULL constraints report it
    END IF;
    IF NEW.signed_on > ptx.today() THEN
        RAISE EXCEPTION 'contract cannot be signed in the future'
            USING ERRCODE = '22023',
                  DETAIL = format('It is dated %s; today is %s.', NEW.signed_on, ptx.today());
    END IF;

    IF NEW.project_id IS NULL THEN
        -- R1: a trade the catalog covers goes through the platform.
        SELECT * INTO m
          FROM ptx.catalog_match(NEW.category, NEW.region, NEW.amount, NEW.funding,
                                 NEW.signed_on, NEW.kind)
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'trade of % CNY between organisations % and % must go through the platform',
                            NEW.amount, NEW.tenderee_id, NEW.supplier_id
                USING ERRCODE = 'PX001',
                      DETAIL = format('Catalog entry %s (version %s: %s in region %s%s%s%s, in force from %s%s) covers it: %s in region %s, %s CNY, signed on %s.',
                                      m.code, m.version, m.category, m.region,
                                      CASE WHEN m.min_amount IS NOT NULL
                                           THEN format(', from %s CNY', m.min_amount) ELSE ', any amount' END,
                                      CASE WHEN m.funding IS NOT NULL
                                           THEN format(', funding %s', array_to_string(m.funding, ' or ')) ELSE '' END,
                                      CASE WHEN m.kinds IS NOT NULL
                                           THEN format(', kind %s', array_to_string(m.kinds, ' or ')) ELSE '' END,
                                      m.valid_from,
                                      CASE WHEN m.valid_to IS NOT NULL THEN format(' to %s', m.valid_to) ELSE '' END,
                                      NEW.category, NEW.region, NEW.amount, NEW.signed_on),
                      HINT = 'Register the project with ptx.register_project and trade it on the platform (应进必进, notice §8).';
        END IF;
        RETURN NEW;
    END IF;

    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', NEW.project_id USING ERRCODE = '23503';
    END IF;
    IF p.state <> 'awarded' THEN
        RAISE EXCEPTION 'project % cannot take a contract in state %', p.code, p.state
            USING ERRCODE = 'PX003',
                  HINT = 'A contract is signed after the award notice (中标通知书), once.';
    END IF;
    IF NEW.supplier_id <> p.winner_id OR NEW.tenderee_id <> p.tenderee_id THEN
        RAISE EXCEPTION 'contract of project % is not between its tenderee and its winner', p.code
            USING ERRCODE = 'PX001',
                  DETAIL = format('The project was awarded by organisation %s to organisation %s; the contract names %s and %s.',
                                  p.tenderee_id, p.winner_id, NEW.tenderee_id, NEW.supplier_id),
                  HINT = 'A contract with another party than the winner is a trade outside the platform (招标投标法 §46).';
    END IF;
    -- 条例 §57: the price of the contract is the winning bid's
    SELECT b.price INTO winning_price FROM ptx.bid b
     WHERE b.project_id = p.id AND b.round = p.round AND b.bidder_id = p.winner_id;
    IF winning_price IS NOT NULL AND NEW.amount <> winning_price THEN
        RAISE EXCEPTION 'contract of project % departs from the winning bid', p.code
            USING ERRCODE = '22023',
                  DETAIL = format('The contract amount is %s CNY; organisation %s won with a bid of %s CNY.',
                                  NEW.amount, p.winner_id, winning_price),
                  HINT = 'The price of the contract is the winning bid''s (招标投标法 §46, 招标投标法实施条例 §57).';
    END IF;
    IF (NEW.category, NEW.region) IS DISTINCT FROM (p.category, p.region) THEN
        RAISE EXCEPTION 'contract of project % names another category or region', p.code
            USING ERRCODE = '22023',
                  DETAIL = format('The project is %s in region %s; the contract says %s in region %s.',
                                  p.category, p.region, NEW.category, NEW.region);
    END IF;
    due := ptx.clock_date(ptx.local_date(p.awarded_at), 'contract.sign_days');
    IF NEW.signed_on < ptx.local_date(p.awarded_at) OR NEW.signed_on > due THEN
        RAISE EXCEPTION 'contract of project % is signed outside the legal period', p.code
            USING ERRCODE = 'PX004',
                  DETAIL = format('The award notice was issued on %s; the contract is signed from then until %s. It is dated %s.',
                                  ptx.local_date(p.awarded_at), due, NEW.signed_on),
                  HINT = 'Policy setting contract.sign_days (招标投标法 §46).';
    END IF;
    NEW.funding := COALESCE(NEW.funding, p.funding);
    NEW.kind := COALESCE(NEW.kind, p.kind);
    RETURN NEW;
END
$$;
-- Named to fire after the credit guard (credit_guard): a restricted party
-- is told so first, whatever else is wrong with the contract.
CREATE TRIGGER lifecycle_contract BEFORE INSERT OR UPDATE OR DELETE ON ptx.contract
    FOR EACH ROW EXECUTE FUNCTION ptx.contract_before_write();
CREATE TRIGGER lifecycle_contract_no_truncate BEFORE TRUNCATE ON ptx.contract
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.contract_before_write();

CREATE FUNCTION ptx.contract_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE ptx.project SET state = 'contracted',
           state_note = format('contract %s signed on %s', NEW.id, NEW.signed_on)
     WHERE id = NEW.project_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER contract_after_insert AFTER INSERT ON ptx.contract
    FOR EACH ROW WHEN (NEW.project_id IS NOT NULL)
    EXECUTE FUNCTION ptx.contract_after_insert();

CREATE FUNCTION ptx.record_contract(project_id bigint, tenderee_id bigint, supplier_id bigint,
                                    category text, region text, amount numeric,
                                    funding text DEFAULT NULL,
                                    signed_on date DEFAULT ptx.today(),
                                    kind text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount,
                              funding, signed_on, kind)
    VALUES (record_contract.project_id, record_contract.tenderee_id, record_contract.supplier_id,
            record_contract.category, record_contract.region, record_contract.amount,
            record_contract.funding, COALESCE(record_contract.signed_on, ptx.today()),
            record_contract.kind)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.record_contract(bigint, bigint, bigint, text, text, numeric, text, date, text) IS
    'record a contract: of an awarded project with its winner, or a trade outside the platform the catalog does not cover';

GRANT EXECUTE ON FUNCTION
    ptx.record_contract(bigint, bigint, bigint, text, text, numeric, text, date, text)
    TO ptx_admin, ptx_operator;

-- ==== src/sql/47_split.sql
-- Split to evade the catalog (化整为零规避招标, R1, R9): one tenderee, one
-- category, one calendar year, several trades each below the threshold of
-- a catalog entry that would otherwise apply, together reaching it.
-- Trades are the projects on the platform (not terminated) and the
-- contracts made outside it; a contract of a project counts once, as its
-- project.

CREATE FUNCTION ptx.split_suspects(for_year integer DEFAULT NULL, for_supervisor bigint DEFAULT NULL)
    RETURNS TABLE (tenderee_id bigint, tenderee text, category text, year integer,
                   catalog_code text, catalog_region text, threshold numeric,
                   trades integer, total numeric,
                   project_ids bigint[], contract_ids bigint[])
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH trade AS (
            SELECT 'project'::text AS source, p.id, p.tenderee_id, p.category, p.region,
                   p.amount, p.funding, p.kind, ptx.local_date(p.registered_at) AS day
              FROM ptx.project p
             WHERE p.state <> 'terminated'
            UNION ALL
            SELECT 'contract', c.id, c.tenderee_id, c.category, c.region,
                   c.amount, c.funding, c.kind, c.signed_on
              FROM ptx.contract c
             WHERE c.project_id IS NULL
        ), below AS (
            SELECT t.*, e.id AS entry_id, e.code, e.region AS entry_region, e.min_amount
              FROM trade t,
                   LATERAL ptx.catalog_in_force(t.category, t.region, t.funding, t.day, t.kind) e
             WHERE e.min_amount IS NOT NULL AND t.amount < e.min_amount
               AND (split_suspects.for_year IS NULL
                    OR pg_catalog.date_part('year', t.day) = split_suspects.for_year)
               AND (split_suspects.for_supervisor IS NULL
                    OR ptx.has_jurisdiction(split_suspects.for_supervisor, t.category, t.region))
        )
        SELECT b.tenderee_id, o.name, b.category,
               pg_catalog.date_part('year', b.day)::integer,
               b.code, b.entry_region, b.min_amount,
               pg_catalog.count(*)::integer, pg_catalog.sum(b.amount),
               COALESCE(pg_catalog.array_agg(b.id ORDER BY b.id) FILTER (WHERE b.source = 'project'), '{}'),
               COALESCE(pg_catalog.array_agg(b.id ORDER BY b.id) FILTER (WHERE b.source = 'contract'), '{}')
          FROM below b
          JOIN ptx.org o ON o.id = b.tenderee_id
         GROUP BY b.tenderee_id, o.name, b.category, pg_catalog.date_part('year', b.day),
                  b.entry_id, b.code, b.entry_region, b.min_amount
        HAVING pg_catalog.count(*) >= 2 AND pg_catalog.sum(b.amount) >= b.min_amount
         ORDER BY 4, 1, 3, 5;
    END;
COMMENT ON FUNCTION ptx.split_suspects(integer, bigint) IS
    'groups of trades of one tenderee, category and year each below a catalog threshold and together reaching it (化整为零)';

CREATE VIEW ptx.split_suspect AS SELECT * FROM ptx.split_suspects();
COMMENT ON VIEW ptx.split_suspect IS 'every split-to-evade suspect (化整为零), all years';

GRANT SELECT ON ptx.split_suspect TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.split_suspects(integer, bigint)
    TO ptx_admin, ptx_supervisor, ptx_auditor;

-- ==== src/sql/48_disclosure.sql
-- Disclosure (信息公开, R8; notice §9) of the trading lifecycle: what the
-- public sees in schema ptx_public.  Each view shows a stage only once it
-- is public: announcements once announced, the opening record once opened,
-- candidates during their publicity, results once awarded, failed or
-- terminated, contracts once signed.  Organisations appear by name; no
-- person, no sealed value, no objection or complaint body is shown.  The
-- views call no function, so the public needs no right in schema ptx.

CREATE VIEW ptx_public.announcement WITH (security_barrier = true) AS
SELECT p.code, p.title, c.name_zh AS category, p.category AS category_code,
       r.name AS region, p.region AS region_code, p.method, p.amount,
       t.name AS tenderee, a.name AS agency, s.name AS supervisor,
       p.round, p.announced_at, p.bid_deadline,
       p.state
  FROM ptx.project p
  JOIN ptx.category c ON c.code = p.category
  JOIN ptx.region r ON r.code = p.region
  JOIN ptx.org t ON t.id = p.tenderee_id
  LEFT JOIN ptx.org a ON a.id = p.agency_id
  JOIN ptx.org s ON s.id = p.supervisor_id
 WHERE p.announced_at IS NOT NULL;
COMMENT ON VIEW ptx_public.announcement IS 'tender announcements (招标公告) with the supervisory department (监管部门)';

CREATE VIEW ptx_public.bid_opening WITH (security_barrier = true) AS
SELECT p.code, b.round, o.name AS bidder, b.price, b.submitted_at, b.opened_at
  FROM ptx.bid b
  JOIN ptx.project p ON p.id = b.project_id
  JOIN ptx.org o ON o.id = b.bidder_id
 WHERE b.opened_at IS NOT NULL;
COMMENT ON VIEW ptx_public.bid_opening IS 'opening records (开标记录): bidders and prices, once opened';

CREATE VIEW ptx_public.candidate WITH (security_barrier = true) AS
SELECT p.code, p.title, c.rank, o.name AS bidder, b.price,
       p.publicity_from, p.publicity_until
  FROM ptx.candidate c
  JOIN ptx.project p ON p.id = c.project_id AND p.round = c.round
  JOIN ptx.org o ON o.id = c.bidder_id
  JOIN ptx.bid b ON b.id = c.bid_id
 WHERE p.state = 'publicity';
COMMENT ON VIEW ptx_public.candidate IS 'candidates during their publicity (中标候选人公示)';

CREATE VIEW ptx_public.result WITH (security_barrier = true) AS
SELECT p.code, p.title, cat.name_zh AS category, r.name AS region, t.name AS tenderee,
       p.round,
       CASE WHEN p.state IN ('awarded', 'contracted', 'closed') THEN 'awarded' ELSE p.state END AS outcome,
       w.name AS winner, b.price AS winning_price, p.awarded_at,
       CASE WHEN p.state = 'terminated' THEN p.state_note END AS reason,
       p.state_changed_at AS decided_at
  FROM ptx.project p
  JOIN ptx.category cat ON cat.code = p.category
  JOIN ptx.region r ON r.code = p.region
  JOIN ptx.org t ON t.id = p.tenderee_id
  LEFT JOIN ptx.org w ON w.id = p.winner_id
  LEFT JOIN ptx.bid b ON b.project_id = p.id AND b.round = p.round AND b.bidder_id = p.winner_id
 WHERE p.state IN ('awarded', 'contracted', 'closed', 'failed', 'terminated')
   AND (p.state <> 'terminated' OR p.announced_at IS NOT NULL);
COMMENT ON VIEW ptx_public.result IS 'results (中标结果公告): awards, failed tenders (流标) and terminations';

CREATE VIEW ptx_public.contract WITH (security_barrier = true) AS
SELECT p.code, p.title, t.name AS tenderee, s.name AS supplier, c.amount, c.signed_on
  FROM ptx.contract c
  JOIN ptx.project p ON p.id = c.project_id
  JOIN ptx.org t ON t.id = c.tenderee_id
  JOIN ptx.org s ON s.id = c.supplier_id;
COMMENT ON VIEW ptx_public.contract IS 'contracts of projects traded on the platform (合同公告)';

GRANT SELECT ON ptx_public.announcement, ptx_public.bid_opening, ptx_public.candidate,
    ptx_public.result, ptx_public.contract
    TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

-- ==== src/sql/50_credit.sql
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
BEGIN
    RAISE EXCEPTION '%', pg_catalog.format(CASE TG_OP WHEN 'UPDATE' THEN 'rows of %I.%I cannot be changed'
                                                      WHEN 'DELETE' THEN 'rows of %I.%I cannot be deleted'
                                                      ELSE '%I.%I cannot be truncated' END,
                                           TG_TABLE_SCHEMA, TG_TABLE_NAME)
        USING ERRCODE = '55000',
              DETAIL = 'The table keeps history: its rows are never changed or deleted.',
              HINT = TG_ARGV[0];
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
        RAISE EXCEPTION 'invalid credit subject kind %', COALESCE(pg_catalog.quote_literal(NEW.subject_kind), 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'A credit record is on an organisation (org) or an expert (expert).';
    END IF;
    registered := ptx.credit_subject_name(NEW.subject_kind, NEW.subject_id);
    IF registered IS NULL THEN
        RAISE EXCEPTION '% % is not registered',
                        CASE NEW.subject_kind WHEN 'org' THEN 'organisation' ELSE 'expert' END,
                        COALESCE(NEW.subject_id::text, 'NULL')
            USING ERRCODE = '23503',
                  HINT = 'A credit record names a registered organisation or expert by its id.';
    END IF;
    NEW.subject_name := COALESCE(NULLIF(pg_catalog.btrim(NEW.subject_name), ''), registered);
    IF NULLIF(pg_catalog.btrim(NEW.reason), '') IS NULL THEN
        RAISE EXCEPTION 'credit record on % % has no reason', NEW.subject_kind, NEW.subject_id
            USING ERRCODE = '22023',
                  HINT = 'Give the conduct the record is for, as the decision states it.';
    END IF;
    IF NEW.valid_from IS NULL THEN
        RAISE EXCEPTION 'credit record on % % has no first day', NEW.subject_kind, NEW.subject_id
            USING ERRCODE = '22023',
                  HINT = 'valid_from is the first day of the restriction.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.credit_kind k WHERE k.code = NEW.kind) THEN
        RAISE EXCEPTION 'unknown credit kind %', COALESCE(pg_catalog.quote_literal(NEW.kind), 'NULL')
            USING ERRCODE = '23503',
                  HINT = 'The kinds are listed in ptx.credit_kind.';
    END IF;
    IF NEW.valid_to < NEW.valid_from THEN
        RAISE EXCEPTION 'credit record period ends before it begins'
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('valid_from is %s, valid_to is %s.', NEW.valid_from, NEW.valid_to),
                  HINT = 'valid_to is the last day of the restriction, on or after valid_from; NULL means until revoked.';
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
        RAISE EXCEPTION 'credit record % does not exist', COALESCE(NEW.record_id::text, 'NULL')
            USING ERRCODE = '23503';
    END IF;
    IF NULLIF(pg_catalog.btrim(NEW.reason), '') IS NULL THEN
        RAISE EXCEPTION 'revocation of credit record % has no reason', NEW.record_id
            USING ERRCODE = '22023',
                  HINT = 'Give the reason or decision the record is revoked for.';
    END IF;
    SELECT * INTO earlier FROM ptx.credit_revocation v WHERE v.record_id = NEW.record_id;
    IF FOUND THEN
        RAISE EXCEPTION 'credit record % is already revoked', NEW.record_id
            USING ERRCODE = '55000',
                  DETAIL = pg_catalog.format('Revocation %s lifted it from %s: %s.', earlier.id,
                                             earlier.effective_on, earlier.reason),
                  HINT = 'A record is revoked once.';
    END IF;
    NEW.effective_on := ptx.now()::date;
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
                                        at_date date DEFAULT ptx.now()::date)
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
                                  at_date date DEFAULT ptx.now()::date) RETURNS boolean
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

CREATE FUNCTION ptx.restricted_subjects(subject_kind text, at_date date DEFAULT ptx.now()::date)
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
                                          at_date date DEFAULT ptx.now()::date) RETURNS void
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
    RAISE EXCEPTION '% is credit-restricted on % and cannot act as %',
                    CASE subject_kind
                        WHEN 'org' THEN pg_catalog.format('organisation %s (%s)', subject_id, r.subject_name)
                        ELSE pg_catalog.format('%s %s', subject_kind, subject_id) END,
                    at_date, acting_as
        USING ERRCODE = 'PX006',
              DETAIL = pg_catalog.format('Credit record %s (%s%s) restricts it from %s %s: %s.%s',
                              r.id, k.name_zh,
                              CASE WHEN r.source IS NOT NULL THEN ', source ' || r.source ELSE '' END,
                              r.valid_from,
                              CASE WHEN r.valid_to IS NULL THEN 'until revoked'
                                   ELSE 'to ' || r.valid_to END,
                              r.reason,
                              CASE others WHEN 0 THEN ''
                                          WHEN 1 THEN ' 1 more record restricts it.'
                                          ELSE pg_catalog.format(' %s more records restrict it.', others) END),
              HINT = 'A credit-restricted subject is refused as bidder, agency, expert and contract party in every region (一处失信，处处受约) until its records end or are revoked.';
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
        VALUES (revoke_credit_record.id, revoke_credit_record.reason, ptx.now()::date)
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

-- ==== src/sql/50_credit_guard.sql
-- Credit guards (R7): a credit-restricted subject is refused as bidder,
-- as agency and as contract party, in every region and category, whether
-- the row comes through the API or a direct write.  Experts are kept out
-- of draws by the experts module, which filters its pool with
-- ptx.is_restricted / ptx.restricted_subjects.
--
-- The tenderee of a project is not refused: RULES.md R7 restricts bidders,
-- agencies, experts and contract parties, and a dishonest tenderee (often
-- a public body) must still bring its project onto the platform.  It is
-- refused when it comes to sign the contract.
--
-- Each guard checks only when the party is new (INSERT, or the column
-- changed), so later steps on a row accepted earlier are not blocked.
-- It asks ptx.is_restricted first (one index probe, inlined into the
-- trigger's query) and builds the PX006 error only for a restricted party:
-- about 5 µs a row where assert_not_restricted alone costs 11 µs.

CREATE FUNCTION ptx.credit_guard_bid() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF (TG_OP = 'INSERT' OR NEW.bidder_id IS DISTINCT FROM OLD.bidder_id
        OR NEW.project_id IS DISTINCT FROM OLD.project_id)
       AND ptx.is_restricted('org', NEW.bidder_id) THEN
        PERFORM ptx.assert_not_restricted('org', NEW.bidder_id, 'bidder');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.credit_guard_bid() IS 'refuse a bid by a credit-restricted bidder (PX006)';
CREATE TRIGGER credit_guard BEFORE INSERT OR UPDATE OF bidder_id, project_id ON ptx.bid
    FOR EACH ROW EXECUTE FUNCTION ptx.credit_guard_bid();

CREATE FUNCTION ptx.credit_guard_project() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NEW.agency_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.agency_id IS DISTINCT FROM OLD.agency_id)
       AND ptx.is_restricted('org', NEW.agency_id) THEN
        PERFORM ptx.assert_not_restricted('org', NEW.agency_id, 'agency');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.credit_guard_project() IS 'refuse a credit-restricted agency on a project (PX006)';
CREATE TRIGGER credit_guard BEFORE INSERT OR UPDATE OF agency_id ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.credit_guard_project();

-- A contract party is checked on the signing day and on the day the
-- contract is recorded, so that neither a late record nor a backdated
-- signing date lets a restricted party through.
CREATE FUNCTION ptx.credit_guard_contract() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d date;
BEGIN
    IF TG_OP = 'INSERT'
       OR (NEW.tenderee_id, NEW.supplier_id, NEW.signed_on)
          IS DISTINCT FROM (OLD.tenderee_id, OLD.supplier_id, OLD.signed_on) THEN
        FOREACH d IN ARRAY ARRAY[NEW.signed_on, ptx.now()::date] LOOP
            IF ptx.is_restricted('org', NEW.tenderee_id, d) THEN
                PERFORM ptx.assert_not_restricted('org', NEW.tenderee_id, 'contract party (tenderee)', d);
            END IF;
            IF ptx.is_restricted('org', NEW.supplier_id, d) THEN
                PERFORM ptx.assert_not_restricted('org', NEW.supplier_id, 'contract party (supplier)', d);
            END IF;
        END LOOP;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.credit_guard_contract() IS
    'refuse a contract with a credit-restricted party on the signing or recording day (PX006)';
CREATE TRIGGER credit_guard BEFORE INSERT OR UPDATE OF tenderee_id, supplier_id, signed_on ON ptx.contract
    FOR EACH ROW EXECUTE FUNCTION ptx.credit_guard_contract();

-- ==== src/sql/50_credit_import.sql
-- Bulk import of a credit list (信用名单导入), all or nothing.
--
-- The list is copied, as text, into a table shaped like
-- ptx.credit_import_row (COPY never fails on a bad value there), then
-- ptx.import_credit_records checks every row.  One bad row and nothing is
-- loaded: the answer is every bad row with all that is wrong with it.
--
--   CREATE TEMP TABLE list (LIKE ptx.credit_import_row);
--   \copy list FROM 'list.csv' WITH (FORMAT csv, HEADER)
--   SELECT * FROM ptx.import_credit_records('list');

CREATE TYPE ptx.credit_import_row AS (
    subject_kind text,      -- org or expert
    subject_ref  text,      -- org: unified social credit code; expert: expert id
    subject_name text,      -- name as listed; empty: the registered name
    kind         text,      -- a code of ptx.credit_kind
    reason       text,
    valid_from   text,      -- YYYY-MM-DD
    valid_to     text,      -- YYYY-MM-DD, or empty: until revoked
    source       text
);
COMMENT ON TYPE ptx.credit_import_row IS 'the columns of a credit list file, in order, as text (template of the staging table)';

CREATE TYPE ptx.credit_import_check AS (
    row_no       bigint,
    subject_kind text,
    subject_id   bigint,
    subject_name text,
    kind         text,
    reason       text,
    source       text,
    valid_from   date,
    valid_to     date,
    existing_id  bigint,
    problems     text[]
);
COMMENT ON TYPE ptx.credit_import_check IS 'a staged credit list row as resolved and checked by ptx.check_credit_import';

CREATE FUNCTION ptx.iso_date(value text) RETURNS date
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF value !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
        RETURN NULL;
    END IF;
    RETURN value::date;
EXCEPTION
    WHEN datetime_field_overflow OR invalid_datetime_format THEN
        RETURN NULL;
END
$$;
COMMENT ON FUNCTION ptx.iso_date(text) IS 'a YYYY-MM-DD calendar date, or NULL for anything else';

CREATE FUNCTION ptx.check_credit_import(staging regclass) RETURNS SETOF ptx.credit_import_check
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(c.attname, ', ' ORDER BY c.attnum) INTO missing
      FROM pg_attribute c
     WHERE c.attrelid = 'ptx.credit_import_row'::regclass AND c.attnum > 0
       AND NOT EXISTS (SELECT 1 FROM pg_attribute s
                        WHERE s.attrelid = staging AND s.attname = c.attname
                          AND s.attnum > 0 AND NOT s.attisdropped);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'staging table % lacks the columns of a credit list', staging
            USING ERRCODE = '42703',
                  DETAIL = pg_catalog.format('Missing: %s.', missing),
                  HINT = 'Create it with CREATE TEMP TABLE name (LIKE ptx.credit_import_row).';
    END IF;
    RETURN QUERY EXECUTE pg_catalog.format($query$
        WITH staged AS (
            SELECT pg_catalog.row_number() OVER (ORDER BY t.ctid) AS row_no,
                   NULLIF(pg_catalog.btrim(t.subject_kind), '') AS subject_kind,
                   NULLIF(pg_catalog.btrim(t.subject_ref), '') AS subject_ref,
                   NULLIF(pg_catalog.btrim(t.subject_name), '') AS subject_name,
                   NULLIF(pg_catalog.btrim(t.kind), '') AS kind,
                   NULLIF(pg_catalog.btrim(t.reason), '') AS reason,
                   NULLIF(pg_catalog.btrim(t.valid_from), '') AS valid_from,
                   NULLIF(pg_catalog.btrim(t.valid_to), '') AS valid_to,
                   NULLIF(pg_catalog.btrim(t.source), '') AS source
              FROM %s t
        ), resolved AS (
            SELECT s.*,
                   CASE s.subject_kind
                       WHEN 'org' THEN (SELECT o.id FROM ptx.org o
                                         WHERE o.uscc = pg_catalog.upper(s.subject_ref))
                       WHEN 'expert' THEN CASE WHEN s.subject_ref ~ '^[0-9]{1,18}$'
                                               THEN s.subject_ref::bigint END
                   END AS subject_id,
                   ptx.iso_date(s.valid_from) AS from_date,
                   ptx.iso_date(s.valid_to) AS to_date
              FROM staged s
        ), named AS (
            SELECT r.*,
                   ptx.credit_subject_name(r.subject_kind, r.subject_id) AS registered_name,
                   pg_catalog.first_value(r.row_no) OVER same_record AS first_row
              FROM resolved r
            WINDOW same_record AS (PARTITION BY r.subject_kind, r.subject_id, r.kind,
                                                r.from_date, r.to_date
                                       ORDER BY r.row_no)
        )
        SELECT n.row_no, n.subject_kind, n.subject_id,
               COALESCE(n.subject_name, n.registered_name), n.kind, n.reason, n.source,
               n.from_date, n.to_date,
               (SELECT pg_catalog.min(c.id)
                  FROM ptx.credit_record c
                 WHERE c.subject_kind = n.subject_kind AND c.subject_id = n.subject_id
                   AND c.kind = n.kind AND c.valid_from = n.from_date
                   AND c.valid_to IS NOT DISTINCT FROM n.to_date
                   AND NOT EXISTS (SELECT 1 FROM ptx.credit_revocation v WHERE v.record_id = c.id)),
               pg_catalog.array_remove(ARRAY[
                   CASE WHEN n.subject_kind IS NULL THEN 'subject_kind is empty'
                        WHEN n.subject_kind NOT IN ('org', 'expert')
                        THEN pg_catalog.format('subject_kind %%s is neither org nor expert', n.subject_kind) END,
                   CASE WHEN n.subject_ref IS NULL THEN 'subject_ref is empty'
                        WHEN n.subject_kind = 'org' AND NOT ptx.uscc_valid(pg_catalog.upper(n.subject_ref))
                        THEN pg_catalog.format('subject_ref %%s is not a valid unified social credit code', n.subject_ref)
                        WHEN n.subject_kind = 'org' AND n.subject_id IS NULL
                        THEN pg_catalog.format('no organisation with unified social credit code %%s is registered', n.subject_ref)
                        WHEN n.subject_kind = 'expert' AND n.subject_id IS NULL
                        THEN pg_catalog.format('subject_ref %%s is not an expert id', n.subject_ref)
                        WHEN n.subject_kind = 'expert' AND n.registered_name IS NULL
                        THEN pg_catalog.format('expert %%s is not registered', n.subject_ref) END,
                   CASE WHEN n.kind IS NULL THEN 'kind is empty'
                        WHEN NOT EXISTS (SELECT 1 FROM ptx.credit_kind k WHERE k.code = n.kind)
                        THEN pg_catalog.format('credit kind %%s is unknown', n.kind) END,
                   CASE WHEN n.reason IS NULL THEN 'reason is empty' END,
                   CASE WHEN n.valid_from IS NULL THEN 'valid_from is empty'
                        WHEN n.from_date IS NULL
                        THEN pg_catalog.format('valid_from %%s is not a date (YYYY-MM-DD)', n.valid_from) END,
                   CASE WHEN n.valid_to IS NOT NULL AND n.to_date IS NULL
                        THEN pg_catalog.format('valid_to %%s is not a date (YYYY-MM-DD)', n.valid_to)
                        WHEN n.to_date < n.from_date
                        THEN pg_catalog.format('valid_to %%s is before valid_from %%s', n.to_date, n.from_date) END,
                   CASE WHEN n.first_row < n.row_no AND n.registered_name IS NOT NULL
                             AND n.from_date IS NOT NULL
                        THEN pg_catalog.format('same record as row %%s', n.first_row) END
               ], NULL)
          FROM named n
         ORDER BY n.row_no
        $query$, staging);
END
$$;
COMMENT ON FUNCTION ptx.check_credit_import(regclass) IS
    'resolve and check the rows of a staged credit list without loading them; problems lists what is wrong with each row';

CREATE FUNCTION ptx.import_credit_records(staging regclass, dry_run boolean DEFAULT false)
    RETURNS TABLE (row_no bigint, status text, record_id bigint, message text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    checked ptx.credit_import_check[];
    c ptx.credit_import_check;
    bad int;
BEGIN
    checked := ARRAY(SELECT x FROM ptx.check_credit_import(staging) x ORDER BY x.row_no);
    SELECT count(*) INTO bad FROM unnest(checked) x WHERE cardinality(x.problems) > 0;
    IF bad > 0 THEN
        RAISE WARNING 'credit list % rejected: % of % rows are bad, nothing was loaded',
                      staging, bad, cardinality(checked)
            USING HINT = 'Correct the rows reported and import the whole list again.';
        RETURN QUERY
            SELECT x.row_no, 'error'::text, NULL::bigint, array_to_string(x.problems, '; ')
              FROM unnest(checked) x
             WHERE cardinality(x.problems) > 0
             ORDER BY x.row_no;
        RETURN;
    END IF;
    FOREACH c IN ARRAY checked LOOP
        row_no := c.row_no;
        message := NULL;
        IF c.existing_id IS NOT NULL THEN
            status := 'exists';
            record_id := c.existing_id;
            message := 'already recorded, not loaded again';
        ELSIF dry_run THEN
            status := 'ok';
            record_id := NULL;
        ELSE
            INSERT INTO ptx.credit_record (subject_kind, subject_id, subject_name, kind, reason,
                                           source, valid_from, valid_to)
            VALUES (c.subject_kind, c.subject_id, c.subject_name, c.kind, c.reason,
                    c.source, c.valid_from, c.valid_to)
            RETURNING id INTO record_id;
            status := 'loaded';
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.import_credit_records(regclass, boolean) IS
    'load a staged credit list, all or nothing: every row loaded (or already recorded), or nothing and every bad row reported';

REVOKE ALL ON TYPE ptx.credit_import_row, ptx.credit_import_check FROM PUBLIC;
GRANT USAGE ON TYPE ptx.credit_import_row, ptx.credit_import_check TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.iso_date(text),
    ptx.check_credit_import(regclass), ptx.import_credit_records(regclass, boolean)
    TO ptx_admin, ptx_supervisor;

-- ==== src/sql/55_policy_documents.sql
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

CREATE FUNCTION ptx.policy_document_status(document_id bigint, at_date date DEFAULT ptx.now()::date)
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
        RAISE EXCEPTION 'policy document % does not exist', COALESCE(NEW.document_id::text, 'NULL')
            USING ERRCODE = '23503';
    END IF;
    SELECT * INTO earlier FROM ptx.policy_document_change c WHERE c.document_id = NEW.document_id;
    IF FOUND THEN
        RAISE EXCEPTION 'policy document % (%) is already %', d.id, d.number, earlier.status
            USING ERRCODE = '55000',
                  DETAIL = pg_catalog.format('It was %s from %s: %s.', earlier.status, earlier.effective_on, earlier.reason),
                  HINT = 'Revised and repealed documents stay so; a revision is revised or repealed in its turn.';
    END IF;
    IF NULLIF(pg_catalog.btrim(NEW.reason), '') IS NULL THEN
        RAISE EXCEPTION 'change of policy document % (%) has no reason', d.id, d.number
            USING ERRCODE = '22023',
                  HINT = 'Give the reason of the revision or repeal.';
    END IF;
    IF NEW.effective_on < d.issued_on THEN
        RAISE EXCEPTION 'policy document % (%) cannot be % before it was issued', d.id, d.number, NEW.status
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('It was issued on %s; the change is dated %s.', d.issued_on, NEW.effective_on);
    END IF;
    IF NEW.by_document_id = NEW.document_id THEN
        RAISE EXCEPTION 'policy document % (%) cannot change itself', d.id, d.number
            USING ERRCODE = '22023';
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
        RAISE EXCEPTION 'policy document % lacks its number, title, issuer or issue date',
                        COALESCE(NULLIF(pg_catalog.btrim(NEW.number), ''), NEW.title, '(no number)')
            USING ERRCODE = '22023',
                  HINT = 'A policy document is registered with its number (文号), title, issuer and issue date.';
    END IF;
    NEW.effective_on := COALESCE(NEW.effective_on, NEW.issued_on);
    IF NEW.effective_on < NEW.issued_on THEN
        RAISE EXCEPTION 'policy document % cannot take effect before it is issued', NEW.number
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('issued_on is %s, effective_on is %s.', NEW.issued_on, NEW.effective_on);
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
                                           effective_on date DEFAULT ptx.now()::date,
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

-- ==== src/sql/60_draw_sampler.sql
-- The sampler PTX-DRAW-1 (DESIGN.md §4, docs/draw-algorithm.md), exposed
-- for replay by auditors.  src/draw.c.

CREATE FUNCTION ptx.draw_sample(seed bytea, pool bigint[], k int) RETURNS bigint[]
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_draw_sample';
COMMENT ON FUNCTION ptx.draw_sample(bytea, bigint[], int) IS
    'PTX-DRAW-1: k picks from a pool of ids with a seed, no composition rule; replays a simple draw';

CREATE FUNCTION ptx.draw_stream(seed bytea, count int) RETURNS SETOF numeric
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE ROWS 100
    AS 'MODULE_PATHNAME', 'ptx_draw_stream_values';
COMMENT ON FUNCTION ptx.draw_stream(bytea, int) IS
    'the first values (uint64) of the PTX-DRAW-1 stream of a seed, for checking an independent implementation';

GRANT EXECUTE ON FUNCTION ptx.draw_sample(bytea, bigint[], int), ptx.draw_stream(bytea, int)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

-- ==== src/sql/61_draw.sql
-- Recorded draws (DESIGN.md §4): one mechanism for every random draw —
-- experts for a committee (评标专家抽取), replacements (补抽), agencies to
-- inspect and their inspectors (双随机).  src/draw_exec.c, src/draw.c.
--
-- 1. A request is recorded and committed first, with a fresh 32-byte seed
--    from pg_strong_random() and its SHA-256 commitment.
-- 2. Execution refuses a request of the same, uncommitted transaction
--    (PX013), computes and stores the pools, picks with PTX-DRAW-1, and is
--    idempotent: executing again returns the same picks.
-- 3. ptx.verify_draw(id) replays the picks from the seed and the stored pools.
--
-- Each kind of draw has an executor and a verifier (ptx.draw_kind).  An
-- executor is a SECURITY DEFINER function granted to the roles that may run
-- that kind of draw; it hands its compute function to ptx.draw_run(), which
-- holds the common protocol (lock, PX013, idempotence, storing the picks,
-- the ledger events).  ptx.execute_draw(id) dispatches to the executor of
-- the draw's kind with the caller's own privileges.

------------------------------------------------------------------------
-- Kinds of draw.
------------------------------------------------------------------------
CREATE TABLE ptx.draw_kind (
    kind        text PRIMARY KEY CHECK (kind ~ '^[a-z][a-z_]*$'),
    executor    text NOT NULL,
    verifier    text NOT NULL,
    description text NOT NULL
);
COMMENT ON TABLE ptx.draw_kind IS 'kinds of random draw with the functions that execute and verify them';
COMMENT ON COLUMN ptx.draw_kind.executor IS
    'signature of the SECURITY DEFINER function (draw_id bigint) → table(seat, subject_id, role, assigned_to) that executes a draw of this kind through ptx.draw_run';
COMMENT ON COLUMN ptx.draw_kind.verifier IS
    'signature of the function (draw_id bigint) → boolean that replays a draw of this kind';

INSERT INTO ptx.draw_kind (kind, executor, verifier, description) VALUES
    ('expert', 'ptx.execute_expert_draw(bigint)', 'ptx.verify_expert_draw(bigint)',
     'evaluation experts for a project''s committee (评标专家随机抽取)'),
    ('replacement', 'ptx.execute_expert_draw(bigint)', 'ptx.verify_expert_draw(bigint)',
     'replacement of a committee member (补抽), drawn with the same rules'),
    ('inspection', 'ptx.execute_inspection_draw(bigint)', 'ptx.verify_inspection_draw(bigint)',
     'agencies to inspect and their inspectors (双随机一公开)');

------------------------------------------------------------------------
-- Requests.  The seed is secret (auditors only) until the result is
-- published; the commitment is public from the start.
------------------------------------------------------------------------
CREATE TABLE ptx.draw_request (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                text NOT NULL REFERENCES ptx.draw_kind (kind),
    project_id          bigint REFERENCES ptx.project (id),
    purpose             text NOT NULL CHECK (pg_catalog.btrim(purpose) <> ''),
    need                jsonb NOT NULL,
    options             jsonb NOT NULL DEFAULT '{}',
    pool_rules          jsonb NOT NULL DEFAULT '{}',
    seed_random         bytea NOT NULL CHECK (pg_catalog.length(seed_random) = 32),
    public_entropy      text,
    seed                bytea NOT NULL,
    commitment          bytea NOT NULL,
    replaces_draw_id    bigint REFERENCES ptx.draw_request (id),
    replaced_subject_id bigint,
    reason              text,
    requested_by        text NOT NULL DEFAULT session_user,
    requested_at        timestamptz NOT NULL DEFAULT ptx.now(),
    request_xid         xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    CONSTRAINT draw_request_seed_check CHECK (
        seed = CASE WHEN public_entropy IS NULL THEN seed_random
                    ELSE pg_catalog.sha256(seed_random || pg_catalog.convert_to(public_entropy, 'UTF8')) END),
    CONSTRAINT draw_request_commitment_check CHECK (commitment = pg_catalog.sha256(seed)),
    CONSTRAINT draw_request_replacement_check CHECK (
        (replaces_draw_id IS NULL) = (replaced_subject_id IS NULL)
        AND (replaces_draw_id IS NULL OR pg_catalog.btrim(reason) <> ''))
);
COMMENT ON TABLE ptx.draw_request IS 'draw requests (抽取申请), committed before execution, with their seed and its commitment';
COMMENT ON COLUMN ptx.draw_request.need IS 'what is drawn, e.g. [{"specialty":"A08","count":4}]';
COMMENT ON COLUMN ptx.draw_request.options IS 'options as given by the requester';
COMMENT ON COLUMN ptx.draw_request.pool_rules IS 'the rules of the pool fixed at request time (dates, settings in force)';
COMMENT ON COLUMN ptx.draw_request.seed_random IS '32 bytes from pg_strong_random(); secret until the result is published';
COMMENT ON COLUMN ptx.draw_request.seed IS 'the seed of the stream: seed_random, or SHA-256(seed_random ‖ UTF-8 public_entropy); secret until the result is published';
COMMENT ON COLUMN ptx.draw_request.commitment IS 'SHA-256 of the seed, public from the request on';
COMMENT ON COLUMN ptx.draw_request.request_xid IS 'the requesting transaction: execution in it is refused (PX013)';
CREATE INDEX draw_request_project_idx ON ptx.draw_request (project_id);
CREATE INDEX draw_request_replaces_idx ON ptx.draw_request (replaces_draw_id);
-- a subject is replaced once: the replacement request records that it left
CREATE UNIQUE INDEX draw_request_replaced_once ON ptx.draw_request (project_id, replaced_subject_id)
    WHERE replaced_subject_id IS NOT NULL;
SELECT pg_catalog.pg_extension_config_dump('ptx.draw_request', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.draw_request', 'id'), '');

------------------------------------------------------------------------
-- Execution: the stored pools (sorted ids and their hash) and the picks.
------------------------------------------------------------------------
CREATE TABLE ptx.draw_execution (
    draw_id         bigint PRIMARY KEY REFERENCES ptx.draw_request (id),
    executed_by     text NOT NULL DEFAULT session_user,
    executed_at     timestamptz NOT NULL DEFAULT ptx.now(),
    executed_xid    xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    picks           int NOT NULL CHECK (picks >= 0)
);
COMMENT ON TABLE ptx.draw_execution IS 'executions of draw requests: one per request, never repeated';
SELECT pg_catalog.pg_extension_config_dump('ptx.draw_execution', '');

CREATE TABLE ptx.draw_pool (
    draw_id     bigint NOT NULL REFERENCES ptx.draw_request (id),
    pool_no     int NOT NULL CHECK (pool_no >= 1),
    label       text NOT NULL,
    wanted      int NOT NULL CHECK (wanted >= 0),
    pool        bigint[] NOT NULL,
    groups      bigint[],
    pool_size   int NOT NULL,
    pool_hash   bytea NOT NULL,
    PRIMARY KEY (draw_id, pool_no),
    CHECK (pool_size = pg_catalog.cardinality(pool)),
    CHECK (groups IS NULL OR pg_catalog.cardinality(groups) = pool_size)
);
COMMENT ON TABLE ptx.draw_pool IS 'the eligible pools of executed draws, as sorted ids with their hash, for replay';
COMMENT ON COLUMN ptx.draw_pool.label IS 'what the pool serves, e.g. the specialty code of a need';
COMMENT ON COLUMN ptx.draw_pool.wanted IS 'how many picks the pool serves';
COMMENT ON COLUMN ptx.draw_pool.groups IS 'the group of each candidate for a composition rule (the employer of an expert), NULL for none';
COMMENT ON COLUMN ptx.draw_pool.pool_hash IS 'ptx.draw_pool_hash(pool): SHA-256 of the sorted ids, 8 bytes big-endian each';
-- pools of sorted ids barely compress: stored out of line uncompressed,
-- which costs a tenth of compressing them
ALTER TABLE ptx.draw_pool ALTER COLUMN pool SET STORAGE EXTERNAL,
                          ALTER COLUMN groups SET STORAGE EXTERNAL;
SELECT pg_catalog.pg_extension_config_dump('ptx.draw_pool', '');

CREATE TABLE ptx.draw_pick (
    draw_id     bigint NOT NULL,
    seat        int NOT NULL CHECK (seat >= 1),
    subject_id  bigint NOT NULL,
    role        text NOT NULL,
    assigned_to bigint,
    PRIMARY KEY (draw_id, seat)
);
COMMENT ON TABLE ptx.draw_pick IS 'the picks of executed draws in seat order; for experts, confidential until the result is published';
COMMENT ON COLUMN ptx.draw_pick.role IS 'the specialty code served (experts); agency or inspector (inspection)';
COMMENT ON COLUMN ptx.draw_pick.assigned_to IS 'for an inspector, the agency it inspects';
CREATE INDEX draw_pick_subject_idx ON ptx.draw_pick (subject_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.draw_pick', '');

-- Every pick belongs to an execution: a foreign key checked once per
-- statement rather than once per row (an inspection draw stores 7 500
-- picks, and row-by-row checks were a third of its time).  Picks are
-- written only by ptx.draw_run, as the owner.
CREATE FUNCTION ptx.draw_pick_check_execution() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    orphan bigint;
BEGIN
    IF TG_TABLE_NAME = 'draw_pick' THEN
        SELECT n.draw_id INTO orphan FROM changed_rows n
         WHERE NOT EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = n.draw_id)
         LIMIT 1;
    ELSE
        SELECT o.draw_id INTO orphan FROM changed_rows o
         WHERE EXISTS (SELECT 1 FROM ptx.draw_pick p WHERE p.draw_id = o.draw_id)
           AND NOT EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = o.draw_id)
         LIMIT 1;
    END IF;
    IF orphan IS NOT NULL THEN
        RAISE EXCEPTION 'picks of draw % have no execution', orphan
            USING ERRCODE = '23503',
                  DETAIL = 'Every row of ptx.draw_pick belongs to a row of ptx.draw_execution.';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER draw_pick_execution_insert AFTER INSERT ON ptx.draw_pick
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.draw_pick_check_execution();
CREATE TRIGGER draw_pick_execution_update AFTER UPDATE ON ptx.draw_pick
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.draw_pick_check_execution();
CREATE TRIGGER draw_execution_picks_delete AFTER DELETE ON ptx.draw_execution
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.draw_pick_check_execution();
CREATE TRIGGER draw_execution_picks_update AFTER UPDATE ON ptx.draw_execution
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.draw_pick_check_execution();

------------------------------------------------------------------------
-- C helpers (src/draw_exec.c).
------------------------------------------------------------------------
CREATE FUNCTION ptx.strong_random_bytes(n int) RETURNS bytea
    LANGUAGE c VOLATILE STRICT
    AS 'MODULE_PATHNAME', 'ptx_strong_random_bytes';
COMMENT ON FUNCTION ptx.strong_random_bytes(int) IS
    'n bytes from pg_strong_random(), the operating system''s cryptographic generator';

CREATE FUNCTION ptx.draw_pool_hash(pool bigint[]) RETURNS bytea
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_draw_pool_hash';
COMMENT ON FUNCTION ptx.draw_pool_hash(bigint[]) IS
    'hash of a draw pool: SHA-256 of the sorted ids, 8 bytes big-endian each';

CREATE FUNCTION ptx.draw_groups_hash(groups bigint[]) RETURNS bytea
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_draw_groups_hash';
COMMENT ON FUNCTION ptx.draw_groups_hash(bigint[]) IS
    'hash of the groups of a draw pool in pool order: SHA-256 of one line per element, the group in decimal (empty for NULL) and a newline';

CREATE FUNCTION ptx.draw_picks_hash(seats int[], subjects bigint[], roles text[], assigned bigint[]) RETURNS bytea
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_draw_picks_hash';
COMMENT ON FUNCTION ptx.draw_picks_hash(int[], bigint[], text[], bigint[]) IS
    'hash of the picks of a draw in seat order: SHA-256 of one line "seat,subject_id,role,assigned_to" (assigned_to empty for NULL) and a newline per pick';

CREATE FUNCTION ptx.draw_pool_sorted(pool bigint[]) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_draw_pool_sorted';
COMMENT ON FUNCTION ptx.draw_pool_sorted(bigint[]) IS
    'true when a pool is sorted ascending without repetition or NULL, as stored pools are';

CREATE FUNCTION ptx.draw_pick_needs(seed bytea, pool bigint[], sizes int[], counts int[],
                                    groups bigint[] DEFAULT NULL, max_per_group int DEFAULT NULL,
                                    seated_groups bigint[] DEFAULT NULL, labels text[] DEFAULT NULL)
    RETURNS TABLE (seat int, need_no int, subject_id bigint)
    LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 10
    AS 'MODULE_PATHNAME', 'ptx_draw_pick_needs';
COMMENT ON FUNCTION ptx.draw_pick_needs(bytea, bigint[], int[], int[], bigint[], int, bigint[], text[]) IS
    'PTX-DRAW-1 for several needs from one stream: pool holds the needs'' pools one after the other (sizes), each served less the earlier picks, at most max_per_group picks per group';

------------------------------------------------------------------------
-- The protocol, for executors.  Owner-only: executors are SECURITY
-- DEFINER functions and call these as the owner.
------------------------------------------------------------------------
CREATE FUNCTION ptx.new_draw_request(kind text, purpose text, need jsonb,
                                     options jsonb DEFAULT '{}', pool_rules jsonb DEFAULT '{}',
                                     project_id bigint DEFAULT NULL,
                                     replaces_draw_id bigint DEFAULT NULL,
                                     replaced_subject_id bigint DEFAULT NULL,
                                     reason text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    raw bytea := ptx.strong_random_bytes(32);
    entropy text;
    s bytea;
    new_id bigint;
BEGIN
    IF options IS NOT NULL AND options ? 'public_entropy' THEN
        IF jsonb_typeof(options -> 'public_entropy') <> 'string' OR options ->> 'public_entropy' = '' THEN
            RAISE EXCEPTION 'invalid public_entropy option of a draw'
                USING ERRCODE = '22023',
                      DETAIL = 'public_entropy must be a non-empty text.',
                      HINT = 'Give the text of a public event, e.g. the closing numbers of a lottery.';
        END IF;
        entropy := options ->> 'public_entropy';
    END IF;
    s := CASE WHEN entropy IS NULL THEN raw ELSE sha256(raw || convert_to(entropy, 'UTF8')) END;
    INSERT INTO ptx.draw_request AS d
           (kind, project_id, purpose, need, options, pool_rules, seed_random, public_entropy,
            seed, commitment, replaces_draw_id, replaced_subject_id, reason)
    VALUES (new_draw_request.kind, new_draw_request.project_id, new_draw_request.purpose,
            new_draw_request.need, COALESCE(new_draw_request.options, '{}'),
            COALESCE(new_draw_request.pool_rules, '{}'), raw, entropy, s, sha256(s),
            new_draw_request.replaces_draw_id, new_draw_request.replaced_subject_id,
            new_draw_request.reason)
    RETURNING d.id INTO new_id;
    PERFORM ptx.ledger_event('draw_requested', 'ptx.draw_request', jsonb_build_object('id', new_id),
        jsonb_build_object('kind', kind, 'project_id', project_id, 'purpose', purpose,
                           'need', need, 'options', options,
                           'commitment', encode(sha256(s), 'hex'),
                           'replaces_draw_id', replaces_draw_id, 'reason', reason));
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.new_draw_request(text, text, jsonb, jsonb, jsonb, bigint, bigint, bigint, text) IS
    'record a draw request with a fresh seed and its commitment; for the request functions of each kind';

CREATE FUNCTION ptx.draw_store_pool(draw_id bigint, pool_no int, label text, wanted int,
                                    pool bigint[], groups bigint[] DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO ptx.draw_pool (draw_id, pool_no, label, wanted, pool, groups, pool_size, pool_hash)
    VALUES (draw_store_pool.draw_id, draw_store_pool.pool_no, draw_store_pool.label,
            draw_store_pool.wanted, draw_store_pool.pool, draw_store_pool.groups,
            cardinality(draw_store_pool.pool), ptx.draw_pool_hash(draw_store_pool.pool));
END
$$;
COMMENT ON FUNCTION ptx.draw_store_pool(bigint, int, text, int, bigint[], bigint[]) IS
    'store a pool of an executing draw with its hash; for compute functions';

-- What the ledger records of an executed draw (the event draw_executed):
-- each stored pool's number, label, wanted, size, hash and the hash of its
-- groups, the number of picks and their hash.  ptx.draw_pool and
-- ptx.draw_pick are not captured row by row (src/sql/90_ledger_track.sql):
-- the event fixes them, and ptx.verify_draw compares them with it.
CREATE FUNCTION ptx.draw_pools_record(draw_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                   'pool_no', p.pool_no, 'label', p.label, 'wanted', p.wanted,
                   'size', p.pool_size, 'hash', pg_catalog.encode(p.pool_hash, 'hex'),
                   'groups_hash', pg_catalog.encode(ptx.draw_groups_hash(p.groups), 'hex')))
                   ORDER BY p.pool_no), '[]'::jsonb)
          FROM ptx.draw_pool p WHERE p.draw_id = draw_pools_record.draw_id;
    END;
COMMENT ON FUNCTION ptx.draw_pools_record(bigint) IS
    'the stored pools of a draw as its ledger event records them: number, label, wanted, size, hash and, with groups, the groups hash';

CREATE FUNCTION ptx.draw_record(draw_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT pg_catalog.jsonb_build_object(
                   'pools', ptx.draw_pools_record(draw_record.draw_id),
                   'picks', pg_catalog.count(*),
                   'picks_hash', pg_catalog.encode(ptx.draw_picks_hash(
                       COALESCE(pg_catalog.array_agg(dp.seat ORDER BY dp.seat), '{}'),
                       COALESCE(pg_catalog.array_agg(dp.subject_id ORDER BY dp.seat), '{}'),
                       COALESCE(pg_catalog.array_agg(dp.role ORDER BY dp.seat), '{}'),
                       COALESCE(pg_catalog.array_agg(dp.assigned_to ORDER BY dp.seat), '{}')), 'hex'))
          FROM ptx.draw_pick dp WHERE dp.draw_id = draw_record.draw_id;
    END;
COMMENT ON FUNCTION ptx.draw_record(bigint) IS
    'the stored pools and picks of a draw as its ledger event draw_executed records them: the pools (ptx.draw_pools_record), the number of picks and their hash';

CREATE FUNCTION ptx.draw_run(draw_id bigint, compute regprocedure)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    seats int[];
    subjects bigint[];
    roles text[];
    assigned bigint[];
BEGIN
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = draw_run.draw_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'draw % does not exist', draw_id
            USING ERRCODE = '22023';
    END IF;
    IF r.request_xid = pg_current_xact_id_if_assigned() THEN
        RAISE EXCEPTION 'draw % was requested in this transaction', r.id
            USING ERRCODE = 'PX013',
                  DETAIL = 'A draw executes only after its request and seed are committed; otherwise a rollback could re-roll it.',
                  HINT = 'Commit the request first, then execute the draw (CALL ptx.draw_experts does both).';
    END IF;

    IF EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = r.id) THEN
        PERFORM ptx.ledger_event('draw_result_read', 'ptx.draw_request', jsonb_build_object('id', r.id),
            jsonb_build_object('kind', r.kind, 'project_id', r.project_id));
        RETURN QUERY
            SELECT p.seat, p.subject_id, p.role, p.assigned_to
              FROM ptx.draw_pick p WHERE p.draw_id = r.id ORDER BY p.seat;
        RETURN;
    END IF;

    EXECUTE format('SELECT array_agg(t.seat ORDER BY t.seat), array_agg(t.subject_id ORDER BY t.seat),'
                   '       array_agg(t.role ORDER BY t.seat), array_agg(t.assigned_to ORDER BY t.seat)'
                   '  FROM %s($1) t', compute::oid::regproc)
       INTO seats, subjects, roles, assigned
      USING r.id;
    INSERT INTO ptx.draw_execution (draw_id, picks)
    VALUES (r.id, COALESCE(cardinality(seats), 0));
    INSERT INTO ptx.draw_pick (draw_id, seat, subject_id, role, assigned_to)
    SELECT r.id, u.seat, u.subject_id, u.role, u.assigned_to
      FROM unnest(seats, subjects, roles, assigned) AS u (seat, subject_id, role, assigned_to);
    -- the record of the execution: the pools and picks by their hashes
    PERFORM ptx.ledger_event('draw_executed', 'ptx.draw_request', jsonb_build_object('id', r.id),
        jsonb_build_object('kind', r.kind, 'project_id', r.project_id,
                           'pools', ptx.draw_pools_record(r.id),
                           'picks', COALESCE(cardinality(seats), 0),
                           'picks_hash', encode(ptx.draw_picks_hash(COALESCE(seats, '{}'), COALESCE(subjects, '{}'),
                                                                    COALESCE(roles, '{}'), COALESCE(assigned, '{}')),
                                                'hex')));
    RETURN QUERY
        SELECT p.seat, p.subject_id, p.role, p.assigned_to
          FROM ptx.draw_pick p WHERE p.draw_id = r.id ORDER BY p.seat;
END
$$;
COMMENT ON FUNCTION ptx.draw_run(bigint, regprocedure) IS
    'the execution protocol shared by every kind: lock, refuse the requesting transaction (PX013), return the stored picks of an executed draw, else compute, store and return them';

------------------------------------------------------------------------
-- The public interface.
------------------------------------------------------------------------
CREATE FUNCTION ptx.execute_draw(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k ptx.draw_kind;
    fn regprocedure;
BEGIN
    SELECT dk.* INTO k
      FROM ptx.draw_request d JOIN ptx.draw_kind dk ON dk.kind = d.kind
     WHERE d.id = execute_draw.draw_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'draw % does not exist', draw_id
            USING ERRCODE = '22023';
    END IF;
    fn := to_regprocedure(k.executor);
    IF fn IS NULL THEN
        RAISE EXCEPTION 'draws of kind % cannot be executed: % is not installed', k.kind, k.executor
            USING ERRCODE = '55000',
                  HINT = 'The module that provides this kind of draw is missing from this version of ptx.';
    END IF;
    -- with the caller's privileges: each executor is granted to the roles
    -- that may run its kind of draw
    RETURN QUERY EXECUTE format('SELECT t.seat, t.subject_id, t.role, t.assigned_to FROM %s($1) t',
                                fn::oid::regproc)
        USING draw_id;
END
$$;
COMMENT ON FUNCTION ptx.execute_draw(bigint) IS
    'execute a committed draw request (PX013 in its own transaction); idempotent: executing again returns the same picks';

CREATE FUNCTION ptx.verify_draw(draw_id bigint) RETURNS boolean
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    k ptx.draw_kind;
    fn regprocedure;
    ok boolean;
    recorded jsonb;
BEGIN
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = verify_draw.draw_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'draw % does not exist', draw_id
            USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = r.id) THEN
        RAISE EXCEPTION 'draw % has not been executed', r.id
            USING ERRCODE = '55000',
                  HINT = 'Execute it with ptx.execute_draw, then verify it.';
    END IF;
    -- the seed is the committed one, and the stored pools are intact
    IF r.commitment IS DISTINCT FROM sha256(r.seed)
       OR r.seed IS DISTINCT FROM (CASE WHEN r.public_entropy IS NULL THEN r.seed_random
                                        ELSE sha256(r.seed_random || convert_to(r.public_entropy, 'UTF8')) END)
       OR EXISTS (SELECT 1 FROM ptx.draw_pool p
                   WHERE p.draw_id = r.id
                     AND (p.pool_hash IS DISTINCT FROM ptx.draw_pool_hash(p.pool)
                          OR p.pool_size IS DISTINCT FROM cardinality(p.pool))) THEN
        RETURN false;
    END IF;
    -- the stored pools and picks are those the ledger recorded at execution
    -- (they are not captured row by row: 90_ledger_track.sql)
    SELECT e.row_image::jsonb INTO recorded
      FROM ptx.ledger_entry e
     WHERE e.relation = 'ptx.draw_request'
       AND (e.key::text) = jsonb_build_object('id', r.id)::text
       AND e.operation = 'EVENT' AND e.kind = 'draw_executed'
     ORDER BY e.seq DESC
     LIMIT 1;
    IF recorded IS NULL
       OR jsonb_build_object('pools', recorded -> 'pools', 'picks', recorded -> 'picks',
                             'picks_hash', recorded -> 'picks_hash')
          IS DISTINCT FROM ptx.draw_record(r.id) THEN
        RETURN false;
    END IF;
    SELECT * INTO k FROM ptx.draw_kind dk WHERE dk.kind = r.kind;
    fn := to_regprocedure(k.verifier);
    IF fn IS NULL THEN
        RAISE EXCEPTION 'draws of kind % cannot be verified: % is not installed', k.kind, k.verifier
            USING ERRCODE = '55000',
                  HINT = 'The module that provides this kind of draw is missing from this version of ptx.';
    END IF;
    EXECUTE format('SELECT %s($1)', fn::oid::regproc) INTO ok USING r.id;
    RETURN COALESCE(ok, false);
END
$$;
COMMENT ON FUNCTION ptx.verify_draw(bigint) IS
    'replay an executed draw from its seed and stored pools: true when the seed matches its commitment, the pools and picks what the ledger recorded at execution, and the replay the stored picks';

-- Every executed draw, for audits: one row per draw that does not verify.
CREATE FUNCTION ptx.verify_draws()
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT NULL::bigint, NULL::bigint, 'draw_mismatch',
               pg_catalog.format('Draw %s (%s) does not verify: its seed, stored pools or picks differ from what was committed and recorded, or the replay differs from the picks.',
                                 x.draw_id, d.kind)
          FROM ptx.draw_execution x
          JOIN ptx.draw_request d ON d.id = x.draw_id
         WHERE NOT ptx.verify_draw(x.draw_id)
         ORDER BY x.draw_id;
    END;
COMMENT ON FUNCTION ptx.verify_draws() IS
    'verify every executed draw (ptx.verify_draw); one row per draw that does not verify, none when all do, in the shape of ptx.verify()';

------------------------------------------------------------------------
-- Publication.  A project's draws are public once its result is
-- published (publicity and later); a draw without a project once it has
-- been executed.
------------------------------------------------------------------------
CREATE FUNCTION ptx.draw_project_published(project_id bigint) RETURNS boolean
    LANGUAGE sql STABLE STRICT
    BEGIN ATOMIC
        SELECT COALESCE((SELECT p.state IN ('publicity', 'awarded', 'contracted', 'closed')
                           FROM ptx.project p WHERE p.id = draw_project_published.project_id), false);
    END;
COMMENT ON FUNCTION ptx.draw_project_published(bigint) IS
    'true once a project''s result is published (state publicity or later): its draws and committee become public';

CREATE FUNCTION ptx.draw_published(draw_id bigint) RETURNS boolean
    LANGUAGE sql STABLE STRICT
    BEGIN ATOMIC
        SELECT COALESCE((SELECT CASE WHEN d.project_id IS NOT NULL
                                     THEN ptx.draw_project_published(d.project_id)
                                     ELSE EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = d.id) END
                           FROM ptx.draw_request d WHERE d.id = draw_published.draw_id), false);
    END;
COMMENT ON FUNCTION ptx.draw_published(bigint) IS
    'true when a draw''s seed may be public: its project''s result is published, or, without a project, it has been executed';

-- The view reads the tables with its owner's rights; it calls no ptx
-- function, so that ptx_public needs nothing in schema ptx.  Publication is
-- the rule of ptx.draw_published, spelt out.
CREATE VIEW ptx_public.draw WITH (security_barrier = true) AS
SELECT d.id,
       d.kind,
       pr.code AS project_code,
       d.purpose,
       d.need,
       d.requested_at,
       pg_catalog.encode(d.commitment, 'hex') AS commitment,
       d.public_entropy,
       x.executed_at,
       CASE WHEN pub.published THEN pg_catalog.encode(d.seed_random, 'hex') END AS seed_random_masked,
       CASE WHEN pub.published THEN pg_catalog.encode(d.seed, 'hex') END AS seed_masked,
       (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                   'pool_no', p.pool_no, 'label', p.label, 'wanted', p.wanted,
                   'size', p.pool_size, 'hash', pg_catalog.encode(p.pool_hash, 'hex'))
                   ORDER BY p.pool_no)
          FROM ptx.draw_pool p WHERE p.draw_id = d.id) AS pools
  FROM ptx.draw_request d
  LEFT JOIN ptx.project pr ON pr.id = d.project_id
  LEFT JOIN ptx.draw_execution x ON x.draw_id = d.id
  CROSS JOIN LATERAL (SELECT CASE WHEN d.project_id IS NULL THEN x.draw_id IS NOT NULL
                                  ELSE pr.state IN ('publicity', 'awarded', 'contracted', 'closed') END
                             AS published) pub;
COMMENT ON VIEW ptx_public.draw IS
    'every draw with its public commitment; the seed (seed_masked: NULL until then) once the result is published, so that anyone can replay it';

GRANT SELECT ON ptx.draw_kind, ptx.draw_execution TO ptx_admin, ptx_operator, ptx_supervisor;
-- not the seeds, nor replaced_subject_id: who left a committee is part of
-- the confidential member list
GRANT SELECT (id, kind, project_id, purpose, need, options, pool_rules, public_entropy, commitment,
              replaces_draw_id, reason, requested_by, requested_at, request_xid)
    ON ptx.draw_request TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT SELECT ON ptx_public.draw TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.execute_draw(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.verify_draws(), ptx.draw_pools_record(bigint), ptx.draw_record(bigint)
    TO ptx_admin, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.verify_draw(bigint), ptx.draw_pool_hash(bigint[]), ptx.draw_pool_sorted(bigint[]),
    ptx.draw_groups_hash(bigint[]), ptx.draw_picks_hash(int[], bigint[], text[], bigint[]),
    ptx.draw_pick_needs(bytea, bigint[], int[], int[], bigint[], int, bigint[], text[]),
    ptx.draw_published(bigint), ptx.draw_project_published(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

-- ==== src/sql/62_experts.sql
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
        RAISE EXCEPTION 'expert % has been dismissed', NEW.expert_id
            USING ERRCODE = 'PX003',
                  DETAIL = 'Dismissal from the expert database (清退) is final; the expert''s history is kept.',
                  HINT = 'A dismissed expert cannot be suspended or reinstated.';
    END IF;
    IF NEW.status = 'suspended' AND NEW.suspended_until < ptx.now()::date THEN
        RAISE EXCEPTION 'a suspension of expert % cannot end in the past', NEW.expert_id
            USING ERRCODE = '22023',
                  DETAIL = format('The suspension would end on %s, before today (%s).', NEW.suspended_until, ptx.now()::date);
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
            RAISE EXCEPTION 'a new expert must be active'
                USING ERRCODE = '22023',
                      HINT = 'Register the expert, then record a suspension with ptx.suspend_expert.';
        END IF;
    ELSIF (NEW.status IS DISTINCT FROM OLD.status OR NEW.suspended_until IS DISTINCT FROM OLD.suspended_until)
          AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'the status of expert % changes only through its status history', OLD.id
            USING ERRCODE = '55000',
                  HINT = 'Use ptx.suspend_expert, ptx.dismiss_expert or ptx.reinstate_expert, which record the reason.';
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
    today date := ptx.now()::date;
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
        RAISE EXCEPTION 'invalid kind of expert relation "%"', kind
            USING ERRCODE = '22023',
                  HINT = 'Kinds are employee, director, controller, relative, supervisor_staff and other.';
    END IF;
    IF valid_from > valid_to THEN
        RAISE EXCEPTION 'a relation cannot end (%) before it begins (%)', valid_to, valid_from
            USING ERRCODE = '22023';
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
    IF NOT EXISTS (SELECT 1 FROM ptx.expert e WHERE e.id = set_expert_status.expert_id) THEN
        RAISE EXCEPTION 'expert % does not exist', expert_id USING ERRCODE = '22023';
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a change of an expert''s status needs a reason' USING ERRCODE = '22023';
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

-- ==== src/sql/62_experts_personal_data.sql
-- Personal data of experts (个人信息): resident ID numbers and phones are
-- never stored in clear, in tables or in the ledger.  Each is kept as
--   - a keyed hash, HMAC-SHA-256(key, 'id_number:' ‖ value), which finds
--     duplicates and lets an operator look an expert up by number, and
--   - pgcrypto ciphertext (pgp_sym_encrypt, AES-256) under a second key,
--     which the extension's owner opens for an authorised, logged read.
--
-- The keys live in ptx_private.personal_data_key: a schema of ptx's own
-- (62_experts.sql) on which no role is granted anything, so that only the extension's owner
-- (through the SECURITY DEFINER functions below) reads them.  Outside
-- schema ptx, the table is neither among the tables ptx_auditor reads
-- (99_finish.sql) nor among those the ledger captures: the keys never
-- reach a ledger entry.  They are made on first use from
-- pg_strong_random(), so that a restored dump brings its own keys back
-- (the table is dumped as configuration) instead of clashing with new ones.
-- pgcrypto may live in any schema: it is looked up when used.

CREATE TABLE ptx_private.personal_data_key (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    hash_key    bytea NOT NULL CHECK (pg_catalog.length(hash_key) = 32),
    cipher_key  bytea NOT NULL CHECK (pg_catalog.length(cipher_key) = 32),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE ptx_private.personal_data_key IS 'keys of personal data (hash and encryption); the extension owner''s only';
SELECT pg_catalog.pg_extension_config_dump('ptx_private.personal_data_key', '');

CREATE FUNCTION ptx.pgcrypto_schema() RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s text;
BEGIN
    SELECT n.nspname INTO s
      FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
     WHERE x.extname = 'pgcrypto';
    IF s IS NULL THEN
        RAISE EXCEPTION 'pgcrypto is not installed in database %', current_database()
            USING ERRCODE = 'PX014',
                  DETAIL = 'ptx encrypts personal data with pgcrypto.',
                  HINT = 'Run CREATE EXTENSION pgcrypto (CREATE EXTENSION ptx CASCADE does it).';
    END IF;
    RETURN s;
END
$$;
COMMENT ON FUNCTION ptx.pgcrypto_schema() IS 'the schema pgcrypto is installed in, wherever that is';

CREATE FUNCTION ptx_private.personal_data_keys() RETURNS ptx_private.personal_data_key
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k ptx_private.personal_data_key;
BEGIN
    SELECT * INTO k FROM ptx_private.personal_data_key WHERE id = 1;
    IF NOT FOUND THEN
        INSERT INTO ptx_private.personal_data_key (id, hash_key, cipher_key)
        VALUES (1, ptx.strong_random_bytes(32), ptx.strong_random_bytes(32))
        ON CONFLICT (id) DO NOTHING;
        SELECT * INTO k FROM ptx_private.personal_data_key WHERE id = 1;
    END IF;
    RETURN k;
END
$$;
COMMENT ON FUNCTION ptx_private.personal_data_keys() IS 'the personal data keys, made on first use (owner only)';
REVOKE ALL ON FUNCTION ptx_private.personal_data_keys() FROM PUBLIC;
REVOKE ALL ON TABLE ptx_private.personal_data_key FROM PUBLIC;

CREATE FUNCTION ptx.personal_data_hash(kind text, value text) RETURNS bytea
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k ptx_private.personal_data_key := ptx_private.personal_data_keys();
    h bytea;
BEGIN
    EXECUTE format('SELECT %I.hmac($1, $2, ''sha256'')', ptx.pgcrypto_schema())
       INTO h USING convert_to(kind || ':' || value, 'UTF8'), k.hash_key;
    RETURN h;
END
$$;
COMMENT ON FUNCTION ptx.personal_data_hash(text, text) IS 'keyed hash of a normalised personal datum (owner only)';

CREATE FUNCTION ptx.personal_data_encrypt(value text) RETURNS bytea
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k ptx_private.personal_data_key := ptx_private.personal_data_keys();
    c bytea;
BEGIN
    EXECUTE format('SELECT %I.pgp_sym_encrypt($1, $2, ''cipher-algo=aes256, s2k-mode=1'')', ptx.pgcrypto_schema())
       INTO c USING value, encode(k.cipher_key, 'hex');
    RETURN c;
END
$$;
COMMENT ON FUNCTION ptx.personal_data_encrypt(text) IS 'pgcrypto ciphertext of a personal datum (owner only)';

CREATE FUNCTION ptx.personal_data_decrypt(cipher bytea) RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k ptx_private.personal_data_key := ptx_private.personal_data_keys();
    v text;
BEGIN
    IF cipher IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT %I.pgp_sym_decrypt($1, $2)', ptx.pgcrypto_schema())
       INTO v USING cipher, encode(k.cipher_key, 'hex');
    RETURN v;
END
$$;
COMMENT ON FUNCTION ptx.personal_data_decrypt(bytea) IS 'the clear text of a personal datum (owner only)';

CREATE FUNCTION ptx.normalize_phone(phone text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p text := regexp_replace(phone, '[\s()-]', '', 'g');
BEGIN
    IF p !~ '^\+?[0-9]{7,15}$' THEN
        RAISE EXCEPTION 'invalid phone number'
            USING ERRCODE = '22023',
                  DETAIL = 'A phone number has 7 to 15 digits, optionally after a +, with spaces, dashes or parentheses between them.',
                  HINT = 'Write it like 13800000000 or 0471-1234567.';
    END IF;
    RETURN p;
END
$$;
COMMENT ON FUNCTION ptx.normalize_phone(text) IS 'a phone number without separators, or an error that does not echo it';

------------------------------------------------------------------------
-- Registering an expert (专家入库).
------------------------------------------------------------------------
CREATE FUNCTION ptx.add_expert(name text, id_number text, employer_id bigint, region text,
                               specialties text[], trained_until date,
                               title text DEFAULT NULL, practice_years int DEFAULT NULL,
                               phone text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    num text := upper(btrim(id_number));
    tel text;
    num_hash bytea;
    dup bigint;
    new_id bigint;
BEGIN
    IF num IS NULL OR num = '' THEN
        RAISE EXCEPTION 'an expert needs a resident ID number'
            USING ERRCODE = 'PX010';
    END IF;
    PERFORM ptx.check_resident_id(num);
    IF title IS NOT NULL AND ptx.expert_title_rank(title) IS NULL THEN
        RAISE EXCEPTION 'invalid professional title "%"', title
            USING ERRCODE = '22023',
                  HINT = 'Titles are senior (正高级), associate_senior (副高级), equivalent (同等专业水平), intermediate (中级) and junior (初级).';
    END IF;
    IF phone IS NOT NULL THEN
        tel := ptx.normalize_phone(phone);
    END IF;
    num_hash := ptx.personal_data_hash('id_number', num);
    SELECT e.id INTO dup FROM ptx.expert e WHERE e.id_number_hash = num_hash;
    IF FOUND THEN
        RAISE EXCEPTION 'an expert with this resident ID number is already registered'
            USING ERRCODE = '23505',
                  DETAIL = format('The number belongs to expert %s.', dup),
                  HINT = 'Update that expert instead; a dismissed expert cannot be registered again.';
    END IF;
    INSERT INTO ptx.expert AS e (name, id_number_hash, id_number_cipher, phone_hash, phone_cipher,
                                 employer_id, region, specialties, title, practice_years, trained_until)
    VALUES (add_expert.name, num_hash, ptx.personal_data_encrypt(num),
            CASE WHEN tel IS NOT NULL THEN ptx.personal_data_hash('phone', tel) END,
            CASE WHEN tel IS NOT NULL THEN ptx.personal_data_encrypt(tel) END,
            add_expert.employer_id, add_expert.region, add_expert.specialties,
            add_expert.title, add_expert.practice_years, add_expert.trained_until)
    RETURNING e.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.add_expert(text, text, bigint, text, text[], date, text, int, text) IS
    'register an expert (专家入库): resident ID number checked (PX010), hashed and encrypted; returns the expert''s id';

CREATE FUNCTION ptx.find_expert(id_number text) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    found_id bigint;
BEGIN
    SELECT e.id INTO found_id FROM ptx.expert e
     WHERE e.id_number_hash = ptx.personal_data_hash('id_number', upper(btrim(id_number)));
    RETURN found_id;
END
$$;
COMMENT ON FUNCTION ptx.find_expert(text) IS 'the expert registered with a resident ID number, or NULL; the number is compared by its keyed hash';

CREATE FUNCTION ptx.set_expert_phone(expert_id bigint, phone text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tel text := CASE WHEN phone IS NOT NULL THEN ptx.normalize_phone(phone) END;
BEGIN
    UPDATE ptx.expert e
       SET phone_hash = CASE WHEN tel IS NOT NULL THEN ptx.personal_data_hash('phone', tel) END,
           phone_cipher = CASE WHEN tel IS NOT NULL THEN ptx.personal_data_encrypt(tel) END
     WHERE e.id = set_expert_phone.expert_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'expert % does not exist', expert_id USING ERRCODE = '22023';
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.set_expert_phone(bigint, text) IS 'record or clear an expert''s phone number (hashed and encrypted)';

CREATE FUNCTION ptx.expert_personal_data(expert_id bigint)
    RETURNS TABLE (id_number text, phone text)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    e ptx.expert;
BEGIN
    SELECT * INTO e FROM ptx.expert x WHERE x.id = expert_personal_data.expert_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'expert % does not exist', expert_id USING ERRCODE = '22023';
    END IF;
    PERFORM ptx.ledger_event('personal_data_read', 'ptx.expert', jsonb_build_object('id', e.id),
                             jsonb_build_object('fields', jsonb_build_array('id_number', 'phone')));
    id_number := ptx.personal_data_decrypt(e.id_number_cipher);
    phone := ptx.personal_data_decrypt(e.phone_cipher);
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION ptx.expert_personal_data(bigint) IS
    'an expert''s resident ID number and phone in clear, to notify a drawn expert; every call is a ledger event';

GRANT EXECUTE ON FUNCTION ptx.add_expert(text, text, bigint, text, text[], date, text, int, text),
    ptx.find_expert(text), ptx.set_expert_phone(bigint, text), ptx.expert_personal_data(bigint)
    TO ptx_admin, ptx_operator;

-- ==== src/sql/63_expert_draw.sql
-- Drawing evaluation experts (评标专家随机抽取, R5) with the mechanism of
-- 61_draw.sql: the eligible pool of each need, the request, the executor
-- and the verifier of the kinds expert and replacement.

------------------------------------------------------------------------
-- The eligible pools (set-based).  An expert is eligible for a need of a
-- project on the evaluation date when
--   - one of the expert's codes lies under the need's code (A08 ⊇ A0801),
--   - active, or suspended until a day before the date; never dismissed,
--   - trained: the training certificate runs to the date or later,
--   - qualified: title and years, where recorded, meet the settings,
--   - not credit-restricted on the date (ptx.is_restricted, credit module),
--   - not recused (回避): no relation with the tenderee, the agency, any
--     bidder or the supervising department — employment, directorship or
--     control within expert.recusal_years before the date, a relative or
--     other declared interest on the date, supervisory staff —, and never
--     punished for misconduct in tendering,
--   - not already drawn for the project (exclude),
--   - inside the regions asked for, outside the project's region if remote.
------------------------------------------------------------------------
CREATE FUNCTION ptx.expert_pools(project_id bigint, specialties text[], at_date date,
                                 remote boolean DEFAULT false, regions text[] DEFAULT NULL,
                                 exclude bigint[] DEFAULT '{}')
    RETURNS TABLE (need_no int, expert_ids bigint[], employer_ids bigint[])
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    -- planned for its arguments each time: a generic plan cannot know how
    -- many experts a specialty holds
    SET plan_cache_mode = force_custom_plan
    AS $$
DECLARE
    p ptx.project;
    parties bigint[];
    window_start date;
    min_years int := ptx.setting('expert.min_practice_years')::int;
    titles text[] := ARRAY(SELECT t FROM unnest(ARRAY['senior', 'associate_senior', 'equivalent', 'intermediate', 'junior']) t
                            WHERE ptx.expert_title_rank(t) >= ptx.setting('expert.min_title_rank'));
    outside text[] := '{}';
    inside text[];
    recused bigint[];
BEGIN
    SELECT * INTO p FROM ptx.project pr WHERE pr.id = expert_pools.project_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', expert_pools.project_id USING ERRCODE = '22023';
    END IF;
    parties := array_remove(ARRAY[p.tenderee_id, p.agency_id, p.supervisor_id]
                            || ARRAY(SELECT b.bidder_id FROM ptx.bid b WHERE b.project_id = p.id), NULL);
    window_start := (expert_pools.at_date - make_interval(years => ptx.setting('expert.recusal_years')::int))::date;
    IF expert_pools.remote THEN
        outside := ARRAY(SELECT r.code FROM ptx.region r WHERE p.region = ANY (r.path));
    END IF;
    IF expert_pools.regions IS NOT NULL THEN
        inside := ARRAY(SELECT r.code FROM ptx.region r WHERE r.path && expert_pools.regions);
    END IF;

    -- everyone recused from this project or credit-restricted on the date
    -- (ptx.restricted_subjects: ptx.is_restricted for all experts at
    -- once), once for all needs
    recused := ARRAY(
        SELECT r.expert_id
          FROM ptx.expert_relation r
         WHERE r.org_id = ANY (parties)
           AND (r.valid_from IS NULL OR r.valid_from <= expert_pools.at_date)
           AND (r.valid_to IS NULL
                OR r.valid_to >= CASE WHEN r.kind IN ('employee', 'director', 'controller')
                                      THEN window_start ELSE expert_pools.at_date END)
        UNION
        SELECT pe.expert_id FROM ptx.expert_penalty pe WHERE pe.decided_on <= expert_pools.at_date
        UNION
        SELECT x FROM ptx.restricted_subjects('expert', expert_pools.at_date) x
        UNION
        SELECT x FROM unnest(expert_pools.exclude) x);

    -- each need: one index-only range scan of the roster, in id order
    FOR i IN 1 .. COALESCE(cardinality(expert_pools.specialties), 0) LOOP
        need_no := i;
        SELECT COALESCE(array_agg(q.expert_id), '{}'), COALESCE(array_agg(q.employer_id), '{}')
          INTO expert_ids, employer_ids
          FROM (SELECT e.expert_id, e.employer_id
                  FROM ptx_private.expert_roster e
                 WHERE e.code = expert_pools.specialties[i]
                   AND (e.status = 'active' OR (e.status = 'suspended' AND e.suspended_until < expert_pools.at_date))
                   AND e.trained_until >= expert_pools.at_date
                   AND (e.practice_years IS NULL OR e.practice_years >= min_years)
                   AND (e.title IS NULL OR e.title = ANY (titles))
                   AND e.region <> ALL (outside)
                   AND (inside IS NULL OR e.region = ANY (inside))
                   AND e.expert_id <> ALL (recused)
                 ORDER BY e.expert_id) q;
        -- the pool is stored sorted: make sure of it whatever the plan
        IF NOT ptx.draw_pool_sorted(expert_ids) THEN
            SELECT array_agg(u.x ORDER BY u.x), array_agg(u.g ORDER BY u.x)
              INTO expert_ids, employer_ids
              FROM unnest(expert_ids, employer_ids) AS u (x, g);
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.expert_pools(bigint, text[], date, boolean, text[], bigint[]) IS
    'the pools of several needs of a project on a date in one pass: for each specialty, the eligible experts sorted by id and their employers';

CREATE FUNCTION ptx.expert_pool(project_id bigint, specialty text, at_date date,
                                remote boolean DEFAULT false, regions text[] DEFAULT NULL,
                                exclude bigint[] DEFAULT '{}')
    RETURNS TABLE (expert_id bigint, employer_id bigint)
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT u.expert_id, u.employer_id
          FROM ptx.expert_pools(expert_pool.project_id, ARRAY[expert_pool.specialty], expert_pool.at_date,
                                expert_pool.remote, expert_pool.regions, expert_pool.exclude) p,
               unnest(p.expert_ids, p.employer_ids) AS u (expert_id, employer_id)
         ORDER BY u.expert_id;
    END;
COMMENT ON FUNCTION ptx.expert_pool(bigint, text, date, boolean, text[], bigint[]) IS
    'the experts eligible for a need of a project on a date, sorted by id, with their employers: specialty, status, training, qualification, credit, recusal, regions';

-- Why one expert is not eligible for a project on a date (no rows: eligible
-- as far as the person goes; specialty and regions belong to a need).
CREATE FUNCTION ptx.expert_ineligibility(expert_id bigint, project_id bigint, at_date date DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    e ptx.expert;
    p ptx.project;
    d date := COALESCE(at_date, ptx.now()::date);
    window_start date := (d - make_interval(years => ptx.setting('expert.recusal_years')::int))::date;
    rel record;
BEGIN
    SELECT * INTO e FROM ptx.expert x WHERE x.id = expert_ineligibility.expert_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'expert % does not exist', expert_ineligibility.expert_id USING ERRCODE = '22023';
    END IF;
    SELECT * INTO p FROM ptx.project pr WHERE pr.id = expert_ineligibility.project_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', expert_ineligibility.project_id USING ERRCODE = '22023';
    END IF;
    IF e.status = 'dismissed' THEN
        RETURN NEXT 'dismissed';
    ELSIF e.status = 'suspended' AND e.suspended_until >= d THEN
        RETURN NEXT format('suspended until %s', e.suspended_until);
    END IF;
    IF e.trained_until IS NULL OR e.trained_until < d THEN
        RETURN NEXT format('training certificate not valid on %s', d);
    END IF;
    IF e.practice_years < ptx.setting('expert.min_practice_years')
       OR ptx.expert_title_rank(e.title) < ptx.setting('expert.min_title_rank') THEN
        RETURN NEXT 'not qualified (title or years of practice)';
    END IF;
    IF ptx.is_restricted('expert', e.id, d) THEN
        RETURN NEXT 'credit-restricted';
    END IF;
    IF EXISTS (SELECT 1 FROM ptx.expert_penalty pe WHERE pe.expert_id = e.id AND pe.decided_on <= d) THEN
        RETURN NEXT 'punished for misconduct in tendering';
    END IF;
    FOR rel IN
        SELECT r.kind, r.org_id,
               CASE WHEN r.org_id = p.tenderee_id THEN 'tenderee'
                    WHEN r.org_id = p.agency_id THEN 'agency'
                    WHEN r.org_id = p.supervisor_id THEN 'supervising department'
                    ELSE 'bidder' END AS party
          FROM ptx.expert_relation r
         WHERE r.expert_id = e.id
           AND r.org_id IN (SELECT p.tenderee_id UNION SELECT p.agency_id UNION SELECT p.supervisor_id
                            UNION SELECT b.bidder_id FROM ptx.bid b WHERE b.project_id = p.id)
           AND (r.valid_from IS NULL OR r.valid_from <= d)
           AND (r.valid_to IS NULL
                OR r.valid_to >= CASE WHEN r.kind IN ('employee', 'director', 'controller') THEN window_start ELSE d END)
         ORDER BY r.id
    LOOP
        RETURN NEXT format('%s relation with the %s (organisation %s)', rel.kind, rel.party, rel.org_id);
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.expert_ineligibility(bigint, bigint, date) IS
    'the reasons why an expert may not sit on a project''s committee on a date (status, training, qualification, credit, penalty, recusal); no rows when none';

------------------------------------------------------------------------
-- What an execution used besides the pools, for replay and audit.
------------------------------------------------------------------------
CREATE TABLE ptx.expert_draw_context (
    draw_id             bigint PRIMARY KEY REFERENCES ptx.draw_request (id),
    evaluation_date     date NOT NULL,
    max_per_employer    int NOT NULL,
    already_drawn       bigint[] NOT NULL,
    seated_employers    bigint[] NOT NULL,
    settings            jsonb NOT NULL,
    active_experts      int NOT NULL
);
COMMENT ON TABLE ptx.expert_draw_context IS 'the inputs of an expert draw besides its pools: experts already drawn for the project (excluded), employers already seated, settings in force';
COMMENT ON COLUMN ptx.expert_draw_context.active_experts IS 'active experts in the database at execution, counted up to expert_db.min_size';
SELECT pg_catalog.pg_extension_config_dump('ptx.expert_draw_context', '');

------------------------------------------------------------------------
-- Requests.
------------------------------------------------------------------------
CREATE FUNCTION ptx.check_expert_need(need jsonb) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n jsonb;
BEGIN
    IF need IS NULL OR jsonb_typeof(need) <> 'array' OR jsonb_array_length(need) = 0 THEN
        RAISE EXCEPTION 'invalid need of an expert draw'
            USING ERRCODE = '22023',
                  DETAIL = 'The need must be a non-empty array of {"specialty": code, "count": n}.',
                  HINT = 'For example [{"specialty":"A08","count":4},{"specialty":"A06","count":1}].';
    END IF;
    FOR n IN SELECT * FROM jsonb_array_elements(need) LOOP
        IF jsonb_typeof(n) <> 'object' OR NOT n ?& ARRAY['specialty', 'count']
           OR (SELECT count(*) FROM jsonb_object_keys(n)) <> 2
           OR jsonb_typeof(n -> 'specialty') <> 'string' OR jsonb_typeof(n -> 'count') <> 'number' THEN
            RAISE EXCEPTION 'invalid need % of an expert draw', n
                USING ERRCODE = '22023',
                      DETAIL = 'Each need is an object with exactly a specialty (text) and a count (number).';
        END IF;
        IF NOT ptx.specialty_code_valid(n ->> 'specialty') THEN
            RAISE EXCEPTION 'invalid specialty code "%"', n ->> 'specialty'
                USING ERRCODE = 'PX010',
                      DETAIL = 'A specialty code is a class letter (A engineering, B goods, C services) followed by one to three levels of two digits from 01 to 99.',
                      HINT = 'Write it like A08, A0801 or A080101.';
        END IF;
        IF (n ->> 'count')::numeric NOT IN (SELECT generate_series(1, 50)) THEN
            RAISE EXCEPTION 'invalid count % of specialty % in an expert draw', n -> 'count', n ->> 'specialty'
                USING ERRCODE = '22023',
                      DETAIL = 'A count is a whole number from 1 to 50.';
        END IF;
    END LOOP;
END
$$;

CREATE FUNCTION ptx.expert_draw_rules(project_id bigint, options jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    o jsonb := COALESCE(options, '{}');
    bad text[];
    regions text[];
    missing text[];
    eval date;
    maxpe numeric;
BEGIN
    IF jsonb_typeof(o) <> 'object' THEN
        RAISE EXCEPTION 'invalid options of an expert draw' USING ERRCODE = '22023',
            DETAIL = 'Options are a JSON object.';
    END IF;
    bad := ARRAY(SELECT k FROM jsonb_object_keys(o) k
                  WHERE k NOT IN ('remote', 'regions', 'max_per_employer', 'public_entropy', 'evaluation_date')
                  ORDER BY k);
    IF cardinality(bad) > 0 THEN
        RAISE EXCEPTION 'unknown options of an expert draw: %', array_to_string(bad, ', ')
            USING ERRCODE = '22023',
                  HINT = 'Options are remote, regions, max_per_employer, public_entropy and evaluation_date.';
    END IF;
    IF o ? 'remote' AND jsonb_typeof(o -> 'remote') <> 'boolean' THEN
        RAISE EXCEPTION 'the option remote of an expert draw must be true or false' USING ERRCODE = '22023';
    END IF;
    IF o ? 'regions' THEN
        IF jsonb_typeof(o -> 'regions') <> 'array' OR jsonb_array_length(o -> 'regions') = 0
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(o -> 'regions') x WHERE jsonb_typeof(x) <> 'string') THEN
            RAISE EXCEPTION 'the option regions of an expert draw must be a non-empty array of region codes'
                USING ERRCODE = '22023';
        END IF;
        regions := ARRAY(SELECT jsonb_array_elements_text(o -> 'regions'));
        missing := ARRAY(SELECT x FROM unnest(regions) x
                          WHERE NOT EXISTS (SELECT 1 FROM ptx.region r WHERE r.code = x));
        IF cardinality(missing) > 0 THEN
            RAISE EXCEPTION 'regions % of an expert draw are not registered', array_to_string(missing, ', ')
                USING ERRCODE = '22023';
        END IF;
    END IF;
    maxpe := 1;
    IF o ? 'max_per_employer' THEN
        IF jsonb_typeof(o -> 'max_per_employer') <> 'number'
           OR (o ->> 'max_per_employer')::numeric NOT IN (SELECT generate_series(1, 50)) THEN
            RAISE EXCEPTION 'the option max_per_employer of an expert draw must be a whole number from 1 to 50'
                USING ERRCODE = '22023';
        END IF;
        maxpe := (o ->> 'max_per_employer')::numeric;
    END IF;
    eval := ptx.now()::date;
    IF o ? 'evaluation_date' THEN
        BEGIN
            eval := (o ->> 'evaluation_date')::date;
        EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'the option evaluation_date of an expert draw must be a date' USING ERRCODE = '22023';
        END;
        IF eval < ptx.now()::date THEN
            RAISE EXCEPTION 'the evaluation date % of an expert draw is in the past', eval
                USING ERRCODE = '22023',
                      DETAIL = format('Today is %s.', ptx.now()::date);
        END IF;
    END IF;
    RETURN jsonb_build_object('evaluation_date', eval,
                              'remote', COALESCE((o ->> 'remote')::boolean, false),
                              'regions', to_jsonb(regions),
                              'max_per_employer', maxpe,
                              'project_region', (SELECT p.region FROM ptx.project p WHERE p.id = expert_draw_rules.project_id));
END
$$;
COMMENT ON FUNCTION ptx.expert_draw_rules(bigint, jsonb) IS
    'the pool rules of an expert draw from its options, checked: evaluation date, remote, regions, max_per_employer';

CREATE FUNCTION ptx.check_project_open_for_draw(project_id bigint) RETURNS ptx.project
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
BEGIN
    SELECT * INTO p FROM ptx.project pr WHERE pr.id = check_project_open_for_draw.project_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', check_project_open_for_draw.project_id USING ERRCODE = '22023';
    END IF;
    IF p.state IN ('publicity', 'awarded', 'contracted', 'closed', 'terminated', 'failed') THEN
        RAISE EXCEPTION 'project % is in state %: its committee can no longer be drawn', p.code, p.state
            USING ERRCODE = '55000',
                  DETAIL = 'Experts are drawn and replaced until the result is published.';
    END IF;
    RETURN p;
END
$$;

CREATE FUNCTION ptx.request_expert_draw(project_id bigint, need jsonb, options jsonb DEFAULT '{}')
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.check_project_open_for_draw(project_id);
    rules jsonb;
BEGIN
    PERFORM ptx.check_expert_need(need);
    rules := ptx.expert_draw_rules(p.id, options);
    RETURN ptx.new_draw_request('expert', format('evaluation committee of project %s', p.code),
                                need, COALESCE(options, '{}'), rules, p.id);
END
$$;
COMMENT ON FUNCTION ptx.request_expert_draw(bigint, jsonb, jsonb) IS
    'request a draw of evaluation experts for a project; commit, then ptx.execute_draw (or CALL ptx.draw_experts)';

------------------------------------------------------------------------
-- Execution.
------------------------------------------------------------------------
CREATE FUNCTION ptx.expert_seated_employers(project_id bigint) RETURNS bigint[]
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT COALESCE(array_agg(e.employer_id ORDER BY p.draw_id, p.seat), '{}')
          FROM ptx.draw_pick p
          JOIN ptx.draw_request d ON d.id = p.draw_id
          JOIN ptx.expert e ON e.id = p.subject_id
         WHERE d.project_id = expert_seated_employers.project_id
           AND d.kind IN ('expert', 'replacement')
           AND e.employer_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM ptx.draw_request rd
                            WHERE rd.replaces_draw_id IS NOT NULL
                              AND rd.project_id = d.project_id
                              AND rd.replaced_subject_id = p.subject_id);
    END;
COMMENT ON FUNCTION ptx.expert_seated_employers(bigint) IS 'employers of the experts seated on a project''s committee';

CREATE FUNCTION ptx.compute_expert_draw(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    at date;
    remote boolean;
    regions text[];
    maxpe int;
    drawn bigint[];
    seated bigint[];
    n record;
    specs text[];
    pool bigint[] := '{}';
    groups bigint[] := '{}';
    sizes int[] := '{}';
    counts int[];
    min_size int := ptx.setting('expert_db.min_size')::int;
    active int;
BEGIN
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = compute_expert_draw.draw_id;
    IF r.kind NOT IN ('expert', 'replacement') THEN
        RAISE EXCEPTION 'draw % is not an expert draw', r.id USING ERRCODE = '22023';
    END IF;
    at := (r.pool_rules ->> 'evaluation_date')::date;
    remote := (r.pool_rules ->> 'remote')::boolean;
    IF jsonb_typeof(r.pool_rules -> 'regions') = 'array' THEN
        regions := ARRAY(SELECT jsonb_array_elements_text(r.pool_rules -> 'regions'));
    END IF;
    maxpe := (r.pool_rules ->> 'max_per_employer')::int;

    -- 评标专家和评标专家库管理暂行办法 §8: a warning, not an error
    SELECT count(*) INTO active
      FROM (SELECT 1 FROM ptx.expert e
             WHERE e.status = 'active' OR (e.status = 'suspended' AND e.suspended_until < at)
             LIMIT min_size) s;
    IF active < min_size THEN
        RAISE WARNING 'the expert database has only % active experts', active
            USING DETAIL = format('A database serving draws should hold at least %s active experts (expert_db.min_size).', min_size),
                  HINT = 'Register more experts, or draw from a shared regional pool with the option regions.';
    END IF;

    -- experts already drawn for the project, the declined ones included
    drawn := ARRAY(SELECT DISTINCT p.subject_id
                     FROM ptx.draw_pick p JOIN ptx.draw_request d ON d.id = p.draw_id
                    WHERE d.project_id = r.project_id AND d.kind IN ('expert', 'replacement')
                    ORDER BY 1);
    seated := ptx.expert_seated_employers(r.project_id);

    specs := ARRAY(SELECT x ->> 'specialty' FROM jsonb_array_elements(r.need) WITH ORDINALITY AS t (x, o) ORDER BY o);
    counts := ARRAY(SELECT (x ->> 'count')::int FROM jsonb_array_elements(r.need) WITH ORDINALITY AS t (x, o) ORDER BY o);
    FOR n IN SELECT * FROM ptx.expert_pools(r.project_id, specs, at, remote, regions, drawn) ORDER BY 1 LOOP
        PERFORM ptx.draw_store_pool(r.id, n.need_no, specs[n.need_no], counts[n.need_no], n.expert_ids, n.employer_ids);
        pool := pool || n.expert_ids;
        groups := groups || n.employer_ids;
        sizes := sizes || cardinality(n.expert_ids);
    END LOOP;

    INSERT INTO ptx.expert_draw_context (draw_id, evaluation_date, max_per_employer, already_drawn,
                                         seated_employers, settings, active_experts)
    VALUES (r.id, at, maxpe, drawn, seated,
            jsonb_build_object('expert.recusal_years', ptx.setting('expert.recusal_years'),
                               'expert.min_practice_years', ptx.setting('expert.min_practice_years'),
                               'expert.min_title_rank', ptx.setting('expert.min_title_rank')),
            active);

    RETURN QUERY
        SELECT q.seat, q.subject_id, specs[q.need_no], NULL::bigint
          FROM ptx.draw_pick_needs(r.seed, pool, sizes, counts, groups, maxpe, seated, specs) q
         ORDER BY q.seat;
END
$$;
COMMENT ON FUNCTION ptx.compute_expert_draw(bigint) IS
    'computes and stores the pools of an expert draw and picks from them; called by ptx.draw_run';

CREATE FUNCTION ptx.execute_expert_draw(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.draw_request d
                    WHERE d.id = execute_expert_draw.draw_id AND d.kind IN ('expert', 'replacement')) THEN
        RAISE EXCEPTION 'draw % is not an expert draw', draw_id USING ERRCODE = '22023';
    END IF;
    RETURN QUERY SELECT * FROM ptx.draw_run(draw_id, 'ptx.compute_expert_draw(bigint)');
END
$$;
COMMENT ON FUNCTION ptx.execute_expert_draw(bigint) IS
    'the executor of expert and replacement draws (through ptx.execute_draw)';

CREATE FUNCTION ptx.verify_expert_draw(draw_id bigint) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    c ptx.expert_draw_context;
    pool bigint[] := '{}';
    groups bigint[] := '{}';
    sizes int[] := '{}';
    counts int[] := '{}';
    labels text[] := '{}';
    pl ptx.draw_pool;
    replay text[];
    recorded text[];
BEGIN
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = verify_expert_draw.draw_id;
    SELECT * INTO c FROM ptx.expert_draw_context x WHERE x.draw_id = r.id;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    FOR pl IN SELECT * FROM ptx.draw_pool p WHERE p.draw_id = r.id ORDER BY p.pool_no LOOP
        -- the pools are the needs in order, and hold no expert drawn before
        IF pl.pool_no <> cardinality(sizes) + 1 OR pl.pool && c.already_drawn
           OR pl.label IS DISTINCT FROM r.need -> (pl.pool_no - 1) ->> 'specialty'
           OR pl.wanted IS DISTINCT FROM (r.need -> (pl.pool_no - 1) ->> 'count')::int THEN
            RETURN false;
        END IF;
        pool := pool || pl.pool;
        groups := groups || COALESCE(pl.groups, array_fill(NULL::bigint, ARRAY[pl.pool_size]));
        sizes := sizes || pl.pool_size;
        counts := counts || pl.wanted;
        labels := labels || pl.label;
    END LOOP;
    IF cardinality(sizes) <> jsonb_array_length(r.need) THEN
        RETURN false;
    END IF;
    BEGIN
        replay := ARRAY(SELECT q.seat || ':' || q.subject_id || ':' || labels[q.need_no]
                          FROM ptx.draw_pick_needs(r.seed, pool, sizes, counts, groups, c.max_per_employer,
                                                   c.seated_employers, labels) q
                         ORDER BY q.seat);
    EXCEPTION WHEN SQLSTATE 'PX007' OR invalid_parameter_value THEN
        RETURN false;
    END;
    recorded := ARRAY(SELECT p.seat || ':' || p.subject_id || ':' || p.role
                        FROM ptx.draw_pick p WHERE p.draw_id = r.id ORDER BY p.seat);
    RETURN replay = recorded;
END
$$;
COMMENT ON FUNCTION ptx.verify_expert_draw(bigint) IS
    'replays an expert or replacement draw from its seed, its stored pools and its context; through ptx.verify_draw';

------------------------------------------------------------------------
-- Request, commit and execute in one call, for psql and cron.
------------------------------------------------------------------------
CREATE PROCEDURE ptx.draw_experts(project_id bigint, need jsonb, options jsonb DEFAULT '{}',
                                  INOUT draw_id bigint DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- no SET clause and no SECURITY DEFINER: a procedure that commits
    -- cannot have them; every name is qualified
    IF draw_id IS NULL THEN
        draw_id := ptx.request_expert_draw(project_id, need, options);
    ELSIF NOT EXISTS (SELECT 1 FROM ptx.draw_request d
                       WHERE d.id = draw_experts.draw_id AND d.project_id = draw_experts.project_id
                         AND d.kind IN ('expert', 'replacement')) THEN
        RAISE EXCEPTION 'draw % is not an expert draw of project %', draw_id, project_id
            USING ERRCODE = '22023';
    END IF;
    COMMIT;
    PERFORM ptx.execute_draw(draw_id);
END
$$;
COMMENT ON PROCEDURE ptx.draw_experts(bigint, jsonb, jsonb, bigint) IS
    'request an expert draw, commit it and execute it; with a draw_id, commit and execute that request (after a failure)';

GRANT EXECUTE ON FUNCTION ptx.request_expert_draw(bigint, jsonb, jsonb), ptx.execute_expert_draw(bigint)
    TO ptx_admin, ptx_operator;
GRANT EXECUTE ON PROCEDURE ptx.draw_experts(bigint, jsonb, jsonb, bigint) TO ptx_admin, ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.expert_pool(bigint, text, date, boolean, text[], bigint[]),
    ptx.expert_pools(bigint, text[], date, boolean, text[], bigint[]),
    ptx.expert_ineligibility(bigint, bigint, date)
    TO ptx_admin, ptx_auditor;

-- ==== src/sql/64_committee.sql
-- The evaluation committee (评标委员会, R5): drawn experts and tenderee
-- representatives; replacement (补抽); the composition rules checked when
-- evaluation starts; secrecy of the member list until the result is
-- published (法 §37, §44).

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('committee.min_members', 5, 'members', '招标投标法 §37',
   'an evaluation committee has at least this many members'),
  ('committee.odd_members', 1, 'boolean', '招标投标法 §37 (五人以上单数)',
   '1: the number of members must be odd; 0: any number'),
  ('committee.min_expert_share', 2::numeric / 3, 'ratio', '招标投标法 §37; 财政部令第87号 §47',
   'experts make at least this share of the members (the rest are tenderee representatives)'),
  ('committee.procurement_large_amount', 10000000, 'CNY', '财政部令第87号 §47',
   'government procurement of at least this budget needs the larger committee'),
  ('committee.procurement_large_min_members', 7, 'members', '财政部令第87号 §47',
   'members of the committee of a government procurement at or above committee.procurement_large_amount'),
  ('committee.check_before_evaluation', 1, 'boolean', '招标投标法 §37; 招标投标法实施条例 §46',
   '1: the committee is checked when evaluation starts (PX012); 0: committees are kept outside ptx, in another expert system, and not checked');

------------------------------------------------------------------------
-- Tenderee representatives (招标人代表): members, not drawn.
------------------------------------------------------------------------
CREATE TABLE ptx.committee_representative (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES ptx.project (id),
    org_id          bigint NOT NULL REFERENCES ptx.org (id),
    name            text NOT NULL CHECK (pg_catalog.btrim(name) <> ''),
    added_by        text NOT NULL DEFAULT session_user,
    added_at        timestamptz NOT NULL DEFAULT ptx.now(),
    withdrawn_at    timestamptz,
    withdrawn_reason text,
    CHECK ((withdrawn_at IS NULL) = (withdrawn_reason IS NULL))
);
COMMENT ON TABLE ptx.committee_representative IS 'tenderee representatives (招标人代表) sitting on evaluation committees; confidential until the result is published';
CREATE INDEX committee_representative_project_idx ON ptx.committee_representative (project_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.committee_representative', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.committee_representative', 'id'), '');

CREATE FUNCTION ptx.add_tenderee_representative(project_id bigint, name text) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.check_project_open_for_draw(project_id);
    new_id bigint;
BEGIN
    INSERT INTO ptx.committee_representative AS c (project_id, org_id, name)
    VALUES (p.id, p.tenderee_id, add_tenderee_representative.name)
    RETURNING c.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.add_tenderee_representative(bigint, text) IS
    'seat a representative of the project''s tenderee on its committee; returns the representative''s id';

CREATE FUNCTION ptx.withdraw_tenderee_representative(representative_id bigint, reason text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c ptx.committee_representative;
BEGIN
    SELECT * INTO c FROM ptx.committee_representative x WHERE x.id = representative_id FOR UPDATE;
    IF NOT FOUND OR c.withdrawn_at IS NOT NULL THEN
        RAISE EXCEPTION 'representative % is not seated', representative_id USING ERRCODE = '22023';
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'withdrawing a representative needs a reason' USING ERRCODE = '22023';
    END IF;
    PERFORM ptx.check_project_open_for_draw(c.project_id);
    UPDATE ptx.committee_representative x
       SET withdrawn_at = ptx.now(), withdrawn_reason = reason
     WHERE x.id = c.id;
END
$$;
COMMENT ON FUNCTION ptx.withdraw_tenderee_representative(bigint, text) IS
    'take a tenderee representative off a committee, with a reason';

------------------------------------------------------------------------
-- The member list: experts picked by executed expert or replacement
-- draws who have not been replaced, and seated representatives.
-- Auditors read the view; operators read it through ptx.committee(),
-- every call a ledger event.
------------------------------------------------------------------------
CREATE VIEW ptx.committee_member AS
SELECT d.project_id,
       'expert'::text AS member_kind,
       p.subject_id AS expert_id,
       NULL::bigint AS representative_id,
       e.name,
       p.role AS specialty,
       e.employer_id AS org_id,
       p.draw_id,
       p.seat,
       x.executed_at AS seated_at
  FROM ptx.draw_pick p
  JOIN ptx.draw_request d ON d.id = p.draw_id
  JOIN ptx.draw_execution x ON x.draw_id = p.draw_id
  JOIN ptx.expert e ON e.id = p.subject_id
 WHERE d.kind IN ('expert', 'replacement')
   AND NOT EXISTS (SELECT 1 FROM ptx.draw_request rd
                    WHERE rd.project_id = d.project_id
                      AND rd.replaced_subject_id = p.subject_id)
UNION ALL
SELECT c.project_id, 'tenderee_representative', NULL, c.id, c.name, NULL, c.org_id, NULL, NULL, c.added_at
  FROM ptx.committee_representative c
 WHERE c.withdrawn_at IS NULL;
COMMENT ON VIEW ptx.committee_member IS 'members of evaluation committees: drawn experts not replaced, and tenderee representatives; confidential until the result is published';

CREATE FUNCTION ptx.committee(project_id bigint)
    RETURNS TABLE (member_kind text, expert_id bigint, representative_id bigint, name text,
                   specialty text, org_id bigint, draw_id bigint, seat int, seated_at timestamptz)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n int;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.project p WHERE p.id = committee.project_id) THEN
        RAISE EXCEPTION 'project % does not exist', committee.project_id USING ERRCODE = '22023';
    END IF;
    SELECT count(*) INTO n FROM ptx.committee_member m WHERE m.project_id = committee.project_id;
    PERFORM ptx.ledger_event('committee_read', 'ptx.project', jsonb_build_object('id', committee.project_id),
        jsonb_build_object('members', n, 'published', ptx.draw_project_published(committee.project_id)));
    RETURN QUERY
        SELECT m.member_kind, m.expert_id, m.representative_id, m.name, m.specialty, m.org_id,
               m.draw_id, m.seat, m.seated_at
          FROM ptx.committee_member m
         WHERE m.project_id = committee.project_id
         ORDER BY m.member_kind, m.draw_id, m.seat, m.representative_id;
END
$$;
COMMENT ON FUNCTION ptx.committee(bigint) IS
    'the members of a project''s evaluation committee, for operators and auditors; every read is a ledger event';

------------------------------------------------------------------------
-- Replacement (补抽): a member leaves for a reason, and a new draw with the
-- same rules fills the seat from the pool less everyone drawn before.
------------------------------------------------------------------------
CREATE FUNCTION ptx.replace_pick(draw_id bigint, subject_id bigint, reason text) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    p ptx.project;
    pick ptx.draw_pick;
BEGIN
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = replace_pick.draw_id;
    IF NOT FOUND OR r.kind NOT IN ('expert', 'replacement') THEN
        RAISE EXCEPTION 'draw % is not an expert draw', replace_pick.draw_id USING ERRCODE = '22023';
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'replacing a member needs a reason'
            USING ERRCODE = '22023',
                  HINT = 'Record why the expert cannot sit, e.g. declined, unreachable, recused on the day.';
    END IF;
    SELECT * INTO pick FROM ptx.draw_pick dp
     WHERE dp.draw_id = r.id AND dp.subject_id = replace_pick.subject_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'expert % was not drawn in draw %', replace_pick.subject_id, r.id
            USING ERRCODE = '22023',
                  HINT = 'Only a drawn expert can be replaced, by the draw that picked them.';
    END IF;
    p := ptx.check_project_open_for_draw(r.project_id);
    IF EXISTS (SELECT 1 FROM ptx.draw_request x
                WHERE x.project_id = r.project_id AND x.replaced_subject_id = replace_pick.subject_id) THEN
        RAISE EXCEPTION 'expert % has already been replaced on the committee of project %',
                        replace_pick.subject_id, p.code
            USING ERRCODE = '55000';
    END IF;
    RETURN ptx.new_draw_request('replacement',
                                format('replacement of a member of the committee of project %s', p.code),
                                jsonb_build_array(jsonb_build_object('specialty', pick.role, 'count', 1)),
                                r.options - 'public_entropy', r.pool_rules, r.project_id,
                                r.id, replace_pick.subject_id, replace_pick.reason);
END
$$;
COMMENT ON FUNCTION ptx.replace_pick(bigint, bigint, text) IS
    'take a drawn expert off the committee for a reason and request the replacement draw (补抽) of the same specialty and rules; returns the new draw''s id';

------------------------------------------------------------------------
-- Composition (法 §37, 财政部令第87号 §47), checked before evaluation.
------------------------------------------------------------------------
CREATE FUNCTION ptx.committee_problems(project_id bigint, at_date date DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    d date := COALESCE(at_date, ptx.now()::date);
    experts int;
    members int;
    required int := ptx.setting('committee.min_members')::int;
    share numeric := ptx.setting('committee.min_expert_share');
    needed_experts int;
    m record;
    why text;
BEGIN
    SELECT * INTO p FROM ptx.project pr WHERE pr.id = committee_problems.project_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', committee_problems.project_id USING ERRCODE = '22023';
    END IF;
    SELECT count(*) FILTER (WHERE c.member_kind = 'expert'), count(*)
      INTO experts, members
      FROM ptx.committee_member c WHERE c.project_id = p.id;
    IF p.category = 'procurement' AND p.amount >= ptx.setting('committee.procurement_large_amount') THEN
        required := GREATEST(required, ptx.setting('committee.procurement_large_min_members')::int);
    END IF;
    IF members < required THEN
        RETURN NEXT format('the committee has %s members; at least %s are required', members, required);
    END IF;
    IF ptx.setting('committee.odd_members') <> 0 AND members % 2 = 0 THEN
        RETURN NEXT format('the committee has %s members; the number must be odd', members);
    END IF;
    -- ceil(members × share), robust to the rounding of 2/3
    needed_experts := ceil(members * share - 0.000000001);
    IF experts < needed_experts THEN
        RETURN NEXT format('the committee has %s experts among %s members; at least %s experts are required',
                           experts, members, needed_experts);
    END IF;
    -- every seated expert must still be eligible, against the final bidders too
    FOR m IN SELECT c.expert_id FROM ptx.committee_member c
              WHERE c.project_id = p.id AND c.member_kind = 'expert' ORDER BY c.draw_id, c.seat LOOP
        FOR why IN SELECT * FROM ptx.expert_ineligibility(m.expert_id, p.id, d) LOOP
            RETURN NEXT format('expert %s may not sit: %s', m.expert_id, why);
        END LOOP;
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.committee_problems(bigint, date) IS
    'what keeps a project''s committee from evaluating: size, odd number, share of experts, members no longer eligible; no rows when complete';

CREATE FUNCTION ptx.committee_composition(project_id bigint) RETURNS jsonb
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    experts int;
    members int;
    problems int;
BEGIN
    SELECT * INTO p FROM ptx.project pr WHERE pr.id = committee_composition.project_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', committee_composition.project_id USING ERRCODE = '22023';
    END IF;
    SELECT count(*) FILTER (WHERE c.member_kind = 'expert'), count(*)
      INTO experts, members
      FROM ptx.committee_member c WHERE c.project_id = p.id;
    SELECT count(*) INTO problems FROM ptx.committee_problems(p.id);
    RETURN jsonb_build_object('members', members, 'experts', experts,
                              'representatives', members - experts,
                              'complete', problems = 0, 'problems', problems);
END
$$;
COMMENT ON FUNCTION ptx.committee_composition(bigint) IS
    'counts of a project''s committee and whether it may evaluate, without names';

CREATE FUNCTION ptx.check_committee(project_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    problems text[];
BEGIN
    problems := ARRAY(SELECT * FROM ptx.committee_problems(check_committee.project_id));
    IF cardinality(problems) > 0 THEN
        RAISE EXCEPTION 'the evaluation committee of project % is incomplete: %',
                        (SELECT p.code FROM ptx.project p WHERE p.id = check_committee.project_id), problems[1]
            USING ERRCODE = 'PX012',
                  DETAIL = 'Problems: ' || array_to_string(problems, '; ') || '.',
                  HINT = 'Draw more experts, replace members who may not sit (ptx.replace_pick), or seat tenderee representatives, then start the evaluation again.';
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.check_committee(bigint) IS
    'error PX012 unless the committee of a project may evaluate (see ptx.committee_problems)';

-- SECURITY DEFINER: whoever moves the project (a lifecycle function, an
-- operator) is checked the same way.  Named to fire after the lifecycle's
-- project_guard (triggers fire in name order), so that a step the state
-- machine refuses is reported as such (PX003) before the committee is.
CREATE FUNCTION ptx.project_ready_for_evaluation() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF ptx.setting('committee.check_before_evaluation') <> 0 THEN
        PERFORM ptx.check_committee(NEW.id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER project_ready_for_evaluation BEFORE UPDATE OF state ON ptx.project
    FOR EACH ROW WHEN (NEW.state = 'evaluating' AND OLD.state IS DISTINCT FROM 'evaluating')
    EXECUTE FUNCTION ptx.project_ready_for_evaluation();

------------------------------------------------------------------------
-- After publication: the committee with masked names (R8).  The view
-- calls no ptx function, so that ptx_public needs nothing in schema ptx.
------------------------------------------------------------------------
CREATE VIEW ptx_public.committee WITH (security_barrier = true) AS
SELECT pr.code AS project_code,
       m.member_kind,
       pg_catalog.left(m.name, 1) || pg_catalog.repeat('*', GREATEST(pg_catalog.length(m.name) - 1, 1)) AS name,
       m.specialty,
       m.seated_at
  FROM ptx.committee_member m
  JOIN ptx.project pr ON pr.id = m.project_id
 WHERE pr.state IN ('publicity', 'awarded', 'contracted', 'closed');
COMMENT ON VIEW ptx_public.committee IS 'evaluation committees of projects whose result is published, names masked';

GRANT SELECT ON ptx_public.committee TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.committee(bigint) TO ptx_operator, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.add_tenderee_representative(bigint, text),
    ptx.withdraw_tenderee_representative(bigint, text), ptx.replace_pick(bigint, bigint, text)
    TO ptx_admin, ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.committee_composition(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
-- its errors name the members who may not sit
GRANT EXECUTE ON FUNCTION ptx.check_committee(bigint) TO ptx_admin, ptx_operator, ptx_auditor;

-- ==== src/sql/65_expert_rating.sql
-- Rating after each job (评价反馈) and dynamic management (动态管理,
-- notice §5): each member of a committee is rated once the result is
-- published; an expert whose recent average falls below the threshold is
-- suspended.  Dismissal (清退) is ptx.dismiss_expert; the history is kept
-- in ptx.expert_status_event.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('expert.rating_window', 5, 'ratings', '内政办发〔2018〕67号 §5 (评价反馈, 动态管理)',
   'the average of an expert''s latest this many ratings decides a suspension'),
  ('expert.rating_min_count', 3, 'ratings', '内政办发〔2018〕67号 §5',
   'an expert is judged on ratings once there are at least this many in the window'),
  ('expert.rating_suspend_below', 60, 'points of 100', '内政办发〔2018〕67号 §5',
   'an average rating below this suspends the expert'),
  ('expert.rating_suspend_days', 180, 'days', '内政办发〔2018〕67号 §5',
   'length of a suspension for poor ratings');

CREATE TABLE ptx.expert_rating (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  bigint NOT NULL REFERENCES ptx.project (id),
    expert_id   bigint NOT NULL REFERENCES ptx.expert (id),
    score       int NOT NULL CHECK (score BETWEEN 0 AND 100),
    comment     text,
    rated_by    text NOT NULL DEFAULT session_user,
    rated_at    timestamptz NOT NULL DEFAULT ptx.now(),
    UNIQUE (project_id, expert_id)
);
COMMENT ON TABLE ptx.expert_rating IS 'ratings of experts after each job (评价反馈), 0 to 100';
CREATE INDEX expert_rating_expert_idx ON ptx.expert_rating (expert_id, rated_at);
SELECT pg_catalog.pg_extension_config_dump('ptx.expert_rating', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.expert_rating', 'id'), '');

CREATE FUNCTION ptx.expert_rating_review() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    win int := ptx.setting('expert.rating_window')::int;
    n int;
    avg_score numeric;
    threshold numeric := ptx.setting('expert.rating_suspend_below');
BEGIN
    IF (SELECT e.status FROM ptx.expert e WHERE e.id = NEW.expert_id) <> 'active' THEN
        RETURN NULL;
    END IF;
    SELECT count(*), avg(r.score) INTO n, avg_score
      FROM (SELECT x.score FROM ptx.expert_rating x
             WHERE x.expert_id = NEW.expert_id
             ORDER BY x.rated_at DESC, x.id DESC
             LIMIT win) r;
    IF n >= ptx.setting('expert.rating_min_count') AND avg_score < threshold THEN
        INSERT INTO ptx.expert_status_event (expert_id, status, suspended_until, reason)
        VALUES (NEW.expert_id, 'suspended',
                ptx.now()::date + ptx.setting('expert.rating_suspend_days')::int,
                format('average rating %s over the latest %s jobs is below %s',
                       round(avg_score, 1), n, threshold));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER expert_rating_review AFTER INSERT ON ptx.expert_rating
    FOR EACH ROW EXECUTE FUNCTION ptx.expert_rating_review();

CREATE FUNCTION ptx.rate_expert(project_id bigint, expert_id bigint, score int, comment text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.project p WHERE p.id = rate_expert.project_id) THEN
        RAISE EXCEPTION 'project % does not exist', rate_expert.project_id USING ERRCODE = '22023';
    END IF;
    IF NOT ptx.draw_project_published(rate_expert.project_id) THEN
        RAISE EXCEPTION 'experts of project % are rated once its result is published', rate_expert.project_id
            USING ERRCODE = '55000',
                  DETAIL = 'Until then the members of the committee are confidential.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.committee_member m
                    WHERE m.project_id = rate_expert.project_id AND m.expert_id = rate_expert.expert_id) THEN
        RAISE EXCEPTION 'expert % did not sit on the committee of project %', rate_expert.expert_id, rate_expert.project_id
            USING ERRCODE = '22023';
    END IF;
    IF score IS NULL OR score NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'invalid rating %', score
            USING ERRCODE = '22023', DETAIL = 'A rating is a whole number from 0 to 100.';
    END IF;
    IF EXISTS (SELECT 1 FROM ptx.expert_rating x
                WHERE x.project_id = rate_expert.project_id AND x.expert_id = rate_expert.expert_id) THEN
        RAISE EXCEPTION 'expert % has already been rated for project %', rate_expert.expert_id, rate_expert.project_id
            USING ERRCODE = '23505', DETAIL = 'Each member is rated once per job.';
    END IF;
    INSERT INTO ptx.expert_rating AS r (project_id, expert_id, score, comment)
    VALUES (rate_expert.project_id, rate_expert.expert_id, rate_expert.score, rate_expert.comment)
    RETURNING r.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.rate_expert(bigint, bigint, int, text) IS
    'rate a member of a project''s committee after the result is published (0-100); poor averages suspend the expert';

GRANT SELECT ON ptx.expert_rating TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.rate_expert(bigint, bigint, int, text) TO ptx_admin, ptx_operator, ptx_supervisor;

-- ==== src/sql/70_inspection_registry.sql
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
        RAISE EXCEPTION 'inspector % cannot move to another department', OLD.id
            USING ERRCODE = '22023',
                  DETAIL = 'Past draws name the inspector as staff of department ' || OLD.supervisor_id || '.',
                  HINT = 'Deactivate the inspector and add them to the other department''s pool.';
    END IF;
    IF NOT ptx.has_role(NEW.supervisor_id, 'supervisor') THEN
        RAISE EXCEPTION 'organisation % is not a supervisory department', NEW.supervisor_id
            USING ERRCODE = 'PX002',
                  DETAIL = 'Inspectors belong to the pool of a supervisory department.',
                  HINT = 'Register the department with the role supervisor.';
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
        RAISE EXCEPTION 'inspector % does not exist', inspector_id
            USING ERRCODE = '23503';
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
        RAISE EXCEPTION 'priority targets cannot be changed or removed'
            USING ERRCODE = '55000',
                  DETAIL = pg_catalog.format('Priority target %s of department %s for %s is part of the inspection record.',
                                             OLD.agency_id, OLD.supervisor_id, OLD.year),
                  HINT = 'Record the outcome of the inspection instead.';
    END IF;
    IF NOT ptx.has_role(NEW.supervisor_id, 'supervisor') THEN
        RAISE EXCEPTION 'organisation % is not a supervisory department', NEW.supervisor_id
            USING ERRCODE = 'PX002',
                  HINT = 'Priority targets are set by the supervisory department that inspects.';
    END IF;
    IF NOT ptx.has_role(NEW.agency_id, 'agency') THEN
        RAISE EXCEPTION 'organisation % is not an agency', NEW.agency_id
            USING ERRCODE = '22023',
                  DETAIL = 'Only tendering and procurement agencies (代理机构) are inspected under R6.',
                  HINT = 'Give the id of an organisation with the role agency.';
    END IF;
    -- The list of a year is frozen once that year's draw is requested.
    IF EXISTS (SELECT 1 FROM ptx.inspection_draw d
                WHERE d.year = NEW.year AND d.supervisor_id = NEW.supervisor_id) THEN
        RAISE EXCEPTION 'the inspection draw of department % for % has been requested', NEW.supervisor_id, NEW.year
            USING ERRCODE = '55000',
                  DETAIL = 'Priority targets are fixed with the request, before the draw is executed.',
                  HINT = 'Add priority targets before the yearly draw (the job ptx:annual-inspection runs on 2 January).';
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

-- ==== src/sql/71_inspection_population.sql
-- Agency inspection: the population N and the sample size n (R6).
--
-- Population of a department's draw for a year: the agencies (organisations
-- with the role agency) named as agency_id by at least one project that
-- names the department as its supervisor (project.supervisor_id) and
-- entered the platform (registered_at) in that year.  "Under that
-- department" is the named supervisor, not every department whose
-- jurisdiction covers the project: the named department is the one
-- responsible for the project (谁监管谁负责), R2 makes it hold jurisdiction
-- over the project's category and region when the project enters, a
-- project counts for one department only (the region's and the league's
-- departments both cover a league, and would otherwise inspect the same
-- business twice), and a later change of jurisdiction never changes a past
-- year's population.  docs/reference/inspection.md explains this choice.
--
-- The year runs from 1 January 00:00 to the next 1 January in the time
-- zone of the session that requests the draw; the request records both
-- bounds, so the population does not depend on who executes it.  The
-- population is read from ptx.agency_business, a summary of the projects
-- kept by triggers, when the bounds are a year at its offset (Beijing time).
--
-- Sample size: n = ⌈r · N⌉ in exact numeric, where the minimum ratio is
-- the national ratio when one is set (inspection.national_ratio > 0), else
-- inspection.default_ratio (25 %).  A department may ask for more, never less.

CREATE FUNCTION ptx.inspection_period(year int, OUT period_start timestamptz, OUT period_end timestamptz)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF year IS NULL OR year < 2000 OR year > 9998 THEN
        RAISE EXCEPTION 'invalid inspection year %', COALESCE(year::text, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'Give the calendar year whose agency business is inspected, e.g. 2024.';
    END IF;
    period_start := make_timestamptz(year, 1, 1, 0, 0, 0);
    period_end := make_timestamptz(year + 1, 1, 1, 0, 0, 0);
END
$$;
COMMENT ON FUNCTION ptx.inspection_period(int) IS
    'the bounds [start, end) of a calendar year in the session''s time zone, as an inspection draw records them';

------------------------------------------------------------------------
-- Agency business by department and year (代理业务登记): which agencies
-- projects naming which department entered in which year.  A summary of
-- ptx.project kept by triggers, so that a draw reads its population in a
-- few milliseconds instead of scanning the projects.  Years are calendar
-- years at the UTC offset of ptx.agency_business_zone (+8, Beijing time);
-- ptx.rebuild_agency_business(offset) recomputes everything, e.g. after
-- projects were loaded with triggers disabled, and
-- ptx.rebuild_agency_business_year(year) one year.
------------------------------------------------------------------------
CREATE TABLE ptx.agency_business_zone (
    one             boolean PRIMARY KEY DEFAULT true CHECK (one),
    utc_offset_hours int NOT NULL CHECK (utc_offset_hours BETWEEN -12 AND 14)
);
COMMENT ON TABLE ptx.agency_business_zone IS 'the UTC offset of the years of ptx.agency_business when not +8 (at most one row, written by ptx.rebuild_agency_business)';
SELECT pg_catalog.pg_extension_config_dump('ptx.agency_business_zone', '');

CREATE FUNCTION ptx.agency_business_offset() RETURNS int
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT COALESCE((SELECT z.utc_offset_hours FROM ptx.agency_business_zone z), 8);
    END;
COMMENT ON FUNCTION ptx.agency_business_offset() IS 'the UTC offset of the years of ptx.agency_business: 8 (Beijing time) unless rebuilt at another';

CREATE TABLE ptx.agency_business (
    supervisor_id   bigint NOT NULL,
    year            int NOT NULL,
    agency_id       bigint NOT NULL,
    PRIMARY KEY (supervisor_id, year, agency_id)
);
COMMENT ON TABLE ptx.agency_business IS 'agencies with at least one project entering the platform in a year under a department (derived from ptx.project)';
SELECT pg_catalog.pg_extension_config_dump('ptx.agency_business', '');

CREATE FUNCTION ptx.business_year(at timestamptz, utc_offset_hours int) RETURNS int
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.date_part('year', (at AT TIME ZONE 'UTC') + pg_catalog.make_interval(hours => utc_offset_hours))::int;
COMMENT ON FUNCTION ptx.business_year(timestamptz, int) IS 'the calendar year of an instant at a UTC offset';

-- New projects, one statement at a time (a bulk load is one query).  The
-- trigger functions are SECURITY DEFINER: whoever may write projects keeps
-- the summary without any right on it.
CREATE FUNCTION ptx.agency_business_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO ptx.agency_business (supervisor_id, year, agency_id)
    SELECT DISTINCT n.supervisor_id, ptx.business_year(n.registered_at, ptx.agency_business_offset()), n.agency_id
      FROM new_projects n
     WHERE n.agency_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER project_agency_business_insert AFTER INSERT ON ptx.project
    REFERENCING NEW TABLE AS new_projects
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.agency_business_after_insert();

-- A project whose department, agency or registration time changes, or
-- that is removed: the old entry goes when no other project supports it.
CREATE FUNCTION ptx.agency_business_after_change() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    z int := ptx.agency_business_offset();
    old_year int;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.agency_id IS NOT NULL THEN
        INSERT INTO ptx.agency_business (supervisor_id, year, agency_id)
        VALUES (NEW.supervisor_id, ptx.business_year(NEW.registered_at, z), NEW.agency_id)
        ON CONFLICT DO NOTHING;
    END IF;
    IF OLD.agency_id IS NOT NULL THEN
        old_year := ptx.business_year(OLD.registered_at, z);
        IF NOT EXISTS (SELECT 1 FROM ptx.project p
                        WHERE p.agency_id = OLD.agency_id AND p.supervisor_id = OLD.supervisor_id
                          AND ptx.business_year(p.registered_at, z) = old_year) THEN
            DELETE FROM ptx.agency_business b
             WHERE b.supervisor_id = OLD.supervisor_id AND b.year = old_year AND b.agency_id = OLD.agency_id;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER project_agency_business_update AFTER UPDATE OF supervisor_id, agency_id, registered_at ON ptx.project
    FOR EACH ROW
    WHEN (OLD.supervisor_id IS DISTINCT FROM NEW.supervisor_id
          OR OLD.agency_id IS DISTINCT FROM NEW.agency_id
          OR OLD.registered_at IS DISTINCT FROM NEW.registered_at)
    EXECUTE FUNCTION ptx.agency_business_after_change();
CREATE TRIGGER project_agency_business_delete AFTER DELETE ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.agency_business_after_change();
-- Like every trigger of ptx, these do not fire in session_replication_role
-- replica: a restore brings the summary back from the dump as it was.  After
-- projects were loaded with triggers off, ptx.rebuild_agency_business()
-- recomputes it; the yearly job recomputes the year it draws.

CREATE FUNCTION ptx.rebuild_agency_business(utc_offset_hours int DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n bigint;
BEGIN
    LOCK TABLE ptx.project IN SHARE MODE;
    IF utc_offset_hours IS NOT NULL THEN
        DELETE FROM ptx.agency_business_zone;
        IF utc_offset_hours <> 8 THEN
            INSERT INTO ptx.agency_business_zone (utc_offset_hours) VALUES (rebuild_agency_business.utc_offset_hours);
        END IF;
    END IF;
    DELETE FROM ptx.agency_business;
    INSERT INTO ptx.agency_business (supervisor_id, year, agency_id)
    SELECT DISTINCT p.supervisor_id, ptx.business_year(p.registered_at, ptx.agency_business_offset()), p.agency_id
      FROM ptx.project p
     WHERE p.agency_id IS NOT NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ptx.rebuild_agency_business(int) IS
    'recompute ptx.agency_business from the projects (optionally at another UTC offset); returns its rows';

CREATE FUNCTION ptx.rebuild_agency_business_year(year int) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    z int := ptx.agency_business_offset();
    first_instant timestamptz := (make_timestamp(year, 1, 1, 0, 0, 0) - make_interval(hours => z)) AT TIME ZONE 'UTC';
    next_instant timestamptz := (make_timestamp(year + 1, 1, 1, 0, 0, 0) - make_interval(hours => z)) AT TIME ZONE 'UTC';
    n bigint;
BEGIN
    LOCK TABLE ptx.project IN SHARE MODE;
    DELETE FROM ptx.agency_business b WHERE b.year = rebuild_agency_business_year.year;
    INSERT INTO ptx.agency_business (supervisor_id, year, agency_id)
    SELECT DISTINCT p.supervisor_id, rebuild_agency_business_year.year, p.agency_id
      FROM ptx.project p
     WHERE p.registered_at >= first_instant AND p.registered_at < next_instant
       AND p.agency_id IS NOT NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ptx.rebuild_agency_business_year(int) IS
    'recompute the rows of one year of ptx.agency_business from the projects; returns their number';

-- The summary is not captured by the ledger row by row (it is derived:
-- 90_ledger_track.sql); it is verified by recomputing it from the projects.
CREATE FUNCTION ptx.verify_agency_business()
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        WITH derived AS (
            SELECT DISTINCT p.supervisor_id, ptx.business_year(p.registered_at, ptx.agency_business_offset()) AS year,
                   p.agency_id
              FROM ptx.project p
             WHERE p.agency_id IS NOT NULL)
        SELECT NULL::bigint, NULL::bigint,
               CASE WHEN b.agency_id IS NULL THEN 'agency_business_missing' ELSE 'agency_business_extra' END,
               CASE WHEN b.agency_id IS NULL
                    THEN pg_catalog.format('Agency %s has projects under department %s in %s, but ptx.agency_business does not list it.',
                                           d.agency_id, d.supervisor_id, d.year)
                    ELSE pg_catalog.format('ptx.agency_business lists agency %s under department %s in %s, but no project supports it.',
                                           b.agency_id, b.supervisor_id, b.year) END
          FROM derived d
          FULL JOIN ptx.agency_business b
                 ON b.supervisor_id = d.supervisor_id AND b.year = d.year AND b.agency_id = d.agency_id
         WHERE b.agency_id IS NULL OR d.agency_id IS NULL
         ORDER BY 3, COALESCE(d.supervisor_id, b.supervisor_id), COALESCE(d.year, b.year),
                  COALESCE(d.agency_id, b.agency_id);
    END;
COMMENT ON FUNCTION ptx.verify_agency_business() IS
    'compare ptx.agency_business with its recomputation from the projects; one row per difference, none when it agrees (ptx.rebuild_agency_business repairs it)';

-- The population between two instants, sorted ascending: what a draw
-- stores.  When the bounds are a calendar year at the summary's offset
-- (a session in Beijing time), the summary answers; otherwise the
-- projects do, with the same result.
CREATE FUNCTION ptx.inspection_population(supervisor_id bigint, period_start timestamptz,
                                          period_end timestamptz) RETURNS bigint[]
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    z int := ptx.agency_business_offset();
    y int := ptx.business_year(period_start, z);
BEGIN
    IF period_start = (make_timestamp(y, 1, 1, 0, 0, 0) - make_interval(hours => z)) AT TIME ZONE 'UTC'
       AND period_end = (make_timestamp(y + 1, 1, 1, 0, 0, 0) - make_interval(hours => z)) AT TIME ZONE 'UTC' THEN
        RETURN ARRAY(SELECT b.agency_id
                       FROM ptx.agency_business b
                       JOIN ptx.org o ON o.id = b.agency_id
                      WHERE b.supervisor_id = inspection_population.supervisor_id AND b.year = y
                        AND 'agency' = ANY (o.roles)
                      ORDER BY b.agency_id);
    END IF;
    RETURN ARRAY(SELECT a.agency_id
                   FROM (SELECT DISTINCT p.agency_id
                           FROM ptx.project p
                          WHERE p.supervisor_id = inspection_population.supervisor_id
                            AND p.registered_at >= inspection_population.period_start
                            AND p.registered_at < inspection_population.period_end
                            AND p.agency_id IS NOT NULL) a
                   JOIN ptx.org o ON o.id = a.agency_id
                  WHERE 'agency' = ANY (o.roles)
                  ORDER BY a.agency_id);
END
$$;
COMMENT ON FUNCTION ptx.inspection_population(bigint, timestamptz, timestamptz) IS
    'agencies of the projects that name a supervisor and entered the platform in [start, end), sorted';

CREATE FUNCTION ptx.inspection_population(year int, supervisor_id bigint) RETURNS bigint[]
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT ptx.inspection_population(inspection_population.supervisor_id, y.period_start, y.period_end)
          FROM ptx.inspection_period(inspection_population.year) y;
    END;
COMMENT ON FUNCTION ptx.inspection_population(int, bigint) IS
    'the population of a department''s inspection draw for a year: agencies with at least one project naming the department that entered the platform that year';

-- The minimum ratio and where it comes from.
CREATE FUNCTION ptx.inspection_min_ratio(OUT ratio numeric, OUT basis text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    national numeric := ptx.setting('inspection.national_ratio');
    key text;
BEGIN
    IF national > 0 THEN
        ratio := national;
        basis := 'national';
        key := 'inspection.national_ratio';
    ELSE
        ratio := ptx.setting('inspection.default_ratio');
        basis := 'default';
        key := 'inspection.default_ratio';
    END IF;
    IF national < 0 OR ratio <= 0 OR ratio > 1 THEN
        RAISE EXCEPTION 'invalid inspection ratio setting %', key
            USING ERRCODE = '22023',
                  DETAIL = format('inspection.national_ratio is %s and inspection.default_ratio is %s; a ratio lies in (0, 1] and 0 means no national ratio.',
                                  national, ptx.setting('inspection.default_ratio')),
                  HINT = 'Correct the setting with ptx.set_policy.';
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.inspection_min_ratio() IS
    'the minimum inspection ratio: the national ratio when one is set, else the default 25 %, with its basis';

-- The ratio a draw applies: the minimum, or more when a department asks.
CREATE FUNCTION ptx.inspection_ratio(requested numeric, OUT ratio numeric, OUT minimum numeric, OUT basis text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    SELECT m.ratio, m.basis INTO minimum, basis FROM ptx.inspection_min_ratio() m;
    IF requested IS NULL THEN
        ratio := minimum;
        RETURN;
    END IF;
    IF requested > 1 THEN
        RAISE EXCEPTION 'inspection ratio % is above 1', requested
            USING ERRCODE = '22023',
                  DETAIL = 'A ratio is a share of the population; 1 inspects every agency.',
                  HINT = 'Ask for a ratio between the minimum and 1.';
    END IF;
    IF requested < minimum THEN
        RAISE EXCEPTION 'inspection ratio % is below the minimum %', requested, minimum
            USING ERRCODE = '22023',
                  DETAIL = format('The minimum is %s %% (%s); %s %% was asked.',
                                  pg_catalog.round(minimum * 100, 2)::text,
                                  CASE basis WHEN 'national' THEN 'the national ratio, setting inspection.national_ratio'
                                             ELSE 'no national ratio is set, notice §6 default, setting inspection.default_ratio' END,
                                  pg_catalog.round(requested * 100, 2)::text),
                  HINT = 'A department may inspect more than the minimum, never less; omit the ratio to apply the minimum.';
    END IF;
    ratio := requested;
    basis := 'requested';
END
$$;
COMMENT ON FUNCTION ptx.inspection_ratio(numeric) IS
    'the ratio applied to a draw: the minimum, or a larger one asked for; below the minimum is refused (22023)';

CREATE FUNCTION ptx.inspection_sample_size(population int, ratio numeric) RETURNS int
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.ceil(ratio * population)::int;
COMMENT ON FUNCTION ptx.inspection_sample_size(int, numeric) IS
    'n = ⌈r · N⌉ in exact numeric arithmetic';

GRANT SELECT ON ptx.agency_business, ptx.agency_business_zone TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.rebuild_agency_business(int), ptx.rebuild_agency_business_year(int) TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.verify_agency_business() TO ptx_admin, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.business_year(timestamptz, int), ptx.agency_business_offset(),
    ptx.inspection_period(int),
    ptx.inspection_population(bigint, timestamptz, timestamptz),
    ptx.inspection_population(int, bigint),
    ptx.inspection_min_ratio(), ptx.inspection_ratio(numeric),
    ptx.inspection_sample_size(int, numeric)
    TO ptx_admin, ptx_supervisor, ptx_auditor;

-- ==== src/sql/72_inspection_sampler.sql
-- Agency inspection: the sampling step (src/inspect.c), a pure function of
-- the stored inputs of a draw, so that execution and verification run the
-- same code and an auditor can replay it.

CREATE FUNCTION ptx.inspection_sample(seed bytea, population bigint[], k int,
                                      priority bigint[], inspectors bigint[],
                                      conflict_inspector bigint[], conflict_agency bigint[],
                                      per_agency int)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE ROWS 100
    AS 'MODULE_PATHNAME', 'ptx_inspection_sample';
COMMENT ON FUNCTION ptx.inspection_sample(bytea, bigint[], int, bigint[], bigint[], bigint[], bigint[], int) IS
    'PTX-DRAW-1 for an inspection: k agencies from the population, then the priority targets not picked, then per_agency inspectors for each agency in seat order from the inspectors less the declared conflicts (pairs conflict_inspector[i], conflict_agency[i]), one stream';

GRANT EXECUTE ON FUNCTION ptx.inspection_sample(bytea, bigint[], int, bigint[], bigint[], bigint[], bigint[], int)
    TO ptx_admin, ptx_supervisor, ptx_auditor;

-- ==== src/sql/73_inspection_draw.sql
-- Agency inspection: the yearly draw of each department (双随机), one per
-- department and year (PX008), through the common draw mechanism of
-- 61_draw.sql: a committed request with its seed and commitment, an
-- execution that stores the pools and the picks, and replay.
--
-- Pools of an executed inspection draw (ptx.draw_pool):
--   1 'agencies'    the population, wanted = n = ⌈r·N⌉;
--   2 'priority'    the priority targets fixed with the request, all
--                   inspected (on top of the sample when not picked);
--   3 'inspectors'  the department's active inspectors, wanted = inspectors
--                   per agency; each agency's inspectors are drawn from it
--                   less the conflicts stored in ptx.inspection_draw_conflict.
-- Picks (ptx.draw_pick): seats 1..n role 'agency', then the priority targets
-- not already picked, role 'priority', then the inspectors of each agency in
-- seat order, role 'inspector', assigned_to = the agency.

CREATE TABLE ptx.inspection_draw (
    draw_id         bigint PRIMARY KEY REFERENCES ptx.draw_request (id),
    year            int NOT NULL,
    supervisor_id   bigint NOT NULL REFERENCES ptx.org (id),
    requested_ratio numeric CHECK (requested_ratio > 0 AND requested_ratio <= 1),
    ratio           numeric NOT NULL CHECK (ratio > 0 AND ratio <= 1),
    minimum_ratio   numeric NOT NULL CHECK (minimum_ratio > 0 AND minimum_ratio <= ratio),
    ratio_basis     text NOT NULL CHECK (ratio_basis IN ('default', 'national', 'requested')),
    period_start    timestamptz NOT NULL,
    period_end      timestamptz NOT NULL CHECK (period_end > period_start),
    priority        bigint[] NOT NULL,
    per_agency      int NOT NULL CHECK (per_agency >= 1),
    CONSTRAINT inspection_draw_once UNIQUE (year, supervisor_id)
);
COMMENT ON TABLE ptx.inspection_draw IS 'yearly agency inspection draws (代理机构双随机抽查): one per supervisory department and year';
COMMENT ON COLUMN ptx.inspection_draw.ratio IS 'the ratio applied: the minimum, or more when the department asked';
COMMENT ON COLUMN ptx.inspection_draw.minimum_ratio IS 'the minimum in force at the request: the national ratio when set, else the default 25 %';
COMMENT ON COLUMN ptx.inspection_draw.ratio_basis IS 'default (25 %, no national ratio), national, or requested (more than the minimum)';
COMMENT ON COLUMN ptx.inspection_draw.period_start IS 'the year''s first instant in the requester''s time zone; projects registered in [period_start, period_end) count';
COMMENT ON COLUMN ptx.inspection_draw.priority IS 'priority targets fixed with the request, sorted';
COMMENT ON COLUMN ptx.inspection_draw.per_agency IS 'inspectors drawn for each agency (setting inspection.inspectors_per_agency at the request)';
SELECT pg_catalog.pg_extension_config_dump('ptx.inspection_draw', '');

CREATE FUNCTION ptx.inspection_draw_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RAISE EXCEPTION 'inspection draw % cannot be changed or removed', OLD.draw_id
        USING ERRCODE = '55000',
              DETAIL = 'One draw per department and year: a draw is never redone.',
              HINT = 'Record the results of the draw; a draw that cannot run is executed again once its cause is fixed.';
END
$$;
CREATE TRIGGER inspection_draw_before_write BEFORE UPDATE OR DELETE ON ptx.inspection_draw
    FOR EACH ROW EXECUTE FUNCTION ptx.inspection_draw_before_write();

-- The declared conflicts in force at execution between the pool's
-- inspectors and the inspected agencies: with the pools, what a replay needs.
CREATE TABLE ptx.inspection_draw_conflict (
    draw_id         bigint NOT NULL REFERENCES ptx.inspection_draw (draw_id),
    inspector_id    bigint NOT NULL,
    agency_id       bigint NOT NULL,
    PRIMARY KEY (draw_id, agency_id, inspector_id)
);
COMMENT ON TABLE ptx.inspection_draw_conflict IS 'conflicts excluded from an executed inspection draw: inspector, inspected agency';
SELECT pg_catalog.pg_extension_config_dump('ptx.inspection_draw_conflict', '');
CREATE TRIGGER inspection_draw_conflict_before_write BEFORE UPDATE OR DELETE ON ptx.inspection_draw_conflict
    FOR EACH ROW EXECUTE FUNCTION ptx.inspection_draw_before_write();

CREATE VIEW ptx.inspection_draw_state AS
SELECT d.draw_id, d.year, d.supervisor_id, r.requested_by, r.requested_at,
       x.executed_at, x.draw_id IS NOT NULL AS executed
  FROM ptx.inspection_draw d
  JOIN ptx.draw_request r ON r.id = d.draw_id
  LEFT JOIN ptx.draw_execution x ON x.draw_id = d.draw_id;
COMMENT ON VIEW ptx.inspection_draw_state IS 'inspection draws with their request and whether they have been executed';

-- The agencies of executed draws, one row per agency seat.
CREATE VIEW ptx.inspection_pick AS
SELECT d.draw_id, d.year, d.supervisor_id, p.seat, p.subject_id AS agency_id,
       CASE p.role WHEN 'agency' THEN 'random' ELSE 'priority' END AS selection,
       q.kind AS priority_kind, q.reason AS priority_reason,
       ARRAY(SELECT i.subject_id FROM ptx.draw_pick i
              WHERE i.draw_id = p.draw_id AND i.role = 'inspector' AND i.assigned_to = p.subject_id
              ORDER BY i.seat) AS inspectors
  FROM ptx.inspection_draw d
  JOIN ptx.draw_pick p ON p.draw_id = d.draw_id AND p.role IN ('agency', 'priority')
  LEFT JOIN ptx.inspection_priority q
         ON q.year = d.year AND q.supervisor_id = d.supervisor_id AND q.agency_id = p.subject_id;
COMMENT ON VIEW ptx.inspection_pick IS
    'agencies inspected by each executed draw: random picks and priority targets (also marked when a random pick is a priority target), with their inspectors';

------------------------------------------------------------------------
-- Request.
------------------------------------------------------------------------
CREATE FUNCTION ptx.request_inspection_draw(year int, supervisor_id bigint, ratio numeric DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    y record;
    rr record;
    per int;
    prio bigint[];
    inspectors int;
    existing ptx.inspection_draw_state;
    new_id bigint;
BEGIN
    SELECT * INTO y FROM ptx.inspection_period(year);
    IF supervisor_id IS NULL OR NOT ptx.has_role(supervisor_id, 'supervisor') THEN
        RAISE EXCEPTION 'organisation % is not a supervisory department', COALESCE(supervisor_id::text, 'NULL')
            USING ERRCODE = 'PX002',
                  DETAIL = 'Each supervisory department (监管部门) draws the agencies it inspects.',
                  HINT = 'Give the id of an organisation with the role supervisor.';
    END IF;
    SELECT * INTO existing FROM ptx.inspection_draw_state s
     WHERE s.year = request_inspection_draw.year AND s.supervisor_id = request_inspection_draw.supervisor_id;
    IF FOUND THEN
        RAISE EXCEPTION 'department % already has an inspection draw for %', supervisor_id, year
            USING ERRCODE = 'PX008',
                  DETAIL = format('Draw %s was requested by %s at %s%s.', existing.draw_id, existing.requested_by,
                                  existing.requested_at,
                                  CASE WHEN existing.executed THEN ' and executed at ' || existing.executed_at
                                       ELSE ' and has not been executed' END),
                  HINT = CASE WHEN existing.executed THEN 'One draw per department and year: record its results.'
                              ELSE format('Execute it with ptx.execute_draw(%s).', existing.draw_id) END;
    END IF;
    SELECT * INTO rr FROM ptx.inspection_ratio(ratio);
    per := ptx.setting('inspection.inspectors_per_agency');
    IF per < 1 OR per <> trunc(per) THEN
        RAISE EXCEPTION 'invalid setting inspection.inspectors_per_agency %', per
            USING ERRCODE = '22023',
                  HINT = 'Set a whole number of at least 1 (the law requires two) with ptx.set_policy.';
    END IF;
    prio := ARRAY(SELECT q.agency_id FROM ptx.inspection_priority q
                   WHERE q.year = request_inspection_draw.year
                     AND q.supervisor_id = request_inspection_draw.supervisor_id
                   ORDER BY q.agency_id);
    -- Refuse at once what could never execute: agencies to inspect and
    -- fewer inspectors than one agency needs.
    SELECT count(*) INTO inspectors FROM ptx.inspector i
     WHERE i.supervisor_id = request_inspection_draw.supervisor_id AND i.active;
    IF inspectors < per
       AND (cardinality(prio) > 0
            OR EXISTS (SELECT 1 FROM ptx.project p
                        WHERE p.supervisor_id = request_inspection_draw.supervisor_id
                          AND p.registered_at >= y.period_start AND p.registered_at < y.period_end
                          AND p.agency_id IS NOT NULL)) THEN
        RAISE EXCEPTION 'department % has too few inspectors', supervisor_id
            USING ERRCODE = 'PX007',
                  DETAIL = format('Each inspected agency needs %s inspectors; the department has %s active.', per, inspectors),
                  HINT = 'Add inspectors with ptx.add_inspector, then request the draw.';
    END IF;

    new_id := ptx.new_draw_request(
        'inspection',
        format('agency inspection %s of department %s (代理机构双随机抽查)', year, supervisor_id),
        jsonb_build_object('agencies', jsonb_build_object('ratio', rr.ratio, 'minimum_ratio', rr.minimum,
                                                          'basis', rr.basis),
                           'inspectors_per_agency', per),
        jsonb_strip_nulls(jsonb_build_object('ratio', ratio)),
        jsonb_build_object('year', year, 'supervisor_id', supervisor_id,
                           'period_start', y.period_start, 'period_end', y.period_end,
                           'population', 'agencies (role agency) of the projects that name the department as supervisor and were registered in [period_start, period_end)',
                           'priority', to_jsonb(prio),
                           'inspectors', 'the department''s active inspectors less those with a declared conflict with the agency'));
    BEGIN
        INSERT INTO ptx.inspection_draw (draw_id, year, supervisor_id, requested_ratio, ratio, minimum_ratio,
                                         ratio_basis, period_start, period_end, priority, per_agency)
        VALUES (new_id, year, supervisor_id, ratio, rr.ratio, rr.minimum, rr.basis,
                y.period_start, y.period_end, prio, per);
    EXCEPTION WHEN unique_violation THEN
        -- another session requested it first and has committed
        SELECT * INTO existing FROM ptx.inspection_draw_state s
         WHERE s.year = request_inspection_draw.year AND s.supervisor_id = request_inspection_draw.supervisor_id;
        RAISE EXCEPTION 'department % already has an inspection draw for %', supervisor_id, year
            USING ERRCODE = 'PX008',
                  DETAIL = format('Draw %s was requested by %s at %s, while this request was being made.',
                                  existing.draw_id, existing.requested_by, existing.requested_at),
                  HINT = 'One draw per department and year.';
    END;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.request_inspection_draw(int, bigint, numeric) IS
    'request the yearly agency inspection draw of a department (one per year, PX008); ratio: more than the minimum, never less (22023); execute it after commit';

------------------------------------------------------------------------
-- Execution.
------------------------------------------------------------------------
-- The compute step, called by ptx.draw_run as the owner: the population
-- and the inspector pool from the data, the sampling step in C, the pools
-- stored for replay.
CREATE FUNCTION ptx.compute_inspection_draw(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d ptx.inspection_draw;
    seed bytea;
    population bigint[];
    k int;
    inspectors bigint[];
    c_inspector bigint[];
    c_agency bigint[];
BEGIN
    SELECT * INTO d FROM ptx.inspection_draw x WHERE x.draw_id = compute_inspection_draw.draw_id;
    SELECT r.seed INTO seed FROM ptx.draw_request r WHERE r.id = compute_inspection_draw.draw_id;
    population := ptx.inspection_population(d.supervisor_id, d.period_start, d.period_end);
    k := ptx.inspection_sample_size(cardinality(population), d.ratio);
    inspectors := ARRAY(SELECT i.id FROM ptx.inspector i
                         WHERE i.supervisor_id = d.supervisor_id AND i.active ORDER BY i.id);
    SELECT COALESCE(array_agg(c.inspector_id), '{}'), COALESCE(array_agg(c.org_id), '{}')
      INTO c_inspector, c_agency
      FROM ptx.inspector_conflict c
     WHERE c.inspector_id = ANY (inspectors);

    PERFORM ptx.draw_store_pool(d.draw_id, 1, 'agencies', k, population);
    PERFORM ptx.draw_store_pool(d.draw_id, 2, 'priority', cardinality(d.priority), d.priority);
    PERFORM ptx.draw_store_pool(d.draw_id, 3, 'inspectors', d.per_agency, inspectors);
    RETURN QUERY
        WITH s AS MATERIALIZED (
            SELECT * FROM ptx.inspection_sample(seed, population, k, d.priority, inspectors,
                                                c_inspector, c_agency, d.per_agency)),
        used AS (
            INSERT INTO ptx.inspection_draw_conflict (draw_id, inspector_id, agency_id)
            SELECT DISTINCT d.draw_id, u.inspector_id, u.agency_id
              FROM unnest(c_inspector, c_agency) AS u (inspector_id, agency_id)
             WHERE u.agency_id IN (SELECT s.subject_id FROM s WHERE s.role <> 'inspector'))
        SELECT s.seat, s.subject_id, s.role, s.assigned_to FROM s ORDER BY s.seat;
END
$$;
COMMENT ON FUNCTION ptx.compute_inspection_draw(bigint) IS
    'the compute step of an inspection draw for ptx.draw_run: population, sample, inspectors, stored pools';

CREATE FUNCTION ptx.execute_inspection_draw(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.inspection_draw d WHERE d.draw_id = execute_inspection_draw.draw_id) THEN
        RAISE EXCEPTION 'draw % is not an inspection draw', draw_id
            USING ERRCODE = '22023',
                  HINT = 'Inspection draws are listed in ptx.inspection_draw.';
    END IF;
    RETURN QUERY SELECT * FROM ptx.draw_run(draw_id, 'ptx.compute_inspection_draw(bigint)');
END
$$;
COMMENT ON FUNCTION ptx.execute_inspection_draw(bigint) IS
    'execute an inspection draw (the executor of kind inspection behind ptx.execute_draw); idempotent';

------------------------------------------------------------------------
-- Verification: replay from the seed and the stored pools.
------------------------------------------------------------------------
CREATE FUNCTION ptx.verify_inspection_draw(draw_id bigint) RETURNS boolean
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d ptx.inspection_draw;
    seed bytea;
    population bigint[];
    k int;
    prio bigint[];
    base bigint[];
    c_inspector bigint[];
    c_agency bigint[];
    differences bigint;
BEGIN
    SELECT * INTO d FROM ptx.inspection_draw x WHERE x.draw_id = verify_inspection_draw.draw_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'draw % is not an inspection draw', draw_id
            USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = d.draw_id) THEN
        RAISE EXCEPTION 'draw % has not been executed', d.draw_id
            USING ERRCODE = '55000',
                  HINT = 'Execute it with ptx.execute_draw, then verify it.';
    END IF;
    SELECT r.seed INTO seed FROM ptx.draw_request r WHERE r.id = d.draw_id;
    SELECT p.pool, p.wanted INTO population, k FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no = 1;
    SELECT p.pool INTO prio FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no = 2;
    -- the sample size obeys the rule, the priority targets are those of the request
    IF population IS NULL OR prio IS NULL
       OR k IS DISTINCT FROM ptx.inspection_sample_size(cardinality(population), d.ratio)
       OR prio IS DISTINCT FROM d.priority
       OR (SELECT p.wanted FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no = 2)
          IS DISTINCT FROM cardinality(prio) THEN
        RETURN false;
    END IF;
    SELECT p.pool INTO base FROM ptx.draw_pool p
     WHERE p.draw_id = d.draw_id AND p.pool_no = 3 AND p.wanted = d.per_agency;
    IF base IS NULL
       OR EXISTS (SELECT 1 FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no > 3) THEN
        RETURN false;
    END IF;
    SELECT COALESCE(array_agg(c.inspector_id), '{}'), COALESCE(array_agg(c.agency_id), '{}')
      INTO c_inspector, c_agency
      FROM ptx.inspection_draw_conflict c WHERE c.draw_id = d.draw_id;
    -- the replay gives the stored picks
    SELECT count(*) INTO differences
      FROM ((SELECT s.seat, s.subject_id, s.role, s.assigned_to
               FROM ptx.inspection_sample(seed, population, k, prio, base, c_inspector, c_agency, d.per_agency) s
             EXCEPT ALL
             SELECT p.seat, p.subject_id, p.role, p.assigned_to FROM ptx.draw_pick p WHERE p.draw_id = d.draw_id)
            UNION ALL
            (SELECT p.seat, p.subject_id, p.role, p.assigned_to FROM ptx.draw_pick p WHERE p.draw_id = d.draw_id
             EXCEPT ALL
             SELECT s.seat, s.subject_id, s.role, s.assigned_to
               FROM ptx.inspection_sample(seed, population, k, prio, base, c_inspector, c_agency, d.per_agency) s)) x;
    RETURN differences = 0;
EXCEPTION WHEN SQLSTATE 'PX007' THEN
    -- stored pools too small for the recorded picks
    RETURN false;
END
$$;
COMMENT ON FUNCTION ptx.verify_inspection_draw(bigint) IS
    'replay an inspection draw from its seed and stored pools (the verifier of kind inspection behind ptx.verify_draw)';

------------------------------------------------------------------------
-- Request, commit, execute: for psql and pg_cron.  A procedure without
-- SET or SECURITY DEFINER, which would forbid COMMIT.
------------------------------------------------------------------------
CREATE PROCEDURE ptx.draw_inspection(year int, supervisor_id bigint, ratio numeric DEFAULT NULL,
                                     INOUT draw_id bigint DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
BEGIN
    draw_id := ptx.request_inspection_draw(year, supervisor_id, ratio);
    COMMIT;
    PERFORM ptx.execute_draw(draw_id);
END
$$;
COMMENT ON PROCEDURE ptx.draw_inspection(int, bigint, numeric, bigint) IS
    'request a department''s yearly inspection draw, commit it, execute it; draw_id is the output';

GRANT SELECT ON ptx.inspection_draw, ptx.inspection_draw_state, ptx.inspection_pick
    TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.request_inspection_draw(int, bigint, numeric),
    ptx.execute_inspection_draw(bigint)
    TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.verify_inspection_draw(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON PROCEDURE ptx.draw_inspection(int, bigint, numeric, bigint)
    TO ptx_admin, ptx_supervisor;

-- ==== src/sql/74_inspection_results.sql
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
        RAISE EXCEPTION 'inspection result % cannot be changed or removed', OLD.id
            USING ERRCODE = '55000',
                  DETAIL = 'Published inspection results (一公开) are part of the record.',
                  HINT = 'Record a follow-up with ptx.record_inspection_followup.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.inspection_pick p
                    WHERE p.draw_id = NEW.draw_id AND p.agency_id = NEW.agency_id) THEN
        RAISE EXCEPTION 'agency % is not inspected in draw %', NEW.agency_id, NEW.draw_id
            USING ERRCODE = '22023',
                  DETAIL = 'Results are recorded for the agencies a draw picked or added as priority targets, once it has been executed.',
                  HINT = 'The agencies of a draw are listed in ptx.inspection_pick.';
    END IF;
    IF NEW.inspected_on > ptx.now()::date THEN
        RAISE EXCEPTION 'inspection date % is in the future', NEW.inspected_on
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('Today is %s.', ptx.now()::date),
                  HINT = 'Record a result once the inspection has taken place.';
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
        RAISE EXCEPTION 'a rectification order needs a deadline'
            USING ERRCODE = '22023',
                  HINT = 'Give rectify_by, the date by which the agency must have rectified (限期整改).';
    END IF;
    IF outcome = 'no_issue' AND rectify_by IS NOT NULL THEN
        RAISE EXCEPTION 'an inspection without findings orders no rectification'
            USING ERRCODE = '22023',
                  HINT = 'Use outcome rectify or penalty with a deadline.';
    END IF;
    IF rectify_by IS NOT NULL AND rectify_by <= COALESCE(inspected_on, ptx.now()::date) THEN
        RAISE EXCEPTION 'rectification deadline % is not after the inspection', rectify_by
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('The inspection took place on %s.', COALESCE(inspected_on, ptx.now()::date)),
                  HINT = 'Give a deadline after the inspection date.';
    END IF;
    INSERT INTO ptx.inspection_result (draw_id, agency_id, inspected_on, findings, outcome, rectify_by)
    VALUES (record_inspection_result.draw_id, record_inspection_result.agency_id,
            COALESCE(record_inspection_result.inspected_on, ptx.now()::date),
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
        RAISE EXCEPTION 'inspection follow-up % cannot be changed or removed', OLD.id
            USING ERRCODE = '55000',
                  HINT = 'Record a new follow-up.';
    END IF;
    SELECT * INTO r FROM ptx.inspection_result x WHERE x.id = NEW.result_id;
    IF r.rectify_by IS NULL THEN
        RAISE EXCEPTION 'inspection result % ordered no rectification', NEW.result_id
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('The outcome was %s without a deadline.', r.outcome),
                  HINT = 'Follow-ups track rectification orders (限期整改).';
    END IF;
    SELECT f.status INTO last FROM ptx.inspection_followup f
     WHERE f.result_id = NEW.result_id ORDER BY f.id DESC LIMIT 1;
    IF last IN ('rectified', 'escalated') THEN
        RAISE EXCEPTION 'the rectification of inspection result % is closed', NEW.result_id
            USING ERRCODE = '55000',
                  DETAIL = pg_catalog.format('Its last follow-up is %s.', last);
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
            WHEN r.rectify_by < ptx.now()::date THEN 'overdue'
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

-- ==== src/sql/75_inspection_report.sql
-- Agency inspection: publication (一公开) and the written report to the
-- joint-conference office (联席会议办公室).
--
-- The ptx_public views call no function (ptx_public has nothing in schema
-- ptx): the inspectors' names are masked inline, and the follow-up status
-- is the recorded one (the deadline is published beside it).  The seed of
-- an executed draw is published by ptx_public.draw (61_draw.sql).

CREATE VIEW ptx_public.inspection_draw WITH (security_barrier = true) AS
SELECT d.draw_id, d.year,
       o.name AS department, o.uscc AS department_uscc,
       d.ratio, d.minimum_ratio, d.ratio_basis,
       p.pool_size AS population, p.wanted AS sample_size,
       pg_catalog.cardinality(d.priority) AS priority_targets,
       d.per_agency AS inspectors_per_agency,
       r.requested_at, x.executed_at,
       pg_catalog.encode(r.commitment, 'hex') AS commitment,
       CASE WHEN x.draw_id IS NOT NULL THEN pg_catalog.encode(p.pool_hash, 'hex') END AS population_hash,
       (SELECT pg_catalog.count(*) FROM ptx.inspection_result res WHERE res.draw_id = d.draw_id) AS results_recorded
  FROM ptx.inspection_draw d
  JOIN ptx.org o ON o.id = d.supervisor_id
  JOIN ptx.draw_request r ON r.id = d.draw_id
  LEFT JOIN ptx.draw_execution x ON x.draw_id = d.draw_id
  LEFT JOIN ptx.draw_pool p ON p.draw_id = d.draw_id AND p.pool_no = 1;
COMMENT ON VIEW ptx_public.inspection_draw IS
    'agency inspection draws (双随机抽查): population, ratio, sample size, commitment; the seed is published in ptx_public.draw once executed';

CREATE VIEW ptx_public.inspection_result WITH (security_barrier = true) AS
SELECT d.year, o.name AS department, d.draw_id, k.seat,
       a.name AS agency, a.uscc AS agency_uscc,
       CASE k.role WHEN 'agency' THEN 'random' ELSE 'priority' END AS selection,
       q.kind AS priority_kind,
       ARRAY(SELECT pg_catalog.left(i.name, 1) || pg_catalog.repeat('*', GREATEST(pg_catalog.char_length(i.name) - 1, 1))
               FROM ptx.draw_pick ip JOIN ptx.inspector i ON i.id = ip.subject_id
              WHERE ip.draw_id = k.draw_id AND ip.role = 'inspector' AND ip.assigned_to = k.subject_id
              ORDER BY ip.seat) AS inspectors,
       res.inspected_on, res.findings, res.outcome, res.rectify_by,
       CASE WHEN res.id IS NULL THEN NULL
            WHEN res.rectify_by IS NULL THEN 'none'
            ELSE COALESCE((SELECT f.status FROM ptx.inspection_followup f
                            WHERE f.result_id = res.id ORDER BY f.id DESC LIMIT 1), 'ordered') END AS rectification
  FROM ptx.inspection_draw d
  JOIN ptx.org o ON o.id = d.supervisor_id
  JOIN ptx.draw_pick k ON k.draw_id = d.draw_id AND k.role IN ('agency', 'priority')
  JOIN ptx.org a ON a.id = k.subject_id
  LEFT JOIN ptx.inspection_priority q
         ON q.year = d.year AND q.supervisor_id = d.supervisor_id AND q.agency_id = k.subject_id
  LEFT JOIN ptx.inspection_result res ON res.draw_id = d.draw_id AND res.agency_id = k.subject_id;
COMMENT ON VIEW ptx_public.inspection_result IS
    'inspected agencies and their results (检查结果公开): findings, outcome, rectification deadline and follow-up; inspectors'' names masked';

GRANT SELECT ON ptx_public.inspection_draw, ptx_public.inspection_result
    TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor;

------------------------------------------------------------------------
-- The written report (书面报告) for the joint-conference office.
------------------------------------------------------------------------
CREATE FUNCTION ptx.inspection_draw_report(draw_id bigint) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d ptx.inspection_draw;
    r ptx.draw_request;
    x ptx.draw_execution;
    pop ptx.draw_pool;
    dept ptx.org;
    agencies jsonb;
    results jsonb;
BEGIN
    SELECT * INTO d FROM ptx.inspection_draw i WHERE i.draw_id = inspection_draw_report.draw_id;
    SELECT * INTO r FROM ptx.draw_request q WHERE q.id = d.draw_id;
    SELECT * INTO x FROM ptx.draw_execution e WHERE e.draw_id = d.draw_id;
    SELECT * INTO pop FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no = 1;
    SELECT * INTO dept FROM ptx.org o WHERE o.id = d.supervisor_id;

    SELECT COALESCE(jsonb_agg(jsonb_build_object(
               'seat', k.seat,
               'agency_id', k.subject_id,
               'name', a.name,
               'uscc', a.uscc,
               'selection', CASE k.role WHEN 'agency' THEN 'random' ELSE 'priority' END,
               'priority', CASE WHEN q.id IS NOT NULL THEN jsonb_build_object('kind', q.kind, 'reason', q.reason) END,
               'inspectors', (SELECT jsonb_agg(jsonb_build_object('id', i.id, 'name', i.name) ORDER BY ip.seat)
                                FROM ptx.draw_pick ip JOIN ptx.inspector i ON i.id = ip.subject_id
                               WHERE ip.draw_id = k.draw_id AND ip.role = 'inspector'
                                 AND ip.assigned_to = k.subject_id),
               'excluded_inspectors', (SELECT COALESCE(jsonb_agg(c.inspector_id ORDER BY c.inspector_id), '[]')
                                         FROM ptx.inspection_draw_conflict c
                                        WHERE c.draw_id = k.draw_id AND c.agency_id = k.subject_id),
               'result', CASE WHEN s.result_id IS NOT NULL THEN jsonb_build_object(
                             'inspected_on', s.inspected_on, 'findings', s.findings,
                             'outcome', s.outcome, 'rectify_by', s.rectify_by, 'status', s.status,
                             'followups', (SELECT COALESCE(jsonb_agg(jsonb_build_object('status', f.status, 'note', f.note,
                                                                                        'recorded_at', f.recorded_at)
                                                                     ORDER BY f.id), '[]')
                                             FROM ptx.inspection_followup f WHERE f.result_id = s.result_id)) END)
               ORDER BY k.seat), '[]'),
           jsonb_build_object(
               'agencies', count(*),
               'recorded', count(s.result_id),
               'awaiting', count(*) - count(s.result_id),
               'no_issue', count(*) FILTER (WHERE s.outcome = 'no_issue'),
               'rectify', count(*) FILTER (WHERE s.outcome = 'rectify'),
               'penalty', count(*) FILTER (WHERE s.outcome = 'penalty'),
               'rectification_pending', count(*) FILTER (WHERE s.status = 'pending'),
               'rectification_overdue', count(*) FILTER (WHERE s.status IN ('overdue', 'not_rectified')),
               'rectified', count(*) FILTER (WHERE s.status = 'rectified'),
               'escalated', count(*) FILTER (WHERE s.status = 'escalated'))
      INTO agencies, results
      FROM ptx.draw_pick k
      JOIN ptx.org a ON a.id = k.subject_id
      LEFT JOIN ptx.inspection_priority q
             ON q.year = d.year AND q.supervisor_id = d.supervisor_id AND q.agency_id = k.subject_id
      LEFT JOIN ptx.inspection_result_status s ON s.draw_id = k.draw_id AND s.agency_id = k.subject_id
     WHERE k.draw_id = d.draw_id AND k.role IN ('agency', 'priority');

    RETURN jsonb_build_object(
        'draw_id', d.draw_id,
        'department', jsonb_build_object('id', dept.id, 'name', dept.name, 'uscc', dept.uscc),
        'requested_by', r.requested_by,
        'requested_at', r.requested_at,
        'executed_at', x.executed_at,
        'state', CASE WHEN x.draw_id IS NULL THEN 'requested, not executed' ELSE 'executed' END,
        'population', jsonb_build_object(
            'definition', 'agencies (role agency) named by the projects that name the department as supervisor and were registered in [start, end)',
            'start', d.period_start, 'end', d.period_end,
            'size', pop.pool_size,
            'hash', encode(pop.pool_hash, 'hex'),
            'agencies', pop.pool),
        'ratio', jsonb_build_object('applied', d.ratio, 'minimum', d.minimum_ratio, 'basis', d.ratio_basis,
                                    'requested', d.requested_ratio),
        'sample_size', pop.wanted,
        'priority_targets', cardinality(d.priority),
        'inspectors_per_agency', d.per_agency,
        'inspector_pool', (SELECT p.pool FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no = 3),
        'agencies', CASE WHEN x.draw_id IS NOT NULL THEN agencies END,
        'results', CASE WHEN x.draw_id IS NOT NULL THEN results END,
        'seed_commitment', encode(r.commitment, 'hex'),
        'seed', CASE WHEN x.draw_id IS NOT NULL THEN encode(r.seed, 'hex') END,
        'verified', CASE WHEN x.draw_id IS NOT NULL THEN ptx.verify_draw(d.draw_id) END,
        'replay', jsonb_build_object(
            'algorithm', 'PTX-DRAW-1 (docs/draw-algorithm.md; docs/reference/inspection.md gives the replay in Python)',
            'steps', jsonb_build_array(
                'Check that SHA-256(seed) equals seed_commitment, and the SHA-256 of population.agencies (8 bytes big-endian each, ascending) equals population.hash.',
                'Stream: block i = SHA-256(seed || uint64_be(i)), four uint64 big-endian values a block.',
                'Agencies: pick sample_size from population.agencies (sorted); they take seats 1 to sample_size in pick order.',
                'Priority targets not picked follow, ascending by id, on the next seats.',
                'Inspectors: for each agency in seat order, pick inspectors_per_agency from inspector_pool (sorted) less the agency''s excluded_inspectors (declared conflicts), continuing the same stream.',
                'Compare with the agencies and inspectors above.'),
            'sql', format('SELECT ptx.verify_draw(%s);', d.draw_id)));
END
$$;
COMMENT ON FUNCTION ptx.inspection_draw_report(bigint) IS
    'the report of one inspection draw: population, ratio, sample, agencies with inspectors and results, seed and replay';

CREATE FUNCTION ptx.inspection_report(year int, supervisor_id bigint DEFAULT NULL) RETURNS jsonb
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    draws jsonb;
    missing jsonb;
BEGIN
    PERFORM ptx.inspection_period(year);
    IF supervisor_id IS NOT NULL AND NOT ptx.has_role(supervisor_id, 'supervisor') THEN
        RAISE EXCEPTION 'organisation % is not a supervisory department', supervisor_id
            USING ERRCODE = 'PX002',
                  HINT = 'Give the id of a supervisory department, or none for every department.';
    END IF;
    SELECT COALESCE(jsonb_agg(ptx.inspection_draw_report(d.draw_id) ORDER BY d.supervisor_id), '[]')
      INTO draws
      FROM ptx.inspection_draw d
     WHERE d.year = inspection_report.year
       AND (inspection_report.supervisor_id IS NULL OR d.supervisor_id = inspection_report.supervisor_id);
    SELECT COALESCE(jsonb_agg(jsonb_build_object('id', o.id, 'name', o.name) ORDER BY o.id), '[]')
      INTO missing
      FROM ptx.inspection_departments(year) s
      JOIN ptx.org o ON o.id = s
     WHERE (inspection_report.supervisor_id IS NULL OR s = inspection_report.supervisor_id)
       AND NOT EXISTS (SELECT 1 FROM ptx.inspection_draw d
                        WHERE d.year = inspection_report.year AND d.supervisor_id = s);
    RETURN jsonb_build_object(
        'title', format('%s年度招标采购代理机构检查情况报告 (agency inspection report %s)', year, year),
        'to', '公共资源交易管理工作联席会议办公室 (joint-conference office)',
        'basis', '内政办发〔2018〕67号 §6: each year each supervisory department inspects agencies at not below the national ratio, or 25 % where none is set, drawn at random with random inspectors (双随机一公开)',
        'year', year,
        'generated_at', ptx.now(),
        'summary', jsonb_build_object(
            'draws', jsonb_array_length(draws),
            'executed', (SELECT count(*) FROM jsonb_array_elements(draws) e WHERE e ->> 'state' = 'executed'),
            'population', (SELECT COALESCE(sum((e -> 'population' ->> 'size')::int), 0) FROM jsonb_array_elements(draws) e),
            'sampled', (SELECT COALESCE(sum((e ->> 'sample_size')::int), 0) FROM jsonb_array_elements(draws) e),
            'priority_targets', (SELECT COALESCE(sum((e ->> 'priority_targets')::int), 0) FROM jsonb_array_elements(draws) e),
            'results_recorded', (SELECT COALESCE(sum((e -> 'results' ->> 'recorded')::int), 0) FROM jsonb_array_elements(draws) e),
            'departments_without_draw', jsonb_array_length(missing)),
        'draws', draws,
        'departments_without_draw', missing);
END
$$;
COMMENT ON FUNCTION ptx.inspection_report(int, bigint) IS
    'the written report of a year''s agency inspections for the joint-conference office (联席会议办公室): per department population, ratio, n, picks, inspectors, results, seed commitment and replay';

GRANT EXECUTE ON FUNCTION ptx.inspection_report(int, bigint) TO ptx_admin, ptx_supervisor, ptx_auditor;

-- ==== src/sql/76_inspection_jobs.sql
-- Agency inspection: the yearly run (pg_cron job ptx:annual-inspection).
--
-- Each January the draws of the previous year are made for every
-- department that lacks one; a department that fails (e.g. PX007, too few
-- inspectors) is logged and reported, and the others go on.

-- The departments that owe a draw for a year: those named by a project
-- with an agency that entered the platform that year, and those with
-- priority targets for the year.
CREATE FUNCTION ptx.inspection_departments(year int) RETURNS SETOF bigint
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT p.supervisor_id
          FROM ptx.project p, ptx.inspection_period(inspection_departments.year) y
         WHERE p.registered_at >= y.period_start AND p.registered_at < y.period_end
           AND p.agency_id IS NOT NULL
        UNION
        SELECT q.supervisor_id
          FROM ptx.inspection_priority q
         WHERE q.year = inspection_departments.year
        ORDER BY 1;
    END;
COMMENT ON FUNCTION ptx.inspection_departments(int) IS
    'the supervisory departments that owe an inspection draw for a year: named by a project with an agency that entered that year, or with priority targets';

CREATE TABLE ptx.inspection_run (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_at          timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    year            int NOT NULL,
    supervisor_id   bigint NOT NULL REFERENCES ptx.org (id),
    draw_id         bigint,
    outcome         text NOT NULL CHECK (outcome IN ('drawn', 'exists', 'failed')),
    sqlstate        text,
    message         text
);
COMMENT ON TABLE ptx.inspection_run IS 'log of ptx.run_annual_inspections: one row per department and run (drawn, exists, failed)';
SELECT pg_catalog.pg_extension_config_dump('ptx.inspection_run', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.inspection_run', 'id'), '');

-- A procedure, so that each request is committed before it is executed
-- (PX013); no SET clause and no SECURITY DEFINER, which would forbid COMMIT.
CREATE PROCEDURE ptx.run_annual_inspections(year int DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
DECLARE
    y int := COALESCE(year, pg_catalog.date_part('year', ptx.now())::int - 1);
    departments bigint[];
    dept bigint;
    d bigint;
    done boolean;
    state text;
    msg text;
    drawn int := 0;
    existing int := 0;
    failed int := 0;
BEGIN
    -- the year's agency business from the projects themselves, whatever was
    -- loaded with triggers off
    PERFORM ptx.rebuild_agency_business_year(y);
    COMMIT;
    departments := ARRAY(SELECT ptx.inspection_departments(y));
    FOREACH dept IN ARRAY departments LOOP
        SELECT x.draw_id, x.executed INTO d, done
          FROM ptx.inspection_draw_state x
         WHERE x.year = y AND x.supervisor_id = dept;
        IF done THEN
            INSERT INTO ptx.inspection_run (year, supervisor_id, draw_id, outcome)
            VALUES (y, dept, d, 'exists');
            existing := existing + 1;
            COMMIT;
            CONTINUE;
        END IF;
        state := NULL;
        IF d IS NULL THEN
            BEGIN
                d := ptx.request_inspection_draw(y, dept);
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            END;
            COMMIT;
        END IF;
        IF state IS NULL THEN
            BEGIN
                PERFORM ptx.execute_draw(d);
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            END;
        END IF;
        IF state IS NULL THEN
            INSERT INTO ptx.inspection_run (year, supervisor_id, draw_id, outcome)
            VALUES (y, dept, d, 'drawn');
            drawn := drawn + 1;
        ELSE
            INSERT INTO ptx.inspection_run (year, supervisor_id, draw_id, outcome, sqlstate, message)
            VALUES (y, dept, d, 'failed', state, msg);
            failed := failed + 1;
            RAISE WARNING 'inspection draw of department % for % failed: %', dept, y, msg
                USING ERRCODE = state,
                      HINT = 'See ptx.inspection_run; after fixing the cause, CALL ptx.run_annual_inspections(' || y || ') again.';
        END IF;
        COMMIT;
    END LOOP;
    RAISE NOTICE 'inspection draws for %: % drawn, % already done, % failed', y, drawn, existing, failed;
END
$$;
COMMENT ON PROCEDURE ptx.run_annual_inspections(int) IS
    'make the inspection draws of a year (default: the previous one) for every department lacking one; failures are logged in ptx.inspection_run and the run goes on';

INSERT INTO ptx.scheduled_job (name, schedule, command, description) VALUES
  ('ptx:annual-inspection', '0 2 2 1 *', 'CALL ptx.run_annual_inspections()',
   'each 2 January: the agency inspection draws (代理机构双随机抽查) of the previous year for every supervisory department lacking one');

GRANT SELECT ON ptx.inspection_run TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.inspection_departments(int) TO ptx_admin, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON PROCEDURE ptx.run_annual_inspections(int) TO ptx_admin;

-- ==== src/sql/80_disclosure.sql
-- Disclosure (信息公开, R8): schema ptx_public holds the views the public
-- may read, with personal data masked.  ptx_public (the role) has no
-- USAGE on schema ptx: it reads these views and nothing else.
--
-- How a ptx_public view is built (every module follows this; the
-- disclosure regression test checks every view in the schema):
-- - WITH (security_barrier = true), so that a reader's own functions in a
--   WHERE clause never see the rows the view leaves out;
-- - the view reads ptx tables with its owner's rights, but functions it
--   calls run with the reader's: call only pure functions (ptx.mask_*,
--   ptx.now()) and write table reads, even a predicate some ptx function
--   already holds, into the view's own query;
-- - personal data only through ptx.mask_name / ptx.mask_phone; identity
--   numbers, seeds, sealed lists and bids before opening never;
-- - SELECT granted to the five group roles, nothing to PUBLIC.
-- Modules add their public views in 8x files after this one.

------------------------------------------------------------------------
-- Masking (脱敏).
------------------------------------------------------------------------
CREATE FUNCTION ptx.mask_name(name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN pg_catalog.char_length(pg_catalog.btrim(name)) <= 1
                THEN pg_catalog.repeat('*', pg_catalog.char_length(pg_catalog.btrim(name)))
                ELSE pg_catalog.left(pg_catalog.btrim(name), 1)
                     || pg_catalog.repeat('*', pg_catalog.char_length(pg_catalog.btrim(name)) - 1) END;
COMMENT ON FUNCTION ptx.mask_name(text) IS
    'a person''s name with all but the first character masked: 张三 → 张*, 欧阳娜娜 → 欧***';

CREATE FUNCTION ptx.mask_phone(phone text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT COALESCE(pg_catalog.string_agg(
                   CASE WHEN d.is_digit
                         AND d.k > CASE WHEN d.nd >= 11 THEN 3 ELSE 0 END
                         AND d.k <= d.nd - CASE WHEN d.nd >= 8 THEN 4 ELSE 0 END
                        THEN '*' ELSE d.c END, '' ORDER BY d.i), '')
          FROM (SELECT t.c, t.i, t.is_digit,
                       pg_catalog.count(*) FILTER (WHERE t.is_digit) OVER (ORDER BY t.i) AS k,
                       pg_catalog.count(*) FILTER (WHERE t.is_digit) OVER () AS nd
                  FROM (SELECT s.c, s.i, s.c ~ '^[0-9０-９]$' AS is_digit
                          FROM pg_catalog.regexp_split_to_table(phone, '') WITH ORDINALITY s(c, i)) t) d;
    END;
COMMENT ON FUNCTION ptx.mask_phone(text) IS
    'a phone number with its middle digits masked: 13812345678 → 138****5678; under 11 digits only the last 4 show, under 8 none';

GRANT EXECUTE ON FUNCTION ptx.mask_name(text), ptx.mask_phone(text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor, ptx_public;
-- Public views compare dates with the business clock.  ptx_public can
-- still not call it by name: it has no USAGE on schema ptx.
GRANT EXECUTE ON FUNCTION ptx.now() TO ptx_public;

------------------------------------------------------------------------
-- The credit list (失信名单, R7): records restricting today.  Companies
-- are named with their unified social credit code, experts by their
-- masked name only.  The predicate is ptx.credit_in_force, written out.
------------------------------------------------------------------------
CREATE VIEW ptx_public.credit_list WITH (security_barrier = true) AS
SELECT r.id AS record_id,
       r.subject_kind,
       CASE r.subject_kind WHEN 'org' THEN r.subject_name
                           ELSE ptx.mask_name(r.subject_name) END AS subject_name,
       o.uscc,
       o.region,
       r.kind,
       k.name_zh AS kind_name,
       r.reason,
       r.source,
       r.valid_from,
       r.valid_to
  FROM ptx.credit_record r
  JOIN ptx.credit_kind k ON k.code = r.kind
  LEFT JOIN ptx.org o ON r.subject_kind = 'org' AND o.id = r.subject_id
 WHERE r.valid_from <= ptx.now()::date
   AND (r.valid_to IS NULL OR r.valid_to >= ptx.now()::date)
   AND NOT EXISTS (SELECT 1 FROM ptx.credit_revocation v
                    WHERE v.record_id = r.id AND v.effective_on <= ptx.now()::date);
COMMENT ON VIEW ptx_public.credit_list IS
    'credit records restricting today (失信名单): organisations with their credit code, experts with masked names';

------------------------------------------------------------------------
-- Policy documents (制度文件目录, R10): every registered document with
-- its status today, and the list of the valid ones.
------------------------------------------------------------------------
CREATE VIEW ptx_public.policy_documents WITH (security_barrier = true) AS
SELECT d.number,
       d.title,
       d.issuer,
       d.region,
       g.name AS region_name,
       d.issued_on,
       d.effective_on,
       p.number AS revises_number,
       CASE WHEN c.effective_on <= ptx.now()::date THEN c.status
            WHEN d.effective_on > ptx.now()::date THEN 'pending'
            ELSE 'valid' END AS status,
       c.status AS change,
       c.effective_on AS change_effective_on,
       c.reason AS change_reason,
       b.number AS changed_by_number
  FROM ptx.policy_document d
  JOIN ptx.region g ON g.code = d.region
  LEFT JOIN ptx.policy_document p ON p.id = d.revises
  LEFT JOIN ptx.policy_document_change c ON c.document_id = d.id
  LEFT JOIN ptx.policy_document b ON b.id = c.by_document_id
 WHERE d.issued_on <= ptx.now()::date;
COMMENT ON VIEW ptx_public.policy_documents IS
    'policy documents issued by today with their status (valid, revised, repealed, pending) and their change, dated even when still ahead';

CREATE VIEW ptx_public.valid_policy_documents WITH (security_barrier = true) AS
SELECT d.number, d.title, d.issuer, d.region, d.region_name, d.issued_on, d.effective_on,
       d.revises_number
  FROM ptx_public.policy_documents d
 WHERE d.status = 'valid';
COMMENT ON VIEW ptx_public.valid_policy_documents IS
    'the list of valid policy documents (有效制度文件目录清单) published under notice §10';

GRANT SELECT ON ptx_public.credit_list, ptx_public.policy_documents, ptx_public.valid_policy_documents
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor, ptx_public;

-- ==== src/sql/85_red_flags.sql
-- Association analysis (关联对比分析, R9, notice §12): red flags over the
-- trading data, each with the evidence that raised it.
--
-- A red flag (预警) is a fact found by ptx.scan_red_flags
-- (85_red_flags_scan.sql): its kind, what it is about (subject), the rows
-- and values that raised it (evidence) and the day of the event.  Flags
-- are never changed or deleted; a supervisor who finds a flag unfounded
-- records a dismissal (排除), itself a new record with a reason.  A flag is
-- found once: the pair (kind, subject) is unique, so a scan run again over
-- the same days adds nothing, and a dismissed flag does not come back.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('red_flag.close_bid_ratio', 0.005, 'ratio',
   '招标投标法实施条例 §40 (投标报价呈规律性差异); 国际通行的围标串标预警',
   'the winning bid is flagged when the runner-up''s price differs from it by at most this share of the winning price'),
  ('red_flag.repeat_wins', 3, 'wins',
   '内政办发〔2018〕67号 §12 (关联对比分析)',
   'a supplier winning this many trades from one tenderee within red_flag.repeat_window_months is flagged'),
  ('red_flag.expert_winner_count', 3, 'committees',
   '内政办发〔2018〕67号 §12; 招标投标法实施条例 §49',
   'an expert sitting on this many committees of projects won by one bidder within red_flag.repeat_window_months is flagged'),
  ('red_flag.repeat_window_months', 12, 'months',
   '内政办发〔2018〕67号 §12',
   'the window in which repeated wins and repeated expert-winner pairs are counted, ending on the day of the last one'),
  ('red_flag.threshold_band', 0.05, 'ratio',
   '招标投标法实施条例 §24 (化整为零); 必须招标的工程项目规定 §5',
   'a trade outside the platform is flagged when its amount lies below a catalog threshold by at most this share of the threshold'),
  ('red_flag.priority_min_flags', 1, 'flags (0 = never)',
   '内政办发〔2018〕67号 §6 (重点检查对象)',
   'an agency with at least this many open red flags on projects it ran in a year becomes a priority inspection target of the project''s department for that year');

------------------------------------------------------------------------
-- Red flags.
------------------------------------------------------------------------
CREATE TABLE ptx.red_flag (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN (
                        'shared_contact', 'same_fingerprint', 'same_document', 'identical_price',
                        'single_bid', 'close_runner_up', 'others_rejected',
                        'repeated_winner', 'expert_winner', 'below_threshold', 'split_below_threshold')),
    subject         jsonb NOT NULL CHECK (pg_catalog.jsonb_typeof(subject) = 'object'),
    project_id      bigint REFERENCES ptx.project (id),
    contract_id     bigint REFERENCES ptx.contract (id),
    org_ids         bigint[] NOT NULL DEFAULT '{}',
    expert_id       bigint REFERENCES ptx.expert (id),
    agency_id       bigint REFERENCES ptx.org (id),
    supervisor_id   bigint REFERENCES ptx.org (id),
    event_on        date NOT NULL,
    evidence        jsonb NOT NULL CHECK (pg_catalog.jsonb_typeof(evidence) = 'object'),
    detected_at     timestamptz NOT NULL DEFAULT ptx.now(),
    detected_by     text NOT NULL DEFAULT session_user,
    UNIQUE (kind, subject)
);
COMMENT ON TABLE ptx.red_flag IS 'red flags (关联对比分析预警) found over the trading data, each with its evidence; never changed';
COMMENT ON COLUMN ptx.red_flag.kind IS 'what was found; docs/reference/red-flags.md defines each kind';
COMMENT ON COLUMN ptx.red_flag.subject IS 'what the flag is about, as the ids that identify it (e.g. project, round and bidders); unique with the kind';
COMMENT ON COLUMN ptx.red_flag.org_ids IS 'the organisations concerned (bidders, winner, tenderee, supplier), sorted';
COMMENT ON COLUMN ptx.red_flag.agency_id IS 'the tendering agency (代理机构) of the project, when it had one';
COMMENT ON COLUMN ptx.red_flag.supervisor_id IS 'the supervisory department (监管部门) named by the project';
COMMENT ON COLUMN ptx.red_flag.event_on IS 'the day of the event that raised the flag: opening, end of a round, award, contract';
COMMENT ON COLUMN ptx.red_flag.evidence IS 'the rows and values that raised the flag, and the settings applied';
CREATE INDEX red_flag_project_idx ON ptx.red_flag (project_id);
CREATE INDEX red_flag_agency_idx ON ptx.red_flag (agency_id, event_on) WHERE agency_id IS NOT NULL;
CREATE INDEX red_flag_event_idx ON ptx.red_flag (event_on);
SELECT pg_catalog.pg_extension_config_dump('ptx.red_flag', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.red_flag', 'id'), '');

CREATE TRIGGER red_flag_append_only BEFORE UPDATE OR DELETE ON ptx.red_flag
    FOR EACH ROW EXECUTE FUNCTION ptx.append_only('A red flag found unfounded is dismissed with ptx.dismiss_red_flag.');
CREATE TRIGGER red_flag_no_truncate BEFORE TRUNCATE ON ptx.red_flag
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.append_only('A red flag found unfounded is dismissed with ptx.dismiss_red_flag.');

------------------------------------------------------------------------
-- Dismissals (排除): a flag examined and found unfounded.
------------------------------------------------------------------------
CREATE TABLE ptx.red_flag_dismissal (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    flag_id         bigint NOT NULL UNIQUE REFERENCES ptx.red_flag (id),
    reason          text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    dismissed_at    timestamptz NOT NULL DEFAULT ptx.now(),
    dismissed_by    text NOT NULL DEFAULT session_user
);
COMMENT ON TABLE ptx.red_flag_dismissal IS 'dismissals (排除) of red flags found unfounded, with the reason; never changed';
SELECT pg_catalog.pg_extension_config_dump('ptx.red_flag_dismissal', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.red_flag_dismissal', 'id'), '');

CREATE FUNCTION ptx.red_flag_dismissal_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d ptx.red_flag_dismissal;
BEGIN
    NEW.dismissed_at := ptx.now();
    NEW.dismissed_by := session_user;
    SELECT * INTO d FROM ptx.red_flag_dismissal x WHERE x.flag_id = NEW.flag_id;
    IF FOUND THEN
        RAISE EXCEPTION 'red flag % is already dismissed', NEW.flag_id
            USING ERRCODE = '23505',
                  DETAIL = format('It was dismissed by %s at %s: %s', d.dismissed_by, d.dismissed_at, d.reason),
                  HINT = 'A dismissal is a record and stays as it was made.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER red_flag_dismissal_before_insert BEFORE INSERT ON ptx.red_flag_dismissal
    FOR EACH ROW EXECUTE FUNCTION ptx.red_flag_dismissal_before_insert();
CREATE TRIGGER red_flag_dismissal_append_only BEFORE UPDATE OR DELETE ON ptx.red_flag_dismissal
    FOR EACH ROW EXECUTE FUNCTION ptx.append_only('A dismissal is a record and stays as it was made.');
CREATE TRIGGER red_flag_dismissal_no_truncate BEFORE TRUNCATE ON ptx.red_flag_dismissal
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.append_only('A dismissal is a record and stays as it was made.');

CREATE FUNCTION ptx.dismiss_red_flag(flag_id bigint, reason text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.red_flag f WHERE f.id = dismiss_red_flag.flag_id) THEN
        RAISE EXCEPTION 'red flag % does not exist', COALESCE(flag_id::text, 'NULL')
            USING ERRCODE = '22023';
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'dismissing red flag % needs a reason', flag_id
            USING ERRCODE = '22023',
                  HINT = 'Say what the examination found, e.g. the shared address is an office building with many tenants.';
    END IF;
    INSERT INTO ptx.red_flag_dismissal AS d (flag_id, reason)
    VALUES (dismiss_red_flag.flag_id, dismiss_red_flag.reason)
    RETURNING d.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.dismiss_red_flag(bigint, text) IS
    'dismiss (排除) a red flag found unfounded, with the reason; the dismissal is a record, whose id is returned';

CREATE VIEW ptx.red_flag_status AS
SELECT f.id, f.kind, f.subject, f.project_id, p.code AS project_code, f.contract_id, f.org_ids,
       f.expert_id, f.agency_id, f.supervisor_id, f.event_on, f.evidence, f.detected_at,
       CASE WHEN d.id IS NULL THEN 'open' ELSE 'dismissed' END AS status,
       d.reason AS dismissal_reason, d.dismissed_by, d.dismissed_at
  FROM ptx.red_flag f
  LEFT JOIN ptx.project p ON p.id = f.project_id
  LEFT JOIN ptx.red_flag_dismissal d ON d.flag_id = f.id;
COMMENT ON VIEW ptx.red_flag_status IS 'red flags with their status: open, or dismissed with the reason and who dismissed it';

GRANT SELECT ON ptx.red_flag, ptx.red_flag_dismissal, ptx.red_flag_status
    TO ptx_admin, ptx_supervisor;
GRANT INSERT ON ptx.red_flag_dismissal TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.dismiss_red_flag(bigint, text) TO ptx_admin, ptx_supervisor;

-- ==== src/sql/85_red_flags_contact.sql
-- Contact data of organisations (联系方式与法定代表人), for the red flag
-- shared_contact: bidders of one project sharing a phone, an e-mail
-- address, an address or a legal representative (招标投标法实施条例 §40).
--
-- The phone, e-mail and address of an organisation are business data
-- published in the enterprise credit register (国家企业信用信息公示系统);
-- they are kept in clear, normalised so that equal values compare equal.
-- The legal representative's name is public too; the representative's
-- resident ID number is personal data: only its keyed hash is kept (the
-- key of 62_experts_personal_data.sql), enough to find the same person
-- behind two bidders.  All columns are optional.

ALTER TABLE ptx.org
    ADD COLUMN phone text
        CONSTRAINT org_phone_normalised CHECK (phone ~ '^\+?[0-9]{7,15}$'),
    ADD COLUMN email text
        CONSTRAINT org_email_valid CHECK (email = pg_catalog.lower(email)
                                          AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    ADD COLUMN address text
        CONSTRAINT org_address_valid CHECK (pg_catalog.btrim(address) <> ''),
    ADD COLUMN legal_rep_name text
        CONSTRAINT org_legal_rep_name_valid CHECK (pg_catalog.btrim(legal_rep_name) <> ''),
    ADD COLUMN legal_rep_id_hash bytea
        CONSTRAINT org_legal_rep_id_hash_valid CHECK (pg_catalog.length(legal_rep_id_hash) = 32);
COMMENT ON COLUMN ptx.org.phone IS 'contact phone (联系电话), digits only with an optional leading +';
COMMENT ON COLUMN ptx.org.email IS 'contact e-mail address (电子邮箱), lower case';
COMMENT ON COLUMN ptx.org.address IS 'registered or business address (住所/经营场所)';
COMMENT ON COLUMN ptx.org.legal_rep_name IS 'name of the legal representative (法定代表人)';
COMMENT ON COLUMN ptx.org.legal_rep_id_hash IS 'keyed hash of the legal representative''s resident ID number; the number itself is not kept';

-- Addresses compare without case, spaces and punctuation: "包头市昆都仑区
-- 钢铁大街 1 号" and "包头市昆都仑区钢铁大街1号" are the same place.
CREATE FUNCTION ptx.normalize_address(address text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.regexp_replace(pg_catalog.lower(address),
                                     '[[:space:][:punct:]，。、；：（）【】“”‘’·—－]', '', 'g');
COMMENT ON FUNCTION ptx.normalize_address(text) IS
    'an address in lower case without spaces and punctuation, the form in which addresses are compared';

CREATE FUNCTION ptx.set_org_contact(org_id bigint, phone text DEFAULT NULL, email text DEFAULT NULL,
                                    address text DEFAULT NULL, legal_rep_name text DEFAULT NULL,
                                    legal_rep_id_number text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tel text := CASE WHEN phone IS NOT NULL THEN ptx.normalize_phone(phone) END;
    mail text := lower(btrim(email));
    num text := upper(btrim(legal_rep_id_number));
BEGIN
    IF mail IS NOT NULL AND mail !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' THEN
        RAISE EXCEPTION 'invalid e-mail address "%"', email
            USING ERRCODE = '22023',
                  HINT = 'Write it like zhaobiao@example.com.';
    END IF;
    IF num IS NOT NULL THEN
        PERFORM ptx.check_resident_id(num);
    END IF;
    UPDATE ptx.org o
       SET phone = tel,
           email = mail,
           address = NULLIF(btrim(set_org_contact.address), ''),
           legal_rep_name = NULLIF(btrim(set_org_contact.legal_rep_name), ''),
           legal_rep_id_hash = CASE WHEN num IS NOT NULL THEN ptx.personal_data_hash('id_number', num) END
     WHERE o.id = set_org_contact.org_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organisation % does not exist', COALESCE(org_id::text, 'NULL')
            USING ERRCODE = '22023';
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.set_org_contact(bigint, text, text, text, text, text) IS
    'record an organisation''s phone, e-mail, address and legal representative (name, resident ID number kept as a keyed hash); a NULL clears the item';

GRANT EXECUTE ON FUNCTION ptx.normalize_address(text) TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.set_org_contact(bigint, text, text, text, text, text) TO ptx_admin, ptx_operator;

-- ==== src/sql/85_red_flags_scan.sql
-- The checks of the association analysis (关联对比分析, R9) and the scan
-- that records what they find as red flags (85_red_flags.sql).
--
-- Each check is one set-based SQL function over the days [from_date,
-- to_date] (local dates, ptx.local_date): it returns the hits whose event
-- (the opening of the bids, the end of a round, the award, the signing of
-- a contract) falls on those days, looking back as far as its rule needs.
-- Bids are read only once opened (开标): a sealed bid tells nothing, not
-- even to the analysis.  "The bids of a round" are those opened and not
-- withdrawn.  docs/reference/red-flags.md defines every kind.

CREATE TYPE ptx.red_flag_hit AS (
    kind        text,
    subject     jsonb,
    project_id  bigint,
    contract_id bigint,
    org_ids     bigint[],
    expert_id   bigint,
    event_on    date,
    evidence    jsonb
);
COMMENT ON TYPE ptx.red_flag_hit IS 'a red flag found by a check, before it is recorded';

CREATE FUNCTION ptx.check_red_flag_period(from_date date, to_date date) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF from_date IS NULL OR to_date IS NULL OR from_date > to_date THEN
        RAISE EXCEPTION 'invalid analysis period from % to %',
                        COALESCE(from_date::text, 'NULL'), COALESCE(to_date::text, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'Give the first and the last day of the period, the first not after the last.';
    END IF;
END
$$;

------------------------------------------------------------------------
-- Bidders of one round sharing a phone, an e-mail address, an address or
-- a legal representative (招标投标法实施条例 §40).  One hit per round and
-- group of bidders, naming every item they share.
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_shared_contact(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH item AS (
            SELECT b.project_id, b.round, b.id AS bid_id, b.bidder_id,
                   ptx.local_date(b.opened_at) AS opened_on, i.field, i.value, i.shown
              FROM ptx.bid b
              JOIN ptx.org o ON o.id = b.bidder_id
             CROSS JOIN LATERAL (VALUES
                   ('phone', o.phone, o.phone),
                   ('email', o.email, o.email),
                   ('address', ptx.normalize_address(o.address), o.address),
                   ('legal_rep', pg_catalog.encode(o.legal_rep_id_hash, 'hex'), o.legal_rep_name)
                 ) i(field, value, shown)
             WHERE b.opened_at IS NOT NULL AND b.status <> 'withdrawn'
               AND ptx.local_date(b.opened_at) BETWEEN red_flags_shared_contact.from_date
                                                   AND red_flags_shared_contact.to_date
               AND i.value IS NOT NULL
        ), shared AS (
            SELECT i.project_id, i.round, i.field,
                   pg_catalog.array_agg(i.bidder_id ORDER BY i.bidder_id) AS bidders,
                   pg_catalog.array_agg(i.bid_id ORDER BY i.bid_id) AS bids,
                   pg_catalog.array_agg(DISTINCT i.shown) AS shown,
                   pg_catalog.min(i.opened_on) AS opened_on
              FROM item i
             GROUP BY i.project_id, i.round, i.field, i.value
            HAVING pg_catalog.count(*) >= 2
        )
        SELECT ROW('shared_contact',
                   pg_catalog.jsonb_build_object('project_id', s.project_id, 'round', s.round,
                                                 'bidders', pg_catalog.to_jsonb(s.bidders)),
                   s.project_id, NULL::bigint, s.bidders, NULL::bigint, pg_catalog.min(s.opened_on),
                   pg_catalog.jsonb_build_object(
                       'round', s.round,
                       'bids', pg_catalog.to_jsonb(pg_catalog.min(s.bids)),
                       'bidders', pg_catalog.to_jsonb(s.bidders),
                       'shared', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                     'field', s.field, 'value', pg_catalog.to_jsonb(s.shown))
                                 ORDER BY s.field)))::ptx.red_flag_hit
          FROM shared s
         GROUP BY s.project_id, s.round, s.bidders;
    END;
COMMENT ON FUNCTION ptx.red_flags_shared_contact(date, date) IS
    'red flags shared_contact: bidders of one round sharing a phone, e-mail, address or legal representative';

------------------------------------------------------------------------
-- Bids of one round with the same value (招标投标法实施条例 §40):
--   same_fingerprint  the same machine fingerprint (由同一单位或者个人编制)
--   same_document     the same digest of the documents (投标文件异常一致)
--   identical_price   the same price
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_same_bid_value(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH item AS (
            SELECT b.project_id, b.round, b.id AS bid_id, b.bidder_id,
                   ptx.local_date(b.opened_at) AS opened_on, v.kind, v.value
              FROM ptx.bid b
             CROSS JOIN LATERAL (VALUES
                   ('same_fingerprint', b.fingerprint),
                   ('same_document', pg_catalog.encode(b.doc_digest, 'hex')),
                   ('identical_price', b.price::text)
                 ) v(kind, value)
             WHERE b.opened_at IS NOT NULL AND b.status <> 'withdrawn'
               AND ptx.local_date(b.opened_at) BETWEEN red_flags_same_bid_value.from_date
                                                   AND red_flags_same_bid_value.to_date
               AND v.value IS NOT NULL
        )
        SELECT ROW(i.kind,
                   pg_catalog.jsonb_build_object('project_id', i.project_id, 'round', i.round,
                                                 'bidders', pg_catalog.to_jsonb(pg_catalog.array_agg(i.bidder_id ORDER BY i.bidder_id))),
                   i.project_id, NULL::bigint,
                   pg_catalog.array_agg(i.bidder_id ORDER BY i.bidder_id), NULL::bigint,
                   pg_catalog.min(i.opened_on),
                   pg_catalog.jsonb_build_object(
                       'round', i.round,
                       CASE i.kind WHEN 'same_fingerprint' THEN 'fingerprint'
                                   WHEN 'same_document' THEN 'doc_digest' ELSE 'price' END,
                       CASE WHEN i.kind = 'identical_price' THEN pg_catalog.to_jsonb(i.value::numeric)
                            ELSE pg_catalog.to_jsonb(i.value) END,
                       'bids', pg_catalog.to_jsonb(pg_catalog.array_agg(i.bid_id ORDER BY i.bid_id)),
                       'bidders', pg_catalog.to_jsonb(pg_catalog.array_agg(i.bidder_id ORDER BY i.bidder_id))))::ptx.red_flag_hit
          FROM item i
         GROUP BY i.kind, i.project_id, i.round, i.value
        HAVING pg_catalog.count(*) >= 2;
    END;
COMMENT ON FUNCTION ptx.red_flags_same_bid_value(date, date) IS
    'red flags same_fingerprint, same_document and identical_price: bids of one round with the same machine fingerprint, document digest or price';

------------------------------------------------------------------------
-- single_bid: a round that ended (opened, or failed) with one bid.  In a
-- failed round the bids are returned sealed and a bid withdrawn earlier
-- is returned with them: such a round counts every bid returned.
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_single_bid(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH round_end AS (
            SELECT DISTINCT ON (t.project_id, t.round) t.project_id, t.round, t.to_state, t.at
              FROM ptx.transition t
             WHERE t.to_state IN ('opened', 'failed')
             ORDER BY t.project_id, t.round, t.id
        ), round_bids AS (
            SELECT b.project_id, b.round, pg_catalog.count(*) AS n,
                   pg_catalog.min(b.id) AS bid_id, pg_catalog.min(b.bidder_id) AS bidder_id
              FROM ptx.bid b
             WHERE b.status <> 'withdrawn'
             GROUP BY b.project_id, b.round
        )
        SELECT ROW('single_bid',
                   pg_catalog.jsonb_build_object('project_id', e.project_id, 'round', e.round),
                   e.project_id, NULL::bigint, ARRAY[r.bidder_id], NULL::bigint,
                   ptx.local_date(e.at),
                   pg_catalog.jsonb_build_object('round', e.round, 'outcome', e.to_state,
                                                 'ended_at', e.at, 'bids', 1,
                                                 'bid', r.bid_id, 'bidder', r.bidder_id))::ptx.red_flag_hit
          FROM round_end e
          JOIN round_bids r ON r.project_id = e.project_id AND r.round = e.round
         WHERE r.n = 1
           AND ptx.local_date(e.at) BETWEEN red_flags_single_bid.from_date AND red_flags_single_bid.to_date;
    END;
COMMENT ON FUNCTION ptx.red_flags_single_bid(date, date) IS
    'red flags single_bid: a round that ended (opened or failed) with a single bid';

------------------------------------------------------------------------
-- At the award (中标通知书), over the bids of the winning round:
--   close_runner_up  the runner-up (the best-ranked candidate other than
--                    the winner) bid within red_flag.close_bid_ratio of
--                    the winning price: |runner-up − winner| ≤ ratio × winner
--   others_rejected  every bid but the winner's was rejected (否决)
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_award(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH award AS (
            SELECT p.id AS project_id, p.round, p.winner_id, ptx.local_date(p.awarded_at) AS awarded_on,
                   w.id AS bid_id, w.price
              FROM ptx.project p
              JOIN ptx.bid w ON w.project_id = p.id AND w.round = p.round AND w.bidder_id = p.winner_id
             WHERE p.winner_id IS NOT NULL AND p.awarded_at IS NOT NULL
               AND ptx.local_date(p.awarded_at) BETWEEN red_flags_award.from_date AND red_flags_award.to_date
        ), runner_up AS (
            SELECT DISTINCT ON (a.project_id) a.*, c.rank, c.bidder_id AS runner_up_id,
                   r.id AS runner_up_bid, r.price AS runner_up_price,
                   pg_catalog.abs(r.price - a.price) AS gap,
                   ptx.setting('red_flag.close_bid_ratio') AS ratio
              FROM award a
              JOIN ptx.candidate c ON c.project_id = a.project_id AND c.round = a.round
                                  AND c.bidder_id <> a.winner_id
              JOIN ptx.bid r ON r.id = c.bid_id
             ORDER BY a.project_id, c.rank
        ), others AS (
            SELECT a.project_id, pg_catalog.count(*) AS n,
                   pg_catalog.count(*) FILTER (WHERE o.status = 'rejected') AS rejected,
                   pg_catalog.array_agg(o.bidder_id ORDER BY o.bidder_id) AS bidders,
                   pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('bid', o.id, 'bidder', o.bidder_id,
                                                                      'price', o.price, 'reason', o.status_note)
                                        ORDER BY o.id) AS bids
              FROM award a
              JOIN ptx.bid o ON o.project_id = a.project_id AND o.round = a.round
                            AND o.id <> a.bid_id AND o.opened_at IS NOT NULL AND o.status <> 'withdrawn'
             GROUP BY a.project_id
        )
        SELECT ROW('close_runner_up',
                   pg_catalog.jsonb_build_object('project_id', u.project_id, 'round', u.round),
                   u.project_id, NULL::bigint,
                   ARRAY[LEAST(u.winner_id, u.runner_up_id), GREATEST(u.winner_id, u.runner_up_id)],
                   NULL::bigint, u.awarded_on,
                   pg_catalog.jsonb_build_object(
                       'round', u.round,
                       'winner', pg_catalog.jsonb_build_object('bidder', u.winner_id, 'bid', u.bid_id, 'price', u.price),
                       'runner_up', pg_catalog.jsonb_build_object('bidder', u.runner_up_id, 'bid', u.runner_up_bid,
                                                                  'price', u.runner_up_price, 'rank', u.rank),
                       'gap', u.gap,
                       'gap_ratio', CASE WHEN u.price > 0 THEN pg_catalog.round(u.gap / u.price, 6) END,
                       'red_flag.close_bid_ratio', u.ratio))::ptx.red_flag_hit
          FROM runner_up u
         WHERE u.gap <= u.ratio * u.price
        UNION ALL
        SELECT ROW('others_rejected',
                   pg_catalog.jsonb_build_object('project_id', a.project_id, 'round', a.round),
                   a.project_id, NULL::bigint,
                   ARRAY(SELECT x FROM pg_catalog.unnest(o.bidders || a.winner_id) x ORDER BY x),
                   NULL::bigint, a.awarded_on,
                   pg_catalog.jsonb_build_object(
                       'round', a.round,
                       'winner', pg_catalog.jsonb_build_object('bidder', a.winner_id, 'bid', a.bid_id, 'price', a.price),
                       'rejected', o.bids))::ptx.red_flag_hit
          FROM award a
          JOIN others o ON o.project_id = a.project_id
         WHERE o.rejected = o.n;
    END;
COMMENT ON FUNCTION ptx.red_flags_award(date, date) IS
    'red flags close_runner_up and others_rejected, at the award: runner-up within red_flag.close_bid_ratio of the winning price; every other bid rejected';

------------------------------------------------------------------------
-- repeated_winner: a supplier's trade with one tenderee that makes
-- red_flag.repeat_wins within red_flag.repeat_window_months (the window
-- ends on the day of that trade and holds the days after the same day
-- that many months earlier).  Trades are awards on the platform and
-- contracts outside it.  The trade at which the count reaches the number
-- is flagged; the count starts again once older trades leave the window.
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_repeated_winner(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH trade AS (
            SELECT 'project'::text AS source, p.id, p.tenderee_id, p.winner_id AS supplier_id,
                   ptx.local_date(p.awarded_at) AS day
              FROM ptx.project p
             WHERE p.winner_id IS NOT NULL AND p.awarded_at IS NOT NULL
            UNION ALL
            SELECT 'contract', c.id, c.tenderee_id, c.supplier_id, c.signed_on
              FROM ptx.contract c
             WHERE c.project_id IS NULL
        ), counted AS (
            SELECT t.*, w.n, w.trades, a.window_after
              FROM trade t
             CROSS JOIN LATERAL (
                   SELECT (t.day - pg_catalog.make_interval(months => ptx.setting('red_flag.repeat_window_months')::int))::date
                              AS window_after) a
             CROSS JOIN LATERAL (
                   SELECT pg_catalog.count(*) AS n,
                          pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('source', t2.source, 'id', t2.id, 'day', t2.day)
                                               ORDER BY t2.day, t2.source, t2.id) AS trades
                     FROM trade t2
                    WHERE t2.tenderee_id = t.tenderee_id AND t2.supplier_id = t.supplier_id
                      AND t2.day > a.window_after
                      AND (t2.day, t2.source, t2.id) <= (t.day, t.source, t.id)) w
             WHERE t.day BETWEEN red_flags_repeated_winner.from_date AND red_flags_repeated_winner.to_date
        )
        SELECT ROW('repeated_winner',
                   pg_catalog.jsonb_build_object('tenderee_id', c.tenderee_id, 'supplier_id', c.supplier_id,
                                                 c.source || '_id', c.id),
                   CASE WHEN c.source = 'project' THEN c.id END,
                   CASE WHEN c.source = 'contract' THEN c.id END,
                   ARRAY[LEAST(c.tenderee_id, c.supplier_id), GREATEST(c.tenderee_id, c.supplier_id)],
                   NULL::bigint, c.day,
                   pg_catalog.jsonb_build_object(
                       'tenderee', c.tenderee_id, 'supplier', c.supplier_id,
                       'wins', c.n, 'window', pg_catalog.jsonb_build_object('after', c.window_after, 'until', c.day),
                       'trades', c.trades,
                       'red_flag.repeat_wins', ptx.setting('red_flag.repeat_wins'),
                       'red_flag.repeat_window_months', ptx.setting('red_flag.repeat_window_months')))::ptx.red_flag_hit
          FROM counted c
         WHERE c.n = ptx.setting('red_flag.repeat_wins');
    END;
COMMENT ON FUNCTION ptx.red_flags_repeated_winner(date, date) IS
    'red flags repeated_winner: the trade at which a supplier reaches red_flag.repeat_wins wins from one tenderee within red_flag.repeat_window_months';

------------------------------------------------------------------------
-- expert_winner: the award at which one expert has sat on the committees
-- of red_flag.expert_winner_count projects won by one bidder within
-- red_flag.repeat_window_months (counted as repeated_winner counts).
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_expert_winner(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH seat AS (
            SELECT DISTINCT m.expert_id, p.id AS project_id, p.winner_id, ptx.local_date(p.awarded_at) AS day
              FROM ptx.committee_member m
              JOIN ptx.project p ON p.id = m.project_id
             WHERE m.expert_id IS NOT NULL AND p.winner_id IS NOT NULL AND p.awarded_at IS NOT NULL
        ), counted AS (
            SELECT s.*, w.n, w.projects, a.window_after
              FROM seat s
             CROSS JOIN LATERAL (
                   SELECT (s.day - pg_catalog.make_interval(months => ptx.setting('red_flag.repeat_window_months')::int))::date
                              AS window_after) a
             CROSS JOIN LATERAL (
                   SELECT pg_catalog.count(*) AS n,
                          pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('project', s2.project_id, 'awarded_on', s2.day)
                                               ORDER BY s2.day, s2.project_id) AS projects
                     FROM seat s2
                    WHERE s2.expert_id = s.expert_id AND s2.winner_id = s.winner_id
                      AND s2.day > a.window_after
                      AND (s2.day, s2.project_id) <= (s.day, s.project_id)) w
             WHERE s.day BETWEEN red_flags_expert_winner.from_date AND red_flags_expert_winner.to_date
        )
        SELECT ROW('expert_winner',
                   pg_catalog.jsonb_build_object('expert_id', c.expert_id, 'winner_id', c.winner_id,
                                                 'project_id', c.project_id),
                   c.project_id, NULL::bigint, ARRAY[c.winner_id], c.expert_id, c.day,
                   pg_catalog.jsonb_build_object(
                       'expert', c.expert_id, 'winner', c.winner_id, 'committees', c.n,
                       'window', pg_catalog.jsonb_build_object('after', c.window_after, 'until', c.day),
                       'projects', c.projects,
                       'red_flag.expert_winner_count', ptx.setting('red_flag.expert_winner_count'),
                       'red_flag.repeat_window_months', ptx.setting('red_flag.repeat_window_months')))::ptx.red_flag_hit
          FROM counted c
         WHERE c.n = ptx.setting('red_flag.expert_winner_count');
    END;
COMMENT ON FUNCTION ptx.red_flags_expert_winner(date, date) IS
    'red flags expert_winner: the award at which an expert reaches red_flag.expert_winner_count committees of projects won by one bidder within red_flag.repeat_window_months';

------------------------------------------------------------------------
-- Thresholds of the catalog (限额标准, R1):
--   below_threshold        a contract outside the platform at most
--                          red_flag.threshold_band below the threshold of
--                          a catalog entry in force for it:
--                          (1 − band) × threshold ≤ amount < threshold
--   split_below_threshold  a group of ptx.split_suspects (化整为零), on the
--                          day of its latest trade
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_threshold(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT ROW('below_threshold',
                   pg_catalog.jsonb_build_object('contract_id', c.id),
                   NULL::bigint, c.id,
                   ARRAY[LEAST(c.tenderee_id, c.supplier_id), GREATEST(c.tenderee_id, c.supplier_id)],
                   NULL::bigint, c.signed_on,
                   pg_catalog.jsonb_build_object(
                       'tenderee', c.tenderee_id, 'supplier', c.supplier_id,
                       'amount', c.amount, 'signed_on', c.signed_on,
                       'thresholds', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                         'catalog', e.code, 'version', e.version, 'threshold', e.min_amount,
                                         'gap', e.min_amount - c.amount)
                                     ORDER BY e.min_amount, e.code),
                       'red_flag.threshold_band', ptx.setting('red_flag.threshold_band')))::ptx.red_flag_hit
          FROM ptx.contract c
         CROSS JOIN LATERAL ptx.catalog_in_force(c.category, c.region, c.funding, c.signed_on, c.kind) e
         WHERE c.project_id IS NULL
           AND c.signed_on BETWEEN red_flags_threshold.from_date AND red_flags_threshold.to_date
           AND e.min_amount IS NOT NULL
           AND c.amount < e.min_amount
           AND c.amount >= (1 - ptx.setting('red_flag.threshold_band')) * e.min_amount
         GROUP BY c.id
        UNION ALL
        SELECT ROW('split_below_threshold',
                   pg_catalog.jsonb_build_object('tenderee_id', s.tenderee_id, 'category', s.category,
                                                 'year', s.year, 'catalog', s.catalog_code),
                   NULL::bigint, NULL::bigint, ARRAY[s.tenderee_id], NULL::bigint, d.last_day,
                   pg_catalog.jsonb_build_object(
                       'tenderee', s.tenderee_id, 'category', s.category, 'year', s.year,
                       'catalog', s.catalog_code, 'catalog_region', s.catalog_region,
                       'threshold', s.threshold, 'trades', s.trades, 'total', s.total,
                       'projects', pg_catalog.to_jsonb(s.project_ids),
                       'contracts', pg_catalog.to_jsonb(s.contract_ids)))::ptx.red_flag_hit
          FROM pg_catalog.generate_series(pg_catalog.date_part('year', red_flags_threshold.from_date)::int,
                                          pg_catalog.date_part('year', red_flags_threshold.to_date)::int) y
         CROSS JOIN LATERAL ptx.split_suspects(y) s
         CROSS JOIN LATERAL (
               SELECT GREATEST((SELECT pg_catalog.max(ptx.local_date(p.registered_at))
                                  FROM ptx.project p WHERE p.id = ANY (s.project_ids)),
                               (SELECT pg_catalog.max(c.signed_on)
                                  FROM ptx.contract c WHERE c.id = ANY (s.contract_ids))) AS last_day) d
         WHERE d.last_day BETWEEN red_flags_threshold.from_date AND red_flags_threshold.to_date;
    END;
COMMENT ON FUNCTION ptx.red_flags_threshold(date, date) IS
    'red flags below_threshold (a contract outside the platform just below a catalog threshold) and split_below_threshold (化整为零)';

------------------------------------------------------------------------
-- Every check, in one set.
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flag_hits(from_date date, to_date date) RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT * FROM ptx.red_flags_shared_contact(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_same_bid_value(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_single_bid(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_award(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_repeated_winner(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_expert_winner(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_threshold(red_flag_hits.from_date, red_flag_hits.to_date);
    END;
COMMENT ON FUNCTION ptx.red_flag_hits(date, date) IS
    'what every check finds for the days from from_date to to_date, recorded or not';

------------------------------------------------------------------------
-- The scan: records the new hits, then puts the agencies with open flags
-- on the inspection lists (重点检查对象, R6) of the projects' departments.
------------------------------------------------------------------------
CREATE FUNCTION ptx.scan_red_flags(from_date date, to_date date) RETURNS integer
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    found integer;
    min_flags numeric := ptx.setting('red_flag.priority_min_flags');
BEGIN
    PERFORM ptx.check_red_flag_period(from_date, to_date);
    -- one scan at a time: two scans would find the same hits
    LOCK TABLE ptx.red_flag IN SHARE ROW EXCLUSIVE MODE;

    WITH hit AS (
        SELECT h.* FROM ptx.red_flag_hits(scan_red_flags.from_date, scan_red_flags.to_date) h
    ), recorded AS (
        INSERT INTO ptx.red_flag (kind, subject, project_id, contract_id, org_ids, expert_id,
                                  agency_id, supervisor_id, event_on, evidence)
        SELECT h.kind, h.subject, h.project_id, h.contract_id, h.org_ids, h.expert_id,
               p.agency_id, p.supervisor_id, h.event_on, h.evidence
          FROM hit h
          LEFT JOIN ptx.project p ON p.id = h.project_id
         ORDER BY h.event_on, h.kind, h.subject
        ON CONFLICT (kind, subject) DO NOTHING
        RETURNING 1
    )
    SELECT count(*) INTO found FROM recorded;

    -- Agencies with open flags: priority targets of the year in which the
    -- flagged project entered (the year whose agency business is
    -- inspected), unless already listed or the year's draw was requested.
    IF min_flags > 0 THEN
        PERFORM ptx.add_inspection_priority(a.year, a.supervisor_id, a.agency_id, 'red_flag', a.reason)
           FROM (SELECT ptx.business_year(p.registered_at, ptx.agency_business_offset()) AS year,
                        f.supervisor_id, f.agency_id,
                        format('%s open red flags (%s) on projects %s', count(*),
                               string_agg(DISTINCT f.kind, ', ' ORDER BY f.kind),
                               string_agg(DISTINCT p.code, ', ' ORDER BY p.code)) AS reason
                   FROM ptx.red_flag f
                   JOIN ptx.project p ON p.id = f.project_id
                  WHERE f.agency_id IS NOT NULL AND f.supervisor_id IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM ptx.red_flag_dismissal d WHERE d.flag_id = f.id)
                  GROUP BY 1, f.supervisor_id, f.agency_id
                 HAVING count(*) >= min_flags) a
          WHERE ptx.has_role(a.agency_id, 'agency')
            AND NOT EXISTS (SELECT 1 FROM ptx.inspection_priority q
                             WHERE q.year = a.year AND q.supervisor_id = a.supervisor_id
                               AND q.agency_id = a.agency_id)
            AND NOT EXISTS (SELECT 1 FROM ptx.inspection_draw d
                             WHERE d.year = a.year AND d.supervisor_id = a.supervisor_id)
          ORDER BY a.year, a.supervisor_id, a.agency_id;
    END IF;
    RETURN found;
END
$$;
COMMENT ON FUNCTION ptx.scan_red_flags(date, date) IS
    'run every red-flag check over the days from from_date to to_date, record the new flags (returns how many) and put agencies with open flags on the inspection priority lists';

INSERT INTO ptx.scheduled_job (name, schedule, command, description) VALUES
  ('ptx:red-flags', '40 1 * * *', 'SELECT ptx.scan_red_flags(ptx.today() - 7, ptx.today())',
   'each night: the red-flag checks (关联对比分析) over the last seven days; a flag already found is not found again');

GRANT EXECUTE ON FUNCTION ptx.red_flags_shared_contact(date, date),
    ptx.red_flags_same_bid_value(date, date), ptx.red_flags_single_bid(date, date),
    ptx.red_flags_award(date, date), ptx.red_flags_repeated_winner(date, date),
    ptx.red_flags_expert_winner(date, date), ptx.red_flags_threshold(date, date),
    ptx.red_flag_hits(date, date), ptx.check_red_flag_period(date, date)
    TO ptx_admin, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.scan_red_flags(date, date) TO ptx_admin, ptx_supervisor;

-- ==== src/sql/90_ledger_track.sql
-- Every table of schema ptx is tracked by the ledger (R3), whichever module
-- created it: the capture trigger is attached by a catalog query, after all
-- modules' tables exist.  Tables added by a later upgrade script must be
-- attached the same way in that script.
--
-- The trigger is AFTER ROW, so that rows refused by the modules' BEFORE
-- triggers and constraints never reach the ledger.  Rows that the install
-- script itself inserted (built-in categories, policy defaults) are logged
-- by the first ptx.seal() as a baseline SNAPSHOT, not here: an entry written
-- during CREATE EXTENSION would be written again when a dump is restored.
--
-- Three tables are not captured row by row, because what matters in them is
-- recorded otherwise, and verified:
--   ptx.draw_pool       the pools of an executed draw: the event
--                       draw_executed records each pool's number, label,
--                       wanted, size, the hash of its sorted ids and the hash
--                       of its groups; ptx.verify_draw checks the stored
--                       pools against that event (docs/reference/draws.md).
--   ptx.draw_pick       the picks of an executed draw: a function of the
--                       seed (in the captured request) and the pools, and
--                       the event records their number and hash;
--                       ptx.verify_draw checks both and replays the draw.
--   ptx.agency_business derived from ptx.project (captured) by triggers;
--                       ptx.rebuild_agency_business() recomputes it and
--                       ptx.verify_agency_business() compares it with the
--                       projects (docs/reference/inspection.md).
-- An inspection draw stores 10 000 ids and 7 500 picks; row by row they
-- would be as many ledger entries, each with its image and hash.

DO $track$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.oid, c.relname
          FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'ptx'::pg_catalog.regnamespace
           AND c.relkind IN ('r', 'p')
           AND NOT c.relispartition
           AND c.relname NOT IN ('ledger_entry', 'ledger_block',
                                 'draw_pool', 'draw_pick', 'agency_business')
         ORDER BY c.relname
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                        WHERE i.indrelid = r.oid AND i.indisprimary) THEN
            RAISE EXCEPTION 'table ptx.% has no primary key', r.relname
                USING ERRCODE = '55000',
                      HINT = 'Every ptx table needs a primary key so that the ledger can identify its rows.';
        END IF;
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER ptx_ledger AFTER INSERT OR UPDATE OR DELETE ON ptx.%I'
            ' FOR EACH ROW EXECUTE FUNCTION ptx.ledger_capture()', r.relname);
    END LOOP;
END
$track$;

-- ==== src/sql/99_finish.sql
-- Final step of the install script: nothing is granted to PUBLIC, auditors
-- read everything.  Modules grant what each other role needs in their own
-- files; this file only closes what PostgreSQL opens by default.

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ptx FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA ptx FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ptx_public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA ptx FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA ptx_public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ptx FROM PUBLIC;

-- 纪检监察与审计: read everything, change nothing.
GRANT SELECT ON ALL TABLES IN SCHEMA ptx TO ptx_auditor;
GRANT SELECT ON ALL TABLES IN SCHEMA ptx_public TO ptx_auditor;
