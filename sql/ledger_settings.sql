-- Ledger (R3): row images are the same bytes whatever the session's
-- settings.  Rows written under hostile DateStyle, IntervalStyle, TimeZone,
-- extra_float_digits, bytea_output and lc_monetary verify under the
-- defaults, and the other way round.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
DROP SCHEMA IF EXISTS regress_settings CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SELECT ptx.seal() > 0 AS sealed;

-- verify_rows() renders rows under exactly the settings of the capture
SELECT array(SELECT unnest(proconfig) EXCEPT SELECT 'search_path=pg_catalog, pg_temp' ORDER BY 1)
       = array(SELECT unnest(ptx.ledger_canonical_settings()) ORDER BY 1) AS same_settings
  FROM pg_proc WHERE oid = 'ptx.verify_rows()'::regprocedure;
SELECT ptx.ledger_canonical_settings();

CREATE SCHEMA regress_settings;
CREATE TYPE regress_settings.stamp AS (at timestamptz, d date, span interval);
-- every column type whose text depends on a setting
CREATE TABLE regress_settings.mixed (
    id       int PRIMARY KEY,
    during   tstzrange,
    days     daterange,
    price    money,
    span     interval,
    ratio    float8,
    ratio4   float4,
    blob     bytea,
    at       timestamptz,
    at_local timestamp,
    d        date,
    tod      timetz,
    stamps   regress_settings.stamp[],
    ats      timestamptz[]
);
-- a table of directly rendered columns (timestamptz, bytea)
CREATE TABLE regress_settings.direct (
    id   int PRIMARY KEY,
    at   timestamptz,
    d    date,
    blob bytea,
    n    numeric
);
SELECT ptx.track('regress_settings.mixed'), ptx.track('regress_settings.direct');

-- hostile settings for the writer
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET TimeZone = 'Asia/Kathmandu';
SET extra_float_digits = -15;
SET bytea_output = 'escape';
SET lc_monetary = 'C.UTF-8';
INSERT INTO regress_settings.mixed VALUES
    (1, tstzrange('2025-03-01 09:00+08', '2025-03-02 17:30+08'), daterange('2025-03-01', '2025-04-01'),
     1234.56, interval '1 year 2 mons 3 days 04:05:06.7', 0.1::float8 + 0.2::float8, 1.1, '\x00ff0a5c',
     '2025-03-01 09:00+08', '2025-03-01 09:00', '2025-03-01', '09:00+08',
     ARRAY[ROW('2025-03-01 09:00+08', '2025-03-01', interval '-1 day 02:00')::regress_settings.stamp],
     ARRAY['2025-03-01 09:00+08'::timestamptz, '-infinity']),
    (2, NULL, NULL, NULL, NULL, 'NaN', '-Infinity', '', 'infinity', NULL, NULL, NULL, NULL, NULL);
INSERT INTO regress_settings.direct VALUES
    (1, '2025-03-01 09:00+08', '2025-03-01', '\x00ff', 1.50),
    (2, '1999-12-31 23:59:59.999999-11', '0044-03-15 BC', '', 'NaN');
UPDATE regress_settings.mixed SET span = span * 2 WHERE id = 1;
-- the ledger holds the canonical text, not the writer's
SELECT row_image ->> 'during' AS during, row_image ->> 'days' AS days,
       row_image ->> 'price' AS price, row_image ->> 'span' AS span,
       row_image ->> 'ratio' AS ratio, row_image ->> 'blob' AS blob,
       row_image ->> 'at' AS at, row_image ->> 'tod' AS tod
  FROM ptx.ledger_entry
 WHERE relation = 'regress_settings.mixed' AND operation = 'UPDATE';
SELECT row_image::text FROM ptx.ledger_entry
 WHERE relation = 'regress_settings.mixed' AND operation = 'UPDATE';
SELECT row_image::text FROM ptx.ledger_entry
 WHERE relation = 'regress_settings.direct' ORDER BY seq;
-- and the writer's session keeps its settings
SHOW DateStyle;
SHOW IntervalStyle;
SHOW TimeZone;
SHOW extra_float_digits;
SHOW bytea_output;
SHOW lc_monetary;
-- verified under the hostile settings
SELECT * FROM ptx.verify_rows();
RESET ALL;

-- verified under the defaults
SELECT ptx.seal() > 0 AS sealed;
SELECT * FROM ptx.verify();

-- a snapshot taken under hostile settings verifies too
SET DateStyle = 'Postgres, YMD';
SET IntervalStyle = 'iso_8601';
SET TimeZone = 'America/St_Johns';
SET extra_float_digits = 3;
SET bytea_output = 'escape';
CREATE TABLE regress_settings.later (id int PRIMARY KEY, during tstzrange, span interval, ratio float8);
INSERT INTO regress_settings.later VALUES (1, tstzrange('2025-03-01', '2025-03-02'), '36 hours', 1e-7);
SELECT ptx.track('regress_settings.later');
RESET ALL;
SELECT * FROM ptx.verify_rows();

-- a change behind the ledger's back is still found under any settings
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE regress_settings.mixed SET ratio = 0.3 WHERE id = 1;
SET LOCAL TimeZone = 'Asia/Kathmandu';
SELECT problem FROM ptx.verify_rows();
ROLLBACK;

-- a function-level SET and an error inside the capture leave the session as it was
SET DateStyle = 'SQL, DMY';
BEGIN;
SAVEPOINT s;
INSERT INTO regress_settings.mixed (id) VALUES (1);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO s;
SHOW DateStyle;
COMMIT;
RESET ALL;

SELECT ptx.untrack('regress_settings.mixed'), ptx.untrack('regress_settings.direct'),
       ptx.untrack('regress_settings.later');
SET client_min_messages = warning;
DROP SCHEMA regress_settings CASCADE;
RESET client_min_messages;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET ptx.seal_worker', current_database()); END $$;
