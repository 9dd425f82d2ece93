-- Recorded draws (DESIGN.md §4): one mechanism for every random draw —
-- experts for a committee (评标专家抽取), replacements (补抽), agencies to
-- inspect and their inspectors (双随机).  src/draw_exec.c, src/draw.c.
--
-- 1. A request is recorded and committed first, with a fresh 32-byte seed
--    from pg_strong_random() and its SHA-256 commitment.
-- 2. Execution refuses a request of the same, uncommitted transaction
--    (PX013), computes and stores the pools, picks with PTX-DRAW-1, and is
--    idempotent: executing again returns the same picks.
-- 3. ptx.verify_draw(id) replays the picks from the seed and the stored pools.
--
-- Each kind of draw has an executor and a verifier (ptx.draw_kind).  An
-- executor is a SECURITY DEFINER function granted to the roles that may run
-- that kind of draw; it hands its compute function to ptx.draw_run(), which
-- holds the common protocol (lock, PX013, idempotence, storing the picks,
-- the ledger events).  ptx.execute_draw(id) dispatches to the executor of
-- the draw's kind with the caller's own privileges.

------------------------------------------------------------------------
-- Kinds of draw.
------------------------------------------------------------------------
CREATE TABLE ptx.draw_kind (
    kind        text PRIMARY KEY CHECK (kind ~ '^[a-z][a-z_]*$'),
    executor    text NOT NULL,
    verifier    text NOT NULL,
    description text NOT NULL
);
COMMENT ON TABLE ptx.draw_kind IS 'kinds of random draw with the functions that execute and verify them';
COMMENT ON COLUMN ptx.draw_kind.executor IS
    'signature of the SECURITY DEFINER function (draw_id bigint) → table(seat, subject_id, role, assigned_to) that executes a draw of this kind through ptx.draw_run';
COMMENT ON COLUMN ptx.draw_kind.verifier IS
    'signature of the function (draw_id bigint) → boolean that replays a draw of this kind';

INSERT INTO ptx.draw_kind (kind, executor, verifier, description) VALUES
    ('expert', 'ptx.execute_expert_draw(bigint)', 'ptx.verify_expert_draw(bigint)',
     'evaluation experts for a project''s committee (评标专家随机抽取)'),
    ('replacement', 'ptx.execute_expert_draw(bigint)', 'ptx.verify_expert_draw(bigint)',
     'replacement of a committee member (补抽), drawn with the same rules'),
    ('inspection', 'ptx.execute_inspection_draw(bigint)', 'ptx.verify_inspection_draw(bigint)',
     'agencies to inspect and their inspectors (双随机一公开)');

------------------------------------------------------------------------
-- Requests.  The seed is secret (auditors only) until the result is
-- published; the commitment is public from the start.
------------------------------------------------------------------------
CREATE TABLE ptx.draw_request (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                text NOT NULL REFERENCES ptx.draw_kind (kind),
    project_id          bigint REFERENCES ptx.project (id),
    purpose             text NOT NULL CHECK (pg_catalog.btrim(purpose) <> ''),
    need                jsonb NOT NULL,
    options             jsonb NOT NULL DEFAULT '{}',
    pool_rules          jsonb NOT NULL DEFAULT '{}',
    seed_random         bytea NOT NULL CHECK (pg_catalog.length(seed_random) = 32),
    public_entropy      text,
    seed                bytea NOT NULL,
    commitment          bytea NOT NULL,
    replaces_draw_id    bigint REFERENCES ptx.draw_request (id),
    replaced_subject_id bigint,
    reason              text,
    requested_by        text NOT NULL DEFAULT session_user,
    requested_at        timestamptz NOT NULL DEFAULT ptx.now(),
    request_xid         xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    CONSTRAINT draw_request_seed_check CHECK (
        seed = CASE WHEN public_entropy IS NULL THEN seed_random
                    ELSE pg_catalog.sha256(seed_random || pg_catalog.convert_to(public_entropy, 'UTF8')) END),
    CONSTRAINT draw_request_commitment_check CHECK (commitment = pg_catalog.sha256(seed)),
    CONSTRAINT draw_request_replacement_check CHECK (
        (replaces_draw_id IS NULL) = (replaced_subject_id IS NULL)
        AND (replaces_draw_id IS NULL OR pg_catalog.btrim(reason) <> ''))
);
COMMENT ON TABLE ptx.draw_request IS 'draw requests (抽取申请), committed before execution, with their seed and its commitment';
COMMENT ON COLUMN ptx.draw_request.need IS 'what is drawn, e.g. [{"specialty":"A08","count":4}]';
COMMENT ON COLUMN ptx.draw_request.options IS 'options as given by the requester';
COMMENT ON COLUMN ptx.draw_request.pool_rules IS 'the rules of the pool fixed at request time (dates, settings in force)';
COMMENT ON COLUMN ptx.draw_request.seed_random IS '32 bytes from pg_strong_random(); secret until the result is published';
COMMENT ON COLUMN ptx.draw_request.seed IS 'the seed of the stream: seed_random, or SHA-256(seed_random ‖ UTF-8 public_entropy); secret until the result is published';
COMMENT ON COLUMN ptx.draw_request.commitment IS 'SHA-256 of the seed, public from the request on';
COMMENT ON COLUMN ptx.draw_request.request_xid IS 'the requesting transaction: execution in it is refused (PX013)';
CREATE INDEX draw_request_project_idx ON ptx.draw_request (project_id);
CREATE INDEX draw_request_replaces_idx ON ptx.draw_request (replaces_draw_id);
-- a subject is replaced once: the replacement request records that it left
CREATE UNIQUE INDEX draw_request_replaced_once ON ptx.draw_request (project_id, replaced_subject_id)
    WHERE replaced_subject_id IS NOT NULL;
