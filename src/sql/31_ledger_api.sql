-- The ledger's functions (R3): capture, events, tracking, sealing, digests,
-- verification and trails.  Reference: docs/reference/ledger.md.

------------------------------------------------------------------------
-- Capture and events (src/ledger.c)
------------------------------------------------------------------------
CREATE FUNCTION ptx.ledger_capture() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'ptx_ledger_capture';
COMMENT ON FUNCTION ptx.ledger_capture() IS
    'AFTER ROW trigger of tracked tables: one ledger entry per changed row, in the same transaction';

-- SECURITY INVOKER on purpose: the C function writes the entry as the
-- ledger's owner itself, and an invoker function records the caller's
-- current_user rather than the function owner's (docs/reference/ledger.md).
--
-- Events that ptx itself trusts (DESIGN.md §11.3) are written by ptx's own
-- code only, through ptx.ledger_event_internal, which is granted to no one:
-- only the extension's owner, that is ptx's SECURITY DEFINER functions, can
-- call it.  ptx.ledger_event takes application kinds and refuses the
-- reserved ones with PX009.
CREATE FUNCTION ptx.ledger_event_internal(kind text, relation text, key jsonb, payload jsonb)
    RETURNS bigint
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'ptx_ledger_event';
COMMENT ON FUNCTION ptx.ledger_event_internal(text, text, jsonb, jsonb) IS
    'internal: record an event of a kind ptx trusts (granted to no one)';

CREATE FUNCTION ptx.ledger_reserved_kinds() RETURNS text[]
    LANGUAGE c IMMUTABLE PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_ledger_reserved_kinds';
COMMENT ON FUNCTION ptx.ledger_reserved_kinds() IS
    'event kinds that ptx writes and trusts (verification, draws, trails); ptx.ledger_event refuses them (PX009)';

CREATE FUNCTION ptx.ledger_event(kind text, relation text, key jsonb, payload jsonb)
    RETURNS bigint
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'ptx_ledger_app_event';
COMMENT ON FUNCTION ptx.ledger_event(text, text, jsonb, jsonb) IS
    'record an application event without a row (e.g. sealed read, credit revocation) in the ledger; returns its seq; kinds ptx writes itself are refused (PX009)';

-- The capture trigger of ptx.track, attached with the ledger's rights
-- (ptx.ledger_capture is granted to no one) for the table's owner.
CREATE FUNCTION ptx.ledger_attach(rel oid) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    caller text := CASE WHEN pg_catalog.current_setting('role') = 'none' THEN session_user
                        ELSE pg_catalog.current_setting('role') END;
    owner oid := (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = rel);
BEGIN
    IF owner IS NULL OR NOT pg_catalog.pg_has_role(caller, owner, 'USAGE') THEN
        PERFORM ptx.raise('ledger.not_owner', COALESCE((SELECT c.relname::text FROM pg_catalog.pg_class c WHERE c.oid = rel), rel::text));
    END IF;
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER ptx_ledger AFTER INSERT OR UPDATE OR DELETE ON %s'
        ' FOR EACH ROW EXECUTE FUNCTION ptx.ledger_capture()', rel::regclass);
END
$$;
COMMENT ON FUNCTION ptx.ledger_attach(oid) IS
    'internal to ptx.track: attach the capture trigger to a table the caller owns';

-- The track event of ptx.track, written only while the table's capture
-- trigger is new in the caller's own transaction: the event cannot be
-- forged later to make a tracked table's rows look unlogged.
CREATE FUNCTION ptx.ledger_track_event(rel oid, payload jsonb) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    t_xmin xid;
    epoch bigint := (pg_catalog.pg_current_xact_id()::text::bigint >> 32) << 32;
BEGIN
    SELECT t.xmin INTO t_xmin FROM pg_catalog.pg_trigger t
     WHERE t.tgrelid = rel AND t.tgname = 'ptx_ledger'
       AND t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure;
    IF t_xmin IS NULL
       OR pg_catalog.pg_xact_status((epoch | t_xmin::text::bigint)::text::xid8) IS DISTINCT FROM 'in progress' THEN
        PERFORM ptx.raise('ledger.track_event_forged', COALESCE(ptx.ledger_relation_name(rel), rel::text));
    END IF;
    RETURN ptx.ledger_event_internal('track', ptx.ledger_relation_name(rel), NULL,
        COALESCE(payload, '{}') || pg_catalog.jsonb_build_object('by', CASE WHEN pg_catalog.current_setting('role') = 'none'
                                                                   THEN session_user ELSE pg_catalog.current_setting('role') END));
