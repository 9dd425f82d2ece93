-- Bulk import of a credit list (信用名单导入), all or nothing.
--
-- The list is copied, as text, into a table shaped like
-- ptx.credit_import_row (COPY never fails on a bad value there), then
-- ptx.import_credit_records checks every row.  One bad row and nothing is
-- loaded: the answer is every bad row with all that is wrong with it.
--
--   CREATE TEMP TABLE list (LIKE ptx.credit_import_row);
--   \copy list FROM 'list.csv' WITH (FORMAT csv, HEADER)
--   SELECT * FROM ptx.import_credit_records('list');

CREATE TYPE ptx.credit_import_row AS (
    subject_kind text,      -- org or expert
    subject_ref  text,      -- org: unified social credit code; expert: expert id
    subject_name text,      -- name as listed; empty: the registered name
    kind         text,      -- a code of ptx.credit_kind
    reason       text,
    valid_from   text,      -- YYYY-MM-DD
    valid_to     text,      -- YYYY-MM-DD, or empty: until revoked
    source       text
);
COMMENT ON TYPE ptx.credit_import_row IS 'the columns of a credit list file, in order, as text (template of the staging table)';

CREATE TYPE ptx.credit_import_check AS (
    row_no       bigint,
    subject_kind text,
    subject_id   bigint,
    subject_name text,
    kind         text,
    reason       text,
    source       text,
    valid_from   date,
    valid_to     date,
    existing_id  bigint,
    problems     text[]
);
COMMENT ON TYPE ptx.credit_import_check IS 'a staged credit list row as resolved and checked by ptx.check_credit_import';

CREATE FUNCTION ptx.iso_date(value text) RETURNS date
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF value !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
        RETURN NULL;
    END IF;
    RETURN value::date;
EXCEPTION
    WHEN datetime_field_overflow OR invalid_datetime_format THEN
        RETURN NULL;
END
$$;
COMMENT ON FUNCTION ptx.iso_date(text) IS 'a YYYY-MM-DD calendar date, or NULL for anything else';

CREATE FUNCTION ptx.check_credit_import(staging regclass) RETURNS SETOF ptx.credit_import_check
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(c.attname, ', ' ORDER BY c.attnum) INTO missing
      FROM pg_attribute c
     WHERE c.attrelid = 'ptx.credit_import_row'::regclass AND c.attnum > 0
       AND NOT EXISTS (SELECT 1 FROM pg_attribute s
                        WHERE s.attrelid = staging AND s.attname = c.attname
                          AND s.attnum > 0 AND NOT s.attisdropped);
    IF missing IS NOT NULL THEN
        PERFORM ptx.raise('credit_import.columns_missing', COALESCE(staging::text, '<NULL>'), missing);
    END IF;
    RETURN QUERY EXECUTE pg_catalog.format($query$
        WITH staged AS (
            SELECT pg_catalog.row_number() OVER (ORDER BY t.ctid) AS row_no,
                   NULLIF(pg_catalog.btrim(t.subject_kind), '') AS subject_kind,
                   NULLIF(pg_catalog.btrim(t.subject_ref), '') AS subject_ref,
                   NULLIF(pg_catalog.btrim(t.subject_name), '') AS subject_name,
                   NULLIF(pg_catalog.btrim(t.kind), '') AS kind,
                   NULLIF(pg_catalog.btrim(t.reason), '') AS reason,
                   NULLIF(pg_catalog.btrim(t.valid_from), '') AS valid_from,
                   NULLIF(pg_catalog.btrim(t.valid_to), '') AS valid_to,
                   NULLIF(pg_catalog.btrim(t.source), '') AS source
              FROM %s t
        ), resolved AS (
            SELECT s.*,
                   CASE s.subject_kind
                       WHEN 'org' THEN (SELECT o.id FROM ptx.org o
                                         WHERE o.uscc = pg_catalog.upper(s.subject_ref))
                       WHEN 'expert' THEN CASE WHEN s.subject_ref ~ '^[0-9]{1,18}$'
                                               THEN s.subject_ref::bigint END
                   END AS subject_id,
                   ptx.iso_date(s.valid_from) AS from_date,
                   ptx.iso_date(s.valid_to) AS to_date
              FROM staged s
        ), named AS (
            SELECT r.*,
                   ptx.credit_subject_name(r.subject_kind, r.subject_id) AS registered_name,
                   pg_catalog.first_value(r.row_no) OVER same_record AS first_row
              FROM resolved r
            WINDOW same_record AS (PARTITION BY r.subject_kind, r.subject_id, r.kind,
                                                r.from_date, r.to_date
                                       ORDER BY r.row_no)
        )
        SELECT n.row_no, n.subject_kind, n.subject_id,
               COALESCE(n.subject_name, n.registered_name), n.kind, n.reason, n.source,
               n.from_date, n.to_date,
               (SELECT pg_catalog.min(c.id)
                  FROM ptx.credit_record c
                 WHERE c.subject_kind = n.subject_kind AND c.subject_id = n.subject_id
                   AND c.kind = n.kind AND c.valid_from = n.from_date
                   AND c.valid_to IS NOT DISTINCT FROM n.to_date
                   AND NOT EXISTS (SELECT 1 FROM ptx.credit_revocation v WHERE v.record_id = c.id)),
               pg_catalog.array_remove(ARRAY[
                   CASE WHEN n.subject_kind IS NULL THEN 'subject_kind is empty'
                        WHEN n.subject_kind NOT IN ('org', 'expert')
                        THEN pg_catalog.format('subject_kind %%s is neither org nor expert', n.subject_kind) END,
                   CASE WHEN n.subject_ref IS NULL THEN 'subject_ref is empty'
                        WHEN n.subject_kind = 'org' AND NOT ptx.uscc_valid(pg_catalog.upper(n.subject_ref))
                        THEN pg_catalog.format('subject_ref %%s is not a valid unified social credit code', n.subject_ref)
                        WHEN n.subject_kind = 'org' AND n.subject_id IS NULL
                        THEN pg_catalog.format('no organisation with unified social credit code %%s is registered', n.subject_ref)
                        WHEN n.subject_kind = 'expert' AND n.subject_id IS NULL
                        THEN pg_catalog.format('subject_ref %%s is not an expert id', n.subject_ref)
                        WHEN n.subject_kind = 'expert' AND n.registered_name IS NULL
                        THEN pg_catalog.format('expert %%s is not registered', n.subject_ref) END,
                   CASE WHEN n.kind IS NULL THEN 'kind is empty'
                        WHEN NOT EXISTS (SELECT 1 FROM ptx.credit_kind k WHERE k.code = n.kind)
                        THEN pg_catalog.format('credit kind %%s is unknown', n.kind) END,
                   CASE WHEN n.reason IS NULL THEN 'reason is empty' END,
                   CASE WHEN n.valid_from IS NULL THEN 'valid_from is empty'
                        WHEN n.from_date IS NULL
                        THEN pg_catalog.format('valid_from %%s is not a date (YYYY-MM-DD)', n.valid_from) END,
                   CASE WHEN n.valid_to IS NOT NULL AND n.to_date IS NULL
                        THEN pg_catalog.format('valid_to %%s is not a date (YYYY-MM-DD)', n.valid_to)
                        WHEN n.to_date < n.from_date
                        THEN pg_catalog.format('valid_to %%s is before valid_from %%s', n.to_date, n.from_date) END,
                   CASE WHEN n.first_row < n.row_no AND n.registered_name IS NOT NULL
                             AND n.from_date IS NOT NULL
                        THEN pg_catalog.format('same record as row %%s', n.first_row) END
               ], NULL)
          FROM named n
         ORDER BY n.row_no
        $query$, staging);