SELECT pg_catalog.pg_extension_config_dump('ptx.draw_request', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.draw_request', 'id'), '');

------------------------------------------------------------------------
-- Execution: the stored pools (sorted ids and their hash) and the picks.
------------------------------------------------------------------------
CREATE TABLE ptx.draw_execution (
    draw_id         bigint PRIMARY KEY REFERENCES ptx.draw_request (id),
    executed_by     text NOT NULL DEFAULT session_user,
    executed_at     timestamptz NOT NULL DEFAULT ptx.now(),
    executed_xid    xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    picks           int NOT NULL CHECK (picks >= 0)
);
COMMENT ON TABLE ptx.draw_execution IS 'executions of draw requests: one per request, never repeated';
SELECT pg_catalog.pg_extension_config_dump('ptx.draw_execution', '');

CREATE TABLE ptx.draw_pool (
    draw_id     bigint NOT NULL REFERENCES ptx.draw_request (id),
    pool_no     int NOT NULL CHECK (pool_no >= 1),
    label       text NOT NULL,
    wanted      int NOT NULL CHECK (wanted >= 0),
    pool        bigint[] NOT NULL,
    groups      bigint[],
    pool_size   int NOT NULL,
    pool_hash   bytea NOT NULL,
    PRIMARY KEY (draw_id, pool_no),
    CHECK (pool_size = pg_catalog.cardinality(pool)),
    CHECK (groups IS NULL OR pg_catalog.cardinality(groups) = pool_size)
);
COMMENT ON TABLE ptx.draw_pool IS 'the eligible pools of executed draws, as sorted ids with their hash, for replay';
COMMENT ON COLUMN ptx.draw_pool.label IS 'what the pool serves, e.g. the specialty code of a need';
COMMENT ON COLUMN ptx.draw_pool.wanted IS 'how many picks the pool serves';
COMMENT ON COLUMN ptx.draw_pool.groups IS 'the group of each candidate for a composition rule (the employer of an expert), NULL for none';
COMMENT ON COLUMN ptx.draw_pool.pool_hash IS 'ptx.draw_pool_hash(pool): SHA-256 of the sorted ids, 8 bytes big-endian each';
-- pools of sorted ids barely compress: stored out of line uncompressed,
-- which costs a tenth of compressing them
ALTER TABLE ptx.draw_pool ALTER COLUMN pool SET STORAGE EXTERNAL,
                          ALTER COLUMN groups SET STORAGE EXTERNAL;
SELECT pg_catalog.pg_extension_config_dump('ptx.draw_pool', '');

CREATE TABLE ptx.draw_pick (
    draw_id     bigint NOT NULL,
    seat        int NOT NULL CHECK (seat >= 1),
    subject_id  bigint NOT NULL,
    role        text NOT NULL,
    assigned_to bigint,
    PRIMARY KEY (draw_id, seat)
);
COMMENT ON TABLE ptx.draw_pick IS 'the picks of executed draws in seat order; for experts, confidential until the result is published';
COMMENT ON COLUMN ptx.draw_pick.role IS 'the specialty code served (experts); agency or inspector (inspection)';
COMMENT ON COLUMN ptx.draw_pick.assigned_to IS 'for an inspector, the agency it inspects';
CREATE INDEX draw_pick_subject_idx ON ptx.draw_pick (subject_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.draw_pick', '');

-- Every pick belongs to an execution: a foreign key checked once per
-- statement rather than once per row (an inspection draw stores 7 500
-- picks, and row-by-row checks were a third of its time).  Picks are
-- written only by ptx.draw_run, as the owner.
CREATE FUNCTION ptx.draw_pick_check_execution() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    orphan bigint;
BEGIN
    IF TG_TABLE_NAME = 'draw_pick' THEN
        SELECT n.draw_id INTO orphan FROM changed_rows n
         WHERE NOT EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = n.draw_id)
         LIMIT 1;
    ELSE
        SELECT o.draw_id INTO orphan FROM changed_rows o
         WHERE EXISTS (SELECT 1 FROM ptx.draw_pick p WHERE p.draw_id = o.draw_id)
           AND NOT EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = o.draw_id)
         LIMIT 1;
    END IF;
    IF orphan IS NOT NULL THEN
        PERFORM ptx.raise('draw.picks_without_execution', orphan::text);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER draw_pick_execution_insert AFTER INSERT ON ptx.draw_pick
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.draw_pick_check_execution();
CREATE TRIGGER draw_pick_execution_update AFTER UPDATE ON ptx.draw_pick
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.draw_pick_check_execution();
CREATE TRIGGER draw_execution_picks_delete AFTER DELETE ON ptx.draw_execution
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.draw_pick_check_execution();
CREATE TRIGGER draw_execution_picks_update AFTER UPDATE ON ptx.draw_execution
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.draw_pick_check_execution();