END
$$;
COMMENT ON FUNCTION ptx.ledger_track_event(oid, jsonb) IS
    'internal to ptx.track: the track event, refused unless the table''s capture trigger is new in this transaction';

-- The untrack event of ptx.untrack, for the owner of a tracked table (the
-- DROP TRIGGER that follows it in ptx.untrack is the owner's own).
CREATE FUNCTION ptx.ledger_untrack_event(rel oid, payload jsonb) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    caller text := CASE WHEN pg_catalog.current_setting('role') = 'none' THEN session_user
                        ELSE pg_catalog.current_setting('role') END;
    owner oid := (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = rel);
BEGIN
    IF owner IS NULL OR NOT pg_catalog.pg_has_role(caller, owner, 'USAGE') THEN
        PERFORM ptx.raise('ledger.not_owner', COALESCE((SELECT c.relname::text FROM pg_catalog.pg_class c WHERE c.oid = rel), rel::text));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid = rel AND t.tgname = 'ptx_ledger'
                      AND t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure) THEN
        PERFORM ptx.raise('ledger.untrack_event_not_tracked', COALESCE(ptx.ledger_relation_name(rel), rel::text));
    END IF;
    RETURN ptx.ledger_event_internal('untrack', ptx.ledger_relation_name(rel), NULL,
        COALESCE(payload, '{}') || pg_catalog.jsonb_build_object('by', caller));
END
$$;
COMMENT ON FUNCTION ptx.ledger_untrack_event(oid, jsonb) IS
    'internal to ptx.untrack: the untrack event, for the owner of a tracked table';

CREATE FUNCTION ptx.ledger_relation_name(rel oid) RETURNS text
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'ptx_ledger_relation_name_sql';
COMMENT ON FUNCTION ptx.ledger_relation_name(oid) IS
    'schema.table of a relation as ledger entries name it';

CREATE FUNCTION ptx.ledger_snapshot(rel regclass) RETURNS bigint
    LANGUAGE c VOLATILE STRICT AS 'MODULE_PATHNAME', 'ptx_ledger_snapshot';
COMMENT ON FUNCTION ptx.ledger_snapshot(regclass) IS
    'write a SNAPSHOT entry for every row of a table the caller owns; returns the number of rows';

CREATE FUNCTION ptx.in_extension_script() RETURNS boolean
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'ptx_in_extension_script';
COMMENT ON FUNCTION ptx.in_extension_script() IS
    'true while CREATE EXTENSION or ALTER EXTENSION runs a script (lets the DDL guard step aside)';

CREATE FUNCTION ptx.ledger_entry_bytes(seq bigint) RETURNS bytea
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'ptx_ledger_entry_bytes';
COMMENT ON FUNCTION ptx.ledger_entry_bytes(bigint) IS
    'the canonical serialization of an entry, whose SHA-256 is its entry_hash';

CREATE FUNCTION ptx.ledger_block_bytes(block_no bigint) RETURNS bytea
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'ptx_ledger_block_bytes';
COMMENT ON FUNCTION ptx.ledger_block_bytes(bigint) IS
    'the canonical serialization of a block, whose SHA-256 is its block_hash';

------------------------------------------------------------------------
-- Tracking of DBAs' own tables
------------------------------------------------------------------------
CREATE FUNCTION ptx.track(rel regclass) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c pg_catalog.pg_class;
    leaf record;
    n bigint := 0;
