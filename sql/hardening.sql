-- Closed vocabularies of the trading terms, finite amounts, TRUNCATE and
-- direct writes refused, the ledger's row comparison with any column name,
-- the expert pools of many needs in one query.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TIME ZONE 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2025-03-03 09:00:00+08';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_region('150102', '新城区', '150100');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150100' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150100' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS housing,
       ptx.add_org(pg_temp.uscc(3), '呼和浩特市第一中学', '150102', '{tenderee}') AS school,
       ptx.add_org(pg_temp.uscc(5), '甲建设公司', '150102', '{bidder}') AS b5;
SELECT ptx.grant_jurisdiction(1, 'construction', '150000');
SELECT ptx.add_catalog_entry('NM-GC-01', 'construction', '150000', 4000000, '{state,state_owned}',
                             '2025-01-01', NULL, '必须招标的工程项目规定 §5', '{works}');

SET client_min_messages = warning;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_operator') THEN
        CREATE ROLE regress_ptx_operator LOGIN;
    END IF;
END $$;
GRANT ptx_operator TO regress_ptx_operator;
RESET client_min_messages;
-- the operator acts for the trading centre of 呼和浩特 (DESIGN.md §11.4)
SELECT ptx.add_org(pg_temp.uscc(7), '呼和浩特市公共资源交易中心', '150100', '{centre}') AS centre \gset
SELECT ptx.add_staff('regress_ptx_operator', :centre) > 0 AS operator_staff_of_centre;
-- the SQLSTATE of a statement (and the constraint that refused it), or 00000
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c text;
BEGIN
    EXECUTE stmt;
    RETURN '00000';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS c = CONSTRAINT_NAME;
    RETURN SQLSTATE || COALESCE(' ' || NULLIF(c, ''), '');
END $$;

------------------------------------------------------------------------
-- The vocabularies.
------------------------------------------------------------------------
SELECT code, name_zh FROM ptx.funding_source ORDER BY id;
SELECT code, name_zh FROM ptx.project_kind ORDER BY id;

SET ROLE regress_ptx_operator;
-- an off-platform trade of 'state' works above the threshold is refused ...
SELECT ptx.record_contract(NULL, 2, 3, 'construction', '150102', 5000000, 'state', '2025-03-01', 'works');
\echo :LAST_ERROR_SQLSTATE
-- ... and no other spelling escapes the rule: unknown terms are refused
SELECT f AS funding, k AS kind, c AS category, r AS region,
       pg_temp.try(format('SELECT ptx.record_contract(NULL, 2, 3, %L, %L, 5000000, %L, ''2025-03-01'', %L)',
                                c, r, f, k)) AS sqlstate
  FROM (VALUES ('STATE', 'works', 'construction', '150102'), ('state ', 'works', 'construction', '150102'),
               ('', 'works', 'construction', '150102'), ('bogus', 'works', 'construction', '150102'),
               ('state', 'WORKS', 'construction', '150102'), ('state', ' works', 'construction', '150102'),
               ('state', 'works', 'Construction', '150102'), ('state', 'works', 'construction', '150102 ')) v(f, k, c, r);
