-- Bids (投标) and their seal (R4, R8): a bid is invisible to everyone but
-- the system until the opening (开标).
--
-- The price, the digest of the documents and the machine fingerprint of a
-- bid are stored only as one OpenPGP message (pgcrypto pgp_sym_encrypt,
-- AES-256, no compression, padded to a fixed length so that its size does
-- not tell the price) under a random 256-bit key of the project.  The keys
-- live in schema ptx_seal, which no role but the extension owner can
-- enter; the ledger's row images and every table read see only the
-- ciphertext.  At the opening the machine fills the clear columns from the
-- seal; a bid that is never opened (failed or terminated tender) stays
-- sealed and is returned (退回).

CREATE SCHEMA ptx_seal;
COMMENT ON SCHEMA ptx_seal IS 'ptx: bid keys, readable by the extension owner only';
REVOKE ALL ON SCHEMA ptx_seal FROM PUBLIC;

CREATE TABLE ptx_seal.project_key (
    project_id  bigint PRIMARY KEY REFERENCES ptx.project (id),
    key         bytea NOT NULL CHECK (pg_catalog.length(key) = 32),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE ptx_seal.project_key IS 'per-project key sealing the bids until the opening';
REVOKE ALL ON ptx_seal.project_key FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('ptx_seal.project_key', '');

-- The schema pgcrypto was installed in (CREATE EXTENSION ptx CASCADE puts
-- it where the DBA chose); its functions are called qualified.
CREATE FUNCTION ptx_seal.pgcrypto_schema() RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s text;
BEGIN
    SELECT n.nspname INTO s
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pgcrypto';
    IF s IS NULL THEN
        PERFORM ptx.raise('bids.pgcrypto_missing');
    END IF;
    RETURN s;
END
$$;

CREATE FUNCTION ptx_seal.seal(project_id bigint, payload text) RETURNS bytea
    LANGUAGE plpgsql VOLATILE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cs text := ptx_seal.pgcrypto_schema();
    k bytea;
    padded text;
    out bytea;
BEGIN
    SELECT key INTO k FROM ptx_seal.project_key WHERE project_key.project_id = seal.project_id;
    IF NOT FOUND THEN
        EXECUTE format('SELECT %I.gen_random_bytes(32)', cs) INTO k;
        INSERT INTO ptx_seal.project_key (project_id, key) VALUES (seal.project_id, k)
        ON CONFLICT ON CONSTRAINT project_key_pkey DO NOTHING;
        SELECT key INTO STRICT k FROM ptx_seal.project_key WHERE project_key.project_id = seal.project_id;
    END IF;
    IF octet_length(payload) > 1000 THEN
        PERFORM ptx.raise('bids.too_large_to_seal', project_id::text);
    END IF;
    padded := rpad(payload, 1024, ' ');
    EXECUTE format('SELECT %I.pgp_sym_encrypt($1, $2, %L)', cs,
                   'cipher-algo=aes256, compress-algo=0, s2k-mode=1')
       INTO out USING padded, encode(k, 'hex');
    RETURN out;
END
$$;
COMMENT ON FUNCTION ptx_seal.seal(bigint, text) IS 'seal a bid payload under the project''s key';

CREATE FUNCTION ptx_seal.unseal(project_id bigint, sealed bytea) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cs text := ptx_seal.pgcrypto_schema();
    k bytea;
    clear text;
BEGIN
    SELECT key INTO STRICT k FROM ptx_seal.project_key WHERE project_key.project_id = unseal.project_id;
    EXECUTE format('SELECT %I.pgp_sym_decrypt($1, $2)', cs)
       INTO clear USING sealed, encode(k, 'hex');
    RETURN rtrim(clear, ' ')::jsonb;
END
$$;
COMMENT ON FUNCTION ptx_seal.unseal(bigint, bytea) IS 'open a sealed bid payload';

------------------------------------------------------------------------
-- The bid rules, for the API and for direct writes alike.
------------------------------------------------------------------------
CREATE FUNCTION ptx.bid_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    t timestamptz;
    clear jsonb;
    sealed_bid ptx.bid;
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM ptx.raise('bids.record', OLD.id::text, OLD.project_id::text);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;                          -- nothing changes
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.id, NEW.project_id, NEW.bidder_id, NEW.round, NEW.seal_mode)
                            IS DISTINCT FROM (OLD.id, OLD.project_id, OLD.bidder_id, OLD.round, OLD.seal_mode) THEN
        PERFORM ptx.raise('bids.fixed_identity', OLD.id::text);
    END IF;

    -- The project row is share-locked: the opening, which updates it,
    -- waits for bids being written, and bids wait for an opening.
    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('bids.project_missing', COALESCE(NEW.project_id::text, '<NULL>'));
    END IF;

    IF TG_OP = 'INSERT' THEN
        IF p.state <> 'announced' THEN
            PERFORM ptx.raise(CASE WHEN p.state = 'registered' THEN 'bids.not_accepting_registered'
                                   ELSE 'bids.not_accepting' END,
                              p.code, p.state::text);
        END IF;
        IF NEW.bidder_id IS NULL THEN
            PERFORM ptx.raise('bids.no_bidder', p.code);
        END IF;
        t := ptx.receipt_time();
        IF t > p.bid_deadline THEN
            PERFORM ptx.raise('bids.late', p.code, t::text, p.bid_deadline::text);
        END IF;
        IF NOT ptx.has_role(NEW.bidder_id, 'bidder') THEN
            PERFORM ptx.raise('bids.not_a_bidder', NEW.bidder_id::text);
        END IF;
        IF NEW.bidder_id = p.tenderee_id OR NEW.bidder_id IS NOT DISTINCT FROM p.agency_id THEN
            PERFORM ptx.raise('bids.own_project', NEW.bidder_id::text, p.code);
        END IF;
        -- The project's sealing mode (44_bids_sealed.sql): bidder-sealed
        -- bids arrive encrypted, with their commitment.
        NEW.seal_mode := ptx.bid_sealing_mode(p.id);
        IF NEW.seal_mode = 'bidder' THEN
            NEW.round := p.round;
            RETURN ptx.bid_sealed_before_opening(TG_OP, NULL, NEW, p, t);
        END IF;
        NEW.commitment := NULL;
        NEW.clear_bid := NULL;
        NEW.decrypted_at := NULL;
        IF NEW.price IS NULL OR NEW.sealed IS NOT NULL THEN
            PERFORM ptx.raise('bids.price_in_clear', p.code);
        END IF;
        NEW.round := p.round;
        NEW.submitted_at := t;
        NEW.status := 'valid';
        NEW.status_note := NULL;
        NEW.opened_at := NULL;
    ELSIF OLD.opened_at IS NULL AND NEW.opened_at IS NOT NULL THEN
        -- The opening: the machine fills the clear columns from the seal.
        IF p.state NOT IN ('opened', 'evaluating', 'publicity', 'awarded', 'contracted', 'closed', 'terminated')
           OR p.opened_at IS NULL OR OLD.round <> p.round THEN
            PERFORM ptx.raise('bids.opened_early', OLD.id::text, p.code);
        END IF;
        IF OLD.seal_mode = 'bidder' THEN
            NEW := OLD;                      -- its bidder decrypts it
            NEW.opened_at := p.opened_at;
            RETURN NEW;
        END IF;
        clear := ptx_seal.unseal(p.id, OLD.sealed);
        NEW.price := (clear ->> 'price')::numeric;
        NEW.doc_digest := decode(clear ->> 'digest', 'hex');
        NEW.fingerprint := clear ->> 'fingerprint';
        NEW.sealed := OLD.sealed;
        NEW.commitment := OLD.commitment;
        NEW.clear_bid := OLD.clear_bid;
        NEW.decrypted_at := OLD.decrypted_at;
        NEW.status := OLD.status;
        NEW.status_note := OLD.status_note;
        NEW.submitted_at := OLD.submitted_at;
        NEW.opened_at := p.opened_at;
        RETURN NEW;
    ELSIF OLD.opened_at IS NULL THEN
        -- Still sealed: resubmission or withdrawal before the deadline, or
        -- the return of a bid never opened.
        IF (NEW.doc_digest, NEW.fingerprint) IS DISTINCT FROM (OLD.doc_digest, OLD.fingerprint)
           AND NEW.price IS NULL THEN
            PERFORM ptx.raise('bids.sealed_whole', OLD.id::text);
        END IF;
        IF NEW.status = 'returned' AND OLD.status IN ('valid', 'withdrawn') AND NEW.price IS NULL
           AND NEW.sealed IS NOT DISTINCT FROM OLD.sealed
           AND (p.state IN ('failed', 'terminated') OR OLD.round < p.round) THEN
            NEW.submitted_at := OLD.submitted_at;
            RETURN NEW;
        END IF;
        IF p.state <> 'announced' OR OLD.round <> p.round THEN
            PERFORM ptx.raise('bids.sealed_state', OLD.id::text, p.state::text);
        END IF;
        t := ptx.receipt_time();
        IF t > p.bid_deadline THEN
            PERFORM ptx.raise('bids.change_late', OLD.id::text, t::text, p.bid_deadline::text);
        END IF;
        IF OLD.seal_mode = 'bidder' THEN
            RETURN ptx.bid_sealed_before_opening(TG_OP, OLD, NEW, p, t);
        END IF;
        IF NEW.price IS NOT NULL THEN
            NEW.status := 'valid';           -- a new bid replaces the old one
            NEW.status_note := NULL;
        ELSIF NEW.status = 'withdrawn' AND OLD.status = 'valid'
              AND NEW.sealed IS NOT DISTINCT FROM OLD.sealed THEN
            NEW.submitted_at := t;
            RETURN NEW;
        ELSE
            PERFORM ptx.raise('bids.sealed_change', OLD.id::text);
        END IF;
        NEW.submitted_at := t;
    ELSE
        -- Opened: the content is fixed; the evaluation may reject a bid.
        -- A bid sealed by its bidder is decrypted by it, or withdrawn.
        sealed_bid := ptx.bid_sealed_after_opening(OLD, NEW, p);
        IF sealed_bid.id IS NOT NULL THEN
            RETURN sealed_bid;
        END IF;
        IF (NEW.price, NEW.doc_digest, NEW.fingerprint, NEW.sealed, NEW.submitted_at, NEW.opened_at,
            NEW.commitment, NEW.clear_bid, NEW.decrypted_at)
           IS DISTINCT FROM (OLD.price, OLD.doc_digest, OLD.fingerprint, OLD.sealed, OLD.submitted_at, OLD.opened_at,
                             OLD.commitment, OLD.clear_bid, OLD.decrypted_at) THEN
            PERFORM ptx.raise('bids.opened_fixed', OLD.id::text);
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status THEN
            IF NOT (OLD.status = 'valid' AND NEW.status = 'rejected' AND p.state = 'evaluating') THEN
                PERFORM ptx.raise('bids.status_change', OLD.id::text, OLD.status,
                                  COALESCE(NEW.status, '<NULL>'), p.state::text);
            END IF;
            IF pg_catalog.btrim(COALESCE(NEW.status_note, '')) = '' THEN
                PERFORM ptx.raise('bids.reject_no_reason', OLD.id::text);
            END IF;
        ELSIF NEW.status_note IS DISTINCT FROM OLD.status_note THEN
            PERFORM ptx.raise('bids.note_fixed', OLD.id::text);
        END IF;
        RETURN NEW;
    END IF;

    -- Seal: the clear values never reach the table.  The table's checks
    -- on the clear columns only apply at the opening: check the price now.
    IF NEW.price < 0 THEN
        PERFORM ptx.raise('bids.negative_price', p.code);
    END IF;
    NEW.sealed := ptx_seal.seal(p.id, jsonb_build_object(
        'price', NEW.price::text,
        'digest', encode(NEW.doc_digest, 'hex'),
        'fingerprint', NEW.fingerprint)::text);
    NEW.price := NULL;
    NEW.doc_digest := NULL;
    NEW.fingerprint := NULL;
    NEW.commitment := NULL;
    NEW.clear_bid := NULL;
    NEW.decrypted_at := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER bid_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.bid
    FOR EACH ROW EXECUTE FUNCTION ptx.bid_before_write();

