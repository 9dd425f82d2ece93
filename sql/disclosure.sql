-- Disclosure (信息公开, R8): masking, the public views of credit and
-- policy documents, and a role matrix over every view in ptx_public: each
-- role sees what it should, ptx_public reaches nothing in schema ptx, and
-- nothing left out of a view or masked in it leaks.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
DROP SCHEMA IF EXISTS regress_leak CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';

-- Masking (脱敏).
SELECT n, ptx.mask_name(n)
  FROM unnest(ARRAY['张三', '张三丰', '欧阳娜娜', '李', ' 王五 ', '', 'John Smith', NULL]) n;
SELECT p, ptx.mask_phone(p)
  FROM unnest(ARRAY['13812345678', '+86 138-1234-5678', '0471-6281234', '96281234', '6281234',
                    '１３８１２３４５６７８', '', NULL]) p;

DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor', 'auditor', 'public', 'nobody'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    IF r <> 'nobody' AND NOT pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;

-- Data with things that must stay hidden: full names of experts, their
-- identity numbers, and records that are expired, revoked, not yet in
-- force or not yet issued (their reasons and titles carry SENTINEL).
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150200', '包头市', '150000');
SELECT ptx.add_org('91150200' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150200' || lpad(n::text, 9, '0')),
                   name, '150200', '{bidder}')
  FROM (VALUES (1, '包头某建设集团有限公司'), (2, '包头某路桥有限公司')) v(n, name) ORDER BY n;