------------------------------------------------------------------------
-- C helpers (src/draw_exec.c).
------------------------------------------------------------------------
CREATE FUNCTION ptx.strong_random_bytes(n int) RETURNS bytea
    LANGUAGE c VOLATILE STRICT
    AS 'MODULE_PATHNAME', 'ptx_strong_random_bytes';
COMMENT ON FUNCTION ptx.strong_random_bytes(int) IS
    'n bytes from pg_strong_random(), the operating system''s cryptographic generator';

CREATE FUNCTION ptx.draw_pool_hash(pool bigint[]) RETURNS bytea
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_draw_pool_hash';
COMMENT ON FUNCTION ptx.draw_pool_hash(bigint[]) IS
    'hash of a draw pool: SHA-256 of the sorted ids, 8 bytes big-endian each';

CREATE FUNCTION ptx.draw_groups_hash(groups bigint[]) RETURNS bytea
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_draw_groups_hash';
COMMENT ON FUNCTION ptx.draw_groups_hash(bigint[]) IS
    'hash of the groups of a draw pool in pool order: SHA-256 of one line per element, the group in decimal (empty for NULL) and a newline';

CREATE FUNCTION ptx.draw_picks_hash(seats int[], subjects bigint[], roles text[], assigned bigint[]) RETURNS bytea
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_draw_picks_hash';
COMMENT ON FUNCTION ptx.draw_picks_hash(int[], bigint[], text[], bigint[]) IS
    'hash of the picks of a draw in seat order: SHA-256 of one line "seat,subject_id,role,assigned_to" (assigned_to empty for NULL) and a newline per pick';

CREATE FUNCTION ptx.draw_pool_sorted(pool bigint[]) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_draw_pool_sorted';
COMMENT ON FUNCTION ptx.draw_pool_sorted(bigint[]) IS
    'true when a pool is sorted ascending without repetition or NULL, as stored pools are';

CREATE FUNCTION ptx.draw_pick_needs(seed bytea, pool bigint[], sizes int[], counts int[],
                                    groups bigint[] DEFAULT NULL, max_per_group int DEFAULT NULL,
                                    seated_groups bigint[] DEFAULT NULL, labels text[] DEFAULT NULL)
    RETURNS TABLE (seat int, need_no int, subject_id bigint)
    LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 10
    AS 'MODULE_PATHNAME', 'ptx_draw_pick_needs';
