-- The objects of extension ptx, one line each, in a stable order: what an
-- upgraded database and a fresh install of the same version must share.
-- Used by test/t/002_upgrade.pl; run with psql -At.
WITH ext AS (
    SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'ptx'
), sch AS (
    SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n
    WHERE n.nspname IN ('ptx', 'ptx_public', 'ptx_seal', 'ptx_private')
), members AS (
    SELECT 'member ' || pg_catalog.pg_describe_object(d.classid, d.objid, 0) AS line
    FROM pg_catalog.pg_depend d, ext
    WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = ext.oid
      AND d.deptype = 'e'
), schemas AS (
    SELECT 'schema ' || s.nspname || ' acl=' || coalesce(n.nspacl::text, '')
           || ' comment=' || coalesce(pg_catalog.obj_description(n.oid, 'pg_namespace'), '') AS line
    FROM sch s JOIN pg_catalog.pg_namespace n ON n.oid = s.oid
), funcs AS (
    SELECT 'function ' || p.oid::regprocedure::text
           || ' def=' || pg_catalog.md5(pg_catalog.pg_get_functiondef(p.oid))
           || ' acl=' || coalesce(p.proacl::text, '')
           || ' comment=' || coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), '') AS line
    FROM pg_catalog.pg_proc p JOIN sch ON sch.oid = p.pronamespace
    WHERE p.prokind <> 'a'
), rels AS (
    SELECT 'relation ' || c.oid::regclass::text || ' kind=' || c.relkind::text
           || ' acl=' || coalesce(c.relacl::text, '')
           || ' options=' || coalesce(c.reloptions::text, '')
           || ' rls=' || c.relrowsecurity
           || ' comment=' || coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), '')
           || CASE WHEN c.relkind = 'v' THEN ' view=' || pg_catalog.md5(pg_catalog.pg_get_viewdef(c.oid)) ELSE '' END
           || CASE WHEN c.relkind = 'i' THEN ' index=' || pg_catalog.pg_get_indexdef(c.oid) ELSE '' END
           AS line
    FROM pg_catalog.pg_class c JOIN sch ON sch.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'v', 'm', 'i', 'S', 'p', 'c')
), cols AS (
    SELECT 'column ' || c.oid::regclass::text || ' '
           || pg_catalog.lpad((pg_catalog.row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum))::text, 3, '0')
           || ' ' || a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
           || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
           || coalesce(' default ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')
           || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
           || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END
           || CASE WHEN a.attstattarget >= 0 THEN ' statistics ' || a.attstattarget::text ELSE '' END
           || ' acl=' || coalesce(a.attacl::text, '')
           || ' comment=' || coalesce(pg_catalog.col_description(c.oid, a.attnum), '') AS line
    FROM pg_catalog.pg_class c JOIN sch ON sch.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
    WHERE c.relkind IN ('r', 'v', 'm', 'p', 'c')
), cons AS (
    SELECT 'constraint ' || coalesce(r.oid::regclass::text, t.oid::regtype::text) || ' '
           || k.conname || ' ' || pg_catalog.pg_get_constraintdef(k.oid)
           || CASE WHEN NOT k.convalidated THEN ' not valid' ELSE '' END AS line
    FROM pg_catalog.pg_constraint k JOIN sch ON sch.oid = k.connamespace
    LEFT JOIN pg_catalog.pg_class r ON r.oid = k.conrelid
    LEFT JOIN pg_catalog.pg_type t ON t.oid = k.contypid
), trigs AS (
    SELECT 'trigger ' || g.tgrelid::regclass::text || ' ' || pg_catalog.pg_get_triggerdef(g.oid)
           || ' enabled=' || g.tgenabled::text AS line
    FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
    JOIN sch ON sch.oid = c.relnamespace
    WHERE NOT g.tgisinternal
), types AS (
    SELECT 'type ' || t.oid::regtype::text || ' ' || t.typtype::text
           || CASE WHEN t.typtype = 'd' THEN ' base=' || pg_catalog.format_type(t.typbasetype, t.typtypmod)
                   || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END
                   || coalesce(' default ' || t.typdefault, '') ELSE '' END
           || CASE WHEN t.typtype = 'e' THEN ' labels=' || (
                   SELECT pg_catalog.string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                   FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) ELSE '' END
           || ' acl=' || coalesce(t.typacl::text, '')
           || ' comment=' || coalesce(pg_catalog.obj_description(t.oid, 'pg_type'), '') AS line
    FROM pg_catalog.pg_type t JOIN sch ON sch.oid = t.typnamespace
    WHERE t.typtype IN ('d', 'e') OR (t.typtype = 'c' AND EXISTS (
        SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
), policies AS (
    SELECT 'policy ' || p.schemaname || '.' || p.tablename || ' ' || p.policyname || ' '
           || p.cmd || ' ' || p.roles::text || ' ' || coalesce(p.qual, '') || ' '
           || coalesce(p.with_check, '') AS line
    FROM pg_catalog.pg_policies p
    WHERE p.schemaname IN ('ptx', 'ptx_public', 'ptx_seal', 'ptx_private')
), config AS (
    SELECT 'config ' || c::regclass::text AS line
    FROM ext, pg_catalog.pg_extension e, pg_catalog.unnest(e.extconfig) c
    WHERE e.oid = ext.oid
), evt AS (
    SELECT 'event trigger ' || e.evtname || ' ' || e.evtevent || ' ' || e.evtfoid::regproc::text
           || ' ' || coalesce(e.evttags::text, '') || ' enabled=' || e.evtenabled::text AS line
    FROM pg_catalog.pg_event_trigger e
    WHERE e.evtfoid IN (SELECT p.oid FROM pg_catalog.pg_proc p JOIN sch ON sch.oid = p.pronamespace)
)
SELECT line FROM (
    SELECT line FROM members UNION ALL SELECT line FROM schemas
    UNION ALL SELECT line FROM funcs UNION ALL SELECT line FROM rels
    UNION ALL SELECT line FROM cols UNION ALL SELECT line FROM cons
    UNION ALL SELECT line FROM trigs UNION ALL SELECT line FROM types
    UNION ALL SELECT line FROM policies UNION ALL SELECT line FROM config
    UNION ALL SELECT line FROM evt
) l
ORDER BY line COLLATE "C";
