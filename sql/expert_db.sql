-- The expert database (评标专家库, R5): specialty codes, registration with
-- personal data kept as keyed hash and ciphertext, relations, status
-- history (暂停, 清退), penalties.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
-- Business dates are those of the platform's time zone.
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';

-- Identifiers with valid check characters.
CREATE OR REPLACE FUNCTION regress_uscc(n int) RETURNS text LANGUAGE sql AS $$
  SELECT '91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0')) $$;
CREATE OR REPLACE FUNCTION regress_rid(n int) RETURNS text LANGUAGE sql AS $$
  SELECT b || substr('10X98765432', (SELECT sum(substr(b, i::int, 1)::int * w) FROM unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::int[]) WITH ORDINALITY AS t(w, i))::int % 11 + 1, 1)
    FROM (SELECT '15010219800101' || lpad(n::text, 3, '0') AS b) s $$;
SELECT regress_rid(1) AS rid1, ptx.resident_id_valid(regress_rid(1)) AS valid;

SET ptx.fake_now = '2024-06-10 10:00:00+08';
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_org(regress_uscc(1), '设计院', '150100', '{bidder}') AS e1 \gset
SELECT ptx.add_org(regress_uscc(2), '建筑公司', '150100', '{bidder}') AS e2 \gset

-- Specialty codes: a class letter and one to three levels of two digits.
SELECT quote_literal(c) AS code, ptx.specialty_code_valid(c) AS valid
  FROM unnest('{A08,A0801,A080101,B01,C99,A,A8,A08010,A0800,A00,D01,a08,A08010101,A08X1,"A08 "}'::text[]) c;
