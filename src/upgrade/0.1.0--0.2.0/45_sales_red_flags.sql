-- Red flags over sales (src/sql/85_red_flags.sql, 85_red_flags_scan.sql):
-- the three new kinds join the closed list of red_flag.kind (the setting
-- of sale_at_reserve is carried with every legal default).  The kinds already allowed are
-- kept as they are (read from the constraint), so that other changes to
-- the list survive; every existing flag keeps a kind of the list.
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
    kinds := kinds || ARRAY(SELECT k FROM pg_catalog.unnest(ARRAY['sale_single_bidder', 'sale_shared_contact',
                                                                  'sale_at_reserve']) k
                             WHERE k <> ALL (kinds));
    ALTER TABLE ptx.red_flag DROP CONSTRAINT red_flag_kind_check;
    EXECUTE pg_catalog.format('ALTER TABLE ptx.red_flag ADD CONSTRAINT red_flag_kind_check CHECK (kind IN (%s))',
                              (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(k), ', ') FROM pg_catalog.unnest(kinds) k));
END
$kinds$;
