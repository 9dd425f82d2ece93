-- ptx.policy_floor (src/sql/87_policy_floors.sql, new, carried whole)
-- comes under the ledger by 90_ledger_track.sql, run again by every
-- upgrade.  Overrides stored by 0.1.0 are not rewritten: one laxer than
-- the law stays until it is next written (then refused); the functions
-- that use a setting still check its range.  The DBA lists them after the
-- update (docs/operations.md) with:
--   SELECT p.key, p.value, d.value AS law, f.direction FROM ptx.policy p
--     JOIN ptx.policy_default d USING (key) JOIN ptx.policy_floor f USING (key)
--    WHERE (f.direction = 'at_least' AND p.value < d.value)
--       OR (f.direction = 'at_most' AND p.value > d.value);
DO $laxer$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT p.key, p.value, d.value AS law
               FROM ptx.policy p
               JOIN ptx.policy_default d USING (key)
               JOIN ptx.policy_floor f USING (key)
              WHERE (f.direction = 'at_least' AND p.value < d.value)
                 OR (f.direction = 'at_most' AND p.value > d.value)
    LOOP
        RAISE WARNING 'policy setting % is %, laxer than the law''s %', r.key, r.value, r.law
            USING HINT = 'Set it again with ptx.set_policy (a stricter value or NULL for the law''s).';
    END LOOP;
END
$laxer$;
