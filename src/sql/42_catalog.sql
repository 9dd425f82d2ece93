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
        PERFORM ptx.raise('catalog.ends_before_begins_new', COALESCE(NEW.code, '<NULL>'),
                          NEW.valid_from::text, NEW.valid_to::text);
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
    PERFORM ptx.raise('catalog.record', TG_OP);
    RETURN NULL;
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
    SECURITY DEFINER
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
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c ptx.catalog;
BEGIN
    SELECT * INTO c FROM ptx.catalog e
     WHERE e.code = end_catalog_entry.code
     ORDER BY e.version DESC LIMIT 1;
    IF NOT FOUND THEN
        PERFORM ptx.raise('catalog.entry_missing', COALESCE(code, '<NULL>'));
    END IF;
    IF last_day < c.valid_from THEN
        PERFORM ptx.raise('catalog.ends_before_begins', code, c.version::text, c.valid_from::text,
                          last_day::text);
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
           AND ptx.check_trade_terms(catalog_in_force.category, catalog_in_force.region,
                                     catalog_in_force.funding, catalog_in_force.kind)
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
    supervisors text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        terms_changed := (NEW.code, NEW.category, NEW.region, NEW.tenderee_id, NEW.amount,
                          NEW.funding, NEW.kind, NEW.method, NEW.catalog_id, NEW.voluntary)
                         IS DISTINCT FROM
                         (OLD.code, OLD.category, OLD.region, OLD.tenderee_id, OLD.amount,
                          OLD.funding, OLD.kind, OLD.method, OLD.catalog_id, OLD.voluntary);
        IF terms_changed AND OLD.state <> 'registered' THEN
            PERFORM ptx.raise('catalog.terms_fixed', OLD.code, OLD.state::text);
        END IF;
    END IF;

    -- R2: a named supervisory department with jurisdiction.
    IF NEW.supervisor_id IS NULL THEN
        PERFORM ptx.raise('catalog.no_supervisor', COALESCE(NEW.code, '<NULL>'));
    END IF;
    IF TG_OP = 'INSERT' OR NEW.supervisor_id IS DISTINCT FROM OLD.supervisor_id
       OR NEW.category IS DISTINCT FROM OLD.category OR NEW.region IS DISTINCT FROM OLD.region THEN
        IF NOT ptx.has_role(NEW.supervisor_id, 'supervisor')
           OR NOT ptx.has_jurisdiction(NEW.supervisor_id, NEW.category, NEW.region) THEN
            supervisors := (SELECT string_agg(s::text, ', ')
                              FROM ptx.supervisors_of(NEW.category, NEW.region) s);
            PERFORM ptx.raise(CASE WHEN supervisors IS NULL THEN 'catalog.no_jurisdiction_no_department'
                                   ELSE 'catalog.no_jurisdiction' END,
                              NEW.supervisor_id::text, COALESCE(NEW.code, '<NULL>'), NEW.category,
                              NEW.region, supervisors);
        END IF;
    END IF;

    IF TG_OP = 'UPDATE' AND NOT terms_changed THEN
        RETURN NEW;
    END IF;

    IF NOT ptx.has_role(NEW.tenderee_id, 'tenderee') THEN
        PERFORM ptx.raise('catalog.not_a_tenderee', NEW.tenderee_id::text, NEW.code);
    END IF;
    IF NEW.agency_id IS NOT NULL AND NOT ptx.has_role(NEW.agency_id, 'agency') THEN
        PERFORM ptx.raise('catalog.not_an_agency', NEW.agency_id::text, NEW.code);
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
            PERFORM ptx.raise('catalog.not_covered', COALESCE(NEW.code, '<NULL>'), NEW.catalog_id::text,
                              NEW.category, NEW.region, NEW.amount::text, ptx.today()::text);
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
    PERFORM ptx.check_centre('register_project', region, pg_catalog.jsonb_build_object('code', code));
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