BEGIN
    SELECT * INTO c FROM pg_catalog.pg_class WHERE oid = rel;
    IF c.relpersistence = 't' THEN
        PERFORM ptx.raise('ledger.track_temporary', rel::text);
    END IF;
    IF c.relkind NOT IN ('r', 'p') THEN
        PERFORM ptx.raise('ledger.track_not_table', rel::text);
    END IF;
    IF c.relnamespace = 'ptx'::regnamespace
       AND c.relname IN ('ledger_entry', 'ledger_block', 'ledger_key_index', 'ledger_project_index') THEN
        PERFORM ptx.raise('ledger.track_ledger_table', rel::text);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                    WHERE i.indrelid = rel AND i.indisprimary) THEN
        PERFORM ptx.raise('ledger.track_no_primary_key', rel::text);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                WHERE t.tgrelid = rel AND t.tgname = 'ptx_ledger') THEN
        PERFORM ptx.raise('ledger.already_tracked', rel::text);
    END IF;
    -- only the table's owner brings it under the ledger: refused before any
    -- trigger is created, as ptx.ledger_attach refuses it
    IF NOT pg_catalog.pg_has_role(CASE WHEN pg_catalog.current_setting('role') = 'none' THEN session_user
                                       ELSE pg_catalog.current_setting('role') END,
                                  c.relowner, 'USAGE') THEN
        PERFORM ptx.raise('ledger.not_owner', c.relname::text);
    END IF;
    -- TRUNCATE fires no row trigger: refused while the table is tracked
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid = rel AND t.tgname = 'ptx_no_truncate') THEN
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER ptx_no_truncate BEFORE TRUNCATE ON %s'
            ' FOR EACH STATEMENT EXECUTE FUNCTION ptx.ledger_refuse_truncate()', rel);
    END IF;
    PERFORM ptx.ledger_attach(rel);
    -- the starting point of every row, partition by partition
    FOR leaf IN SELECT rel::oid AS relid WHERE c.relkind = 'r' AND NOT c.relispartition
                UNION
                SELECT t.relid::oid FROM pg_catalog.pg_partition_tree(rel) t WHERE t.isleaf
                ORDER BY 1
    LOOP
        PERFORM ptx.ledger_track_event(leaf.relid, pg_catalog.jsonb_build_object('table', rel::text));
        n := n + ptx.ledger_snapshot(leaf.relid::regclass);
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ptx.track(regclass) IS
    'bring a table with a primary key under the ledger: log every change, starting with a snapshot of its rows; returns the number of rows';

CREATE FUNCTION ptx.untrack(rel regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    leaf record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                    WHERE t.tgrelid = rel AND t.tgname = 'ptx_ledger'
                      AND t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure) THEN
        PERFORM ptx.raise('ledger.not_tracked', rel::text);
    END IF;
    IF (SELECT c.relnamespace FROM pg_catalog.pg_class c WHERE c.oid = rel) = 'ptx'::regnamespace THEN
        PERFORM ptx.raise('ledger.untrack_ptx_table', rel::text);
    END IF;
    FOR leaf IN SELECT rel::oid AS relid
                UNION
                SELECT t.relid::oid FROM pg_catalog.pg_partition_tree(rel) t
                ORDER BY 1
    LOOP
        PERFORM ptx.ledger_untrack_event(leaf.relid, pg_catalog.jsonb_build_object('table', rel::text));
    END LOOP;
    EXECUTE pg_catalog.format('DROP TRIGGER ptx_ledger ON %s', rel);
    EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS ptx_no_truncate ON %s', rel);
END
$$;
COMMENT ON FUNCTION ptx.untrack(regclass) IS
    'stop logging a table; the untracking is itself a ledger event';

CREATE VIEW ptx.tracked AS
SELECT t.tgrelid::regclass AS rel,
       ptx.ledger_relation_name(t.tgrelid) AS relation,
       t.tgenabled IN ('O', 'A') AS enabled
  FROM pg_catalog.pg_trigger t
 WHERE t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure
   AND t.tgparentid = 0;
COMMENT ON VIEW ptx.tracked IS 'tables under the ledger''s capture trigger';

------------------------------------------------------------------------
-- Sealing and digests (src/seal.c, src/worker.c)
------------------------------------------------------------------------
CREATE FUNCTION ptx.seal() RETURNS bigint
    LANGUAGE c VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'ptx_seal';
COMMENT ON FUNCTION ptx.seal() IS
    'seal every entry that can no longer change into hash-chained blocks; returns the number of blocks made';

CREATE FUNCTION ptx.digest() RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT pg_catalog.jsonb_build_object(
                   'block_no', b.block_no,
                   'block_hash', pg_catalog.encode(b.block_hash, 'hex'),
                   'last_seq', b.last_seq,
                   'sealed_at', b.sealed_at,
                   'format', b.format,
                   'database', pg_catalog.current_database(),
                   'system_identifier', (SELECT s.system_identifier::text
                                           FROM pg_catalog.pg_control_system() s))
          FROM ptx.ledger_block b
         ORDER BY b.block_no DESC
         LIMIT 1;
    END;