COMMENT ON FUNCTION ptx.draw_pick_needs(bytea, bigint[], int[], int[], bigint[], int, bigint[], text[]) IS
    'PTX-DRAW-1 for several needs from one stream: pool holds the needs'' pools one after the other (sizes), each served less the earlier picks, at most max_per_group picks per group';

------------------------------------------------------------------------
-- The protocol, for executors.  Owner-only: executors are SECURITY
-- DEFINER functions and call these as the owner.
------------------------------------------------------------------------
CREATE FUNCTION ptx.new_draw_request(kind text, purpose text, need jsonb,
                                     options jsonb DEFAULT '{}', pool_rules jsonb DEFAULT '{}',
                                     project_id bigint DEFAULT NULL,
                                     replaces_draw_id bigint DEFAULT NULL,
                                     replaced_subject_id bigint DEFAULT NULL,
                                     reason text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    raw bytea := ptx.strong_random_bytes(32);
    entropy text;
    s bytea;
    new_id bigint;
BEGIN
    IF options IS NOT NULL AND options ? 'public_entropy' THEN
        IF jsonb_typeof(options -> 'public_entropy') <> 'string' OR options ->> 'public_entropy' = '' THEN
            PERFORM ptx.raise('draw.invalid_public_entropy');
        END IF;
        entropy := options ->> 'public_entropy';
    END IF;
    s := CASE WHEN entropy IS NULL THEN raw ELSE sha256(raw || convert_to(entropy, 'UTF8')) END;
    INSERT INTO ptx.draw_request AS d
           (kind, project_id, purpose, need, options, pool_rules, seed_random, public_entropy,
            seed, commitment, replaces_draw_id, replaced_subject_id, reason)
    VALUES (new_draw_request.kind, new_draw_request.project_id, new_draw_request.purpose,
            new_draw_request.need, COALESCE(new_draw_request.options, '{}'),
            COALESCE(new_draw_request.pool_rules, '{}'), raw, entropy, s, sha256(s),
            new_draw_request.replaces_draw_id, new_draw_request.replaced_subject_id,
            new_draw_request.reason)
    RETURNING d.id INTO new_id;
    PERFORM ptx.ledger_event_internal('draw_requested', 'ptx.draw_request', jsonb_build_object('id', new_id),
        jsonb_build_object('kind', kind, 'project_id', project_id, 'purpose', purpose,
                           'need', need, 'options', options,
                           'commitment', encode(sha256(s), 'hex'),
                           'replaces_draw_id', replaces_draw_id, 'reason', reason));
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.new_draw_request(text, text, jsonb, jsonb, jsonb, bigint, bigint, bigint, text) IS
    'record a draw request with a fresh seed and its commitment; for the request functions of each kind';

CREATE FUNCTION ptx.draw_store_pool(draw_id bigint, pool_no int, label text, wanted int,
                                    pool bigint[], groups bigint[] DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO ptx.draw_pool (draw_id, pool_no, label, wanted, pool, groups, pool_size, pool_hash)
    VALUES (draw_store_pool.draw_id, draw_store_pool.pool_no, draw_store_pool.label,
            draw_store_pool.wanted, draw_store_pool.pool, draw_store_pool.groups,
            cardinality(draw_store_pool.pool), ptx.draw_pool_hash(draw_store_pool.pool));
END
$$;
COMMENT ON FUNCTION ptx.draw_store_pool(bigint, int, text, int, bigint[], bigint[]) IS
    'store a pool of an executing draw with its hash; for compute functions';

-- What the ledger records of an executed draw (the event draw_executed):
-- each stored pool's number, label, wanted, size, hash and the hash of its
-- groups, the number of picks and their hash.  ptx.draw_pool and
-- ptx.draw_pick are not captured row by row (src/sql/90_ledger_track.sql):
-- the event fixes them, and ptx.verify_draw compares them with it.
CREATE FUNCTION ptx.draw_pools_record(draw_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                   'pool_no', p.pool_no, 'label', p.label, 'wanted', p.wanted,
                   'size', p.pool_size, 'hash', pg_catalog.encode(p.pool_hash, 'hex'),
                   'groups_hash', pg_catalog.encode(ptx.draw_groups_hash(p.groups), 'hex')))
                   ORDER BY p.pool_no), '[]'::jsonb)
          FROM ptx.draw_pool p WHERE p.draw_id = draw_pools_record.draw_id;
    END;
