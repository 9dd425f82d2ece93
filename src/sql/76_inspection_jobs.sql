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
    y int;
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
    -- a procedure that commits cannot have a SET clause: the search path is
    -- pinned for each of its transactions (a trojan operator in a writable
    -- schema must not run with the caller's rights)
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    y := COALESCE(year, pg_catalog.date_part('year', ptx.now())::int - 1);
    -- the year's agency business from the projects themselves, whatever was
    -- loaded with triggers off
    PERFORM ptx.rebuild_agency_business_year(y);
    COMMIT;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
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
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
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
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
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
            -- the warning carries the failure's own SQLSTATE, which a
            -- catalogue row cannot: its texts come from the catalogue
            RAISE WARNING USING ERRCODE = state,
                MESSAGE = ptx.message_text('inspection_jobs.draw_failed', dept::text, y::text, msg),
                HINT = ptx.message_text('inspection_jobs.draw_failed_hint', y::text);
        END IF;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END LOOP;
    PERFORM ptx.notice('inspection_jobs.summary', y::text, drawn::text, existing::text, failed::text);
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