COMMENT ON FUNCTION ptx.digest() IS
    'the newest block''s number, hash and time, for publication outside the database; NULL before the first block';

------------------------------------------------------------------------
-- Verification (src/verify.c)
------------------------------------------------------------------------
CREATE FUNCTION ptx.verify_chain(from_block bigint)
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'ptx_verify_chain';
COMMENT ON FUNCTION ptx.verify_chain(bigint) IS
    'entry hashes, Merkle roots, block hashes and links from a block on (part of ptx.verify)';

-- The comparison itself (src/verify_rows.c): one pass over the ledger for
-- all tables, one over each table; the problems of the table at position
-- relation_no, the key as text.
CREATE FUNCTION ptx.verify_rows_compare(relids oid[], relations text[])
    RETURNS TABLE (relation_no integer, seq bigint, problem text, key text)
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'ptx_verify_rows_compare';
COMMENT ON FUNCTION ptx.verify_rows_compare(oid[], text[]) IS
    'rows of the given tables (with their names as entries write them) against the newest ledger entries of their keys since their baselines; for ptx.verify_rows()';

-- Current rows are rendered with the settings the capture trigger uses
-- (src/canonical.c, ptx.ledger_canonical_settings()), whatever the
-- caller's session has.
CREATE FUNCTION ptx.verify_rows()
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET DateStyle = 'ISO, MDY'
    SET IntervalStyle = 'postgres'
    SET TimeZone = 'UTC'
    SET extra_float_digits = 1
    SET bytea_output = 'hex'
    SET lc_monetary = 'C'
    AS $$
BEGIN
    RETURN QUERY
        WITH t AS (
            SELECT t.tgrelid AS relid, ptx.ledger_relation_name(t.tgrelid) AS name,
                   EXISTS (SELECT FROM pg_catalog.pg_index x
                            WHERE x.indrelid = t.tgrelid AND x.indisprimary) AS has_pk
              FROM pg_catalog.pg_trigger t
              JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
             WHERE t.tgfoid = 'ptx.ledger_capture()'::pg_catalog.regprocedure
               AND c.relkind = 'r'
               AND c.relpersistence <> 't'),     -- another session's cannot be read
        k AS (
            SELECT COALESCE(pg_catalog.array_agg(t.relid ORDER BY t.name), '{}') AS relids,
                   COALESCE(pg_catalog.array_agg(t.name ORDER BY t.name), '{}') AS names
              FROM t WHERE t.has_pk)
        SELECT NULL::bigint, p.seq, p.problem, p.detail
          FROM (SELECT t.name, NULL::bigint AS seq, 'no_primary_key'::text AS problem,
                       pg_catalog.format('Tracked table %s has no primary key; its rows cannot be compared with the ledger.',
                                         t.name) AS detail
                  FROM t
                 WHERE NOT t.has_pk
                UNION ALL
                SELECT k.names[r.relation_no], r.seq, r.problem,
                       pg_catalog.format(CASE r.problem
                                             WHEN 'row_missing' THEN 'Row %s of %s has no DELETE in the ledger but is gone from the table.'
                                             WHEN 'row_unlogged' THEN 'Row %s of %s is in the table but the ledger has no image of it.'
                                             ELSE 'Row %s of %s differs from its last ledger image.' END,
                                         r.key, k.names[r.relation_no])
                  FROM k, ptx.verify_rows_compare(k.relids, k.names) r) p
         ORDER BY p.name, p.seq NULLS LAST, p.detail;
END
$$;
COMMENT ON FUNCTION ptx.verify_rows() IS
    'compare every tracked table''s rows with their last ledger images (part of ptx.verify)';

CREATE FUNCTION ptx.verify_lag()
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        WITH lag AS (
            SELECT COALESCE(pg_catalog.current_setting('ptx.seal_max_lag', true)::int, 60) AS s)
        SELECT NULL::bigint, min(e.seq), 'unsealed',
               pg_catalog.format('%s entries older than %s seconds are not sealed into a block.',
                                 count(*), (SELECT lag.s FROM lag))
          FROM ptx.ledger_entry e
         WHERE e.seq > COALESCE((SELECT max(b.last_seq) FROM ptx.ledger_block b), 0)
           AND e.logged_at < pg_catalog.clock_timestamp()
                             - (SELECT lag.s FROM lag) * interval '1 second'
        HAVING count(*) > 0;
    END;
