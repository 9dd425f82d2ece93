-- Bids sealed by the bidder (R14, 电子招标投标办法 §26, §31; DESIGN.md §11.6).
--
-- A bidder encrypts its bid itself with a standard tool: an OpenPGP message
-- that pgcrypto's pgp_sym_decrypt opens (GnuPG: gpg --symmetric
-- --cipher-algo AES256).  With the ciphertext it gives the SHA-256 of the
-- clear bid (its commitment).  The database holds no key that opens the
-- bid.  After the opening (开标) each bidder gives its key to
-- ptx.decrypt_bid within the opening window; ptx decrypts, checks the
-- commitment and fills the clear columns.  A bid its bidder does not
-- decrypt by the end of the window is withdrawn by the bidder (撤销) when
-- ptx.close_decryption closes the window; the opening goes on for the
-- others, and the tender fails (流标) when fewer than tender.min_bids remain.
--
-- The clear bid is a JSON object in UTF-8:
--   {"price": "8765432.10", "digest": "<hex>", "fingerprint": "...",
--    "nonce": "<at least 32 hex digits>"}
-- The nonce keeps the commitment from telling the price: without it the
-- few plausible prices could be hashed and compared.
--
-- The platform's own key (44_bids.sql) stays as a mode for centres whose
-- bidders have no tooling.  Which mode a project uses is fixed when it is
-- announced, from the policy setting bids.bidder_sealed, and is public.
--
-- No oracle on who bid: the functions of this file that take a bidder
-- check the bidder's proof (a secret registered once, ptx.bidder_credential)
-- before they look at the bids, and answer the same for every caller
-- without it.  Platform-mode functions refuse projects in bidder mode
-- before looking at their bids.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('bids.bidder_sealed', 1, 'boolean (1 bidder, 0 platform)', '电子招标投标办法 §26, §31',
   'projects announced while this is 1 take bids encrypted by the bidder; 0 lets the platform seal them with its own key (centres whose bidders have no tooling)'),
  ('bids.decrypt_window_minutes', 60, 'minutes', '电子招标投标办法 §31 (解密时限 set by the tender documents)',
   'minutes after the opening during which bidders decrypt their bids; a bid not decrypted by then is withdrawn by its bidder (撤销)');

ALTER TABLE ptx.bid
    ADD COLUMN seal_mode text NOT NULL DEFAULT 'platform'
        CHECK (seal_mode IN ('platform', 'bidder')),
    ADD COLUMN commitment bytea
        CHECK (commitment IS NULL OR pg_catalog.octet_length(commitment) = 32),
    ADD COLUMN clear_bid bytea,
    ADD COLUMN decrypted_at timestamptz;
COMMENT ON COLUMN ptx.bid.seal_mode IS 'platform: sealed by ptx under the project''s key; bidder: encrypted by the bidder (R14)';
COMMENT ON COLUMN ptx.bid.commitment IS 'bidder mode: SHA-256 of the clear bid, given with the ciphertext';
COMMENT ON COLUMN ptx.bid.clear_bid IS 'bidder mode: the clear bid, once its bidder decrypted it after the opening';
COMMENT ON COLUMN ptx.bid.decrypted_at IS 'bidder mode: when its bidder decrypted it (解密)';

CREATE TABLE ptx.bid_sealing (
    project_id  bigint PRIMARY KEY REFERENCES ptx.project (id),
    mode        text NOT NULL CHECK (mode IN ('platform', 'bidder')),
    fixed_at    timestamptz NOT NULL DEFAULT ptx.now(),
    basis       text NOT NULL
);
COMMENT ON TABLE ptx.bid_sealing IS 'how the bids of each project are sealed, fixed when it is announced (public)';
SELECT pg_catalog.pg_extension_config_dump('ptx.bid_sealing', '');