COMMENT ON FUNCTION ptx.draw_pools_record(bigint) IS
    'the stored pools of a draw as its ledger event records them: number, label, wanted, size, hash and, with groups, the groups hash';

CREATE FUNCTION ptx.draw_record(draw_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT pg_catalog.jsonb_build_object(
                   'pools', ptx.draw_pools_record(draw_record.draw_id),
                   'picks', pg_catalog.count(*),
                   'picks_hash', pg_catalog.encode(ptx.draw_picks_hash(
                       COALESCE(pg_catalog.array_agg(dp.seat ORDER BY dp.seat), '{}'),
                       COALESCE(pg_catalog.array_agg(dp.subject_id ORDER BY dp.seat), '{}'),
                       COALESCE(pg_catalog.array_agg(dp.role ORDER BY dp.seat), '{}'),
                       COALESCE(pg_catalog.array_agg(dp.assigned_to ORDER BY dp.seat), '{}')), 'hex'))
          FROM ptx.draw_pick dp WHERE dp.draw_id = draw_record.draw_id;
    END;
COMMENT ON FUNCTION ptx.draw_record(bigint) IS
    'the stored pools and picks of a draw as its ledger event draw_executed records them: the pools (ptx.draw_pools_record), the number of picks and their hash';

-- The execution itself, in the background worker of ptx.autonomous_run
-- (58_autonomous.sql): lock the request, refuse a cancelled one, compute,
-- store and record the picks, or record a read of the stored ones; commit
-- (the worker does), then return the number of picks.  Nobody sees a pick
-- before the transaction that made it has committed.
CREATE FUNCTION ptx.draw_run_committed(draw_id bigint, compute regprocedure) RETURNS int
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    seats int[];
    subjects bigint[];
    roles text[];
    assigned bigint[];
BEGIN
    IF NOT ptx.in_autonomous_transaction() THEN
        PERFORM ptx.raise('draw.not_autonomous', COALESCE(draw_id::text, '<NULL>'));
    END IF;
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = draw_run_committed.draw_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('draw.not_found_uncommitted', COALESCE(draw_id::text, '<NULL>'));
    END IF;
    PERFORM ptx.check_draw_not_cancelled(r.id);

    IF EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = r.id) THEN
        PERFORM ptx.ledger_event_internal('draw_result_read', 'ptx.draw_request', jsonb_build_object('id', r.id),
            jsonb_build_object('kind', r.kind, 'project_id', r.project_id));
    ELSE
        EXECUTE format('SELECT array_agg(t.seat ORDER BY t.seat), array_agg(t.subject_id ORDER BY t.seat),'
                       '       array_agg(t.role ORDER BY t.seat), array_agg(t.assigned_to ORDER BY t.seat)'
                       '  FROM %s($1) t', compute::oid::regproc)
           INTO seats, subjects, roles, assigned
          USING r.id;
        INSERT INTO ptx.draw_execution (draw_id, picks)
        VALUES (r.id, COALESCE(cardinality(seats), 0));
        INSERT INTO ptx.draw_pick (draw_id, seat, subject_id, role, assigned_to)
        SELECT r.id, u.seat, u.subject_id, u.role, u.assigned_to
          FROM unnest(seats, subjects, roles, assigned) AS u (seat, subject_id, role, assigned_to);
        -- the record of the execution: the pools and picks by their hashes
        PERFORM ptx.ledger_event_internal('draw_executed', 'ptx.draw_request', jsonb_build_object('id', r.id),
            jsonb_build_object('kind', r.kind, 'project_id', r.project_id,
                               'pools', ptx.draw_pools_record(r.id),
                               'picks', COALESCE(cardinality(seats), 0),
                               'picks_hash', encode(ptx.draw_picks_hash(COALESCE(seats, '{}'), COALESCE(subjects, '{}'),
                                                                        COALESCE(roles, '{}'), COALESCE(assigned, '{}')),
                                                    'hex')));
    END IF;
    RETURN (SELECT count(*) FROM ptx.draw_pick p WHERE p.draw_id = r.id);