COMMENT ON FUNCTION ptx.verify_lag() IS
    'entries left unsealed longer than ptx.seal_max_lag seconds (part of ptx.verify)';

CREATE FUNCTION ptx.verify(from_block bigint)
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY SELECT * FROM ptx.verify_chain(from_block);
    RETURN QUERY SELECT * FROM ptx.verify_rows();
    -- the sealer's lookup indexes hold exactly the sealed entries
    RETURN QUERY SELECT * FROM ptx.verify_index(from_block);
    -- the tables not captured row by row (90_ledger_track.sql) are checked
    -- against what the ledger holds of them instead
    RETURN QUERY SELECT * FROM ptx.verify_draws();
    RETURN QUERY SELECT * FROM ptx.verify_agency_business();
    RETURN QUERY SELECT * FROM ptx.verify_lag();
END
$$;
COMMENT ON FUNCTION ptx.verify(bigint) IS
    'verify the ledger from a block on, the tracked tables, the lookup indexes, the executed draws, the derived agency summary and the sealing lag; one row per problem, none when verified';

CREATE FUNCTION ptx.verify()
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT * FROM ptx.verify(1::bigint);
    END;
COMMENT ON FUNCTION ptx.verify() IS
    'verify the whole ledger, the tracked tables and the sealing lag; one row per problem, none when verified';

