-- Final step of the install script: nothing is granted to PUBLIC, auditors
-- read everything.  Modules grant what each other role needs in their own
-- files; this file only closes what PostgreSQL opens by default.

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ptx FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA ptx FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ptx_public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA ptx FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA ptx_public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ptx FROM PUBLIC;

-- 纪检监察与审计: read everything, change nothing.
GRANT SELECT ON ALL TABLES IN SCHEMA ptx TO ptx_auditor;
GRANT SELECT ON ALL TABLES IN SCHEMA ptx_public TO ptx_auditor;

-- The sealing functions of bids and ptx's private functions: EXECUTE is
-- granted to PUBLIC by default even where the schema is closed; close it.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ptx_seal FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ptx_private FROM PUBLIC;
