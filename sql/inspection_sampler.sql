-- The inspection sampling step (src/inspect.c) against vectors computed
-- with the Python replay of docs/reference/inspection.md, which uses the
-- reference implementation of docs/draw-algorithm.md.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

\set seed '''\\x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f''::bytea'
-- 3 of agencies 101..110; priority 105 and 150 on top; inspectors 1..5,
-- conflicts 1–150, 2–150, 3–105; 2 inspectors each.
SELECT * FROM ptx.inspection_sample(:seed, ARRAY(SELECT generate_series(101, 110)::bigint), 3,
                                    '{150,105}', '{5,4,3,2,1}', '{1,2,3}', '{150,150,105}', 2);
-- The agencies are the plain sample of the pool: the same as ptx.draw_sample.
SELECT ptx.draw_sample(:seed, ARRAY(SELECT generate_series(101, 110)::bigint), 3) AS plain_sample;
-- A priority target that the random draw picked keeps its random seat;
-- only 150 is added on top.
SELECT * FROM ptx.inspection_sample(:seed, ARRAY(SELECT generate_series(101, 110)::bigint), 3,
                                    '{104,150}', '{1,2,3,4,5}', '{1,2,3}', '{150,150,105}', 2);
-- 25 of 100 with 20 inspectors, inspector i conflicted with agency 1000 + i.
CREATE TEMP TABLE s AS
SELECT * FROM ptx.inspection_sample('\x0000000000000000000000000000000000000000000000000000000000000001',
                                    ARRAY(SELECT generate_series(1000, 1099)::bigint), 25, '{}',
                                    ARRAY(SELECT generate_series(1, 20)::bigint),
                                    ARRAY(SELECT generate_series(1, 20)::bigint),
                                    ARRAY(SELECT generate_series(1001, 1020)::bigint), 2);
SELECT array_agg(subject_id ORDER BY seat) FILTER (WHERE role = 'agency')
         = '{1098,1080,1044,1083,1018,1087,1077,1030,1051,1058,1043,1075,1045,1003,1011,1094,1019,1046,1020,1033,1068,1067,1035,1091,1065}' AS agencies_match,
       array_agg(subject_id ORDER BY seat) FILTER (WHERE role = 'inspector')
         = '{18,11,17,9,15,17,1,6,8,5,16,2,9,14,4,2,9,7,20,18,8,7,1,14,12,18,11,6,6,17,6,1,2,3,9,19,3,6,1,10,4,5,11,17,13,3,9,2,13,6}' AS inspectors_match,
       count(*) AS seats, count(DISTINCT seat) AS distinct_seats
  FROM s;
-- Never a conflicted inspector, two distinct inspectors an agency, in seat order.
SELECT count(*) FILTER (WHERE s.assigned_to = 1000 + s.subject_id) AS conflicted,
       bool_and(a.seat < s.seat) AS agency_seats_first
  FROM s JOIN s a ON a.subject_id = s.assigned_to AND a.role = 'agency'
 WHERE s.role = 'inspector';
SELECT count(*) AS agencies_without_two_inspectors
  FROM s a
 WHERE a.role = 'agency'
   AND (SELECT count(DISTINCT i.subject_id) FROM s i WHERE i.assigned_to = a.subject_id) <> 2;
-- Deterministic: the same inputs give the same rows.
SELECT count(*) AS differences
  FROM (SELECT * FROM ptx.inspection_sample(:seed, ARRAY(SELECT generate_series(101, 110)::bigint), 3,
                                            '{150,105}', '{5,4,3,2,1}', '{1,2,3}', '{150,150,105}', 2)
        EXCEPT
        SELECT * FROM ptx.inspection_sample(:seed, ARRAY(SELECT generate_series(101, 110)::bigint), 3,
                                            '{105,150}', '{1,2,3,4,5}', '{3,2,1}', '{105,150,150}', 2)) d;

-- Edges: an empty population; everyone; a priority target alone.
SELECT * FROM ptx.inspection_sample(:seed, '{}', 0, '{}', '{}', '{}', '{}', 2);
SELECT * FROM ptx.inspection_sample(:seed, '{7}', 1, '{}', '{1,2}', '{}', '{}', 2);
SELECT * FROM ptx.inspection_sample(:seed, '{}', 0, '{9}', '{1,2,3}', '{}', '{}', 3);

-- Too few inspectors: PX007 with the numbers, nothing returned.
SELECT * FROM ptx.inspection_sample(:seed, ARRAY(SELECT generate_series(101, 110)::bigint), 3,
                                    '{}', '{1,2,3}', '{1,2}', '{106,106}', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_sample(:seed, '{7}', 1, '{}', '{1}', '{}', '{}', 2);
\echo :LAST_ERROR_SQLSTATE
-- Refusals of malformed inputs.
SELECT * FROM ptx.inspection_sample(:seed, '{1,2}', 3, '{}', '{1,2}', '{}', '{}', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_sample(:seed, '{1,2}', -1, '{}', '{1,2}', '{}', '{}', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_sample(:seed, '{1,1}', 1, '{}', '{1,2}', '{}', '{}', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_sample(:seed, '{1,2}', 1, '{}', '{1,NULL}', '{}', '{}', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_sample(:seed, '{1,2}', 1, '{}', '{1,2}', '{1}', '{}', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_sample(:seed, '{1,2}', 1, '{}', '{1,2}', '{1}', '{NULL}', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_sample(:seed, '{1,2}', 1, '{}', '{1,2}', '{}', '{}', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.inspection_sample('\x00', '{1,2}', 1, '{}', '{1,2}', '{}', '{}', 2);
\echo :LAST_ERROR_SQLSTATE
