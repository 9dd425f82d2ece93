-- The protocol shared by every kind of draw (DESIGN.md §4): requests with a
-- committed seed, PX013 in the requesting transaction, idempotent execution,
-- replay; and the multi-need sampler against the reference implementation
-- of docs/draw-algorithm.md.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

\set seed '''\\x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f''::bytea'

-- Several needs from one stream, each from its own pool less the earlier
-- picks (reference: the Python code of docs/draw-algorithm.md).
SELECT array_agg(need_no || ':' || subject_id ORDER BY seat) AS two_needs
  FROM ptx.draw_pick_needs(:seed, ARRAY(SELECT generate_series(1, 10)::bigint) || ARRAY(SELECT generate_series(5, 15)::bigint),
                           '{10,11}', '{3,2}');
-- The pool of the first need, alone, is ptx.draw_sample's.
SELECT ptx.draw_sample(:seed, ARRAY(SELECT generate_series(1, 10)::bigint), 3) AS same_as_draw_sample;
-- At most one pick per group (group = id mod 3): candidates of a full group are skipped.
SELECT array_agg(need_no || ':' || subject_id ORDER BY seat) AS one_per_group
  FROM ptx.draw_pick_needs(:seed, ARRAY(SELECT generate_series(1, 10)::bigint) || ARRAY(SELECT generate_series(5, 15)::bigint),
                           '{10,11}', '{2,1}',
                           ARRAY(SELECT i % 3 FROM generate_series(1, 10) i) || ARRAY(SELECT i % 3 FROM generate_series(5, 15) i), 1);
-- Groups already seated count; a candidate without a group (7) is never skipped.
SELECT array_agg(need_no || ':' || subject_id ORDER BY seat) AS seated_and_ungrouped
  FROM ptx.draw_pick_needs(:seed, ARRAY(SELECT generate_series(1, 10)::bigint) || ARRAY(SELECT generate_series(5, 15)::bigint),
                           '{10,11}', '{2,1}',
                           ARRAY(SELECT CASE WHEN i <> 7 THEN i % 3 END FROM generate_series(1, 10) i)
                           || ARRAY(SELECT CASE WHEN i <> 7 THEN i % 3 END FROM generate_series(5, 15) i),
                           1, '{0}');
SELECT array_agg(need_no || ':' || subject_id ORDER BY seat) AS two_per_group
  FROM ptx.draw_pick_needs(:seed, ARRAY(SELECT generate_series(1, 10)::bigint) || ARRAY(SELECT generate_series(5, 15)::bigint),
                           '{10,11}', '{3,3}',
                           ARRAY(SELECT i % 3 FROM generate_series(1, 10) i) || ARRAY(SELECT i % 3 FROM generate_series(5, 15) i), 2);
SELECT array_agg(need_no || ':' || subject_id ORDER BY seat) AS larger_pools
  FROM ptx.draw_pick_needs('\x0000000000000000000000000000000000000000000000000000000000000001',
                           ARRAY(SELECT generate_series(1, 1000)::bigint) || ARRAY(SELECT generate_series(500, 2000)::bigint),
                           '{1000,1501}', '{4,3}',
                           ARRAY(SELECT i % 50 FROM generate_series(1, 1000) i) || ARRAY(SELECT i % 50 FROM generate_series(500, 2000) i), 1);
-- Too few: three groups cannot seat five at one per group; nothing is returned.
SELECT * FROM ptx.draw_pick_needs(:seed, ARRAY(SELECT generate_series(1, 10)::bigint) || ARRAY(SELECT generate_series(5, 15)::bigint),
                                  '{10,11}', '{3,2}',
                                  ARRAY(SELECT i % 3 FROM generate_series(1, 10) i) || ARRAY(SELECT i % 3 FROM generate_series(5, 15) i), 1,
                                  NULL, '{A08,A06}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.draw_pick_needs(:seed, '{1,2,3}', '{3}', '{4}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.draw_pick_needs(:seed, '{1,2,3}', '{2}', '{1}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.draw_pick_needs(:seed, '{1,1,3}', '{3}', '{1}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.draw_pick_needs(:seed, '{1,2,3}', '{3}', '{1}', '{1,2}', 1);
\echo :LAST_ERROR_SQLSTATE

-- The pool hash: SHA-256 of the sorted ids, 8 bytes big-endian each.
SELECT encode(ptx.draw_pool_hash('{3,1,2}'), 'hex') AS pool_hash,
       ptx.draw_pool_hash('{3,1,2}') = (SELECT sha256(string_agg(int8send(x), ''::bytea ORDER BY x))
                                          FROM unnest('{3,1,2}'::bigint[]) x) AS matches_sql;
SELECT encode(ptx.draw_pool_hash('{}'), 'hex') = encode(sha256(''), 'hex') AS empty_pool;
SELECT ptx.draw_pool_hash('{1,1}');
\echo :LAST_ERROR_SQLSTATE

-- A kind of draw for this test: ten candidates, three picks.
CREATE FUNCTION public.regress_compute(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql AS $$
DECLARE
    s bytea;
BEGIN
    SELECT d.seed INTO s FROM ptx.draw_request d WHERE d.id = draw_id;
    PERFORM ptx.draw_store_pool(draw_id, 1, 'test', 3, ARRAY(SELECT generate_series(1, 10)::bigint));
    RETURN QUERY SELECT p.seat, p.subject_id, 'member'::text, NULL::bigint
                   FROM ptx.draw_pick_needs(s, ARRAY(SELECT generate_series(1, 10)::bigint), '{10}', '{3}') p;
END $$;
CREATE FUNCTION public.regress_execute(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE sql AS $$ SELECT * FROM ptx.draw_run(draw_id, 'public.regress_compute(bigint)') $$;
CREATE FUNCTION public.regress_verify(draw_id bigint) RETURNS boolean
    LANGUAGE sql AS $$
    SELECT array_agg(p.subject_id ORDER BY p.seat)
           = (SELECT array_agg(q.subject_id ORDER BY q.seat)
                FROM ptx.draw_request d, ptx.draw_pool pl,
                     ptx.draw_pick_needs(d.seed, pl.pool, ARRAY[pl.pool_size], ARRAY[pl.wanted]) q
               WHERE d.id = draw_id AND pl.draw_id = d.id)
      FROM ptx.draw_pick p WHERE p.draw_id = regress_verify.draw_id $$;
INSERT INTO ptx.draw_kind VALUES ('regress', 'public.regress_execute(bigint)', 'public.regress_verify(bigint)', 'test');

-- A request holds a fresh seed and its commitment.
SELECT ptx.new_draw_request('regress', 'test', '[{"count":3}]') AS d1 \gset
SELECT length(seed) AS seed_bytes, commitment = sha256(seed) AS committed, seed = seed_random AS no_entropy,
       request_xid IS NOT NULL AS xid_recorded
  FROM ptx.draw_request WHERE id = :d1;
-- Two requests never share a seed.
SELECT ptx.new_draw_request('regress', 'test', '[{"count":3}]') AS d2 \gset
SELECT count(DISTINCT seed) AS distinct_seeds FROM ptx.draw_request WHERE id IN (:d1, :d2);
-- Public entropy is mixed in: seed = SHA-256(seed_random || text).
SELECT ptx.new_draw_request('regress', 'test', '[{"count":3}]', '{"public_entropy":"福彩3D 2024001: 5 3 8"}') AS d3 \gset
SELECT seed = sha256(seed_random || convert_to('福彩3D 2024001: 5 3 8', 'UTF8')) AS entropy_mixed,
       commitment = sha256(seed) AS committed
  FROM ptx.draw_request WHERE id = :d3;
SELECT ptx.new_draw_request('regress', 'test', '[]', '{"public_entropy":""}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.new_draw_request('regress', 'test', '[]', '{"public_entropy":7}');
\echo :LAST_ERROR_SQLSTATE
-- The table refuses a seed that does not match its commitment.
\set VERBOSITY terse
UPDATE ptx.draw_request SET commitment = sha256('x') WHERE id = :d1;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- PX013: executing a request in the transaction that made it.
BEGIN;
SELECT ptx.new_draw_request('regress', 'test', '[{"count":3}]') AS d4 \gset
SELECT * FROM ptx.execute_draw(:d4);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- Also from a subtransaction of it.
BEGIN;
SELECT ptx.new_draw_request('regress', 'test', '[{"count":3}]') AS d4 \gset
SAVEPOINT s;
SELECT * FROM ptx.execute_draw(:d4);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT count(*) AS rolled_back_request FROM ptx.draw_request WHERE id = :d4;

-- Look, roll back, execute again: the same picks.
BEGIN;
SELECT string_agg(subject_id::text, ',' ORDER BY seat) AS first_look FROM ptx.execute_draw(:d1) \gset
ROLLBACK;
SELECT count(*) AS executions_after_rollback FROM ptx.draw_execution WHERE draw_id = :d1;
SELECT string_agg(subject_id::text, ',' ORDER BY seat) = :'first_look' AS same_after_rollback,
       string_agg(subject_id::text, ',' ORDER BY seat) = array_to_string(ptx.draw_sample(
           (SELECT seed FROM ptx.draw_request WHERE id = :d1), ARRAY(SELECT generate_series(1, 10)::bigint), 3), ',')
           AS replays_with_draw_sample
  FROM ptx.execute_draw(:d1);
-- Idempotent: executing again returns the stored picks and stores nothing.
SELECT string_agg(subject_id::text, ',' ORDER BY seat) = :'first_look' AS same_again FROM ptx.execute_draw(:d1);
SELECT (SELECT count(*) FROM ptx.draw_execution WHERE draw_id = :d1) AS executions,
       (SELECT count(*) FROM ptx.draw_pick WHERE draw_id = :d1) AS picks,
       (SELECT pool_size FROM ptx.draw_pool WHERE draw_id = :d1) AS pool_size,
       (SELECT pool_hash = ptx.draw_pool_hash(pool) FROM ptx.draw_pool WHERE draw_id = :d1) AS pool_hashed;
-- Reading the result again is a ledger event.
BEGIN;
SET LOCAL track_functions = 'all';
SELECT count(*) FROM ptx.execute_draw(:d1);
SELECT pg_stat_get_xact_function_calls('ptx.ledger_event_internal(text,text,jsonb,jsonb)'::regprocedure) AS ledger_events;
ROLLBACK;

-- Replay.
SELECT ptx.verify_draw(:d1) AS verified;
SELECT ptx.verify_draw(:d2);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.verify_draw(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx.execute_draw(-1);
\echo :LAST_ERROR_SQLSTATE
-- A changed pool, a changed pick or a changed seed fails verification.
BEGIN;
UPDATE ptx.draw_pool SET pool = pool || 11::bigint, pool_size = pool_size + 1 WHERE draw_id = :d1;
SELECT ptx.verify_draw(:d1) AS pool_changed;
ROLLBACK;
BEGIN;
UPDATE ptx.draw_pick SET subject_id = subject_id % 10 + 1 WHERE draw_id = :d1 AND seat = 1;
SELECT ptx.verify_draw(:d1) AS pick_changed;
ROLLBACK;
BEGIN;
ALTER TABLE ptx.draw_request DISABLE TRIGGER ALL;
ALTER TABLE ptx.draw_request DROP CONSTRAINT draw_request_commitment_check;
UPDATE ptx.draw_request SET seed_random = sha256('x'), seed = sha256('x') WHERE id = :d1;
SELECT ptx.verify_draw(:d1) AS seed_changed;
ROLLBACK;
SELECT ptx.verify_draw(:d1) AS still_verified;

-- The ledger records the execution: pools and picks by their hashes, as
-- ptx.draw_record recomputes them; the rows of ptx.draw_pool and
-- ptx.draw_pick are not captured one by one.
SELECT (e.row_image::jsonb - 'kind' - 'project_id') = ptx.draw_record(:d1) AS event_is_record,
       e.row_image::jsonb -> 'pools' AS recorded_pools, e.row_image::jsonb -> 'picks' AS recorded_picks
  FROM ptx.ledger_entry e
 WHERE e.kind = 'draw_executed' AND e.key::jsonb = jsonb_build_object('id', :d1);
SELECT (SELECT count(*) FROM ptx.ledger_entry e WHERE e.relation IN ('ptx.draw_pool', 'ptx.draw_pick')) AS row_entries,
       (SELECT count(*) FROM ptx.tracked t WHERE t.relation IN ('ptx.draw_pool', 'ptx.draw_pick')) AS tracked;
-- The hashes are those of their SQL definitions (docs/reference/draws.md).
SELECT ptx.draw_picks_hash(array_agg(p.seat ORDER BY p.seat), array_agg(p.subject_id ORDER BY p.seat),
                           array_agg(p.role ORDER BY p.seat), array_agg(p.assigned_to ORDER BY p.seat))
       = sha256(convert_to(string_agg(p.seat || ',' || p.subject_id || ',' || p.role || ','
                                      || coalesce(p.assigned_to::text, '') || E'\n', '' ORDER BY p.seat), 'UTF8'))
       AS picks_hash_matches_sql
  FROM ptx.draw_pick p WHERE p.draw_id = :d1;
SELECT encode(ptx.draw_picks_hash('{1,2}', '{7,9}', '{inspector,agency}', '{3,NULL}'), 'hex')
       = encode(sha256(convert_to(E'1,7,inspector,3\n2,9,agency,\n', 'UTF8')), 'hex') AS picks_hash_assigned;
SELECT ptx.draw_groups_hash('{5,NULL,-2}') = sha256(convert_to(E'5\n\n-2\n', 'UTF8')) AS groups_hash_matches_sql,
       ptx.draw_groups_hash('{}') = sha256('') AS groups_hash_empty;
SELECT ptx.draw_picks_hash('{1}', '{1,2}', '{a}', '{NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.draw_picks_hash('{1}', '{1}', '{NULL}', '{NULL}');
\echo :LAST_ERROR_SQLSTATE
-- Changes the replay alone would not see, made with triggers off, fail
-- against the recorded event: a pool relabelled, its wanted changed, groups
-- added; picks and pool removed together.
SELECT * FROM ptx.verify_draws();
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.draw_pool SET label = 'other' WHERE draw_id = :d1;
SELECT ptx.verify_draw(:d1) AS label_changed;
SELECT problem, detail FROM ptx.verify_draws();
-- and the ledger's verification reports it too
SELECT problem, count(*) FROM ptx.verify() WHERE problem <> 'unsealed' GROUP BY 1 ORDER BY 1;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.draw_pool SET wanted = 4 WHERE draw_id = :d1;
SELECT ptx.verify_draw(:d1) AS wanted_changed;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE ptx.draw_pool SET groups = ARRAY(SELECT 1::bigint FROM generate_series(1, 10)) WHERE draw_id = :d1;
SELECT ptx.verify_draw(:d1) AS groups_added;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM ptx.draw_pick WHERE draw_id = :d1;
DELETE FROM ptx.draw_pool WHERE draw_id = :d1;
SELECT ptx.verify_draw(:d1) AS pool_and_picks_removed;
ROLLBACK;
SELECT ptx.verify_draw(:d1) AS verified_again;
-- Every pick belongs to an execution (checked per statement).
INSERT INTO ptx.draw_pick (draw_id, seat, subject_id, role) VALUES (:d2, 1, 1, 'member');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.draw_execution WHERE draw_id = :d1;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.draw_pick SET draw_id = :d2 WHERE draw_id = :d1 AND seat = 1;
\echo :LAST_ERROR_SQLSTATE

-- A kind whose module is missing.
INSERT INTO ptx.draw_kind VALUES ('regress_missing', 'public.nothing_here(bigint)', 'public.nothing_here(bigint)', 'test');
SELECT ptx.new_draw_request('regress_missing', 'test', '[]') AS d5 \gset
SELECT * FROM ptx.execute_draw(:d5);
\echo :LAST_ERROR_SQLSTATE

-- The public view: the commitment always, the seed once a draw without a
-- project has been executed.
SELECT id = :d1 AS executed_draw, seed_masked IS NOT NULL AS seed_shown, commitment = encode(sha256(decode(seed_masked, 'hex')), 'hex') AS seed_matches
  FROM ptx_public.draw WHERE id = :d1;
SELECT seed_masked IS NULL AS seed_hidden, length(commitment) AS commitment_hex_chars FROM ptx_public.draw WHERE id = :d2;
