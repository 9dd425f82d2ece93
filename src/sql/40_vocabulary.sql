-- Closed vocabularies of the trading terms, and the bounds of amounts.
--
-- The must-enter rule (应进必进, R1) matches a trade on its category,
-- region, funding source (资金来源) and project kind (项目类型).  A term
-- spelt otherwise ('STATE', 'state ', '', 'WORKS') must never read as
-- "not covered": every term is a code of a lookup table, an unknown one is
-- refused with 22023 before any matching, and the tables' foreign keys
-- keep it so.  NULL stays "unknown", which never exempts a trade.
--
-- Amounts and thresholds refuse NaN and infinities: CHECK (x >= 0) alone
-- lets NaN through (NaN sorts above every number in PostgreSQL).

CREATE TABLE ptx.funding_source (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code    text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z_]{0,62}$'),
    name_zh text NOT NULL,
    name_en text NOT NULL,
    basis   text
);
COMMENT ON TABLE ptx.funding_source IS 'funding sources (资金来源) of projects, contracts and catalog conditions; regions may add their own';
SELECT pg_catalog.pg_extension_config_dump('ptx.funding_source',
    'WHERE code NOT IN (''state'', ''state_owned'', ''state_financing'', ''foreign'', ''private'')');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.funding_source', 'id'), '');

INSERT INTO ptx.funding_source (code, name_zh, name_en, basis) VALUES
    ('state',           '预算资金（财政资金）',       'budget (fiscal) funds',
     '必须招标的工程项目规定 §2(1)'),
    ('state_owned',     '国有企业事业单位资金',       'funds of state-owned enterprises and institutions',
     '必须招标的工程项目规定 §2(2)'),
    ('state_financing', '国家融资资金',               'state financing',
     '招标投标法 §3'),
    ('foreign',         '国际组织或者外国政府贷款、援助资金', 'loans and aid of international organisations or foreign governments',
     '必须招标的工程项目规定 §3'),
    ('private',         '非国有资金',                 'private (non-state) funds', NULL);

CREATE TABLE ptx.project_kind (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code    text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z_]{0,62}$'),
    name_zh text NOT NULL,
    name_en text NOT NULL,
    basis   text
);
COMMENT ON TABLE ptx.project_kind IS 'project kinds (项目类型) of projects, contracts and catalog conditions; regions may add their own';
SELECT pg_catalog.pg_extension_config_dump('ptx.project_kind',
    'WHERE code NOT IN (''works'', ''goods'', ''services'')');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.project_kind', 'id'), '');

INSERT INTO ptx.project_kind (code, name_zh, name_en, basis) VALUES
    ('works',    '工程（施工）', 'works (construction)',           '招标投标法实施条例 §2; 政府采购法 §2'),
    ('goods',    '货物',         'goods',                           '招标投标法实施条例 §2; 政府采购法 §2'),
    ('services', '服务（勘察、设计、监理等）', 'services (survey, design, supervision, ...)', '招标投标法实施条例 §2; 政府采购法 §2');

GRANT SELECT ON ptx.funding_source, ptx.project_kind TO ptx_admin, ptx_operator, ptx_supervisor;

------------------------------------------------------------------------
-- The check: every known term passes, NULL passes (unknown never
-- exempts), anything else is refused with 22023.
------------------------------------------------------------------------
CREATE FUNCTION ptx.check_trade_terms(category text, region text, funding text, kind text)
    RETURNS boolean
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    message_id text;
    term text;
    known text;
BEGIN
    IF category IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ptx.category c WHERE c.code = check_trade_terms.category) THEN
        message_id := 'vocabulary.unknown_category'; term := category;
        known := (SELECT string_agg(c.code, ', ' ORDER BY c.code) FROM ptx.category c);
    ELSIF region IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ptx.region r WHERE r.code = check_trade_terms.region) THEN
        message_id := 'vocabulary.unknown_region'; term := region;
    ELSIF funding IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ptx.funding_source f WHERE f.code = check_trade_terms.funding) THEN
        message_id := 'vocabulary.unknown_funding'; term := funding;
        known := (SELECT string_agg(f.code, ', ' ORDER BY f.code) FROM ptx.funding_source f);
    ELSIF kind IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ptx.project_kind k WHERE k.code = check_trade_terms.kind) THEN
        message_id := 'vocabulary.unknown_kind'; term := kind;
        known := (SELECT string_agg(k.code, ', ' ORDER BY k.code) FROM ptx.project_kind k);
    ELSE
        RETURN true;
    END IF;
    -- the detail lists the known codes; the regions are too many, their
    -- table is named instead
    PERFORM ptx.raise(message_id,
                      pg_catalog.quote_literal(pg_catalog.left(term, 64)) || CASE WHEN pg_catalog.length(term) > 64 THEN '...' ELSE '' END,
                      known);
    RETURN false;
END
$$;
COMMENT ON FUNCTION ptx.check_trade_terms(text, text, text, text) IS
    'true when category, region, funding source and project kind are each NULL or a known code; otherwise refuses with 22023';

