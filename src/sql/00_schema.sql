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

-- A group role that already exists is taken over only if it is a plain
-- group: a ptx_* role made beforehand with LOGIN, SUPERUSER, CREATEROLE,
-- BYPASSRLS or REPLICATION, or itself a member of another role, would hand
-- those rights to everyone ptx's grants reach (DESIGN.md §7, §11).  Its
-- members (the people a DBA granted it to) are kept, and listed.
-- It runs before the message catalogue (06_messages.sql) exists, so it
-- carries both languages itself, chosen as ptx.message_language() does.
DO $precheck$
DECLARE
    g record;
    bad text;
    members text;
    zh boolean := pg_catalog.lower(pg_catalog.current_setting('lc_messages')) ~ '^zh([_.@-]|$)';
BEGIN
    FOR g IN SELECT r.* FROM pg_catalog.pg_roles r
              WHERE r.rolname IN ('ptx_admin', 'ptx_operator', 'ptx_supervisor', 'ptx_auditor', 'ptx_public')
              ORDER BY r.rolname
    LOOP
        bad := pg_catalog.concat_ws(', ',
                   CASE WHEN g.rolcanlogin THEN 'LOGIN' END,
                   CASE WHEN g.rolsuper THEN 'SUPERUSER' END,
                   CASE WHEN g.rolcreaterole THEN 'CREATEROLE' END,
                   CASE WHEN g.rolbypassrls THEN 'BYPASSRLS' END,
                   CASE WHEN g.rolreplication THEN 'REPLICATION' END,
                   (SELECT CASE WHEN zh THEN '属于角色 ' ELSE 'member of ' END || pg_catalog.string_agg(m.roleid::regrole::text, ', ' ORDER BY m.roleid::regrole::text)
                      FROM pg_catalog.pg_auth_members m WHERE m.member = g.oid
                     HAVING count(*) > 0));
        IF bad <> '' AND zh THEN
            RAISE EXCEPTION '角色 % 已存在，且具有 ptx 不会授予的属性：%', g.rolname, bad
                USING ERRCODE = '42501',
                      DETAIL = pg_catalog.format('ptx 会把 %s 授予其用户；可以登录、具有管理属性或继承其他角色的组角色会把这些权限一并传递出去。', g.rolname),
                      HINT = pg_catalog.format('请检查该角色；如果是你的角色，执行 ALTER ROLE %I NOLOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS NOREPLICATION 并撤销授予它的角色，或删除它，然后重新创建扩展。', g.rolname);
        ELSIF bad <> '' THEN
            RAISE EXCEPTION 'role % already exists with attributes ptx does not give it: %', g.rolname, bad
                USING ERRCODE = '42501',
                      DETAIL = pg_catalog.format('ptx grants %s to its users; a group role that can log in, has administrative attributes or inherits other roles would pass those on.', g.rolname),
                      HINT = pg_catalog.format('Inspect the role; if it is yours, ALTER ROLE %I NOLOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS NOREPLICATION and revoke the roles granted to it, or drop it, then create the extension again.', g.rolname);
        END IF;
        SELECT pg_catalog.string_agg(m.member::regrole::text, ', ' ORDER BY m.member::regrole::text)
          INTO members
          FROM pg_catalog.pg_auth_members m WHERE m.roleid = g.oid;
        IF members IS NOT NULL AND zh THEN
            RAISE NOTICE '角色 % 已存在，其成员为：%', g.rolname, members
                USING HINT = '这些成员保留该角色及 ptx 授予它的权限；请从不应拥有它的人那里撤销。';
        ELSIF members IS NOT NULL THEN
            RAISE NOTICE 'role % already exists and has members: %', g.rolname, members
                USING HINT = 'They keep the role and what ptx grants to it; revoke it from anyone who should not have it.';
        END IF;
    END LOOP;
END
$precheck$;

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
