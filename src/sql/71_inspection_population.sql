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
        PERFORM ptx.raise('inspection.invalid_year', COALESCE(year::text, 'NULL'));
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
        PERFORM ptx.raise('inspection.invalid_ratio_setting', key, national::text,
                          ptx.setting('inspection.default_ratio')::text);
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
        PERFORM ptx.raise('inspection.ratio_above_one', requested::text);
    END IF;
    IF requested < minimum THEN
        PERFORM ptx.raise(CASE basis WHEN 'national' THEN 'inspection.ratio_below_national'
                                     ELSE 'inspection.ratio_below_default' END,
                          requested::text, minimum::text,
                          pg_catalog.round(minimum * 100, 2)::text,
                          pg_catalog.round(requested * 100, 2)::text);
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