CREATE TABLE ptx.bidder_credential (
    bidder_id       bigint PRIMARY KEY REFERENCES ptx.org (id),
    proof_hash      bytea NOT NULL CHECK (pg_catalog.octet_length(proof_hash) = 32),
    registered_at   timestamptz NOT NULL DEFAULT ptx.now()
);
COMMENT ON TABLE ptx.bidder_credential IS 'SHA-256 of each bidder''s proof: a secret of at least 16 bytes that only the bidder holds';
SELECT pg_catalog.pg_extension_config_dump('ptx.bidder_credential', '');

------------------------------------------------------------------------
-- The mode of a project.
------------------------------------------------------------------------
CREATE FUNCTION ptx.bid_sealing_mode(project_id bigint) RETURNS text
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    m text;
BEGIN
    SELECT s.mode INTO m FROM ptx.bid_sealing s WHERE s.project_id = bid_sealing_mode.project_id;
    IF NOT FOUND THEN
        m := CASE WHEN ptx.setting('bids.bidder_sealed') = 0 THEN 'platform' ELSE 'bidder' END;
    END IF;
    RETURN m;
END
$$;
COMMENT ON FUNCTION ptx.bid_sealing_mode(bigint) IS
    'bidder or platform: the sealing mode of a project''s bids (fixed at its announcement, else the policy now)';

CREATE FUNCTION ptx.project_sealing_after_step() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v numeric := ptx.setting('bids.bidder_sealed');
BEGIN
    INSERT INTO ptx.bid_sealing (project_id, mode, basis)
    VALUES (NEW.id, CASE WHEN v = 0 THEN 'platform' ELSE 'bidder' END,
            format('policy bids.bidder_sealed = %s at the announcement', v))
    ON CONFLICT ON CONSTRAINT bid_sealing_pkey DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER project_sealing_after_step AFTER UPDATE OF state ON ptx.project
    FOR EACH ROW WHEN (NEW.state = 'announced' AND OLD.state IS DISTINCT FROM 'announced')
    EXECUTE FUNCTION ptx.project_sealing_after_step();

