-- Split to evade the catalog (化整为零规避招标, R1, R9): one tenderee, one
-- category, one calendar year, several trades each below the threshold of
-- a catalog entry that would otherwise apply, together reaching it.
-- Trades are the projects on the platform (not terminated) and the
-- contracts made outside it; a contract of a project counts once, as its
-- project.

CREATE FUNCTION ptx.split_suspects(for_year integer DEFAULT NULL, for_supervisor bigint DEFAULT NULL)
    RETURNS TABLE (tenderee_id bigint, tenderee text, category text, year integer,
                   catalog_code text, catalog_region text, threshold numeric,
                   trades integer, total numeric,
                   project_ids bigint[], contract_ids bigint[])
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH trade AS (
            SELECT 'project'::text AS source, p.id, p.tenderee_id, p.category, p.region,
                   p.amount, p.funding, p.kind, ptx.local_date(p.registered_at) AS day
              FROM ptx.project p
             WHERE p.state <> 'terminated'
            UNION ALL
            SELECT 'contract', c.id, c.tenderee_id, c.category, c.region,
                   c.amount, c.funding, c.kind, c.signed_on
              FROM ptx.contract c
             WHERE c.project_id IS NULL
        ), below AS (
            SELECT t.*, e.id AS entry_id, e.code, e.region AS entry_region, e.min_amount
              FROM trade t,
                   LATERAL ptx.catalog_in_force(t.category, t.region, t.funding, t.day, t.kind) e
             WHERE e.min_amount IS NOT NULL AND t.amount < e.min_amount
               AND (split_suspects.for_year IS NULL
                    OR pg_catalog.date_part('year', t.day) = split_suspects.for_year)
               AND (split_suspects.for_supervisor IS NULL
                    OR ptx.has_jurisdiction(split_suspects.for_supervisor, t.category, t.region))
        )
        SELECT b.tenderee_id, o.name, b.category,
               pg_catalog.date_part('year', b.day)::integer,
               b.code, b.entry_region, b.min_amount,
               pg_catalog.count(*)::integer, pg_catalog.sum(b.amount),
               COALESCE(pg_catalog.array_agg(b.id ORDER BY b.id) FILTER (WHERE b.source = 'project'), '{}'),
               COALESCE(pg_catalog.array_agg(b.id ORDER BY b.id) FILTER (WHERE b.source = 'contract'), '{}')
          FROM below b
          JOIN ptx.org o ON o.id = b.tenderee_id
         GROUP BY b.tenderee_id, o.name, b.category, pg_catalog.date_part('year', b.day),
                  b.entry_id, b.code, b.entry_region, b.min_amount
        HAVING pg_catalog.count(*) >= 2 AND pg_catalog.sum(b.amount) >= b.min_amount
         ORDER BY 4, 1, 3, 5;
    END;
COMMENT ON FUNCTION ptx.split_suspects(integer, bigint) IS
    'groups of trades of one tenderee, category and year each below a catalog threshold and together reaching it (化整为零)';

CREATE VIEW ptx.split_suspect AS SELECT * FROM ptx.split_suspects();
COMMENT ON VIEW ptx.split_suspect IS 'every split-to-evade suspect (化整为零), all years';

GRANT SELECT ON ptx.split_suspect TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.split_suspects(integer, bigint)
    TO ptx_admin, ptx_supervisor, ptx_auditor;