-- the same for the catalog's matching and for a project's registration
SELECT ptx.catalog_match('construction', '150102', 5000000, 'STATE', '2025-03-01', 'works');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.catalog_match('construction', '150102', 5000000, 'state', '2025-03-01', '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.catalog_match('bogus', '150102', 5000000);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.catalog_match('construction', 'bogus', 5000000);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.catalog_in_force('construction', '150102', repeat('x', 100000), '2025-03-01', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('GC-1', '教学楼', 'construction', '150102', 2, 5000000, 1, 'state ', NULL, 'open', 'works');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.register_project('GC-1', '教学楼', 'construction', '150102', 2, 5000000, 1, 'state', NULL, 'open', 'Works');
\echo :LAST_ERROR_SQLSTATE
-- known terms and unknown ones (NULL) still work, unknown never exempts
SELECT count(*) AS covered FROM ptx.catalog_match('construction', '150102', 5000000, 'state', '2025-03-01', 'works');
SELECT count(*) AS covered_unknown FROM ptx.catalog_match('construction', '150102', 5000000, NULL, '2025-03-01', NULL);
SELECT count(*) AS private_not_covered FROM ptx.catalog_match('construction', '150102', 5000000, 'private', '2025-03-01', 'works');
SELECT ptx.register_project('GC-1', '教学楼', 'construction', '150102', 2, 5000000, 1, 'state', NULL, 'open', 'works') AS registered;
RESET ROLE;

-- direct writes meet the same checks, and the foreign keys behind them
INSERT INTO ptx.contract (tenderee_id, supplier_id, category, region, amount, funding, kind, signed_on)
VALUES (2, 3, 'construction', '150102', 100, 'State', 'works', '2025-03-01');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET funding = 'STATE' WHERE code = 'GC-1';
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.project SET kind = 'bogus' WHERE code = 'GC-1';
\echo :LAST_ERROR_SQLSTATE
SELECT conname, convalidated FROM pg_constraint
 WHERE conname IN ('project_funding_fk', 'project_kind_fk', 'contract_funding_fk', 'contract_kind_fk')
 ORDER BY conname;

-- the catalog's conditions: known codes, no NULL, no empty element, no duplicate
SELECT ptx.add_catalog_entry('X', 'construction', '150000', 1, v.funding, '2025-01-01', NULL, NULL, v.kinds)
  FROM (VALUES ('{state,NULL}'::text[], NULL::text[])) v(funding, kinds);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('X', 'construction', '150000', 1, '{state,""}', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('X', 'construction', '150000', 1, '{}', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('X', 'construction', '150000', 1, '{{state}}', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('X', 'construction', '150000', 1, '{state,state}', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('X', 'construction', '150000', 1, '{STATE}', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('X', 'construction', '150000', 1, NULL, '2025-01-01', NULL, NULL, '{works,NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('X', 'construction', '150000', 1, NULL, '2025-01-01', NULL, NULL, '{bogus}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_catalog_entry('X', 'construction', '150000', 1, '{state,private}', '2025-01-01', NULL, NULL, '{works,goods}') > 0 AS known_lists;

------------------------------------------------------------------------
-- Amounts: NaN, infinities and negatives refused; zero is an amount.
------------------------------------------------------------------------
SELECT ptx.add_catalog_entry('Y', 'construction', '150000', v.a, NULL, '2025-01-01') > 0 AS ok, v.a
  FROM (VALUES (0::numeric)) v(a);
-- (SQLSTATEs only: the failing rows would name every column)
SELECT what, pg_temp.try(stmt) AS sqlstate
  FROM (VALUES
    ('catalog NaN', $$SELECT ptx.add_catalog_entry('Y', 'construction', '150000', 'NaN', NULL, '2025-01-01')$$),
    ('catalog -0.01', $$SELECT ptx.add_catalog_entry('Y', 'construction', '150000', -0.01, NULL, '2025-01-01')$$),
    ('catalog Infinity', $$SELECT ptx.add_catalog_entry('Y', 'construction', '150000', 'Infinity', NULL, '2025-01-01')$$)
  ) v(what, stmt);
SET ROLE regress_ptx_operator;
SELECT what, pg_temp.try(stmt) AS sqlstate
  FROM (VALUES
    ('project NaN', $$SELECT ptx.register_project('GC-2', '操场', 'construction', '150102', 2, 'NaN', 1, 'state', NULL, 'open', 'works')$$),
    ('project Infinity', $$SELECT ptx.register_project('GC-2', '操场', 'construction', '150102', 2, 'Infinity', 1, 'state', NULL, 'open', 'works')$$),
    ('project -Infinity', $$SELECT ptx.register_project('GC-2', '操场', 'construction', '150102', 2, '-Infinity', 1, 'state', NULL, 'open', 'works')$$),
    ('project -0.01', $$SELECT ptx.register_project('GC-2', '操场', 'construction', '150102', 2, -0.01, 1, 'state', NULL, 'open', 'works')$$),
    ('contract NaN', $$SELECT ptx.record_contract(NULL, 2, 3, 'procurement', '150102', 'NaN', 'private', '2025-03-01', 'goods')$$),
    ('contract -0.01', $$SELECT ptx.record_contract(NULL, 2, 3, 'procurement', '150102', -0.01, 'private', '2025-03-01', 'goods')$$)
  ) v(what, stmt);
SELECT ptx.register_project('GC-2', '操场', 'construction', '150102', 2, 0, 1, 'private', NULL, 'open', 'works') > 0 AS zero_ok;
SELECT ptx.record_contract(NULL, 2, 3, 'procurement', '150102', 0, 'private', '2025-03-01', 'goods') > 0 AS zero_contract;
RESET ROLE;
-- policy values: the constraints themselves, without the triggers that
-- check a value against the law before them
SET session_replication_role = replica;
SELECT v, pg_temp.try(format('INSERT INTO ptx.policy (key, value, reason) VALUES (''contract.sign_days'', %L::numeric, ''test'')', v)) AS sqlstate
  FROM (VALUES ('NaN'), ('Infinity'), ('-Infinity'), ('-1'), ('0')) x(v);
SELECT pg_temp.try($$INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES ('x.nan', 'NaN', 'days', 'x', 'x')$$) AS policy_default_nan;
RESET session_replication_role;
-- a bid's price is filled at the opening: the constraint itself, without the triggers
SET session_replication_role = replica;
SELECT pg_temp.try($$INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES ((SELECT id FROM ptx.project WHERE code = 'GC-1'), 3, 'NaN')$$) AS bid_nan;
RESET session_replication_role;
SELECT conrelid::regclass AS rel, conname, convalidated FROM pg_constraint
 WHERE conname LIKE '%\_finite' ORDER BY 1, 2;

------------------------------------------------------------------------
-- TRUNCATE: refused on every table of ptx.
------------------------------------------------------------------------
SELECT c.oid::regclass AS table_without_truncate_guard
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('ptx', 'ptx_public', 'ptx_seal', 'ptx_private') AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND (t.tgtype & 32) <> 0);
SET client_min_messages = error;
TRUNCATE ptx.complaint CASCADE;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.objection CASCADE;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.inspection_result CASCADE;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.inspection_followup;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.project CASCADE;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.funding_source CASCADE;
\echo :LAST_ERROR_SQLSTATE
RESET client_min_messages;
SELECT count(*) AS projects_kept FROM ptx.project;
-- a tracked table of one's own: refused while tracked, allowed after untrack
CREATE TABLE public.regress_t (id int PRIMARY KEY, t text, v numeric);
SELECT ptx.track('public.regress_t');
INSERT INTO public.regress_t VALUES (1, 'one', 1.5), (2, 'two', 2);
TRUNCATE public.regress_t;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER ptx_no_truncate ON public.regress_t;
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- The ledger compares the rows of a table with a column named t.
------------------------------------------------------------------------
UPDATE public.regress_t SET t = 'uno' WHERE id = 1;
SELECT count(*) AS false_alarms FROM ptx.verify_rows() WHERE detail LIKE '%regress_t%';
SELECT ptx.untrack('public.regress_t');
TRUNCATE public.regress_t;
SELECT count(*) AS rows_left FROM public.regress_t;
DROP TABLE public.regress_t;

------------------------------------------------------------------------
-- Steps of a project name states of the lifecycle only.
------------------------------------------------------------------------
SELECT (SELECT id FROM ptx.project WHERE code = 'GC-1') AS p \gset
SELECT left(v, 12) AS to_state, length(v),
       pg_temp.try(format('INSERT INTO ptx.transition (project_id, round, from_state, to_state) VALUES (%s, 1, ''registered'', %L)', :p, v)) AS sqlstate
  FROM (VALUES (''), ('announced '), (E'announced\n'), ('Announced'), ('bogus'), (repeat('a', 1000000))) x(v);
SELECT pg_temp.try('INSERT INTO ptx.transition (project_id, round, from_state, to_state) VALUES (' || :p || ', 1, '''', ''announced'')') AS empty_from;
SELECT pg_temp.try('INSERT INTO ptx.transition (project_id, round, from_state, to_state) VALUES (' || :p || ', 1, ''registered'', ''suspended'')') AS suspended_ok;

------------------------------------------------------------------------
-- Expert pools of many needs: one query.
------------------------------------------------------------------------
SET ptx.fake_now = '2025-03-03 09:00:00+08';
SELECT count(*) AS needs, sum(cardinality(expert_ids)) AS experts
  FROM ptx.expert_pools(:p, (SELECT array_agg('A' || g) FROM generate_series(1, 100000) g), '2025-03-03');
SELECT need_no, expert_ids FROM ptx.expert_pools(:p, '{A01,NULL,A02}', '2025-03-03');
