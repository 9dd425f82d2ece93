-- The red flag of a re-evaluation (src/sql/85_red_flags_scan.sql):
-- the kind reevaluation joins the closed list of red_flag.kind, the kinds
-- already allowed kept as they are (read from the constraint, as
-- 45_sales_red_flags.sql does).
DO $kinds$
DECLARE
    kinds text[];
BEGIN
    SELECT pg_catalog.array_agg(m[1] ORDER BY n)
      INTO kinds
      FROM pg_catalog.pg_constraint c,
           pg_catalog.regexp_matches(pg_catalog.pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g')
               WITH ORDINALITY r(m, n)
     WHERE c.conrelid = 'ptx.red_flag'::regclass AND c.conname = 'red_flag_kind_check';
    IF 'reevaluation' = ANY (kinds) THEN
        RETURN;
    END IF;
    kinds := kinds || ARRAY['reevaluation'];
    ALTER TABLE ptx.red_flag DROP CONSTRAINT red_flag_kind_check;
    EXECUTE pg_catalog.format('ALTER TABLE ptx.red_flag ADD CONSTRAINT red_flag_kind_check CHECK (kind IN (%s))',
                              (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(k), ', ') FROM pg_catalog.unnest(kinds) k));
END
$kinds$;