CREATE FUNCTION pg_temp.resident_id(base text) RETURNS text LANGUAGE sql
RETURN base || substr('10X98765432', (SELECT sum(substr(base, i, 1)::int
                                                 * (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[i])
                                            FROM generate_series(1, 17) i)::int % 11 + 1, 1);
-- Experts, registered with ptx.add_expert.
DO $$
DECLARE n int;
BEGIN
    FOR n IN 1..2 LOOP
      PERFORM ptx.add_expert((ARRAY['张三丰', '欧阳娜娜'])[n], pg_temp.resident_id('15020019700101' || lpad(n::text, 3, '0')),
                             1, '150200', '{A08}', '2030-12-31');
    END LOOP;
END $$;
SELECT set_config('regress.sentinels',
                  ARRAY['%张三丰%', '%欧阳%', '%SENTINEL%',
                        '%' || pg_temp.resident_id('15020019700101001') || '%',
                        '%' || pg_temp.resident_id('15020019700101002') || '%']::text, false) IS NOT NULL AS sentinels_set;

SET ptx.fake_now = '2026-06-01 09:00:00+08';
SELECT ptx.add_credit_record('org', 1, 'bid_ban', '串通投标', '2026-03-01', '2026-08-31', '包头市住房和城乡建设局') IS NOT NULL;
SELECT ptx.add_credit_record('expert', 1, 'expert_ban', '评标中收受投标人财物', '2026-01-01', NULL, '内蒙古自治区发展和改革委员会') IS NOT NULL;
SELECT ptx.add_credit_record('expert', 2, 'expert_ban', 'SENTINEL expired', '2025-01-01', '2025-12-31') IS NOT NULL;
SELECT ptx.add_credit_record('org', 2, 'dishonest_list', 'SENTINEL not yet in force', '2026-09-01') IS NOT NULL;
SELECT ptx.add_credit_record('org', 2, 'bid_ban', 'SENTINEL revoked', '2026-01-01', '2026-12-31') AS revoked \gset
SELECT ptx.revoke_credit_record(:revoked, '复议撤销') IS NOT NULL;
SELECT ptx.add_policy_document('内政办发〔2018〕67号', '关于进一步做好公共资源交易工作的通知',
                               '内蒙古自治区人民政府办公厅', '150000', '2018-10-18') IS NOT NULL;
SELECT ptx.add_policy_document('包政办发〔2017〕5号', '包头市政府采购评审专家管理办法',
                               '包头市人民政府办公厅', '150200', '2017-02-10') AS repealed_doc \gset
SELECT ptx.repeal_policy_document(:repealed_doc, '与上位法不一致', '2020-02-01') IS NOT NULL;
SELECT ptx.add_policy_document('包政办发〔2099〕1号', 'SENTINEL not yet issued',
                               '包头市人民政府办公厅', '150200', '2099-01-01') IS NOT NULL;
-- The revocation above took effect today, 1 June; a day later:
SET ptx.fake_now = '2026-06-02 09:00:00+08';

-- What the public sees.
SET ROLE regress_ptx_public;
SELECT subject_kind, subject_name, uscc, region, kind, kind_name, reason, source, valid_from, valid_to
  FROM ptx_public.credit_list ORDER BY record_id;
SELECT number, title, status, change, change_effective_on FROM ptx_public.policy_documents ORDER BY issued_on;
SELECT number, title FROM ptx_public.valid_policy_documents ORDER BY issued_on;
RESET ROLE;

-- Every group role sees exactly the same public views; a role without one
-- sees none.
SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS credit FROM ptx_public.credit_list t \gset
SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS documents FROM ptx_public.policy_documents t \gset
SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS valid_documents FROM ptx_public.valid_policy_documents t \gset
CREATE FUNCTION pg_temp.same_as_superuser(credit text, documents text, valid_documents text)
RETURNS TABLE (role name, credit_list boolean, policy_documents boolean, valid_policy_documents boolean)
LANGUAGE sql
RETURN (current_user,
        (SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM ptx_public.credit_list t) = credit,
        (SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM ptx_public.policy_documents t) = documents,
        (SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM ptx_public.valid_policy_documents t) = valid_documents);
SET ROLE regress_ptx_admin;
SELECT * FROM pg_temp.same_as_superuser(:'credit', :'documents', :'valid_documents');
SET ROLE regress_ptx_operator;
SELECT * FROM pg_temp.same_as_superuser(:'credit', :'documents', :'valid_documents');
SET ROLE regress_ptx_supervisor;
SELECT * FROM pg_temp.same_as_superuser(:'credit', :'documents', :'valid_documents');
SET ROLE regress_ptx_auditor;
SELECT * FROM pg_temp.same_as_superuser(:'credit', :'documents', :'valid_documents');
SET ROLE regress_ptx_public;
SELECT * FROM pg_temp.same_as_superuser(:'credit', :'documents', :'valid_documents');
SET ROLE regress_ptx_nobody;
SELECT count(*) FROM ptx_public.credit_list;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx_public.valid_policy_documents;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- ptx_public reaches nothing in schema ptx: not the tables behind the
-- views, not the functions the views call.
SET ROLE regress_ptx_public;
SELECT count(*) FROM ptx.credit_record;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.mask_name('张三');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.is_restricted('org', 1);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT has_schema_privilege('ptx_public', 'ptx', 'USAGE') AS usage_on_ptx,
       has_schema_privilege('ptx_public', 'ptx', 'CREATE') AS create_on_ptx;
SELECT c.oid::regclass AS ptx_relation_open_to_ptx_public
  FROM pg_class c
 WHERE c.relnamespace = 'ptx'::regnamespace
   AND (CASE c.relkind WHEN 'S' THEN has_sequence_privilege('ptx_public', c.oid, 'USAGE, SELECT, UPDATE')
                       WHEN 'i' THEN false WHEN 'I' THEN false
                       ELSE has_table_privilege('ptx_public', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') END);
-- The only functions of schema ptx ptx_public may execute are those the
-- public views call: pure masking and the clock.
SELECT p.oid::regprocedure AS ptx_function_executable_by_ptx_public
  FROM pg_proc p
 WHERE p.pronamespace = 'ptx'::regnamespace
   AND has_function_privilege('ptx_public', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text;

-- Every relation in ptx_public, whichever module made it.
SELECT c.relname, c.relkind AS not_a_view
  FROM pg_class c WHERE c.relnamespace = 'ptx_public'::regnamespace AND c.relkind <> 'v';
SELECT c.relname AS view_without_security_barrier
  FROM pg_class c
 WHERE c.relnamespace = 'ptx_public'::regnamespace AND c.relkind = 'v'
   AND NOT COALESCE('security_barrier=true' = ANY (c.reloptions), false);
SELECT c.relname AS view, r AS role_that_cannot_read_it
  FROM pg_class c, unnest(ARRAY['ptx_admin', 'ptx_operator', 'ptx_supervisor', 'ptx_auditor', 'ptx_public']) r
 WHERE c.relnamespace = 'ptx_public'::regnamespace AND c.relkind = 'v'
   AND NOT has_table_privilege(r, c.oid, 'SELECT');
SELECT c.relname AS view, a.grantee::regrole AS grantee, a.privilege_type AS unexpected_privilege
  FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.relnamespace = 'ptx_public'::regnamespace
   AND a.grantee <> c.relowner
   AND (a.grantee = 0
        OR a.grantee NOT IN ('ptx_admin'::regrole, 'ptx_operator'::regrole, 'ptx_supervisor'::regrole,
                             'ptx_auditor'::regrole, 'ptx_public'::regrole)
        OR a.privilege_type <> 'SELECT');
SELECT c.relname AS view, a.attname AS column_named_like_personal_or_sealed_data
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'ptx_public'::regnamespace
   AND a.attname ~* '(id_number|id_no|id_card|resident_id|phone|mobile|email|seed|secret|password|fingerprint|doc_digest)'
   AND a.attname !~ '_masked$';

-- ptx_public reads every view without error, and no row of any view holds
-- a full expert name, an identity number or a hidden record.
SET ROLE regress_ptx_public;
DO $$
DECLARE
  v regclass;
  hits bigint;
  problems text := '';
  scanned int := 0;
BEGIN
  FOR v IN SELECT c.oid FROM pg_class c
            WHERE c.relnamespace = 'ptx_public'::regnamespace AND c.relkind = 'v' ORDER BY c.relname LOOP
    BEGIN
      EXECUTE format('SELECT count(*) FROM %s t WHERE t::text LIKE ANY ($1)', v)
         INTO hits USING current_setting('regress.sentinels')::text[];
      IF hits > 0 THEN
        problems := problems || format('%s: %s rows hold hidden data; ', v, hits);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      problems := problems || format('%s: %s (%s); ', v, SQLERRM, SQLSTATE);
    END;
    scanned := scanned + 1;
  END LOOP;
  PERFORM set_config('regress.problems', problems, false);
  PERFORM set_config('regress.scanned', scanned::text, false);
END $$;
RESET ROLE;
SELECT current_setting('regress.problems') AS problems,
       current_setting('regress.scanned')::int
         = (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'ptx_public'::regnamespace AND c.relkind = 'v')
         AS every_view_scanned;

-- A reader's own function in a WHERE clause sees only the rows the view
-- shows, never those it leaves out (security_barrier).
CREATE SCHEMA regress_leak;
CREATE FUNCTION regress_leak.peek(value text) RETURNS boolean
    LANGUAGE plpgsql COST 0.0001
    AS $$
BEGIN
  PERFORM set_config('regress.peeked', current_setting('regress.peeked') || '|' || value, false);
  RETURN true;
END
$$;
GRANT USAGE ON SCHEMA regress_leak TO regress_ptx_public;
GRANT EXECUTE ON FUNCTION regress_leak.peek(text) TO regress_ptx_public;
SET regress.peeked = '';
SET ROLE regress_ptx_public;
SELECT count(*) AS shown FROM ptx_public.credit_list WHERE regress_leak.peek(reason);
SELECT count(*) AS shown FROM ptx_public.policy_documents WHERE regress_leak.peek(title);
RESET ROLE;
SELECT array_agg(p ORDER BY p) AS peeked
  FROM unnest(string_to_array(current_setting('regress.peeked'), '|')) p WHERE p <> '';

SET client_min_messages = warning;
DROP SCHEMA regress_leak CASCADE;
RESET client_min_messages;

-- Leave the test roles without the memberships granted here.
DO $$
DECLARE r text;
BEGIN
  FOR r IN SELECT substr(rolname, 13) FROM pg_roles
            WHERE rolname IN ('regress_ptx_admin', 'regress_ptx_operator', 'regress_ptx_supervisor',
                              'regress_ptx_auditor', 'regress_ptx_public') LOOP
    IF pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;