CREATE FUNCTION ptx.verify(digests jsonb)
    RETURNS TABLE (block_no bigint, seq bigint, problem text, detail text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d jsonb;
    b ptx.ledger_block;
    n bigint;
BEGIN
    IF jsonb_typeof(digests) = 'object' THEN
        digests := jsonb_build_array(digests);
    END IF;
    IF jsonb_typeof(digests) IS DISTINCT FROM 'array' THEN
        PERFORM ptx.raise('ledger.digests_invalid');
    END IF;
    FOR d IN SELECT value FROM jsonb_array_elements(digests)
    LOOP
        BEGIN
            n := (d ->> 'block_no')::bigint;
        EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
            n := NULL;
        END;
        IF n IS NULL OR d ->> 'block_hash' IS NULL THEN
            PERFORM ptx.raise('ledger.digest_incomplete', d::text);
        END IF;
        SELECT * INTO b FROM ptx.ledger_block x WHERE x.block_no = n;
        IF NOT FOUND THEN
            block_no := n; seq := NULL; problem := 'digest_block_missing';
            detail := format('Block %s of a published digest is not in the ledger.', n);
            RETURN NEXT;
        ELSIF encode(b.block_hash, 'hex') IS DISTINCT FROM lower(d ->> 'block_hash') THEN
            block_no := n; seq := NULL; problem := 'digest_mismatch';
            detail := format('Block %s has the hash %s; the digest published %s.',
                             n, encode(b.block_hash, 'hex'), d ->> 'block_hash');
            RETURN NEXT;
        END IF;
    END LOOP;
    RETURN QUERY SELECT * FROM ptx.verify(1::bigint);
END
$$;
COMMENT ON FUNCTION ptx.verify(jsonb) IS
    'verify the whole ledger and check its chain against digests published earlier (catches a rewritten chain)';

CREATE FUNCTION ptx.verify_incremental() RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    from_no bigint;
    to_no bigint;
    found jsonb;
    n bigint;
BEGIN
    SELECT COALESCE(max(c.to_block), 0) + 1 INTO from_no
      FROM ptx.ledger_check c WHERE c.problems = 0;
    SELECT max(b.block_no) INTO to_no FROM ptx.ledger_block b;
    SELECT COALESCE(jsonb_agg(to_jsonb(v)), '[]'::jsonb), count(*) INTO found, n
      FROM ptx.verify(from_no) v;
    INSERT INTO ptx.ledger_check (from_block, to_block, problems, report)
    VALUES (from_no, COALESCE(to_no, from_no - 1), n, found);
    IF n > 0 THEN
        PERFORM ptx.warning('ledger.verification_problems', n::text);
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ptx.verify_incremental() IS
    'verify from the block after the last clean check on, record the result in ptx.ledger_check; returns the number of problems (the nightly job)';

------------------------------------------------------------------------
-- Trails (可查可溯)
------------------------------------------------------------------------
CREATE FUNCTION ptx.trail(project_id bigint)
    RETURNS TABLE (seq bigint, block_no bigint, logged_at timestamptz, business_at timestamptz,
                   session_user_name text, current_user_name text, operation text, kind text,
                   relation text, key jsonb, data jsonb)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    -- Before its result is published a project's history holds secrets
    -- (sealed bids, its committee, its draws): each read is a ledger event
    -- sealed_read committed before the entries are returned (DESIGN.md
    -- §11.2, src/sql/58_autonomous.sql).
    IF NOT ptx.draw_project_published(trail.project_id) THEN
        PERFORM ptx.record_read('sealed_read', 'ptx.project', jsonb_build_object('id', trail.project_id),
                                jsonb_build_object('read', 'trail',
                                                   'state', (SELECT p.state FROM ptx.project p WHERE p.id = trail.project_id)));
    END IF;
    RETURN QUERY
        SELECT e.seq,
               (SELECT b.block_no FROM ptx.ledger_block b
                 WHERE b.last_seq >= e.seq AND b.first_seq <= e.seq
                 ORDER BY b.last_seq LIMIT 1),
               e.logged_at, e.business_at, e.session_user_name, e.current_user_name,
               e.operation, e.kind, e.relation, e.key::jsonb, e.row_image::jsonb
          FROM ptx.ledger_entry e
         WHERE e.seq IN (SELECT s.seq FROM ptx.ledger_project_seqs(trail.project_id) s(seq))
           AND e.project_id = trail.project_id
         ORDER BY e.seq;
END
$$;
COMMENT ON FUNCTION ptx.trail(bigint) IS
    'a project''s whole history in order: its row and every entry whose row or payload carries its project_id; before the result is published each read is a ledger event sealed_read committed in its own transaction';

CREATE FUNCTION ptx.trail(relation text, key jsonb)
    RETURNS TABLE (seq bigint, block_no bigint, logged_at timestamptz, business_at timestamptz,
                   session_user_name text, current_user_name text, operation text, kind text,
                   relation text, key jsonb, data jsonb)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT e.seq,
               (SELECT b.block_no FROM ptx.ledger_block b
                 WHERE b.last_seq >= e.seq AND b.first_seq <= e.seq
                 ORDER BY b.last_seq LIMIT 1),
               e.logged_at, e.business_at, e.session_user_name, e.current_user_name,
               e.operation, e.kind, e.relation, e.key::jsonb, e.row_image::jsonb
          FROM ptx.ledger_entry e
         WHERE e.seq IN (SELECT s.seq FROM ptx.ledger_seqs(trail.relation, trail.key::text) s(seq))
           AND e.relation = trail.relation AND (e.key::text) = (trail.key::text)
         ORDER BY e.seq;
    END;
COMMENT ON FUNCTION ptx.trail(text, jsonb) IS
    'the history of one row (or of the events about one key) in order, e.g. ptx.trail(''ptx.bid'', ''{"id": 7}'')';

GRANT EXECUTE ON FUNCTION ptx.ledger_event(text, text, jsonb, jsonb)
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.ledger_snapshot(regclass),
    ptx.track(regclass), ptx.untrack(regclass), ptx.seal(),
    ptx.ledger_attach(oid), ptx.ledger_track_event(oid, jsonb),
    ptx.ledger_untrack_event(oid, jsonb) TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.ledger_reserved_kinds()
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.ledger_relation_name(oid), ptx.in_extension_script()
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.digest()
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.verify(), ptx.verify(bigint), ptx.verify(jsonb),
    ptx.verify_chain(bigint), ptx.verify_rows(), ptx.verify_lag(),
    ptx.verify_incremental() TO ptx_admin, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.trail(bigint), ptx.trail(text, jsonb),
    ptx.ledger_entry_bytes(bigint), ptx.ledger_block_bytes(bigint) TO ptx_auditor;
GRANT SELECT ON ptx.tracked TO ptx_admin, ptx_auditor;
