-- Staff of organisations (src/sql/21_staff.sql, src/sql/86_staff_checks.sql,
-- both carried whole): the two new tables come under the ledger like every
-- ptx table (90_ledger_track.sql does this at install), and auditors read
-- them (99_finish.sql).  No data to migrate: a 0.1.0 installation has no
-- mapping, so after the update every login that is not a superuser is
-- refused the checked acts (PX015) until ptx_admin maps it with
-- ptx.add_staff (docs/operations.md).
CREATE TRIGGER ptx_ledger AFTER INSERT OR UPDATE OR DELETE ON ptx.staff
    FOR EACH ROW EXECUTE FUNCTION ptx.ledger_capture();
CREATE TRIGGER ptx_ledger AFTER INSERT OR UPDATE OR DELETE ON ptx.staff_act
    FOR EACH ROW EXECUTE FUNCTION ptx.ledger_capture();
REVOKE ALL ON ptx.staff, ptx.staff_act FROM PUBLIC;
GRANT SELECT ON ptx.staff, ptx.staff_act TO ptx_auditor;