END
$$;
COMMENT ON FUNCTION ptx.draw_run_committed(bigint, regprocedure) IS
    'the execution of a draw in the background worker of ptx.autonomous_run: compute, store and record the picks, or record a read of the stored ones; returns the number of picks';

-- The picks of an executed draw as a jsonb array of [seat, subject_id,
-- role, assigned_to], read in the worker for a caller whose snapshot
-- predates the execution (repeatable read); the read is recorded by
-- ptx.draw_run_committed.
CREATE FUNCTION ptx.draw_picks_committed(draw_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(p.seat, p.subject_id, p.role, p.assigned_to)
                                             ORDER BY p.seat), '[]'::jsonb)
          FROM ptx.draw_pick p
         WHERE p.draw_id = draw_picks_committed.draw_id
           AND EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = p.draw_id);
    END;
COMMENT ON FUNCTION ptx.draw_picks_committed(bigint) IS
    'the picks of an executed draw as jsonb, for ptx.draw_run when the caller''s snapshot predates the execution';

CREATE FUNCTION ptx.check_draw_not_cancelled(draw_id bigint) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c record;
BEGIN
    -- ptx.draw_cancellation: 66_draw_cancellation.sql
    SELECT x.cancelled_by, x.cancelled_at, x.reason INTO c
      FROM ptx.draw_cancellation x WHERE x.draw_id = check_draw_not_cancelled.draw_id;
    IF FOUND THEN
        PERFORM ptx.raise('draw.cancelled', COALESCE(draw_id::text, '<NULL>'), c.cancelled_by,
                          c.cancelled_at::text, c.reason);
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.check_draw_not_cancelled(bigint) IS
    'error 55000 when a draw was cancelled (ptx.cancel_draw)';

CREATE FUNCTION ptx.draw_run(draw_id bigint, compute regprocedure)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    n int;
    picks jsonb;
BEGIN
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = draw_run.draw_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('draw.not_found', COALESCE(draw_id::text, '<NULL>'));
    END IF;
    IF r.request_xid = pg_current_xact_id_if_assigned() THEN
        PERFORM ptx.raise('draw.requested_in_transaction', r.id::text);
    END IF;
    -- refused here what this transaction cancelled: its worker would wait
    -- for this transaction's lock
    PERFORM ptx.check_draw_not_cancelled(r.id);
    -- executed (or read) and committed by a worker, whatever this
    -- transaction does next
    n := ptx.autonomous_run(format('SELECT ptx.draw_run_committed(%s, %L)', r.id, compute::text))::int;
    -- committed: a new snapshot of this transaction sees the picks (read
    -- committed); an older one (repeatable read) gets them from a worker
    IF EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = r.id) THEN
        RETURN QUERY
            SELECT p.seat, p.subject_id, p.role, p.assigned_to
              FROM ptx.draw_pick p WHERE p.draw_id = r.id ORDER BY p.seat;
        RETURN;
    END IF;
    picks := ptx.autonomous_run(format('SELECT ptx.draw_picks_committed(%s)', r.id))::jsonb;
    IF jsonb_array_length(picks) <> n THEN
        PERFORM ptx.raise('draw.picks_unreadable', r.id::text, n::text, jsonb_array_length(picks)::text);
    END IF;
    RETURN QUERY
        SELECT (x ->> 0)::int, (x ->> 1)::bigint, x ->> 2, (x ->> 3)::bigint
          FROM jsonb_array_elements(picks) WITH ORDINALITY AS t (x, o)
         ORDER BY t.o;
END
$$;
COMMENT ON FUNCTION ptx.draw_run(bigint, regprocedure) IS
    'the execution protocol shared by every kind: refuse the requesting transaction (PX013) and a cancelled draw, then have the execution (or the read of an executed draw) done and committed by a background worker (ptx.draw_run_committed) and return its picks';

