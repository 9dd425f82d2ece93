-- Contact data of organisations (联系方式与法定代表人), for the red flag
-- shared_contact: bidders of one project sharing a phone, an e-mail
-- address, an address or a legal representative (招标投标法实施条例 §40).
--
-- The phone, e-mail and address of an organisation are business data
-- published in the enterprise credit register (国家企业信用信息公示系统);
-- they are kept in clear, normalised so that equal values compare equal.
-- The legal representative's name is public too; the representative's
-- resident ID number is personal data: only its keyed hash is kept (the
-- key of 62_experts_personal_data.sql), enough to find the same person
-- behind two bidders.  All columns are optional.

ALTER TABLE ptx.org
    ADD COLUMN phone text
        CONSTRAINT org_phone_normalised CHECK (phone ~ '^\+?[0-9]{7,15}$'),
    ADD COLUMN email text
        CONSTRAINT org_email_valid CHECK (email = pg_catalog.lower(email)
                                          AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    ADD COLUMN address text
        CONSTRAINT org_address_valid CHECK (pg_catalog.btrim(address) <> ''),
    ADD COLUMN legal_rep_name text
        CONSTRAINT org_legal_rep_name_valid CHECK (pg_catalog.btrim(legal_rep_name) <> ''),
    ADD COLUMN legal_rep_id_hash bytea
        CONSTRAINT org_legal_rep_id_hash_valid CHECK (pg_catalog.length(legal_rep_id_hash) = 32);
COMMENT ON COLUMN ptx.org.phone IS 'contact phone (联系电话), digits only with an optional leading +';
COMMENT ON COLUMN ptx.org.email IS 'contact e-mail address (电子邮箱), lower case';
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
        RAISE EXCEPTION 'invalid e-mail address "%"', email
            USING ERRCODE = '22023',
                  HINT = 'Write it like zhaobiao@example.com.';
    END IF;
    IF num IS NOT NULL THEN
        PERFORM ptx.check_resident_id(num);
    END IF;
    UPDATE ptx.org o
       SET phone = tel,
           email = mail,
           address = NULLIF(btrim(set_org_contact.address), ''),
           legal_rep_name = NULLIF(btrim(set_org_contact.legal_rep_name), ''),
           legal_rep_id_hash = CASE WHEN num IS NOT NULL THEN ptx.personal_data_hash('id_number', num) END
     WHERE o.id = set_org_contact.org_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organisation % does not exist', COALESCE(org_id::text, 'NULL')
            USING ERRCODE = '22023';
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.set_org_contact(bigint, text, text, text, text, text) IS
    'record an organisation''s phone, e-mail, address and legal representative (name, resident ID number kept as a keyed hash); a NULL clears the item';

GRANT EXECUTE ON FUNCTION ptx.normalize_address(text) TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.set_org_contact(bigint, text, text, text, text, text) TO ptx_admin, ptx_operator;