-- The opening fills the clear columns of the round's bids; a tender that
-- fails or ends unopened returns them sealed.
CREATE FUNCTION ptx.project_bids_after_step() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NEW.state = 'opened' THEN
        UPDATE ptx.bid SET opened_at = NEW.opened_at
         WHERE project_id = NEW.id AND round = NEW.round AND opened_at IS NULL;
    ELSIF NEW.state IN ('failed', 'terminated') THEN
        UPDATE ptx.bid SET status = 'returned'
         WHERE project_id = NEW.id AND opened_at IS NULL AND status IN ('valid', 'withdrawn');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER project_bids_after_step AFTER UPDATE OF state ON ptx.project
    FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state)
    EXECUTE FUNCTION ptx.project_bids_after_step();

------------------------------------------------------------------------
-- The API.
------------------------------------------------------------------------
CREATE FUNCTION ptx.submit_bid(project_id bigint, bidder_id bigint, price numeric,
                               doc_digest bytea DEFAULT NULL,
                               fingerprint text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    bid_id bigint;
BEGIN
    PERFORM ptx.check_centre('submit_bid', project_id);
    SELECT * INTO p FROM ptx.project WHERE id = submit_bid.project_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('bids.no_project', COALESCE(project_id::text, '<NULL>'));
    END IF;
    IF ptx.bid_sealing_mode(p.id) = 'bidder' THEN
        PERFORM ptx.raise('bids.bidder_sealed_submit', p.code);
    END IF;
    IF price IS NULL THEN
        PERFORM ptx.raise('bids.no_price', p.code);
    END IF;
    SELECT b.id INTO bid_id FROM ptx.bid b
     WHERE b.project_id = p.id AND b.round = p.round AND b.bidder_id = submit_bid.bidder_id;
    IF FOUND THEN
        UPDATE ptx.bid b SET price = submit_bid.price, doc_digest = submit_bid.doc_digest,
               fingerprint = submit_bid.fingerprint
         WHERE b.id = bid_id;
    ELSE
        -- the same bidder submitting twice at once: the second is a
        -- resubmission, as if it had come after the first
        INSERT INTO ptx.bid AS b (project_id, bidder_id, price, doc_digest, fingerprint)
        VALUES (p.id, submit_bid.bidder_id, submit_bid.price, submit_bid.doc_digest,
                submit_bid.fingerprint)
        ON CONFLICT ON CONSTRAINT bid_project_id_round_bidder_id_key DO UPDATE
           SET price = EXCLUDED.price, doc_digest = EXCLUDED.doc_digest,
               fingerprint = EXCLUDED.fingerprint
        RETURNING b.id INTO bid_id;
    END IF;
    RETURN bid_id;
END
$$;
COMMENT ON FUNCTION ptx.submit_bid(bigint, bigint, numeric, bytea, text) IS
    'submit (or replace) a bid before the deadline; it is sealed until the opening; returns the bid id';

CREATE FUNCTION ptx.withdraw_bid(project_id bigint, bidder_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_centre('withdraw_bid', project_id);
    IF EXISTS (SELECT 1 FROM ptx.project p WHERE p.id = withdraw_bid.project_id)
       AND ptx.bid_sealing_mode(withdraw_bid.project_id) = 'bidder' THEN
        PERFORM ptx.raise('bids.bidder_sealed_withdraw', project_id::text);
    END IF;
    UPDATE ptx.bid b SET status = 'withdrawn'
      FROM ptx.project p
     WHERE p.id = withdraw_bid.project_id AND b.project_id = p.id AND b.round = p.round
       AND b.bidder_id = withdraw_bid.bidder_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('bids.no_bid', COALESCE(bidder_id::text, '<NULL>'), COALESCE(project_id::text, '<NULL>'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.withdraw_bid(bigint, bigint) IS 'withdraw a bid before the deadline (撤回投标文件)';

CREATE FUNCTION ptx.reject_bid(project_id bigint, bidder_id bigint, reason text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_centre('reject_bid', project_id);
    UPDATE ptx.bid b SET status = 'rejected', status_note = reject_bid.reason
      FROM ptx.project p
     WHERE p.id = reject_bid.project_id AND b.project_id = p.id AND b.round = p.round
       AND b.bidder_id = reject_bid.bidder_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('bids.no_bid', COALESCE(bidder_id::text, '<NULL>'), COALESCE(project_id::text, '<NULL>'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.reject_bid(bigint, bigint, text) IS
    'reject a bid in the evaluation (否决投标) with the reason';

-- Bids as those who run the platform see them: only once opened.
CREATE VIEW ptx.bid_opened WITH (security_barrier = true) AS
SELECT b.id, b.project_id, b.round, b.bidder_id, b.price, b.doc_digest, b.fingerprint,
       b.submitted_at, b.status, b.status_note, b.opened_at
  FROM ptx.bid b
 WHERE b.opened_at IS NOT NULL;
COMMENT ON VIEW ptx.bid_opened IS 'bids after their opening (开标); sealed bids are not shown';

GRANT SELECT ON ptx.bid_opened TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.submit_bid(bigint, bigint, numeric, bytea, text),
    ptx.withdraw_bid(bigint, bigint), ptx.reject_bid(bigint, bigint, text)
    TO ptx_admin, ptx_operator;
