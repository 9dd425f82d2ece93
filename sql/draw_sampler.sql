-- PTX-DRAW-1 against vectors computed by the independent reference
-- implementation printed in docs/draw-algorithm.md.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

\set seed '''\\x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f''::bytea'
-- The stream: SHA-256(seed || uint64_be(i)), four big-endian uint64 a block.
SELECT array_agg(v) = '{12238220826280364221,4092613261126186783,10138206965701487105,13686936297923933392,6945047847015946120,13426042928207130598}'::numeric[] AS stream_matches
  FROM ptx.draw_stream(:seed, 6) v;
-- 12238220826280364221 = 0xa9d6e500293a88bd, the first 8 bytes of block 0.
SELECT encode(substr(sha256(:seed || '\x0000000000000000'::bytea), 1, 8), 'hex') = 'a9d6e500293a88bd' AS first_value_is_first_8_bytes;

-- Picks, in seat order.
SELECT ptx.draw_sample(:seed, ARRAY[1,2,3,4,5,6,7,8,9,10]::bigint[], 3) = '{2,6,4}' AS three_of_ten;
SELECT ptx.draw_sample(:seed, '{500,20,7,1000,3,42,99,64,8,1}', 10) = '{3,42,8,500,7,20,1000,99,1,64}' AS permutation_of_unsorted_pool;
SELECT ptx.draw_sample('\x0000000000000000000000000000000000000000000000000000000000000001',
                       ARRAY(SELECT generate_series(1, 1000)::bigint), 7) = '{799,594,963,294,883,418,932}' AS seven_of_thousand;
SELECT ptx.draw_sample(:seed, '{5}', 1) AS single;
SELECT ptx.draw_sample(:seed, '{}', 0) AS nothing;
-- The same seed and pool always give the same picks; the pool order does not matter.
SELECT ptx.draw_sample(:seed, ARRAY(SELECT generate_series(100, 1, -1)::bigint), 5)
     = ptx.draw_sample(:seed, ARRAY(SELECT generate_series(1, 100)::bigint), 5) AS order_independent;

-- Refusals.
SELECT ptx.draw_sample(:seed, '{1,2}', 3);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.draw_sample(:seed, '{1,2,2}', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.draw_sample(:seed, '{1,NULL}', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.draw_sample('\x0001', '{1,2}', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.draw_sample(:seed, '{1,2}', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.draw_stream(:seed, -1);
\echo :LAST_ERROR_SQLSTATE

-- Uniformity: 2000 draws of 1 from 10 with the seeds sha256(i); a chi-square
-- statistic below 27.88 (p = 0.001, 9 degrees of freedom).  Deterministic.
SELECT round(sum((c - 200.0) ^ 2 / 200.0), 2) AS chi_square, sum((c - 200.0) ^ 2 / 200.0) < 27.88 AS uniform
  FROM (SELECT pick, count(*) AS c
          FROM (SELECT (ptx.draw_sample(sha256(int8send(i)), ARRAY[1,2,3,4,5,6,7,8,9,10]::bigint[], 1))[1] AS pick
                  FROM generate_series(1, 2000) i) d
         GROUP BY pick) t;
