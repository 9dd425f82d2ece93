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
        PERFORM ptx.raise('jobs.pg_cron_missing', current_database());
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
        PERFORM ptx.raise('jobs.pg_cron_missing_unschedule', current_database());
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
