-- Contact data of organisations (联系方式与法定代表人), for the red flag
-- shared_contact: bidders of one project sharing a phone, an e-mail
-- address, an address or a legal representative (招标投标法实施条例 §40).
--
-- An organisation's phone and e-mail address are often a person's (the
-- contact of a small firm): they are personal data (DESIGN.md §7), kept
-- like an expert's phone as a keyed hash (HMAC under the personal data key
-- of 62_experts_personal_data.sql; equal values, normalised, give equal
-- hashes, which is all the red flags compare) and a pgcrypto ciphertext,
-- never in clear in a table group roles read nor in the ledger's images.
-- ptx.org_contact() decrypts them for ptx_admin and supervisors, and the
-- read is a ledger event.  The address and the legal representative's name
-- are public (国家企业信用信息公示系统) and kept in clear, the address
-- normalised for comparison; the representative's resident ID number is
-- kept as its keyed hash only.  All columns are optional.

ALTER TABLE ptx.org
    ADD COLUMN address text
        CONSTRAINT org_address_valid CHECK (pg_catalog.btrim(address) <> ''),
    ADD COLUMN legal_rep_name text
        CONSTRAINT org_legal_rep_name_valid CHECK (pg_catalog.btrim(legal_rep_name) <> ''),
    ADD COLUMN legal_rep_id_hash bytea
        CONSTRAINT org_legal_rep_id_hash_valid CHECK (pg_catalog.length(legal_rep_id_hash) = 32),
    ADD COLUMN phone_hash bytea
        CONSTRAINT org_phone_hash_valid CHECK (pg_catalog.length(phone_hash) = 32),
    ADD COLUMN phone_cipher bytea,
    ADD COLUMN email_hash bytea
        CONSTRAINT org_email_hash_valid CHECK (pg_catalog.length(email_hash) = 32),
    ADD COLUMN email_cipher bytea,
    ADD CONSTRAINT org_phone_pair CHECK ((phone_hash IS NULL) = (phone_cipher IS NULL)),
    ADD CONSTRAINT org_email_pair CHECK ((email_hash IS NULL) = (email_cipher IS NULL));
COMMENT ON COLUMN ptx.org.phone_hash IS 'keyed hash of the contact phone (联系电话) without separators; compared by the red flags';
COMMENT ON COLUMN ptx.org.phone_cipher IS 'the contact phone encrypted with pgcrypto under the personal data key';
COMMENT ON COLUMN ptx.org.email_hash IS 'keyed hash of the contact e-mail address (电子邮箱) in lower case; compared by the red flags';
COMMENT ON COLUMN ptx.org.email_cipher IS 'the contact e-mail address encrypted with pgcrypto under the personal data key';
COMMENT ON COLUMN ptx.org.address IS 'registered or business address (住所/经营场所)';
COMMENT ON COLUMN ptx.org.legal_rep_name IS 'name of the legal representative (法定代表人)';
COMMENT ON COLUMN ptx.org.legal_rep_id_hash IS 'keyed hash of the legal representative''s resident ID number; the number itself is not kept';

-- Addresses compare without case, spaces and punctuation: "包头市昆都仑区
-- 钢铁大街 1 号" and "包头市昆都仑区钢铁大街1号" are the same place.
CREATE FUNCTION ptx.normalize_address(address text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.regexp_replace(pg_catalog.lower(address),
                                     '[[:space:][:punct:]，。、；：（）【】“”‘’·—－]', '', 'g');
COMMENT ON FUNCTION ptx.normalize_address(text) IS
    'an address in lower case without spaces and punctuation, the form in which addresses are compared';

CREATE FUNCTION ptx.set_org_contact(org_id bigint, phone text DEFAULT NULL, email text DEFAULT NULL,
                                    address text DEFAULT NULL, legal_rep_name text DEFAULT NULL,
                                    legal_rep_id_number text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tel text := CASE WHEN phone IS NOT NULL THEN ptx.normalize_phone(phone) END;
    mail text := lower(btrim(email));
    num text := upper(btrim(legal_rep_id_number));
BEGIN
    IF mail IS NOT NULL AND mail !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' THEN
        PERFORM ptx.raise('red_flags.invalid_email', email);
    END IF;
    IF num IS NOT NULL THEN
        PERFORM ptx.check_resident_id(num);
    END IF;
    UPDATE ptx.org o
       SET phone_hash = CASE WHEN tel IS NOT NULL THEN ptx.personal_data_hash('phone', tel) END,
           phone_cipher = CASE WHEN tel IS NOT NULL THEN ptx.personal_data_encrypt(tel) END,
           email_hash = CASE WHEN mail IS NOT NULL THEN ptx.personal_data_hash('email', mail) END,
           email_cipher = CASE WHEN mail IS NOT NULL THEN ptx.personal_data_encrypt(mail) END,
           address = NULLIF(btrim(set_org_contact.address), ''),
           legal_rep_name = NULLIF(btrim(set_org_contact.legal_rep_name), ''),
           legal_rep_id_hash = CASE WHEN num IS NOT NULL THEN ptx.personal_data_hash('id_number', num) END
     WHERE o.id = set_org_contact.org_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('red_flags.org_missing', COALESCE(org_id::text, 'NULL'));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.set_org_contact(bigint, text, text, text, text, text) IS
    'record an organisation''s phone and e-mail (keyed hash and ciphertext), address and legal representative (name, resident ID number kept as a keyed hash); a NULL clears the item';

CREATE FUNCTION ptx.org_contact(org_id bigint) RETURNS TABLE (phone text, email text)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    o ptx.org;
BEGIN
    SELECT * INTO o FROM ptx.org x WHERE x.id = org_contact.org_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('red_flags.org_missing', COALESCE(org_id::text, 'NULL'));
    END IF;
    PERFORM ptx.ledger_event_internal('personal_data_read', 'ptx.org', pg_catalog.jsonb_build_object('id', o.id),
                                      pg_catalog.jsonb_build_object('fields', pg_catalog.jsonb_build_array('phone', 'email')));
    phone := CASE WHEN o.phone_cipher IS NOT NULL THEN ptx.personal_data_decrypt(o.phone_cipher) END;
    email := CASE WHEN o.email_cipher IS NOT NULL THEN ptx.personal_data_decrypt(o.email_cipher) END;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION ptx.org_contact(bigint) IS
    'an organisation''s phone and e-mail in clear; the read is recorded in the ledger (personal_data_read)';

GRANT EXECUTE ON FUNCTION ptx.normalize_address(text) TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.set_org_contact(bigint, text, text, text, text, text) TO ptx_admin, ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.org_contact(bigint) TO ptx_admin, ptx_supervisor;
