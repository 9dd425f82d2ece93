-- Personal data of experts (个人信息): resident ID numbers and phones are
-- never stored in clear, in tables or in the ledger.  Each is kept as
--   - a keyed hash, HMAC-SHA-256(key, 'id_number:' ‖ value), which finds
--     duplicates and lets an operator look an expert up by number, and
--   - pgcrypto ciphertext (pgp_sym_encrypt, AES-256) under a second key,
--     which the extension's owner opens for an authorised, logged read.
--
-- The keys live in ptx_private.personal_data_key: a schema of ptx's own
-- (62_experts.sql) on which no role is granted anything, so that only the extension's owner
-- (through the SECURITY DEFINER functions below) reads them.  Outside
-- schema ptx, the table is neither among the tables ptx_auditor reads
-- (99_finish.sql) nor among those the ledger captures: the keys never
-- reach a ledger entry.  They are made on first use from
-- pg_strong_random(), so that a restored dump brings its own keys back
-- (the table is dumped as configuration) instead of clashing with new ones.
-- pgcrypto may live in any schema: it is looked up when used.

CREATE TABLE ptx_private.personal_data_key (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    hash_key    bytea NOT NULL CHECK (pg_catalog.length(hash_key) = 32),
    cipher_key  bytea NOT NULL CHECK (pg_catalog.length(cipher_key) = 32),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE ptx_private.personal_data_key IS 'keys of personal data (hash and encryption); the extension owner''s only';
SELECT pg_catalog.pg_extension_config_dump('ptx_private.personal_data_key', '');

CREATE FUNCTION ptx.pgcrypto_schema() RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s text;
BEGIN
    SELECT n.nspname INTO s
      FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
     WHERE x.extname = 'pgcrypto';
    IF s IS NULL THEN
        PERFORM ptx.raise('expert_data.pgcrypto_missing', current_database()::text);
    END IF;
    RETURN s;
END
$$;
COMMENT ON FUNCTION ptx.pgcrypto_schema() IS 'the schema pgcrypto is installed in, wherever that is';

CREATE FUNCTION ptx_private.personal_data_keys() RETURNS ptx_private.personal_data_key
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k ptx_private.personal_data_key;
BEGIN
    SELECT * INTO k FROM ptx_private.personal_data_key WHERE id = 1;
    IF NOT FOUND THEN
        INSERT INTO ptx_private.personal_data_key (id, hash_key, cipher_key)
        VALUES (1, ptx.strong_random_bytes(32), ptx.strong_random_bytes(32))
        ON CONFLICT (id) DO NOTHING;
        SELECT * INTO k FROM ptx_private.personal_data_key WHERE id = 1;
    END IF;
    RETURN k;
END
$$;
COMMENT ON FUNCTION ptx_private.personal_data_keys() IS 'the personal data keys, made on first use (owner only)';
REVOKE ALL ON FUNCTION ptx_private.personal_data_keys() FROM PUBLIC;
REVOKE ALL ON TABLE ptx_private.personal_data_key FROM PUBLIC;

CREATE FUNCTION ptx.personal_data_hash(kind text, value text) RETURNS bytea
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k ptx_private.personal_data_key := ptx_private.personal_data_keys();
    h bytea;
BEGIN
    EXECUTE format('SELECT %I.hmac($1, $2, ''sha256'')', ptx.pgcrypto_schema())
       INTO h USING convert_to(kind || ':' || value, 'UTF8'), k.hash_key;
    RETURN h;
END
$$;
COMMENT ON FUNCTION ptx.personal_data_hash(text, text) IS 'keyed hash of a normalised personal datum (owner only)';

CREATE FUNCTION ptx.personal_data_encrypt(value text) RETURNS bytea
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k ptx_private.personal_data_key := ptx_private.personal_data_keys();
    c bytea;
BEGIN
    EXECUTE format('SELECT %I.pgp_sym_encrypt($1, $2, ''cipher-algo=aes256, s2k-mode=1'')', ptx.pgcrypto_schema())
       INTO c USING value, encode(k.cipher_key, 'hex');
    RETURN c;
END
$$;
COMMENT ON FUNCTION ptx.personal_data_encrypt(text) IS 'pgcrypto ciphertext of a personal datum (owner only)';

CREATE FUNCTION ptx.personal_data_decrypt(cipher bytea) RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k ptx_private.personal_data_key := ptx_private.personal_data_keys();
    v text;
BEGIN
    IF cipher IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT %I.pgp_sym_decrypt($1, $2)', ptx.pgcrypto_schema())
       INTO v USING cipher, encode(k.cipher_key, 'hex');
    RETURN v;
END
$$;
COMMENT ON FUNCTION ptx.personal_data_decrypt(bytea) IS 'the clear text of a personal datum (owner only)';

CREATE FUNCTION ptx.normalize_phone(phone text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p text := regexp_replace(phone, '[\s()-]', '', 'g');
BEGIN
    IF p !~ '^\+?[0-9]{7,15}$' THEN
        PERFORM ptx.raise('expert_data.invalid_phone');
    END IF;
    RETURN p;
END
$$;
COMMENT ON FUNCTION ptx.normalize_phone(text) IS 'a phone number without separators, or an error that does not echo it';

------------------------------------------------------------------------
-- Registering an expert (专家入库).
------------------------------------------------------------------------
CREATE FUNCTION ptx.add_expert(name text, id_number text, employer_id bigint, region text,
                               specialties text[], trained_until date,
                               title text DEFAULT NULL, practice_years int DEFAULT NULL,
                               phone text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    num text := upper(btrim(id_number));
    tel text;
    num_hash bytea;
    dup bigint;
    new_id bigint;
BEGIN
    IF num IS NULL OR num = '' THEN
        PERFORM ptx.raise('expert_data.id_number_missing');
    END IF;
    PERFORM ptx.check_resident_id(num);
    IF title IS NOT NULL AND ptx.expert_title_rank(title) IS NULL THEN
        PERFORM ptx.raise('expert_data.invalid_title', title);
    END IF;
    IF phone IS NOT NULL THEN
        tel := ptx.normalize_phone(phone);
    END IF;
    num_hash := ptx.personal_data_hash('id_number', num);
    SELECT e.id INTO dup FROM ptx.expert e WHERE e.id_number_hash = num_hash;
    IF FOUND THEN
        PERFORM ptx.raise('expert_data.id_number_registered', dup::text);
    END IF;
    INSERT INTO ptx.expert AS e (name, id_number_hash, id_number_cipher, phone_hash, phone_cipher,
                                 employer_id, region, specialties, title, practice_years, trained_until)
    VALUES (add_expert.name, num_hash, ptx.personal_data_encrypt(num),
            CASE WHEN tel IS NOT NULL THEN ptx.personal_data_hash('phone', tel) END,
            CASE WHEN tel IS NOT NULL THEN ptx.personal_data_encrypt(tel) END,
            add_expert.employer_id, add_expert.region, add_expert.specialties,
            add_expert.title, add_expert.practice_years, add_expert.trained_until)
    RETURNING e.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.add_expert(text, text, bigint, text, text[], date, text, int, text) IS
    'register an expert (专家入库): resident ID number checked (PX010), hashed and encrypted; returns the expert''s id';

CREATE FUNCTION ptx.find_expert(id_number text) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    found_id bigint;
BEGIN
    SELECT e.id INTO found_id FROM ptx.expert e
     WHERE e.id_number_hash = ptx.personal_data_hash('id_number', upper(btrim(id_number)));
    RETURN found_id;
END
$$;
COMMENT ON FUNCTION ptx.find_expert(text) IS 'the expert registered with a resident ID number, or NULL; the number is compared by its keyed hash';

CREATE FUNCTION ptx.set_expert_phone(expert_id bigint, phone text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tel text := CASE WHEN phone IS NOT NULL THEN ptx.normalize_phone(phone) END;
BEGIN
    UPDATE ptx.expert e
       SET phone_hash = CASE WHEN tel IS NOT NULL THEN ptx.personal_data_hash('phone', tel) END,
           phone_cipher = CASE WHEN tel IS NOT NULL THEN ptx.personal_data_encrypt(tel) END
     WHERE e.id = set_expert_phone.expert_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('expert_data.not_found', COALESCE(expert_id::text, '<NULL>'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.set_expert_phone(bigint, text) IS 'record or clear an expert''s phone number (hashed and encrypted)';

CREATE FUNCTION ptx.expert_personal_data(expert_id bigint)
    RETURNS TABLE (id_number text, phone text)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    e ptx.expert;
BEGIN
    SELECT * INTO e FROM ptx.expert x WHERE x.id = expert_personal_data.expert_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('expert_data.not_found', COALESCE(expert_id::text, '<NULL>'));
    END IF;
    -- recorded and committed before the data is returned (58_autonomous.sql)
    PERFORM ptx.record_read('personal_data_read', 'ptx.expert', jsonb_build_object('id', e.id),
                             jsonb_build_object('fields', jsonb_build_array('id_number', 'phone')));
    id_number := ptx.personal_data_decrypt(e.id_number_cipher);
    phone := ptx.personal_data_decrypt(e.phone_cipher);
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION ptx.expert_personal_data(bigint) IS
    'an expert''s resident ID number and phone in clear, to notify a drawn expert; every call is a ledger event committed in its own transaction before the data is returned';

GRANT EXECUTE ON FUNCTION ptx.add_expert(text, text, bigint, text, text[], date, text, int, text),
    ptx.find_expert(text), ptx.set_expert_phone(bigint, text), ptx.expert_personal_data(bigint)
    TO ptx_admin, ptx_operator;
