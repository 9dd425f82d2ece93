-- Every PL/pgSQL function of ptx passes plpgsql_check: every error and every
-- warning either fixed or listed below with the reason it stays.
-- Trigger functions are checked against each table they fire on, with the
-- transition tables their triggers declare; pg_cron is present, as in
-- production, so the job functions are checked against its tables.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS plpgsql_check;
RESET client_min_messages;
\set SHOW_CONTEXT never

CREATE TEMP TABLE accepted_warning (func text, message text, reason text);
INSERT INTO accepted_warning VALUES
    ('ptx.compute_expert_draw(bigint)', 'target type is different type than source type',
     'a jsonb field read into a typed variable: the cast is the intended check of the need''s shape'),
    ('ptx.verify_expert_draw(bigint)', 'target type is different type than source type',
     'the same reading of a draw''s need as compute_expert_draw'),
    ('ptx.expert_pools(bigint,text[],date,boolean,text[],bigint[])', 'target type is different type than source type',
     'the same reading of a draw''s need as compute_expert_draw');

-- Errors accepted, each with its reason: only false positives of a trigger
-- function that fires on several tables and reads a table's columns only in
-- the branch for that table (plpgsql_check checks every branch against
-- every table).  Matched on function, SQLSTATE and message.
CREATE TEMP TABLE accepted_error (func text, sqlstate text, message text, reason text);
INSERT INTO accepted_error
SELECT 'ptx.staff_check_write()', '42703', m,
       'one BEFORE trigger on eight supervisory tables: CASE TG_TABLE_NAME reads each column only in the branch of the table that has it'
  FROM unnest(ARRAY['record "old" has no field "supervisor_id"', 'record "new" has no field "supervisor_id"',
                    'record "new" has no field "inspector_id"', 'record "new" has no field "year"',
                    'record "new" has no field "draw_id"', 'record "new" has no field "result_id"',
                    'record "new" has no field "subject_kind"', 'record "new" has no field "record_id"',
                    'record "new" has no field "flag_id"']) m;

CREATE TEMP TABLE check_result AS
WITH fn AS (
    SELECT p.oid, p.prorettype, p.oid::regprocedure::text AS name
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    JOIN pg_language l ON l.oid = p.prolang
    WHERE l.lanname = 'plpgsql'
      AND n.nspname IN ('ptx', 'ptx_public', 'ptx_seal', 'ptx_private')
      AND p.prorettype <> 'event_trigger'::regtype
), target AS (
    SELECT fn.oid, fn.name, coalesce(t.tgrelid, 0) AS relid, t.tgoldtable, t.tgnewtable
    FROM fn LEFT JOIN LATERAL (
        SELECT DISTINCT tgrelid, tgoldtable::text, tgnewtable::text
        FROM pg_trigger WHERE tgfoid = fn.oid) t ON true
)
SELECT t.name, c.level, c.sqlstate, c.message, c.lineno
FROM target t,
     LATERAL plpgsql_check_function_tb(t.oid, t.relid::regclass,
                                       oldtable => t.tgoldtable, newtable => t.tgnewtable,
                                       fatal_errors => false, other_warnings => true,
                                       extra_warnings => false, performance_warnings => false) c;

-- the functions checked (a change in this number is a reminder to look)
SELECT count(DISTINCT p.oid) > 100 AS many_functions_checked
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE l.lanname = 'plpgsql' AND n.nspname LIKE 'ptx%';

-- errors not accepted: none
SELECT r.name, r.sqlstate, r.message, r.lineno FROM check_result r
WHERE r.level LIKE '%error%'
  AND NOT EXISTS (SELECT 1 FROM accepted_error a
                   WHERE a.func = r.name AND a.sqlstate = r.sqlstate AND a.message = r.message)
ORDER BY 1, 4, 3;

-- warnings not fixed and not accepted: none
SELECT r.name, r.sqlstate, r.message, r.lineno FROM check_result r
WHERE r.level NOT LIKE '%error%'
  AND NOT EXISTS (SELECT 1 FROM accepted_warning a WHERE a.func = r.name AND a.message = r.message)
ORDER BY 1, 4, 3;

-- accepted warnings that no longer occur: none (remove them from the list)
SELECT a.func, a.message FROM accepted_warning a
WHERE NOT EXISTS (SELECT 1 FROM check_result r WHERE a.func = r.name AND a.message = r.message)
ORDER BY 1, 2;

-- accepted errors that no longer occur: none (remove them from the list)
SELECT a.func, a.message FROM accepted_error a
WHERE NOT EXISTS (SELECT 1 FROM check_result r
                   WHERE r.level LIKE '%error%'
                     AND a.func = r.name AND a.sqlstate = r.sqlstate AND a.message = r.message)
ORDER BY 1, 2;

SET client_min_messages = warning;
DROP EXTENSION plpgsql_check;
DROP EXTENSION pg_cron;
RESET client_min_messages;