SELECT ptx.specialty_prefixes('{A080101,B02,A0802}') AS prefixes;
SELECT ptx.check_specialty_codes('{A08,E01}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.check_specialty_codes('{}');
\echo :LAST_ERROR_SQLSTATE

-- Registration (专家入库).
SELECT ptx.add_expert('张三丰', regress_rid(1), :e1, '150100', '{A0801,B02}', '2025-12-31',
                      'senior', 20, '138 0000 0001') AS x1 \gset
SELECT ptx.add_expert('李四', lower(regress_rid(2)), :e2, '150100', '{A080102}', '2025-12-31') AS x2 \gset
SELECT id, name, employer_id, region, specialties, specialty_prefixes, title, practice_years,
       trained_until, status, suspended_until
  FROM ptx.expert ORDER BY id;
-- The number and the phone are nowhere in clear: only a keyed hash and ciphertext.
SELECT count(*) AS rows_with_clear_data
  FROM ptx.expert e
 WHERE e::text LIKE '%' || regress_rid(1) || '%'
    OR e::text LIKE '%13800000001%'
    OR encode(e.id_number_cipher, 'escape') LIKE '%' || regress_rid(1) || '%';
SELECT length(id_number_hash) AS hash_bytes, id_number_hash <> sha256(convert_to(regress_rid(1), 'UTF8')) AS keyed,
       phone_hash IS NOT NULL AS phone_hashed
  FROM ptx.expert WHERE id = :x1;
-- The keys are made once, on first use, from pg_strong_random().
SELECT count(*) AS keys, length(hash_key) AS hash_key_bytes, hash_key <> cipher_key AS two_keys FROM ptx_private.personal_data_key GROUP BY 2, 3;
-- Look-up by number and the logged read in clear.
SELECT ptx.find_expert(regress_rid(2)) = :x2 AS found, ptx.find_expert(regress_rid(3)) IS NULL AS unknown;
-- The read is recorded and committed before the data is returned: the
-- reader's rollback leaves the record.
BEGIN;
SELECT id_number = regress_rid(1) AS id_number_opens, phone FROM ptx.expert_personal_data(:x1);
ROLLBACK;
SELECT count(*) AS reads_recorded, bool_and(session_user_name = session_user) AS by_the_reader
  FROM ptx.ledger_entry WHERE kind = 'personal_data_read' AND key::jsonb = jsonb_build_object('id', :x1);
-- Refusals: a duplicate person, a bad number (never echoed), a bad code, a bad phone, a bad title.
SELECT ptx.add_expert('张三', regress_rid(1), NULL, '150100', '{A08}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('王五', '150102198001010010', NULL, '150100', '{A08}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('王五', NULL, NULL, '150100', '{A08}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('王五', regress_rid(3), NULL, '150100', '{A08,D01}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('王五', regress_rid(3), NULL, '150100', '{}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('王五', regress_rid(3), NULL, '150100', '{A08}', '2025-12-31', phone => '12-ab');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('王五', regress_rid(3), NULL, '150100', '{A08}', '2025-12-31', title => 'professor');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('王五', regress_rid(3), NULL, '159900', '{A08}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert('王五', regress_rid(3), NULL, '150100', '{A08}', '2025-12-31') AS x3 \gset
SELECT ptx.set_expert_phone(:x3, '0471-1234567');
SELECT phone FROM ptx.expert_personal_data(:x3);
SELECT ptx.set_expert_phone(:x3, NULL);
SELECT phone_hash IS NULL AND phone_cipher IS NULL AS phone_cleared FROM ptx.expert WHERE id = :x3;

-- The employer is an employee relation: opened at registration, closed the
-- day before a change of employer, and the new one opened that day.
SELECT expert_id, org_id, kind, valid_from, valid_to, source FROM ptx.expert_relation ORDER BY id;
SET ptx.fake_now = '2024-07-01 09:00:00+08';
UPDATE ptx.expert SET employer_id = :e2 WHERE id = :x1;
SELECT expert_id, org_id, kind, valid_from, valid_to, source FROM ptx.expert_relation WHERE expert_id = :x1 ORDER BY id;
SET ptx.fake_now = '2024-06-10 10:00:00+08';
-- Declared relations.
SELECT ptx.add_expert_relation(:x2, :e1, 'employee', '2015-01-01', '2021-06-09') > 0 AS declared;
SELECT ptx.add_expert_relation(:x2, :e1, 'director');
SELECT ptx.add_expert_relation(:x2, :e1, 'friend');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_expert_relation(:x2, :e1, 'other', '2024-01-02', '2024-01-01');
\echo :LAST_ERROR_SQLSTATE

-- Status: suspension until a date, reinstatement, dismissal (清退) for good;
-- every change recorded with its reason; no change outside the history.
SELECT ptx.suspend_expert(:x2, '2024-09-30', '无故缺席评标') > 0 AS suspended;
SELECT status, suspended_until FROM ptx.expert WHERE id = :x2;
SELECT ptx.suspend_expert(:x2, '2024-06-09', 'ends yesterday');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.reinstate_expert(:x2, '') ;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.reinstate_expert(:x2, '申诉成立') > 0 AS reinstated;
SELECT ptx.dismiss_expert(:x2, '收受投标人财物') > 0 AS dismissed;
SELECT ptx.reinstate_expert(:x2, 'try again');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.suspend_expert(:x2, '2025-01-01', 'try again');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.expert SET status = 'active', suspended_until = NULL WHERE id = :x2;
\echo :LAST_ERROR_SQLSTATE
SELECT status, suspended_until, reason FROM ptx.expert_status_event WHERE expert_id = :x2 ORDER BY id;
SELECT status FROM ptx.expert WHERE id = :x2;
-- A dismissed expert cannot come back under the same number.
SELECT ptx.add_expert('李四', regress_rid(2), NULL, '150100', '{A08}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
-- A new expert starts active.
INSERT INTO ptx.expert (name, id_number_hash, id_number_cipher, region, specialties, status, suspended_until)
VALUES ('x', '\x01', '\x01', '150100', '{A08}', 'suspended', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE

-- Penalties.
SELECT ptx.record_expert_penalty(:x3, '2023-03-01', '评标中明显倾向特定投标人', '自治区发展改革委') > 0 AS penalty;

-- Privileges: operators register and read, never the keys; auditors read
-- every table but the keys.
SET client_min_messages = warning;
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor', 'auditor', 'public'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
  END LOOP;
END $$;
RESET client_min_messages;
SET ROLE regress_ptx_operator;
SELECT ptx.add_expert('赵六', regress_rid(4), :e1, '150100', '{C01}', '2025-12-31') > 0 AS operator_registers;
SELECT count(*) AS experts_seen FROM ptx.expert;
SELECT id_number_cipher FROM ptx.expert LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx_private.personal_data_key;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.personal_data_decrypt('\x00');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.expert SET name = 'x';
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.dismiss_expert(:x3, 'operators may not');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_ptx_auditor;
SELECT count(*) AS experts_seen, count(id_number_cipher) AS ciphertexts_seen FROM ptx.expert;
SELECT * FROM ptx_private.personal_data_key;
\echo :LAST_ERROR_SQLSTATE
SELECT phone FROM ptx.expert_personal_data(:x1);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- Since 0.2.0 a supervisor's login acts for its department only (PX015 otherwise).
SELECT ptx.add_org('91150000' || lpad('90', 9, '0') || ptx.uscc_check_char('91150000' || lpad('90', 9, '0')), '自治区发展和改革委员会', '150000', '{supervisor}') AS regress_dept \gset
SELECT ptx.grant_jurisdiction(:regress_dept, 'construction', '150000') AS g, ptx.add_staff('regress_ptx_supervisor', :regress_dept) AS s \gset
SET ROLE regress_ptx_supervisor;
SELECT ptx.suspend_expert(:x3, '2024-12-31', '复核期间暂停') > 0 AS supervisor_suspends;
SELECT ptx.add_expert('钱七', regress_rid(5), NULL, '150100', '{C01}', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_ptx_admin;
SELECT * FROM ptx_private.personal_data_key;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- pgcrypto is found wherever it is installed.
CREATE SCHEMA regress_crypto;
ALTER EXTENSION pgcrypto SET SCHEMA regress_crypto;
SELECT ptx.pgcrypto_schema();
SELECT ptx.add_expert('孙八', regress_rid(6), NULL, '150100', '{C01}', '2025-12-31') AS x6 \gset
SELECT id_number = regress_rid(6) AS opens_after_move FROM ptx.expert_personal_data(:x6);
SELECT ptx.find_expert(regress_rid(1)) = :x1 AS hash_stable_after_move;
ALTER EXTENSION pgcrypto SET SCHEMA public;
DROP SCHEMA regress_crypto;
