-- ptx.policy_floor (src/sql/87_policy_floors.sql, carried whole) comes
-- under the ledger like every ptx table, and auditors read it.  Overrides
-- stored by 0.1.0 are not rewritten: one laxer than the law stays until
-- it is next written (then refused); the functions that use a setting
-- still check its range.  List them after the update with:
--   SELECT p.key, p.value, d.value AS law, f.direction FROM ptx.policy p
--     JOIN ptx.policy_default d USING (key) JOIN ptx.policy_floor f USING (key)
--    WHERE (f.direction = 'at_least' AND p.value < d.value)
--       OR (f.direction = 'at_most' AND p.value > d.value);
CREATE TRIGGER ptx_ledger AFTER INSERT OR UPDATE OR DELETE ON ptx.policy_floor
    FOR EACH ROW EXECUTE FUNCTION ptx.ledger_capture();
REVOKE ALL ON ptx.policy_floor FROM PUBLIC;
GRANT SELECT ON ptx.policy_floor TO ptx_auditor;