-- The catalog's conditions: lists of known codes, without NULL or
-- duplicate elements.
CREATE FUNCTION ptx.check_term_list(vocabulary text, terms text[]) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    t text;
BEGIN
    IF terms IS NULL THEN
        RETURN true;
    END IF;
    IF pg_catalog.cardinality(terms) = 0 OR pg_catalog.array_ndims(terms) <> 1
       OR pg_catalog.array_position(terms, NULL) IS NOT NULL THEN
        PERFORM ptx.raise('vocabulary.list_invalid', COALESCE(vocabulary, '<NULL>'));
    END IF;
    IF (SELECT count(DISTINCT x) FROM pg_catalog.unnest(terms) x) <> pg_catalog.cardinality(terms) THEN
        PERFORM ptx.raise('vocabulary.list_duplicate', COALESCE(vocabulary, '<NULL>'));
    END IF;
    FOREACH t IN ARRAY terms LOOP
        CASE vocabulary
            WHEN 'funding' THEN PERFORM ptx.check_trade_terms(NULL, NULL, t, NULL);
            WHEN 'kind' THEN PERFORM ptx.check_trade_terms(NULL, NULL, NULL, t);
            ELSE PERFORM ptx.raise('vocabulary.unknown_vocabulary', COALESCE(vocabulary, '<NULL>'));
        END CASE;
    END LOOP;
    RETURN true;
END
$$;
COMMENT ON FUNCTION ptx.check_term_list(text, text[]) IS
    'true when a catalog condition (funding or kind) is NULL or a non-empty list of distinct known codes; otherwise refuses with 22023';

CREATE FUNCTION ptx.trade_terms_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_trade_terms(NEW.category, NEW.region, NEW.funding, NEW.kind);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.trade_terms_before_write() IS
    'trigger of projects and contracts: refuses unknown categories, regions, funding sources and project kinds (22023) before anything else reads them';

-- named to fire before the other BEFORE triggers of each table; on UPDATE
-- only when a term is written (state changes do not pay for it)
CREATE TRIGGER a_trade_terms BEFORE INSERT OR UPDATE OF category, region, funding, kind ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.trade_terms_before_write();
CREATE TRIGGER a_trade_terms BEFORE INSERT OR UPDATE OF category, region, funding, kind ON ptx.contract
    FOR EACH ROW EXECUTE FUNCTION ptx.trade_terms_before_write();

GRANT EXECUTE ON FUNCTION ptx.check_trade_terms(text, text, text, text),
    ptx.check_term_list(text, text[])
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

------------------------------------------------------------------------
-- Constraints on the trading tables: the vocabularies and finite,
-- non-negative amounts.  Added NOT VALID and then validated, so that the
-- same statements serve an upgrade: a database whose old rows break one
-- keeps the constraint for new rows and is told which (WARNING); its old
-- rows are records and are left as they were.
------------------------------------------------------------------------
CREATE FUNCTION ptx.add_checked_constraint(rel regclass, name text, definition text) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c
                    WHERE c.conrelid = rel AND c.conname = add_checked_constraint.name) THEN
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', rel, name, definition);
    END IF;
    BEGIN
        EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', rel, name);
    EXCEPTION WHEN check_violation OR foreign_key_violation THEN
        PERFORM ptx.warning('vocabulary.constraint_new_rows_only', name, rel::text, SQLERRM);
        RETURN false;
    END;
    RETURN true;
END
$$;
COMMENT ON FUNCTION ptx.add_checked_constraint(regclass, text, text) IS
    'add a constraint NOT VALID and validate it when every row holds it (else a WARNING); for install and upgrade';

SELECT ptx.add_checked_constraint(v.rel, v.name, v.def)
  FROM (VALUES
    ('ptx.project'::regclass, 'project_funding_fk', 'FOREIGN KEY (funding) REFERENCES ptx.funding_source (code)'),
    ('ptx.project', 'project_kind_fk', 'FOREIGN KEY (kind) REFERENCES ptx.project_kind (code)'),
    ('ptx.contract', 'contract_funding_fk', 'FOREIGN KEY (funding) REFERENCES ptx.funding_source (code)'),
    ('ptx.contract', 'contract_kind_fk', 'FOREIGN KEY (kind) REFERENCES ptx.project_kind (code)'),
    ('ptx.project', 'project_amount_finite', 'CHECK (amount >= 0 AND amount < ''Infinity''::numeric)'),
    ('ptx.bid', 'bid_price_finite', 'CHECK (price >= 0 AND price < ''Infinity''::numeric)'),
    ('ptx.contract', 'contract_amount_finite', 'CHECK (amount >= 0 AND amount < ''Infinity''::numeric)'),
    ('ptx.policy_default', 'policy_default_value_finite', 'CHECK (value >= 0 AND value < ''Infinity''::numeric)'),
    ('ptx.policy', 'policy_value_finite', 'CHECK (value >= 0 AND value < ''Infinity''::numeric)')
  ) v(rel, name, def);
