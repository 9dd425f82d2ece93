-- Staff of organisations (机构工作人员): which login acts for which
-- organisation (DESIGN.md §11.4, 谁监管谁负责).
--
-- A supervisory department's login decides only for its department
-- (complaints, inspections, expert sanctions, credit records, red flags); a
-- trading centre's login runs trades only in the regions its centre serves
-- (the centre's region and the regions below it).  ptx_admin keeps the
-- mapping with ptx.add_staff / ptx.remove_staff; the rows are tracked by the
-- ledger like every ptx table, and so is every act a login performs for its
-- organisation (ptx.staff_act).
--
-- Who is checked (ptx.acting_login()):
--   * a session whose login is not a superuser: that login;
--   * a superuser session is trusted, as everywhere in PostgreSQL, unless it
--     takes on a LOGIN role with SET ROLE: then the check applies to that
--     login as if it had connected (this is how a DBA, or a test, sees what
--     a login may do).  A superuser acting through a group role (NOLOGIN) is
--     still the superuser.
-- A login is staff of an organisation when it, or a role it is a member of,
-- has a row of ptx.staff for that organisation in force today.  A login
-- with no such row acts for no organisation and is refused every checked
-- act (PX015 outside_jurisdiction).

CREATE TABLE ptx.staff (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member          regrole NOT NULL,
    org_id          bigint NOT NULL REFERENCES ptx.org (id),
    valid_from      date NOT NULL,
    valid_to        date,
    added_at        timestamptz NOT NULL DEFAULT ptx.now(),
    added_by        text NOT NULL DEFAULT session_user,
    removed_at      timestamptz,
    removed_by      text,
    removal_reason  text,
    CONSTRAINT staff_period_check CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CONSTRAINT staff_removal_check CHECK ((removed_at IS NULL) = (removal_reason IS NULL)
                                          AND (removed_at IS NULL) = (removed_by IS NULL)),
    CONSTRAINT staff_removal_reason_check CHECK (removal_reason IS NULL OR pg_catalog.btrim(removal_reason) <> '')
);
COMMENT ON TABLE ptx.staff IS 'which login role acts for which organisation (机构工作人员): supervisory departments, trading centres, agencies';
COMMENT ON COLUMN ptx.staff.member IS 'a login role, or a group role whose members act for the organisation';
CREATE INDEX staff_member_idx ON ptx.staff (member);
CREATE INDEX staff_org_idx ON ptx.staff (org_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.staff', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.staff', 'id'), '');

-- Rows change only through ptx.add_staff and ptx.remove_staff: a mapping is
-- never deleted, and once removed it stays removed.
CREATE FUNCTION ptx.staff_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM ptx.raise('staff.never_deleted');
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.member IS DISTINCT FROM OLD.member
                             OR NEW.org_id IS DISTINCT FROM OLD.org_id
                             OR NEW.valid_from IS DISTINCT FROM OLD.valid_from
                             OR NEW.valid_to IS DISTINCT FROM OLD.valid_to
                             OR NEW.added_at IS DISTINCT FROM OLD.added_at
                             OR NEW.added_by IS DISTINCT FROM OLD.added_by
                             OR OLD.removed_at IS NOT NULL) THEN
        PERFORM ptx.raise('staff.only_removed', OLD.id::text);
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER staff_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.staff
    FOR EACH ROW EXECUTE FUNCTION ptx.staff_before_write();

-- The acts that logins performed for their organisations: one row per
-- checked act, in the act's transaction, so that the ledger records beside
-- the act which organisation it was done for.
CREATE TABLE ptx.staff_act (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    acted_at    timestamptz NOT NULL DEFAULT ptx.now(),
    login       text NOT NULL,
    org_id      bigint NOT NULL REFERENCES ptx.org (id),
    act         text NOT NULL CHECK (act ~ '^[a-z][a-z_]*$'),
    object      jsonb
);
COMMENT ON TABLE ptx.staff_act IS 'every checked act of a login with the organisation it acted for (the ledger records each row)';
CREATE INDEX staff_act_org_idx ON ptx.staff_act (org_id, acted_at);
SELECT pg_catalog.pg_extension_config_dump('ptx.staff_act', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.staff_act', 'id'), '');

------------------------------------------------------------------------
-- Who acts.
------------------------------------------------------------------------
CREATE FUNCTION ptx.acting_login() RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s pg_catalog.pg_roles;
    r pg_catalog.pg_roles;
    role_name text;
BEGIN
    SELECT * INTO s FROM pg_catalog.pg_roles WHERE rolname = session_user;
    IF NOT COALESCE(s.rolsuper, false) THEN
        RETURN session_user;
    END IF;
    role_name := pg_catalog.current_setting('role');
    IF role_name IS NULL OR role_name = 'none' THEN
        RETURN NULL;
    END IF;
    SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = role_name;
    IF NOT FOUND OR r.rolsuper OR NOT r.rolcanlogin THEN
        RETURN NULL;
    END IF;
    RETURN r.rolname;
END
$$;
COMMENT ON FUNCTION ptx.acting_login() IS
    'the login whose organisation is checked: the session''s login, or the LOGIN role a superuser took on with SET ROLE; NULL for a superuser (trusted)';

CREATE FUNCTION ptx.staff_orgs(login text, on_date date DEFAULT NULL) RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d date := COALESCE(on_date, ptx.today());
BEGIN
    IF login IS NULL OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles
                                     WHERE rolname = login AND NOT rolsuper) THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT DISTINCT s.org_id
          FROM ptx.staff s
         WHERE s.removed_at IS NULL
           AND s.valid_from <= d
           AND (s.valid_to IS NULL OR d <= s.valid_to)
           AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles m WHERE m.oid = s.member)
           AND pg_catalog.pg_has_role(login::name, s.member::oid, 'MEMBER')
         ORDER BY 1;