------------------------------------------------------------------------
-- The public interface.
------------------------------------------------------------------------
CREATE FUNCTION ptx.execute_draw(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k ptx.draw_kind;
    fn regprocedure;
BEGIN
    SELECT dk.* INTO k
      FROM ptx.draw_request d JOIN ptx.draw_kind dk ON dk.kind = d.kind
     WHERE d.id = execute_draw.draw_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('draw.not_found', COALESCE(draw_id::text, '<NULL>'));
    END IF;
    fn := to_regprocedure(k.executor);
    IF fn IS NULL THEN
        PERFORM ptx.raise('draw.executor_missing', k.kind, k.executor);
    END IF;
    -- with the caller's privileges: each executor is granted to the roles
    -- that may run its kind of draw
    RETURN QUERY EXECUTE format('SELECT t.seat, t.subject_id, t.role, t.assigned_to FROM %s($1) t',
                                fn::oid::regproc)
        USING draw_id;
END
$$;
COMMENT ON FUNCTION ptx.execute_draw(bigint) IS
    'execute a committed draw request in a transaction of its own, committed before the picks are returned (PX013 in the requesting transaction); idempotent: executing again returns the same picks, and each such read is recorded';

CREATE FUNCTION ptx.verify_draw(draw_id bigint) RETURNS boolean
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    k ptx.draw_kind;
    fn regprocedure;
    ok boolean;
    recorded jsonb;
BEGIN
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = verify_draw.draw_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('draw.not_found', COALESCE(draw_id::text, '<NULL>'));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = r.id) THEN
        PERFORM ptx.raise('draw.not_executed', r.id::text);
    END IF;
    -- the seed is the committed one, and the stored pools are intact
    IF r.commitment IS DISTINCT FROM sha256(r.seed)
       OR r.seed IS DISTINCT FROM (CASE WHEN r.public_entropy IS NULL THEN r.seed_random
                                        ELSE sha256(r.seed_random || convert_to(r.public_entropy, 'UTF8')) END)
       OR EXISTS (SELECT 1 FROM ptx.draw_pool p
                   WHERE p.draw_id = r.id
                     AND (p.pool_hash IS DISTINCT FROM ptx.draw_pool_hash(p.pool)
                          OR p.pool_size IS DISTINCT FROM cardinality(p.pool))) THEN
        RETURN false;
    END IF;
    -- the stored pools and picks are those the ledger recorded at execution
    -- (they are not captured row by row: 90_ledger_track.sql)
    SELECT e.row_image::jsonb INTO recorded
      FROM ptx.ledger_entry e
     WHERE e.seq IN (SELECT s.seq FROM ptx.ledger_seqs('ptx.draw_request', jsonb_build_object('id', r.id)::text) s(seq))
       AND e.relation = 'ptx.draw_request'
       AND (e.key::text) = jsonb_build_object('id', r.id)::text
       AND e.operation = 'EVENT' AND e.kind = 'draw_executed'
     ORDER BY e.seq DESC
     LIMIT 1;
    IF recorded IS NULL
       OR jsonb_build_object('pools', recorded -> 'pools', 'picks', recorded -> 'picks',
                             'picks_hash', recorded -> 'picks_hash')
          IS DISTINCT FROM ptx.draw_record(r.id) THEN
        RETURN false;
    END IF;
    SELECT * INTO k FROM ptx.draw_kind dk WHERE dk.kind = r.kind;
    fn := to_regprocedure(k.verifier);
    IF fn IS NULL THEN
        PERFORM ptx.raise('draw.verifier_missing', k.kind, k.verifier);
    END IF;
    EXECUTE format('SELECT %s($1)', fn::oid::regproc) INTO ok USING r.id;
    RETURN COALESCE(ok, false);
END
$$;
COMMENT ON FUNCTION ptx.verify_draw(bigint) IS
    'replay an executed draw from its seed and stored pools: true when the seed matches its commitment, the pools and picks what the ledger recorded at execution, and the replay the stored picks';

-- Every executed draw, for audits: one row per draw that does not verify.
CREATE FUNCTION ptx.verify_draws()
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT NULL::bigint, NULL::bigint, 'draw_mismatch',
               pg_catalog.format('Draw %s (%s) does not verify: its seed, stored pools or picks differ from what was committed and recorded, or the replay differs from the picks.',
                                 x.draw_id, d.kind)
          FROM ptx.draw_execution x
          JOIN ptx.draw_request d ON d.id = x.draw_id
         WHERE NOT ptx.verify_draw(x.draw_id)
         ORDER BY x.draw_id;
    END;