-- The evaluation waits until the decryption is closed.
CREATE FUNCTION ptx.project_sealing_guard() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM ptx.bid b
     WHERE b.project_id = NEW.id AND b.round = OLD.round AND b.seal_mode = 'bidder'
       AND b.status = 'valid' AND b.decrypted_at IS NULL;
    IF n > 0 THEN
        PERFORM ptx.raise('sealed.not_decrypted', NEW.code, n::text, OLD.round::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER project_sealing_guard BEFORE UPDATE OF state ON ptx.project
    FOR EACH ROW WHEN (OLD.state = 'opened' AND NEW.state = 'evaluating')
    EXECUTE FUNCTION ptx.project_sealing_guard();

------------------------------------------------------------------------
-- The rules of a bidder-sealed bid, called by ptx.bid_before_write.
------------------------------------------------------------------------

-- The ciphertext and commitment given at submission or replacement.
CREATE FUNCTION ptx.bid_sealed_check(code text, b ptx.bid) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cs text := ptx_seal.pgcrypto_schema();
    kid text;
BEGIN
    IF b.price IS NOT NULL OR b.doc_digest IS NOT NULL OR b.fingerprint IS NOT NULL
       OR b.clear_bid IS NOT NULL OR b.decrypted_at IS NOT NULL THEN
        PERFORM ptx.raise('sealed.clear_refused', code);
    END IF;
    IF b.sealed IS NULL OR b.commitment IS NULL OR pg_catalog.octet_length(b.commitment) <> 32 THEN
        PERFORM ptx.raise('sealed.needs_ciphertext', code);
    END IF;
    IF pg_catalog.octet_length(b.sealed) > 65536 THEN
        PERFORM ptx.raise('sealed.too_large', code, pg_catalog.octet_length(b.sealed)::text);
    END IF;
    BEGIN
        EXECUTE format('SELECT %I.pgp_key_id($1)', cs) INTO kid USING b.sealed;
    EXCEPTION WHEN external_routine_invocation_exception OR data_exception THEN
        kid := NULL;
    END;
    IF kid IS DISTINCT FROM 'SYMKEY' THEN
        PERFORM ptx.raise('sealed.not_openpgp', code);
    END IF;
END
$$;

-- A write to a bidder-sealed bid that is not opened yet.
CREATE FUNCTION ptx.bid_sealed_before_opening(op text, o ptx.bid, n ptx.bid, p ptx.project, t timestamptz)
    RETURNS ptx.bid
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF op = 'INSERT' OR n.sealed IS DISTINCT FROM o.sealed OR n.commitment IS DISTINCT FROM o.commitment
       OR (n.status = 'valid' AND o.status = 'withdrawn') THEN
        PERFORM ptx.bid_sealed_check(p.code, n);
        n.status := 'valid';
        n.status_note := NULL;
        n.submitted_at := t;
        n.opened_at := NULL;
        n.decrypted_at := NULL;
        n.clear_bid := NULL;
        RETURN n;
    END IF;
    IF (n.price, n.doc_digest, n.fingerprint, n.clear_bid, n.decrypted_at)
       IS DISTINCT FROM (o.price, o.doc_digest, o.fingerprint, o.clear_bid, o.decrypted_at) THEN
        PERFORM ptx.raise('sealed.by_bidder_decrypt', o.id::text);
    END IF;
    IF n.status = 'withdrawn' AND o.status = 'valid' THEN
        n.submitted_at := t;
        RETURN n;
    END IF;
    PERFORM ptx.raise('sealed.by_bidder_change', o.id::text);
    RETURN NULL;
END
$$;

-- A write to a bidder-sealed bid after the opening: the decryption by its
-- bidder, or its withdrawal (撤销) when the window closed without it.
-- Returns NULL when the ordinary rules of an opened bid apply.
CREATE FUNCTION ptx.bid_sealed_after_opening(o ptx.bid, n ptx.bid, p ptx.project) RETURNS ptx.bid
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    clear jsonb;
    t timestamptz := ptx.receipt_time();
    window_end timestamptz;
    price numeric;
BEGIN
    IF o.seal_mode <> 'bidder' OR o.decrypted_at IS NOT NULL OR o.status <> 'valid' THEN
        RETURN NULL;
    END IF;
    IF (n.sealed, n.commitment, n.submitted_at, n.opened_at, n.seal_mode)
       IS DISTINCT FROM (o.sealed, o.commitment, o.submitted_at, o.opened_at, o.seal_mode) THEN
        PERFORM ptx.raise('sealed.opened_fixed', o.id::text);
    END IF;
    window_end := p.opened_at + pg_catalog.make_interval(mins => ptx.setting('bids.decrypt_window_minutes')::integer);
    IF n.decrypted_at IS NOT NULL THEN
        IF p.state <> 'opened' OR o.round <> p.round THEN
            PERFORM ptx.raise('sealed.decrypt_state', o.id::text, p.state::text);
        END IF;
        IF t > window_end THEN
            PERFORM ptx.raise('sealed.window_closed', o.id::text, window_end::text, t::text);
        END IF;
        IF n.clear_bid IS NULL OR pg_catalog.sha256(n.clear_bid) <> o.commitment THEN
            PERFORM ptx.raise('sealed.commitment_mismatch', o.id::text);
        END IF;
        BEGIN
            clear := pg_catalog.convert_from(n.clear_bid, 'UTF8')::jsonb;
            price := (clear ->> 'price')::numeric;
        EXCEPTION WHEN data_exception OR invalid_text_representation OR character_not_in_repertoire
                       OR untranslatable_character THEN
            clear := NULL;
        END;
        IF clear IS NULL OR pg_catalog.jsonb_typeof(clear) <> 'object'
           OR price IS NULL OR price = 'NaN'::numeric OR price < 0
           OR price <> round(price, 2) OR price >= 1e16
           OR pg_catalog.jsonb_typeof(clear -> 'nonce') IS DISTINCT FROM 'string'
           OR (clear ->> 'nonce') !~ '^[0-9a-fA-F]{32,}$'
           OR (clear ? 'digest' AND (clear ->> 'digest') !~ '^([0-9a-fA-F]{2})*$') THEN
            PERFORM ptx.raise('sealed.malformed', o.id::text);
        END IF;
        n.price := price;
        n.doc_digest := pg_catalog.decode(clear ->> 'digest', 'hex');
        n.fingerprint := clear ->> 'fingerprint';
        n.decrypted_at := t;
        n.status := o.status;
        n.status_note := o.status_note;
        RETURN n;
    END IF;
    IF n.status = 'withdrawn' THEN
        -- 撤销 (the bidder did not decrypt) after the window; 撤回 (a cause
        -- outside the bidder, ptx.record_decryption_failure) within it
        IF p.state <> 'opened' OR o.round <> p.round
           OR (t <= window_end AND n.status_note NOT LIKE '撤回: %') THEN
            PERFORM ptx.raise('sealed.withdraw_in_window', o.id::text, window_end::text);
        END IF;
        IF (n.price, n.doc_digest, n.fingerprint, n.clear_bid)
           IS DISTINCT FROM (o.price, o.doc_digest, o.fingerprint, o.clear_bid)
           OR pg_catalog.btrim(COALESCE(n.status_note, '')) = '' THEN
            PERFORM ptx.raise('sealed.withdraw_as_is', o.id::text);
        END IF;
        RETURN n;
    END IF;
    RETURN NULL;
END
$$;

-- A bid that cannot be decrypted for a cause outside its bidder (the
-- platform lost or damaged it): withdrawn (撤回), not withdrawn by the
-- bidder (撤销); the cause is recorded with it (R14).
CREATE FUNCTION ptx.record_decryption_failure(bid_id bigint, cause text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    b ptx.bid;
BEGIN
    IF pg_catalog.btrim(COALESCE(cause, '')) = '' THEN
        PERFORM ptx.raise('sealed.failure_no_cause');
    END IF;
    SELECT * INTO b FROM ptx.bid WHERE id = record_decryption_failure.bid_id;
    IF NOT FOUND OR b.seal_mode <> 'bidder' OR b.opened_at IS NULL THEN
        PERFORM ptx.raise('sealed.not_opened', COALESCE(bid_id::text, '<NULL>'));
    END IF;
    IF b.decrypted_at IS NOT NULL OR b.status <> 'valid' THEN
        PERFORM ptx.raise(CASE WHEN b.decrypted_at IS NOT NULL THEN 'sealed.failure_decrypted'
                               ELSE 'sealed.failure_not_valid' END,
                          bid_id::text, b.status);
    END IF;
    UPDATE ptx.bid SET status = 'withdrawn',
           status_note = '撤回: not decrypted for a cause outside its bidder: ' || pg_catalog.btrim(cause)
     WHERE id = b.id;
END
$$;
COMMENT ON FUNCTION ptx.record_decryption_failure(bigint, text) IS
    'at the opening, withdraw (撤回) a bid that cannot be decrypted for a cause outside its bidder, with the cause';

------------------------------------------------------------------------
-- The bidder's proof.
------------------------------------------------------------------------
CREATE FUNCTION ptx.bidder_proof_ok(bidder_id bigint, proof bytea) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    h bytea;
BEGIN
    SELECT c.proof_hash INTO h FROM ptx.bidder_credential c WHERE c.bidder_id = bidder_proof_ok.bidder_id;
    RETURN h IS NOT NULL AND proof IS NOT NULL AND pg_catalog.sha256(proof) = h;
END
$$;

CREATE FUNCTION ptx.bidder_proof_refused(bidder_id bigint) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.raise('sealed.proof_refused', COALESCE(bidder_id::text, '<NULL>'));
END
$$;

CREATE FUNCTION ptx.register_bidder_credential(bidder_id bigint, proof_hash bytea,
                                               old_proof bytea DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF proof_hash IS NULL OR pg_catalog.octet_length(proof_hash) <> 32 THEN
        PERFORM ptx.raise('sealed.credential_length');
    END IF;
    IF NOT ptx.has_role(bidder_id, 'bidder') THEN
        PERFORM ptx.raise('sealed.not_a_bidder', COALESCE(bidder_id::text, '<NULL>'));
    END IF;
    IF EXISTS (SELECT 1 FROM ptx.bidder_credential c WHERE c.bidder_id = register_bidder_credential.bidder_id) THEN
        IF NOT ptx.bidder_proof_ok(bidder_id, old_proof) THEN
            PERFORM ptx.bidder_proof_refused(bidder_id);
        END IF;
        UPDATE ptx.bidder_credential c SET proof_hash = register_bidder_credential.proof_hash,
               registered_at = ptx.now()
         WHERE c.bidder_id = register_bidder_credential.bidder_id;
    ELSE
        INSERT INTO ptx.bidder_credential (bidder_id, proof_hash)
        VALUES (register_bidder_credential.bidder_id, register_bidder_credential.proof_hash);
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.register_bidder_credential(bigint, bytea, bytea) IS
    'register the SHA-256 of a bidder''s proof; replacing it needs the old proof';

------------------------------------------------------------------------
-- The API of bidder-sealed bids.
------------------------------------------------------------------------

-- The ledger entry that last wrote a row, in the current transaction.
CREATE FUNCTION ptx.bid_ledger_entry(bid_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT pg_catalog.jsonb_build_object(
                   'seq', e.seq,
                   'entry_hash', pg_catalog.encode(e.entry_hash, 'hex'))
          FROM ptx.ledger_entry e
         WHERE e.seq IN (SELECT s.seq FROM ptx.ledger_seqs('ptx.bid',
                             pg_catalog.jsonb_build_object('id', bid_ledger_entry.bid_id)::text) s(seq))
           AND e.relation = 'ptx.bid'
           AND (e.key::text) = pg_catalog.jsonb_build_object('id', bid_ledger_entry.bid_id)::text
         ORDER BY e.seq DESC LIMIT 1;
    END;

CREATE FUNCTION ptx.submit_sealed_bid(project_id bigint, bidder_id bigint, sealed bytea,
                                      commitment bytea, proof bytea) RETURNS jsonb
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    bid_id bigint;
BEGIN
    IF NOT ptx.bidder_proof_ok(bidder_id, proof) THEN
        PERFORM ptx.bidder_proof_refused(bidder_id);
    END IF;
    SELECT * INTO p FROM ptx.project WHERE id = submit_sealed_bid.project_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('sealed.no_project', COALESCE(project_id::text, '<NULL>'));
    END IF;
    IF ptx.bid_sealing_mode(p.id) <> 'bidder' THEN
        PERFORM ptx.raise('sealed.platform_sealed', p.code);
    END IF;
    SELECT b.id INTO bid_id FROM ptx.bid b
     WHERE b.project_id = p.id AND b.round = p.round AND b.bidder_id = submit_sealed_bid.bidder_id;
    IF FOUND THEN
        UPDATE ptx.bid b SET sealed = submit_sealed_bid.sealed, commitment = submit_sealed_bid.commitment,
               status = 'valid'
         WHERE b.id = bid_id;
    ELSE
        INSERT INTO ptx.bid (project_id, bidder_id, sealed, commitment)
        VALUES (p.id, submit_sealed_bid.bidder_id, submit_sealed_bid.sealed, submit_sealed_bid.commitment)
        RETURNING id INTO bid_id;
    END IF;
    RETURN pg_catalog.jsonb_build_object(
               'bid_id', bid_id,
               'project_id', p.id,
               'commitment', pg_catalog.encode(commitment, 'hex'))
           || COALESCE(ptx.bid_ledger_entry(bid_id), '{}');
END
$$;
COMMENT ON FUNCTION ptx.submit_sealed_bid(bigint, bigint, bytea, bytea, bytea) IS
    'submit (or replace) a bid encrypted by its bidder, with the SHA-256 of the clear bid and the bidder''s proof; returns the bid id and its ledger entry (seq, entry_hash) for a receipt';

CREATE FUNCTION ptx.withdraw_sealed_bid(project_id bigint, bidder_id bigint, proof bytea) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT ptx.bidder_proof_ok(bidder_id, proof) THEN
        PERFORM ptx.bidder_proof_refused(bidder_id);
    END IF;
    UPDATE ptx.bid b SET status = 'withdrawn'
      FROM ptx.project p
     WHERE p.id = withdraw_sealed_bid.project_id AND b.project_id = p.id AND b.round = p.round
       AND b.bidder_id = withdraw_sealed_bid.bidder_id AND b.seal_mode = 'bidder';
    IF NOT FOUND THEN
        PERFORM ptx.raise('sealed.no_sealed_bid', COALESCE(bidder_id::text, '<NULL>'), COALESCE(project_id::text, '<NULL>'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.withdraw_sealed_bid(bigint, bigint, bytea) IS
    'withdraw a bid sealed by its bidder before the deadline (撤回投标文件), with the bidder''s proof';

CREATE FUNCTION ptx.decrypt_bid(bid_id bigint, key text) RETURNS jsonb
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    cs text := ptx_seal.pgcrypto_schema();
    b ptx.bid;
    clear bytea;
BEGIN
    -- The same answer for an id that does not exist, a bid of the other
    -- mode and a bid not opened yet: before the opening no answer tells
    -- whether a bid exists.
    SELECT * INTO b FROM ptx.bid WHERE id = decrypt_bid.bid_id;
    IF NOT FOUND OR b.seal_mode <> 'bidder' OR b.opened_at IS NULL THEN
        PERFORM ptx.raise('sealed.not_opened', COALESCE(bid_id::text, '<NULL>'));
    END IF;
    IF b.decrypted_at IS NOT NULL THEN
        PERFORM ptx.raise('sealed.already_decrypted', bid_id::text, b.decrypted_at::text);
    END IF;
    IF key IS NULL THEN
        PERFORM ptx.raise('sealed.key_needed', bid_id::text);
    END IF;
    BEGIN
        EXECUTE format('SELECT %I.pgp_sym_decrypt_bytea($1, $2)', cs) INTO clear USING b.sealed, key;
    EXCEPTION WHEN external_routine_invocation_exception OR data_exception THEN
        PERFORM ptx.raise('sealed.key_refused', bid_id::text);
    END;
    UPDATE ptx.bid SET clear_bid = clear, decrypted_at = ptx.receipt_time()
     WHERE id = b.id
    RETURNING * INTO b;
    RETURN pg_catalog.jsonb_build_object('bid_id', b.id, 'bidder_id', b.bidder_id,
                                         'price', b.price, 'doc_digest', pg_catalog.encode(b.doc_digest, 'hex'),
                                         'fingerprint', b.fingerprint, 'decrypted_at', b.decrypted_at);
END
$$;
COMMENT ON FUNCTION ptx.decrypt_bid(bigint, text) IS
    'at the opening, decrypt a bid with its bidder''s key within the opening window, check it against its commitment and fill its clear columns (解密)';

CREATE FUNCTION ptx.close_decryption(project_id bigint) RETURNS text
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id);
    window_end timestamptz;
    n_withdrawn bigint;
    n bigint;
BEGIN
    IF p.state <> 'opened' THEN
        PERFORM ptx.raise('sealed.not_opening', p.code, p.state::text);
    END IF;
    window_end := p.opened_at + pg_catalog.make_interval(mins => ptx.setting('bids.decrypt_window_minutes')::integer);
    IF ptx.receipt_time() <= window_end
       AND EXISTS (SELECT 1 FROM ptx.bid b
                    WHERE b.project_id = p.id AND b.round = p.round AND b.seal_mode = 'bidder'
                      AND b.status = 'valid' AND b.decrypted_at IS NULL) THEN
        PERFORM ptx.raise('sealed.window_open', p.code, window_end::text);
    END IF;
    UPDATE ptx.bid b SET status = 'withdrawn',
           status_note = '撤销: not decrypted by its bidder within the opening window (电子招标投标办法 §31)'
     WHERE b.project_id = p.id AND b.round = p.round AND b.seal_mode = 'bidder'
       AND b.status = 'valid' AND b.decrypted_at IS NULL;
    GET DIAGNOSTICS n_withdrawn = ROW_COUNT;
    SELECT count(*) INTO n FROM ptx.bid b
     WHERE b.project_id = p.id AND b.round = p.round AND b.status = 'valid';
    IF n < ptx.setting('tender.min_bids') THEN
        UPDATE ptx.project SET state = 'failed',
               state_note = format('%s valid bids after the decryption of round %s (%s not decrypted)',
                                   n, p.round, n_withdrawn)
         WHERE id = p.id;
        RETURN 'failed';
    END IF;
    RETURN 'opened';
END
$$;
COMMENT ON FUNCTION ptx.close_decryption(bigint) IS
    'after the opening window: bids not decrypted are withdrawn by their bidders (撤销); the tender fails (流标) when fewer than tender.min_bids remain';

-- The bidder's receipt for its bid: the ledger entry that last wrote the
-- bid (its ciphertext and commitment, never a clear value), with its
-- Merkle path and the block headers up to the newest block once sealed.
CREATE FUNCTION ptx.bid_receipt(project_id bigint, bidder_id bigint, proof bytea) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    bid_id bigint;
    e jsonb;
BEGIN
    IF NOT ptx.bidder_proof_ok(bidder_id, proof) THEN
        PERFORM ptx.bidder_proof_refused(bidder_id);
    END IF;
    SELECT b.id INTO bid_id FROM ptx.bid b JOIN ptx.project p ON p.id = b.project_id
     WHERE b.project_id = bid_receipt.project_id AND b.round = p.round AND b.bidder_id = bid_receipt.bidder_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('sealed.no_bid', COALESCE(bidder_id::text, '<NULL>'), COALESCE(project_id::text, '<NULL>'));
    END IF;
    e := ptx.bid_ledger_entry(bid_id);
    IF e IS NULL THEN
        PERFORM ptx.raise('sealed.no_ledger_entry', bid_id::text);
    END IF;
    RETURN ptx.receipt((e ->> 'seq')::bigint);
END
$$;
COMMENT ON FUNCTION ptx.bid_receipt(bigint, bigint, bytea) IS
    'the bidder''s receipt for its bid (ptx.receipt of the entry that last wrote it), with the bidder''s proof';

------------------------------------------------------------------------
-- What the public sees: the mode of each project.
------------------------------------------------------------------------
CREATE VIEW ptx_public.bid_sealing WITH (security_barrier = true) AS
SELECT p.code, s.mode, s.fixed_at, s.basis
  FROM ptx.bid_sealing s
  JOIN ptx.project p ON p.id = s.project_id;
COMMENT ON VIEW ptx_public.bid_sealing IS
    'how each project''s bids are sealed: bidder (encrypted by the bidder, R14) or platform (under the platform''s key)';

GRANT SELECT ON ptx.bid_sealing TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT SELECT ON ptx_public.bid_sealing TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.bid_sealing_mode(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.register_bidder_credential(bigint, bytea, bytea),
    ptx.submit_sealed_bid(bigint, bigint, bytea, bytea, bytea),
    ptx.withdraw_sealed_bid(bigint, bigint, bytea),
    ptx.decrypt_bid(bigint, text), ptx.close_decryption(bigint),
    ptx.record_decryption_failure(bigint, text),
    ptx.bid_receipt(bigint, bigint, bytea)
    TO ptx_admin, ptx_operator;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ptx FROM PUBLIC;