END
$$;
COMMENT ON FUNCTION ptx.staff_orgs(text, date) IS
    'the organisations a login acts for on a date (today by default)';

CREATE FUNCTION ptx.acting_orgs() RETURNS SETOF bigint
    LANGUAGE sql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT ptx.staff_orgs(COALESCE(ptx.acting_login(), session_user));
    END;
COMMENT ON FUNCTION ptx.acting_orgs() IS 'the organisations the current login acts for today';

------------------------------------------------------------------------
-- Keeping the mapping (ptx_admin).
------------------------------------------------------------------------
CREATE FUNCTION ptx.add_staff(member regrole, org_id bigint,
                              valid_from date DEFAULT ptx.today(),
                              valid_to date DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r pg_catalog.pg_roles;
    o ptx.org;
    new_id bigint;
BEGIN
    IF member IS NULL OR org_id IS NULL OR valid_from IS NULL THEN
        PERFORM ptx.raise('staff.mapping_incomplete');
    END IF;
    SELECT * INTO r FROM pg_catalog.pg_roles WHERE oid = member;
    IF r.rolname IN ('ptx_admin', 'ptx_operator', 'ptx_supervisor', 'ptx_auditor', 'ptx_public') THEN
        PERFORM ptx.raise('staff.group_role', r.rolname::text);
    END IF;
    IF r.rolsuper THEN
        PERFORM ptx.raise('staff.superuser', r.rolname::text);
    END IF;
    IF r.rolname = ptx.acting_login() THEN
        PERFORM ptx.raise('staff.self_mapping', r.rolname::text);
    END IF;
    SELECT * INTO o FROM ptx.org WHERE id = add_staff.org_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('staff.org_missing', org_id::text);
    END IF;
    IF NOT (o.roles && ARRAY['supervisor', 'centre', 'agency']) THEN
        PERFORM ptx.raise('staff.org_without_staff', o.id::text, o.name,
                          pg_catalog.array_to_string(o.roles, ', '));
    END IF;
    IF valid_to IS NOT NULL AND valid_to < valid_from THEN
        PERFORM ptx.raise('staff.period_reversed', r.rolname::text, valid_to::text, valid_from::text);
    END IF;
    IF EXISTS (SELECT 1 FROM ptx.staff s
                WHERE s.member = add_staff.member AND s.org_id = add_staff.org_id
                  AND s.removed_at IS NULL
                  AND daterange(s.valid_from, s.valid_to, '[]')
                      && daterange(add_staff.valid_from, add_staff.valid_to, '[]')) THEN
        PERFORM ptx.raise('staff.already_staff', r.rolname::text, o.id::text);
    END IF;
    INSERT INTO ptx.staff AS s (member, org_id, valid_from, valid_to)
    VALUES (add_staff.member, add_staff.org_id, add_staff.valid_from, add_staff.valid_to)
    RETURNING s.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.add_staff(regrole, bigint, date, date) IS
    'map a login (or a group role of one organisation) to the organisation it acts for; logged by the ledger';

CREATE FUNCTION ptx.remove_staff(member regrole, org_id bigint, reason text) RETURNS integer
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n integer;
BEGIN
    IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
        PERFORM ptx.raise('staff.removal_reason');
    END IF;
    UPDATE ptx.staff s
       SET removed_at = ptx.now(), removed_by = session_user, removal_reason = remove_staff.reason
     WHERE s.member = remove_staff.member AND s.org_id = remove_staff.org_id
       AND s.removed_at IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        PERFORM ptx.raise('staff.not_staff', COALESCE(member::text, '<NULL>'), COALESCE(org_id::text, '<NULL>'));
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ptx.remove_staff(regrole, bigint, text) IS
    'end a login''s mapping to an organisation at once, with a reason; the history is kept';

------------------------------------------------------------------------
-- The checks.  Each returns the organisation the act is done for (NULL for
-- a trusted superuser) and records the act in ptx.staff_act; each refusal
-- is PX015 outside_jurisdiction naming the login, the organisation(s) and
-- the act.
------------------------------------------------------------------------
CREATE FUNCTION ptx.check_acts_for(act text, orgs bigint[], what text, object jsonb DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    login text := ptx.acting_login();
    mine bigint[];
    chosen bigint;
BEGIN
    IF login IS NULL THEN
        RETURN NULL;
    END IF;
    mine := ARRAY(SELECT ptx.staff_orgs(login));
    SELECT o INTO chosen FROM unnest(orgs) o WHERE o = ANY (mine) ORDER BY o LIMIT 1;
    IF chosen IS NULL THEN
        PERFORM ptx.raise(CASE WHEN cardinality(mine) = 0 THEN 'staff.outside_jurisdiction_no_org'
                               ELSE 'staff.outside_jurisdiction' END,
                          login, COALESCE(act, '<NULL>'), COALESCE(what, '<NULL>'),
                          (SELECT pg_catalog.string_agg(ptx.message_text('staff.org', g.id::text, g.name),
                                                        CASE ptx.message_language() WHEN 'zh' THEN '、' ELSE ', ' END
                                                        ORDER BY g.id)
                             FROM ptx.org g WHERE g.id = ANY (mine)));
    END IF;
    INSERT INTO ptx.staff_act (login, org_id, act, object)
    VALUES (login, chosen, act, object);
    RETURN chosen;
END
$$;
COMMENT ON FUNCTION ptx.check_acts_for(text, bigint[], text, jsonb) IS
    'internal: refuse with PX015 unless the acting login is staff of one of the organisations; record the act';

-- A supervisory department's act on its own matter.
CREATE FUNCTION ptx.check_jurisdiction(act text, supervisor_id bigint, object jsonb DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN ptx.check_acts_for(act, ARRAY[supervisor_id],
        COALESCE((SELECT ptx.message_text('staff.org', o.id::text, o.name) FROM ptx.org o WHERE o.id = supervisor_id),
                 ptx.message_text('staff.org_id', COALESCE(supervisor_id::text, 'NULL'))),
        object);
END
$$;
COMMENT ON FUNCTION ptx.check_jurisdiction(text, bigint, jsonb) IS
    'refuse with PX015 outside_jurisdiction unless the acting login is staff of the department; returns the department';

-- A supervisory act on a region's matter (experts, credit subjects): any
-- department with jurisdiction over the region, in any category.
CREATE FUNCTION ptx.check_region_supervisor(act text, region text, object jsonb DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN ptx.check_acts_for(act,
        ARRAY(SELECT DISTINCT j.supervisor_id
                FROM ptx.jurisdiction j
                JOIN ptx.region r ON r.code = check_region_supervisor.region
               WHERE j.region = ANY (r.path)),
        ptx.message_text('staff.region_supervisor', COALESCE(region, 'NULL')),
        object);
END
$$;
COMMENT ON FUNCTION ptx.check_region_supervisor(text, text, jsonb) IS
    'refuse with PX015 unless the acting login is staff of a department with jurisdiction over the region';

-- An operator's trading call: the trading centre serving the region.
CREATE FUNCTION ptx.check_centre(act text, region text, object jsonb DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    -- an unknown region is bad input (22023), not a region no centre serves
    PERFORM ptx.check_trade_terms(NULL, region, NULL, NULL);
    RETURN ptx.check_acts_for(act,
        ARRAY(SELECT o.id
                FROM ptx.org o
                JOIN ptx.region r ON r.code = check_centre.region
               WHERE 'centre' = ANY (o.roles)
                 AND o.region = ANY (r.path)),
        ptx.message_text('staff.region_centre', COALESCE(region, 'NULL')),
        object);
END
$$;
COMMENT ON FUNCTION ptx.check_centre(text, text, jsonb) IS
    'refuse with PX015 unless the acting login is staff of a trading centre (交易中心) serving the region';

CREATE FUNCTION ptx.check_centre(act text, project_id bigint)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN ptx.check_centre(act, (SELECT p.region FROM ptx.project p WHERE p.id = check_centre.project_id),
                            pg_catalog.jsonb_build_object('project', project_id));
END
$$;
COMMENT ON FUNCTION ptx.check_centre(text, bigint) IS
    'refuse with PX015 unless the acting login is staff of a trading centre serving the project''s region';

GRANT SELECT ON ptx.staff, ptx.staff_act TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.acting_login(), ptx.acting_orgs()
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.staff_orgs(text, date) TO ptx_admin, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.add_staff(regrole, bigint, date, date),
    ptx.remove_staff(regrole, bigint, text) TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.check_jurisdiction(text, bigint, jsonb),
    ptx.check_region_supervisor(text, text, jsonb),
    ptx.check_centre(text, text, jsonb), ptx.check_centre(text, bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor;
