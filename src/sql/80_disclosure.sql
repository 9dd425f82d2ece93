-- Disclosure (信息公开, R8): schema ptx_public holds the views the public
-- may read, with personal data masked.  ptx_public (the role) has no
-- USAGE on schema ptx: it reads these views and nothing else.
--
-- How a ptx_public view is built (every module follows this; the
-- disclosure regression test checks every view in the schema):
-- - WITH (security_barrier = true), so that a reader's own functions in a
--   WHERE clause never see the rows the view leaves out;
-- - the view reads ptx tables with its owner's rights, but functions it
--   calls run with the reader's: call only pure functions (ptx.mask_*,
--   ptx.now()) and write table reads, even a predicate some ptx function
--   already holds, into the view's own query;
-- - personal data only through ptx.mask_name / ptx.mask_phone; identity
--   numbers, seeds, sealed lists and bids before opening never;
-- - SELECT granted to the five group roles, nothing to PUBLIC.
-- Modules add their public views in 8x files after this one.

------------------------------------------------------------------------
-- Masking (脱敏).
------------------------------------------------------------------------
CREATE FUNCTION ptx.mask_name(name text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN pg_catalog.char_length(pg_catalog.btrim(name)) <= 1
                THEN pg_catalog.repeat('*', pg_catalog.char_length(pg_catalog.btrim(name)))
                ELSE pg_catalog.left(pg_catalog.btrim(name), 1)
                     || pg_catalog.repeat('*', pg_catalog.char_length(pg_catalog.btrim(name)) - 1) END;
COMMENT ON FUNCTION ptx.mask_name(text) IS
    'a person''s name with all but the first character masked: 张三 → 张*, 欧阳娜娜 → 欧***';

CREATE FUNCTION ptx.mask_phone(phone text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT COALESCE(pg_catalog.string_agg(
                   CASE WHEN d.is_digit
                         AND d.k > CASE WHEN d.nd >= 11 THEN 3 ELSE 0 END
                         AND d.k <= d.nd - CASE WHEN d.nd >= 8 THEN 4 ELSE 0 END
                        THEN '*' ELSE d.c END, '' ORDER BY d.i), '')
          FROM (SELECT t.c, t.i, t.is_digit,
                       pg_catalog.count(*) FILTER (WHERE t.is_digit) OVER (ORDER BY t.i) AS k,
                       pg_catalog.count(*) FILTER (WHERE t.is_digit) OVER () AS nd
                  FROM (SELECT s.c, s.i, s.c ~ '^[0-9０-９]$' AS is_digit
                          FROM pg_catalog.regexp_split_to_table(phone, '') WITH ORDINALITY s(c, i)) t) d;
    END;
COMMENT ON FUNCTION ptx.mask_phone(text) IS
    'a phone number with its middle digits masked: 13812345678 → 138****5678; under 11 digits only the last 4 show, under 8 none';

GRANT EXECUTE ON FUNCTION ptx.mask_name(text), ptx.mask_phone(text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor, ptx_public;
-- Public views compare dates with the business clock.  ptx_public can
-- still not call it by name: it has no USAGE on schema ptx.
GRANT EXECUTE ON FUNCTION ptx.now() TO ptx_public;
GRANT EXECUTE ON FUNCTION ptx.today(), ptx.local_date(timestamptz) TO ptx_public;

------------------------------------------------------------------------
-- The credit list (失信名单, R7): records restricting today.  Companies
-- are named with their unified social credit code, experts by their
-- masked name only.  The predicate is ptx.credit_in_force, written out.
------------------------------------------------------------------------
CREATE VIEW ptx_public.credit_list WITH (security_barrier = true) AS
SELECT r.id AS record_id,
       r.subject_kind,
       CASE r.subject_kind WHEN 'org' THEN r.subject_name
                           ELSE ptx.mask_name(r.subject_name) END AS subject_name,
       o.uscc,
       o.region,
       r.kind,
       k.name_zh AS kind_name,
       r.reason,
       r.source,
       r.valid_from,
       r.valid_to
  FROM ptx.credit_record r
  JOIN ptx.credit_kind k ON k.code = r.kind
  LEFT JOIN ptx.org o ON r.subject_kind = 'org' AND o.id = r.subject_id
 WHERE r.valid_from <= ptx.today()
   AND (r.valid_to IS NULL OR r.valid_to >= ptx.today())
   AND NOT EXISTS (SELECT 1 FROM ptx.credit_revocation v
                    WHERE v.record_id = r.id AND v.effective_on <= ptx.today());
COMMENT ON VIEW ptx_public.credit_list IS
    'credit records restricting today (失信名单): organisations with their credit code, experts with masked names';

------------------------------------------------------------------------
-- Policy documents (制度文件目录, R10): every registered document with
-- its status today, and the list of the valid ones.
------------------------------------------------------------------------
CREATE VIEW ptx_public.policy_documents WITH (security_barrier = true) AS
SELECT d.number,
       d.title,
       d.issuer,
       d.region,
       g.name AS region_name,
       d.issued_on,
       d.effective_on,
       p.number AS revises_number,
       CASE WHEN c.effective_on <= ptx.today() THEN c.status
            WHEN d.effective_on > ptx.today() THEN 'pending'
            ELSE 'valid' END AS status,
       c.status AS change,
       c.effective_on AS change_effective_on,
       c.reason AS change_reason,
       b.number AS changed_by_number
  FROM ptx.policy_document d
  JOIN ptx.region g ON g.code = d.region
  LEFT JOIN ptx.policy_document p ON p.id = d.revises
  LEFT JOIN ptx.policy_document_change c ON c.document_id = d.id
  LEFT JOIN ptx.policy_document b ON b.id = c.by_document_id
 WHERE d.issued_on <= ptx.today();
COMMENT ON VIEW ptx_public.policy_documents IS
    'policy documents issued by today with their status (valid, revised, repealed, pending) and their change, dated even when still ahead';

CREATE VIEW ptx_public.valid_policy_documents WITH (security_barrier = true) AS
SELECT d.number, d.title, d.issuer, d.region, d.region_name, d.issued_on, d.effective_on,
       d.revises_number
  FROM ptx_public.policy_documents d
 WHERE d.status = 'valid';
COMMENT ON VIEW ptx_public.valid_policy_documents IS
    'the list of valid policy documents (有效制度文件目录清单) published under notice §10';

GRANT SELECT ON ptx_public.credit_list, ptx_public.policy_documents, ptx_public.valid_policy_documents
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor, ptx_public;