END
$$;
COMMENT ON FUNCTION ptx.check_credit_import(regclass) IS
    'resolve and check the rows of a staged credit list without loading them; problems lists what is wrong with each row';

CREATE FUNCTION ptx.import_credit_records(staging regclass, dry_run boolean DEFAULT false)
    RETURNS TABLE (row_no bigint, status text, record_id bigint, message text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    checked ptx.credit_import_check[];
    c ptx.credit_import_check;
    bad int;
BEGIN
    checked := ARRAY(SELECT x FROM ptx.check_credit_import(staging) x ORDER BY x.row_no);
    SELECT count(*) INTO bad FROM unnest(checked) x WHERE cardinality(x.problems) > 0;
    IF bad > 0 THEN
        PERFORM ptx.warning('credit_import.rejected', staging::text, bad::text, cardinality(checked)::text);
        RETURN QUERY
            SELECT x.row_no, 'error'::text, NULL::bigint, array_to_string(x.problems, '; ')
              FROM unnest(checked) x
             WHERE cardinality(x.problems) > 0
             ORDER BY x.row_no;
        RETURN;
    END IF;
    FOREACH c IN ARRAY checked LOOP
        row_no := c.row_no;
        message := NULL;
        IF c.existing_id IS NOT NULL THEN
            status := 'exists';
            record_id := c.existing_id;
            message := 'already recorded, not loaded again';
        ELSIF dry_run THEN
            status := 'ok';
            record_id := NULL;
        ELSE
            INSERT INTO ptx.credit_record (subject_kind, subject_id, subject_name, kind, reason,
                                           source, valid_from, valid_to)
            VALUES (c.subject_kind, c.subject_id, c.subject_name, c.kind, c.reason,
                    c.source, c.valid_from, c.valid_to)
            RETURNING id INTO record_id;
            status := 'loaded';
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.import_credit_records(regclass, boolean) IS
    'load a staged credit list, all or nothing: every row loaded (or already recorded), or nothing and every bad row reported';

REVOKE ALL ON TYPE ptx.credit_import_row, ptx.credit_import_check FROM PUBLIC;
GRANT USAGE ON TYPE ptx.credit_import_row, ptx.credit_import_check TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.iso_date(text),
    ptx.check_credit_import(regclass), ptx.import_credit_records(regclass, boolean)
    TO ptx_admin, ptx_supervisor;
