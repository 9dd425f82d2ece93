-- Policy settings: every legal number is a setting (RULES.md, DESIGN.md §1.3).
--
-- ptx.policy_default holds the national or notice value with its legal basis;
-- it belongs to the extension and is replaced on upgrade.  ptx.policy holds a
-- region's overrides; it is the DBA's data and is kept by pg_dump.
-- ptx.setting(key) answers the override if any, else the default.

CREATE TABLE ptx.policy_default (
    key         text PRIMARY KEY,
    value       numeric NOT NULL,
    unit        text NOT NULL,
    basis       text NOT NULL,
    description text NOT NULL
);
COMMENT ON TABLE ptx.policy_default IS 'legal defaults of every policy setting, with their basis';

CREATE TABLE ptx.policy (
    key         text PRIMARY KEY REFERENCES ptx.policy_default (key),
    value       numeric NOT NULL,
    reason      text NOT NULL CHECK (pg_catalog.length(reason) > 0),
    set_by      text NOT NULL DEFAULT session_user,
    set_at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE ptx.policy IS 'regional overrides of policy settings (政策参数)';
SELECT pg_catalog.pg_extension_config_dump('ptx.policy', '');

CREATE VIEW ptx.policy_effective AS
SELECT d.key,
       COALESCE(p.value, d.value) AS value,
       d.value AS default_value,
       p.value IS NOT NULL AS overridden,
       d.unit, d.basis, d.description, p.reason, p.set_by, p.set_at
  FROM ptx.policy_default d
  LEFT JOIN ptx.policy p USING (key);

CREATE FUNCTION ptx.setting(key text) RETURNS numeric
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v numeric;
BEGIN
    SELECT COALESCE(p.value, d.value) INTO v
      FROM ptx.policy_default d
      LEFT JOIN ptx.policy p ON p.key = d.key
     WHERE d.key = setting.key;
    IF NOT FOUND THEN
        PERFORM ptx.raise('policy.unknown_setting', key);
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION ptx.setting(text) IS 'value of a policy setting: the override, else the legal default';

CREATE FUNCTION ptx.set_policy(key text, value numeric, reason text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.policy_default d WHERE d.key = set_policy.key) THEN
        PERFORM ptx.raise('policy.unknown_setting', key);
    END IF;
    IF value IS NULL THEN
        DELETE FROM ptx.policy p WHERE p.key = set_policy.key;
        RETURN;
    END IF;
    INSERT INTO ptx.policy AS p (key, value, reason)
    VALUES (set_policy.key, set_policy.value, set_policy.reason)
    ON CONFLICT ON CONSTRAINT policy_pkey DO UPDATE
       SET value = excluded.value, reason = excluded.reason,
           set_by = session_user, set_at = pg_catalog.clock_timestamp();
END
$$;
COMMENT ON FUNCTION ptx.set_policy(text, numeric, text) IS
    'override a policy setting with a reason; a NULL value restores the legal default';

-- Defaults.  Modules add their own rows in their own files.
INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('expert_db.min_size', 500, 'experts',
   '评标专家和评标专家库管理暂行办法 §8',
   'below this many active experts a draw warns that the expert database is too small');

GRANT SELECT ON ptx.policy_default, ptx.policy, ptx.policy_effective
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT INSERT, UPDATE, DELETE ON ptx.policy TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.setting(text)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.set_policy(text, numeric, text) TO ptx_admin;
