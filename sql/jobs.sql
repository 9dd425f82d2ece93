-- Scheduled jobs: a clear error without pg_cron; registration with it.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
DROP EXTENSION IF EXISTS pg_cron;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- A job for this test (modules add their own rows).
INSERT INTO ptx.scheduled_job VALUES ('ptx:test-job', '*/5 * * * *', 'SELECT 1', 'test');
INSERT INTO ptx.scheduled_job VALUES ('cron:other', '* * * * *', 'SELECT 1', 'not ours');
\echo :LAST_ERROR_SQLSTATE

SELECT * FROM ptx.schedule_jobs();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.unschedule_jobs();
\echo :LAST_ERROR_SQLSTATE
SELECT s LIKE 'SELECT cron.schedule_in_database(''ptx:test-job'', ''*/5 * * * *'', ''SELECT 1'', %' AS statement_ok
  FROM ptx.job_statements() s WHERE s LIKE '%ptx:test-job%';

-- With pg_cron (preloaded by the test cluster, database contrib_regression).
CREATE EXTENSION pg_cron;
SELECT job_name, schedule FROM ptx.schedule_jobs() WHERE job_name = 'ptx:test-job';
SELECT jobname, schedule, command, database = current_database() AS here
  FROM cron.job WHERE jobname = 'ptx:test-job';
-- Registering again updates, never duplicates.
UPDATE ptx.scheduled_job SET schedule = '*/10 * * * *' WHERE name = 'ptx:test-job';
SELECT count(*) AS jobs FROM (SELECT * FROM ptx.schedule_jobs()) s WHERE job_name = 'ptx:test-job';
SELECT jobname, schedule FROM cron.job WHERE jobname = 'ptx:test-job';
SELECT * FROM ptx.unschedule_jobs() WHERE unschedule_jobs = 'ptx:test-job';
SELECT count(*) AS ptx_jobs_left FROM cron.job WHERE jobname LIKE 'ptx:%';
DROP EXTENSION pg_cron;
