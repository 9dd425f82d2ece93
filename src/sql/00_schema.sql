-- Schemas and group roles (DESIGN.md §7).
--
-- The schemas belong to the extension: DROP EXTENSION removes them with all
-- they hold.  The group roles are cluster-wide: created here when missing,
-- never dropped by ptx (a DBA may have granted them to people).

CREATE SCHEMA ptx;
COMMENT ON SCHEMA ptx IS 'ptx: integrity core of a public resource trading platform (公共资源交易平台)';
CREATE SCHEMA ptx_public;
COMMENT ON SCHEMA ptx_public IS 'ptx: public disclosure (信息公开), masked views only';

REVOKE ALL ON SCHEMA ptx FROM PUBLIC;
REVOKE ALL ON SCHEMA ptx_public FROM PUBLIC;

DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['ptx_admin', 'ptx_operator', 'ptx_supervisor',
                             'ptx_auditor', 'ptx_public']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$roles$;

GRANT USAGE ON SCHEMA ptx TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT USAGE ON SCHEMA ptx_public TO ptx_admin, ptx_operator, ptx_supervisor,
    ptx_auditor, ptx_public;
