-- The catalog's conditions are closed vocabularies (40_vocabulary.sql):
-- category, region, funding sources and project kinds are known codes,
-- the lists non-empty and without NULL, the threshold a finite,
-- non-negative amount.  An unknown term is refused (22023), never stored
-- to be read later as "not covered".

CREATE FUNCTION ptx.catalog_terms_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_trade_terms(NEW.category, NEW.region, NULL, NULL),
            ptx.check_term_list('funding', NEW.funding),
            ptx.check_term_list('kind', NEW.kinds);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.catalog_terms_before_insert() IS
    'trigger of the catalog: refuses an unknown category or region and condition lists of unknown, NULL, empty or repeated codes (22023)';

CREATE TRIGGER a_trade_terms BEFORE INSERT ON ptx.catalog
    FOR EACH ROW EXECUTE FUNCTION ptx.catalog_terms_before_insert();

SELECT ptx.add_checked_constraint(v.rel, v.name, v.def)
  FROM (VALUES
    ('ptx.catalog'::regclass, 'catalog_min_amount_finite',
     'CHECK (min_amount >= 0 AND min_amount < ''Infinity''::numeric)'),
    ('ptx.catalog', 'catalog_funding_elements',
     'CHECK (CASE WHEN pg_catalog.array_ndims(funding) = 1 THEN pg_catalog.array_position(funding, NULL) IS NULL AND pg_catalog.array_position(funding, '''') IS NULL ELSE funding IS NULL END)'),
    ('ptx.catalog', 'catalog_kinds_elements',
     'CHECK (CASE WHEN pg_catalog.array_ndims(kinds) = 1 THEN pg_catalog.array_position(kinds, NULL) IS NULL AND pg_catalog.array_position(kinds, '''') IS NULL ELSE kinds IS NULL END)')
  ) v(rel, name, def);
