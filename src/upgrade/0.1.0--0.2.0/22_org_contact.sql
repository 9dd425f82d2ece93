-- Organisations' phones and e-mail addresses become personal data
-- (src/sql/85_red_flags_contact.sql): a keyed hash and a ciphertext
-- replace the clear columns.  Existing values are migrated with the
-- personal data key of 0.1.0 (same normalised form, so the red flags keep
-- comparing); the scan function that read the clear columns is dropped
-- first (it and red_flag_hits, which calls it, are created again with the
-- new functions).  The ledger's earlier row images of ptx.org still hold
-- the clear values: the ledger is immutable.  The ALTER TABLE makes the
-- DDL guard write a new baseline of every row of ptx.org.
DROP FUNCTION ptx.red_flags_shared_contact(date, date) CASCADE;

ALTER TABLE ptx.org
    ADD COLUMN phone_hash bytea
        CONSTRAINT org_phone_hash_valid CHECK (pg_catalog.length(phone_hash) = 32),
    ADD COLUMN phone_cipher bytea,
    ADD COLUMN email_hash bytea
        CONSTRAINT org_email_hash_valid CHECK (pg_catalog.length(email_hash) = 32),
    ADD COLUMN email_cipher bytea,
    ADD CONSTRAINT org_phone_pair CHECK ((phone_hash IS NULL) = (phone_cipher IS NULL)),
    ADD CONSTRAINT org_email_pair CHECK ((email_hash IS NULL) = (email_cipher IS NULL));

UPDATE ptx.org o
   SET phone_hash = CASE WHEN o.phone IS NOT NULL THEN ptx.personal_data_hash('phone', o.phone) END,
       phone_cipher = CASE WHEN o.phone IS NOT NULL THEN ptx.personal_data_encrypt(o.phone) END,
       email_hash = CASE WHEN o.email IS NOT NULL THEN ptx.personal_data_hash('email', o.email) END,
       email_cipher = CASE WHEN o.email IS NOT NULL THEN ptx.personal_data_encrypt(o.email) END
 WHERE o.phone IS NOT NULL OR o.email IS NOT NULL;

ALTER TABLE ptx.org DROP COLUMN phone, DROP COLUMN email;

COMMENT ON COLUMN ptx.org.phone_hash IS 'keyed hash of the contact phone (联系电话) without separators; compared by the red flags';
COMMENT ON COLUMN ptx.org.phone_cipher IS 'the contact phone encrypted with pgcrypto under the personal data key';
COMMENT ON COLUMN ptx.org.email_hash IS 'keyed hash of the contact e-mail address (电子邮箱) in lower case; compared by the red flags';
COMMENT ON COLUMN ptx.org.email_cipher IS 'the contact e-mail address encrypted with pgcrypto under the personal data key';
