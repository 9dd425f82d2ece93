-- Ledger (R3): row images are exactly to_jsonb(row)::text under the
-- settings of docs/ledger-format.md, whichever way the capture renders them
-- (directly for common column types, through to_jsonb for the others),
-- whatever the writer's session settings.
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ptx.seal_worker = off', current_database()); END $$;
SELECT pg_sleep(0.2);
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
DROP SCHEMA IF EXISTS regress_img CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

CREATE SCHEMA regress_img;
-- every type the capture renders directly, a quoted column name, a composite key
CREATE TABLE regress_img.direct (
    a int, "we""ird ké" text, b smallint, c bigint, d numeric, e numeric(10,2),
    f varchar(5), g char(6), h date, i timestamp, j timestamptz, k bytea,
    l uuid, m boolean, project_id numeric,
    PRIMARY KEY (a, "we""ird ké"));
-- a float column sends the whole row through to_jsonb
CREATE TABLE regress_img.generic (id int PRIMARY KEY, x float8, y interval, z jsonb, w int[]);
SELECT ptx.track('regress_img.direct');
SELECT ptx.track('regress_img.generic');

-- the writer's settings must not show in the images
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'SQL, DMY';
SET bytea_output = 'escape';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = -3;
INSERT INTO regress_img.direct VALUES
 (1, 'x', -32768, -9223372036854775808, 'NaN', 12.5, 'ab"c', 'pad', '2024-02-29',
  '2024-01-01 12:34:56.789', '2024-06-01 00:00:00+08', '', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true, 7),
 (2, E'tab\there\nnl \\ back "q" \u00e9 \x01', 32767, 9223372036854775807, 'Infinity', -0.01, '', '',
  'infinity', '-infinity', 'infinity', '\x00ff10', NULL, false, 7.00),
 (3, '', NULL, NULL, '-Infinity', NULL, NULL, NULL, '4713-01-01 BC', '0001-01-01 00:00:00',
  '1999-12-31 23:59:59.999999+14', NULL, NULL, NULL, NULL),
 (4, 'z', 0, 0, 123456789012345678901234567890.123456789, 0, 'x', 'y', '2000-01-01', '2000-01-01',
  '2000-01-01 00:00:00.5-03:30', '\xdeadbeef', '00000000-0000-0000-0000-000000000000', true, -5);
UPDATE regress_img.direct SET d = 1e-20 WHERE a = 4;
INSERT INTO regress_img.generic VALUES (1, 0.1, '1 day 02:03:04', '{"b": [1, 2.50], "a": null}', '{1,2}'),
                                       (2, 1e20, NULL, NULL, NULL);
RESET TimeZone;
RESET DateStyle;
RESET bytea_output;
RESET IntervalStyle;
RESET extra_float_digits;

-- the images as stored (key order of jsonb: by length, then bytewise)
SELECT operation, key, row_image, project_id
  FROM ptx.ledger_entry WHERE relation LIKE 'regress_img.%' AND operation <> 'EVENT' ORDER BY seq;

-- each last image is what ptx.verify_rows() renders for the current row
SET TimeZone = 'UTC';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;
SET bytea_output = 'hex';
SELECT DISTINCT ON (e.relation, e.key::text) e.relation, e.key::text,
       e.row_image::text = (SELECT to_jsonb(t)::text FROM regress_img.direct t
                             WHERE jsonb_build_object('a', t.a, 'we"ird ké', t."we""ird ké") = e.key::jsonb)
       AS same_image
  FROM ptx.ledger_entry e WHERE e.relation = 'regress_img.direct' AND e.operation <> 'EVENT'
 ORDER BY e.relation, e.key::text, e.seq DESC;
SELECT DISTINCT ON (e.key::text) e.key::text,
       e.row_image::text = (SELECT to_jsonb(t)::text FROM regress_img.generic t
                             WHERE jsonb_build_object('id', t.id) = e.key::jsonb) AS same_image
  FROM ptx.ledger_entry e WHERE e.relation = 'regress_img.generic' AND e.operation <> 'EVENT'
 ORDER BY e.key::text, e.seq DESC;
RESET TimeZone;
RESET IntervalStyle;
RESET extra_float_digits;
RESET bytea_output;
SELECT * FROM ptx.verify_rows() WHERE detail LIKE '%regress_img%';

-- a change behind the capture's back is still seen
SET session_replication_role = replica;
UPDATE regress_img.direct SET g = 'q' WHERE a = 3;
RESET session_replication_role;
SELECT problem, detail FROM ptx.verify_rows() WHERE detail LIKE '%regress_img%';

SELECT ptx.untrack('regress_img.direct');
SELECT ptx.untrack('regress_img.generic');
SET client_min_messages = warning;
DROP SCHEMA regress_img CASCADE;
