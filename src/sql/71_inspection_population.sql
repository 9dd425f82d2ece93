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
-- bounds, so the population does not depend on who executes it.
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

-- The population between two instants, sorted ascending: what a draw stores.
CREATE FUNCTION ptx.inspection_population(supervisor_id bigint, period_start timestamptz,
                                          period_end timestamptz) RETURNS bigint[]
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
        SELECT COALESCE(pg_catalog.array_agg(a.agency_id ORDER BY a.agency_id), '{}')
          FROM (SELECT DISTINCT p.agency_id
                  FROM ptx.project p
                 WHERE p.supervisor_id = inspection_population.supervisor_id
                   AND p.registered_at >= inspection_population.period_start
                   AND p.registered_at < inspection_population.period_end
                   AND p.agency_id IS NOT NULL) a
          JOIN ptx.org o ON o.id = a.agency_id
         WHERE 'agency' = ANY (o.roles);
    END;
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

GRANT EXECUTE ON FUNCTION ptx.inspection_period(int),
    ptx.inspection_population(bigint, timestamptz, timestamptz),
    ptx.inspection_population(int, bigint),
    ptx.inspection_min_ratio(), ptx.inspection_ratio(numeric),
    ptx.inspection_sample_size(int, numeric)
    TO ptx_admin, ptx_supervisor, ptx_auditor;
