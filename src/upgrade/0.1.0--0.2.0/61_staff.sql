-- Staff of organisations (src/sql/21_staff.sql, src/sql/86_staff_checks.sql,
-- both new and carried whole).  Their tables come under the ledger by
-- 90_ledger_track.sql, which every upgrade runs again; auditors read them
-- by 99_finish.sql's grants, carried.  No data to migrate: a 0.1.0
-- installation has no mapping, so after the update every login that is not
-- a superuser is refused the checked acts (PX015) until ptx_admin maps it
-- with ptx.add_staff (docs/operations.md).  Nothing is granted to PUBLIC:
REVOKE ALL ON ptx.staff, ptx.staff_act FROM PUBLIC;