COMMENT ON FUNCTION ptx.verify_draws() IS
    'verify every executed draw (ptx.verify_draw); one row per draw that does not verify, none when all do, in the shape of ptx.verify()';

------------------------------------------------------------------------
-- Publication.  A project's draws are public once its result is
-- published (publicity and later); a draw without a project once it has
-- been executed.
------------------------------------------------------------------------
CREATE FUNCTION ptx.draw_project_published(project_id bigint) RETURNS boolean
    LANGUAGE sql STABLE STRICT
    BEGIN ATOMIC
        SELECT COALESCE((SELECT p.state IN ('publicity', 'awarded', 'contracted', 'closed')
                           FROM ptx.project p WHERE p.id = draw_project_published.project_id), false);
    END;
COMMENT ON FUNCTION ptx.draw_project_published(bigint) IS
    'true once a project''s result is published (state publicity or later): its draws and committee become public';

CREATE FUNCTION ptx.draw_published(draw_id bigint) RETURNS boolean
    LANGUAGE sql STABLE STRICT
    BEGIN ATOMIC
        SELECT COALESCE((SELECT CASE WHEN d.project_id IS NOT NULL
                                     THEN ptx.draw_project_published(d.project_id)
                                     ELSE EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = d.id) END
                           FROM ptx.draw_request d WHERE d.id = draw_published.draw_id), false);
    END;
COMMENT ON FUNCTION ptx.draw_published(bigint) IS
    'true when a draw''s seed may be public: its project''s result is published, or, without a project, it has been executed';

-- The view reads the tables with its owner's rights; it calls no ptx
-- function, so that ptx_public needs nothing in schema ptx.  Publication is
-- the rule of ptx.draw_published, spelt out.
CREATE VIEW ptx_public.draw WITH (security_barrier = true) AS
SELECT d.id,
       d.kind,
       pr.code AS project_code,
       d.purpose,
       d.need,
       d.requested_at,
       pg_catalog.encode(d.commitment, 'hex') AS commitment,
       d.public_entropy,
       x.executed_at,
       CASE WHEN pub.published THEN pg_catalog.encode(d.seed_random, 'hex') END AS seed_random_masked,
       CASE WHEN pub.published THEN pg_catalog.encode(d.seed, 'hex') END AS seed_masked,
       (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                   'pool_no', p.pool_no, 'label', p.label, 'wanted', p.wanted,
                   'size', p.pool_size, 'hash', pg_catalog.encode(p.pool_hash, 'hex'))
                   ORDER BY p.pool_no)
          FROM ptx.draw_pool p WHERE p.draw_id = d.id) AS pools
  FROM ptx.draw_request d
  LEFT JOIN ptx.project pr ON pr.id = d.project_id
  LEFT JOIN ptx.draw_execution x ON x.draw_id = d.id
  CROSS JOIN LATERAL (SELECT CASE WHEN d.project_id IS NULL THEN x.draw_id IS NOT NULL
                                  ELSE pr.state IN ('publicity', 'awarded', 'contracted', 'closed') END
                             AS published) pub;
COMMENT ON VIEW ptx_public.draw IS
    'every draw with its public commitment; the seed (seed_masked: NULL until then) once the result is published, so that anyone can replay it';

GRANT SELECT ON ptx.draw_kind, ptx.draw_execution TO ptx_admin, ptx_operator, ptx_supervisor;
-- not the seeds, nor replaced_subject_id: who left a committee is part of
-- the confidential member list
GRANT SELECT (id, kind, project_id, purpose, need, options, pool_rules, public_entropy, commitment,
              replaces_draw_id, reason, requested_by, requested_at, request_xid)
    ON ptx.draw_request TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT SELECT ON ptx_public.draw TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.execute_draw(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.verify_draws(), ptx.draw_pools_record(bigint), ptx.draw_record(bigint)
    TO ptx_admin, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.verify_draw(bigint), ptx.draw_pool_hash(bigint[]), ptx.draw_pool_sorted(bigint[]),
    ptx.draw_groups_hash(bigint[]), ptx.draw_picks_hash(int[], bigint[], text[], bigint[]),
    ptx.draw_pick_needs(bytea, bigint[], int[], int[], bigint[], int, bigint[], text[]),
    ptx.draw_published(bigint), ptx.draw_project_published(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
