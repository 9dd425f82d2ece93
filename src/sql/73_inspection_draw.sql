-- Agency inspection: the yearly draw of each department (双随机), one per
-- department and year (PX008), through the common draw mechanism of
-- 61_draw.sql: a committed request with its seed and commitment, an
-- execution that stores the pools and the picks, and replay.
--
-- Pools of an executed inspection draw (ptx.draw_pool):
--   1 'agencies'    the population, wanted = n = ⌈r·N⌉;
--   2 'priority'    the priority targets fixed with the request, all
--                   inspected (on top of the sample when not picked);
--   3 'inspectors'  the department's active inspectors, wanted = inspectors
--                   per agency; each agency's inspectors are drawn from it
--                   less the conflicts stored in ptx.inspection_draw_conflict.
-- Picks (ptx.draw_pick): seats 1..n role 'agency', then the priority targets
-- not already picked, role 'priority', then the inspectors of each agency in
-- seat order, role 'inspector', assigned_to = the agency.

CREATE TABLE ptx.inspection_draw (
    draw_id         bigint PRIMARY KEY REFERENCES ptx.draw_request (id),
    year            int NOT NULL,
    supervisor_id   bigint NOT NULL REFERENCES ptx.org (id),
    requested_ratio numeric CHECK (requested_ratio > 0 AND requested_ratio <= 1),
    ratio           numeric NOT NULL CHECK (ratio > 0 AND ratio <= 1),
    minimum_ratio   numeric NOT NULL CHECK (minimum_ratio > 0 AND minimum_ratio <= ratio),
    ratio_basis     text NOT NULL CHECK (ratio_basis IN ('default', 'national', 'requested')),
    period_start    timestamptz NOT NULL,
    period_end      timestamptz NOT NULL CHECK (period_end > period_start),
    priority        bigint[] NOT NULL,
    per_agency      int NOT NULL CHECK (per_agency >= 1),
    CONSTRAINT inspection_draw_once UNIQUE (year, supervisor_id)
);
COMMENT ON TABLE ptx.inspection_draw IS 'yearly agency inspection draws (代理机构双随机抽查): one per supervisory department and year';
COMMENT ON COLUMN ptx.inspection_draw.ratio IS 'the ratio applied: the minimum, or more when the department asked';
COMMENT ON COLUMN ptx.inspection_draw.minimum_ratio IS 'the minimum in force at the request: the national ratio when set, else the default 25 %';
COMMENT ON COLUMN ptx.inspection_draw.ratio_basis IS 'default (25 %, no national ratio), national, or requested (more than the minimum)';
COMMENT ON COLUMN ptx.inspection_draw.period_start IS 'the year''s first instant in the requester''s time zone; projects registered in [period_start, period_end) count';
COMMENT ON COLUMN ptx.inspection_draw.priority IS 'priority targets fixed with the request, sorted';
COMMENT ON COLUMN ptx.inspection_draw.per_agency IS 'inspectors drawn for each agency (setting inspection.inspectors_per_agency at the request)';
SELECT pg_catalog.pg_extension_config_dump('ptx.inspection_draw', '');

CREATE FUNCTION ptx.inspection_draw_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.raise('inspection_draw.record', OLD.draw_id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER inspection_draw_before_write BEFORE UPDATE OR DELETE ON ptx.inspection_draw
    FOR EACH ROW EXECUTE FUNCTION ptx.inspection_draw_before_write();

-- The declared conflicts in force at execution between the pool's
-- inspectors and the inspected agencies: with the pools, what a replay needs.
CREATE TABLE ptx.inspection_draw_conflict (
    draw_id         bigint NOT NULL REFERENCES ptx.inspection_draw (draw_id),
    inspector_id    bigint NOT NULL,
    agency_id       bigint NOT NULL,
    PRIMARY KEY (draw_id, agency_id, inspector_id)
);
COMMENT ON TABLE ptx.inspection_draw_conflict IS 'conflicts excluded from an executed inspection draw: inspector, inspected agency';
SELECT pg_catalog.pg_extension_config_dump('ptx.inspection_draw_conflict', '');
CREATE TRIGGER inspection_draw_conflict_before_write BEFORE UPDATE OR DELETE ON ptx.inspection_draw_conflict
    FOR EACH ROW EXECUTE FUNCTION ptx.inspection_draw_before_write();

CREATE VIEW ptx.inspection_draw_state AS
SELECT d.draw_id, d.year, d.supervisor_id, r.requested_by, r.requested_at,
       x.executed_at, x.draw_id IS NOT NULL AS executed
  FROM ptx.inspection_draw d
  JOIN ptx.draw_request r ON r.id = d.draw_id
  LEFT JOIN ptx.draw_execution x ON x.draw_id = d.draw_id;
COMMENT ON VIEW ptx.inspection_draw_state IS 'inspection draws with their request and whether they have been executed';

-- The agencies of executed draws, one row per agency seat.
CREATE VIEW ptx.inspection_pick AS
SELECT d.draw_id, d.year, d.supervisor_id, p.seat, p.subject_id AS agency_id,
       CASE p.role WHEN 'agency' THEN 'random' ELSE 'priority' END AS selection,
       q.kind AS priority_kind, q.reason AS priority_reason,
       ARRAY(SELECT i.subject_id FROM ptx.draw_pick i
              WHERE i.draw_id = p.draw_id AND i.role = 'inspector' AND i.assigned_to = p.subject_id
              ORDER BY i.seat) AS inspectors
  FROM ptx.inspection_draw d
  JOIN ptx.draw_pick p ON p.draw_id = d.draw_id AND p.role IN ('agency', 'priority')
  LEFT JOIN ptx.inspection_priority q
         ON q.year = d.year AND q.supervisor_id = d.supervisor_id AND q.agency_id = p.subject_id;
COMMENT ON VIEW ptx.inspection_pick IS
    'agencies inspected by each executed draw: random picks and priority targets (also marked when a random pick is a priority target), with their inspectors';

------------------------------------------------------------------------
-- Request.
------------------------------------------------------------------------
CREATE FUNCTION ptx.request_inspection_draw(year int, supervisor_id bigint, ratio numeric DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    y record;
    rr record;
    per int;
    prio bigint[];
    inspectors int;
    existing ptx.inspection_draw_state;
    new_id bigint;
BEGIN
    PERFORM ptx.check_jurisdiction('request_inspection_draw', supervisor_id, pg_catalog.jsonb_build_object('year', year));
    SELECT * INTO y FROM ptx.inspection_period(year);
    IF supervisor_id IS NULL OR NOT ptx.has_role(supervisor_id, 'supervisor') THEN
        PERFORM ptx.raise('inspection_draw.not_a_supervisor', COALESCE(supervisor_id::text, 'NULL'));
    END IF;
    SELECT * INTO existing FROM ptx.inspection_draw_state s
     WHERE s.year = request_inspection_draw.year AND s.supervisor_id = request_inspection_draw.supervisor_id;
    IF FOUND THEN
        PERFORM ptx.raise(CASE WHEN existing.executed THEN 'inspection_draw.exists_executed'
                               ELSE 'inspection_draw.exists_pending' END,
                          supervisor_id::text, year::text, existing.draw_id::text, existing.requested_by,
                          existing.requested_at::text, existing.executed_at::text);
    END IF;
    SELECT * INTO rr FROM ptx.inspection_ratio(ratio);
    per := ptx.setting('inspection.inspectors_per_agency');
    IF per < 1 OR per <> trunc(per) THEN
        PERFORM ptx.raise('inspection_draw.invalid_per_agency', per::text);
    END IF;
    prio := ARRAY(SELECT q.agency_id FROM ptx.inspection_priority q
                   WHERE q.year = request_inspection_draw.year
                     AND q.supervisor_id = request_inspection_draw.supervisor_id
                   ORDER BY q.agency_id);
    -- Refuse at once what could never execute: agencies to inspect and
    -- fewer inspectors than one agency needs.
    SELECT count(*) INTO inspectors FROM ptx.inspector i
     WHERE i.supervisor_id = request_inspection_draw.supervisor_id AND i.active;
    IF inspectors < per
       AND (cardinality(prio) > 0
            OR EXISTS (SELECT 1 FROM ptx.project p
                        WHERE p.supervisor_id = request_inspection_draw.supervisor_id
                          AND p.registered_at >= y.period_start AND p.registered_at < y.period_end
                          AND p.agency_id IS NOT NULL)) THEN
        PERFORM ptx.raise('inspection_draw.too_few_inspectors', supervisor_id::text, per::text, inspectors::text);
    END IF;

    new_id := ptx.new_draw_request(
        'inspection',
        format('agency inspection %s of department %s (代理机构双随机抽查)', year, supervisor_id),
        jsonb_build_object('agencies', jsonb_build_object('ratio', rr.ratio, 'minimum_ratio', rr.minimum,
                                                          'basis', rr.basis),
                           'inspectors_per_agency', per),
        jsonb_strip_nulls(jsonb_build_object('ratio', ratio)),
        jsonb_build_object('year', year, 'supervisor_id', supervisor_id,
                           'period_start', y.period_start, 'period_end', y.period_end,
                           'population', 'agencies (role agency) of the projects that name the department as supervisor and were registered in [period_start, period_end)',
                           'priority', to_jsonb(prio),
                           'inspectors', 'the department''s active inspectors less those with a declared conflict with the agency'));
    BEGIN
        INSERT INTO ptx.inspection_draw (draw_id, year, supervisor_id, requested_ratio, ratio, minimum_ratio,
                                         ratio_basis, period_start, period_end, priority, per_agency)
        VALUES (new_id, year, supervisor_id, ratio, rr.ratio, rr.minimum, rr.basis,
                y.period_start, y.period_end, prio, per);
    EXCEPTION WHEN unique_violation THEN
        -- another session requested it first and has committed
        SELECT * INTO existing FROM ptx.inspection_draw_state s
         WHERE s.year = request_inspection_draw.year AND s.supervisor_id = request_inspection_draw.supervisor_id;
        PERFORM ptx.raise('inspection_draw.exists_concurrent', supervisor_id::text, year::text,
                          existing.draw_id::text, existing.requested_by, existing.requested_at::text);
    END;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.request_inspection_draw(int, bigint, numeric) IS
    'request the yearly agency inspection draw of a department (one per year, PX008); ratio: more than the minimum, never less (22023); execute it after commit';

------------------------------------------------------------------------
-- Execution.
------------------------------------------------------------------------
-- The compute step, called by ptx.draw_run as the owner: the population
-- and the inspector pool from the data, the sampling step in C, the pools
-- stored for replay.
CREATE FUNCTION ptx.compute_inspection_draw(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d ptx.inspection_draw;
    seed bytea;
    population bigint[];
    k int;
    inspectors bigint[];
    c_inspector bigint[];
    c_agency bigint[];
BEGIN
    SELECT * INTO d FROM ptx.inspection_draw x WHERE x.draw_id = compute_inspection_draw.draw_id;
    SELECT r.seed INTO seed FROM ptx.draw_request r WHERE r.id = compute_inspection_draw.draw_id;
    population := ptx.inspection_population(d.supervisor_id, d.period_start, d.period_end);
    k := ptx.inspection_sample_size(cardinality(population), d.ratio);
    inspectors := ARRAY(SELECT i.id FROM ptx.inspector i
                         WHERE i.supervisor_id = d.supervisor_id AND i.active ORDER BY i.id);
    SELECT COALESCE(array_agg(c.inspector_id), '{}'), COALESCE(array_agg(c.org_id), '{}')
      INTO c_inspector, c_agency
      FROM ptx.inspector_conflict c
     WHERE c.inspector_id = ANY (inspectors);

    PERFORM ptx.draw_store_pool(d.draw_id, 1, 'agencies', k, population);
    PERFORM ptx.draw_store_pool(d.draw_id, 2, 'priority', cardinality(d.priority), d.priority);
    PERFORM ptx.draw_store_pool(d.draw_id, 3, 'inspectors', d.per_agency, inspectors);
    RETURN QUERY
        WITH s AS MATERIALIZED (
            SELECT * FROM ptx.inspection_sample(seed, population, k, d.priority, inspectors,
                                                c_inspector, c_agency, d.per_agency)),
        used AS (
            INSERT INTO ptx.inspection_draw_conflict (draw_id, inspector_id, agency_id)
            SELECT DISTINCT d.draw_id, u.inspector_id, u.agency_id
              FROM unnest(c_inspector, c_agency) AS u (inspector_id, agency_id)
             WHERE u.agency_id IN (SELECT s.subject_id FROM s WHERE s.role <> 'inspector'))
        SELECT s.seat, s.subject_id, s.role, s.assigned_to FROM s ORDER BY s.seat;
END
$$;
COMMENT ON FUNCTION ptx.compute_inspection_draw(bigint) IS
    'the compute step of an inspection draw for ptx.draw_run: population, sample, inspectors, stored pools';

CREATE FUNCTION ptx.execute_inspection_draw(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_jurisdiction('execute_inspection_draw', (SELECT d.supervisor_id FROM ptx.inspection_draw d WHERE d.draw_id = execute_inspection_draw.draw_id), pg_catalog.jsonb_build_object('draw', draw_id));
    IF NOT EXISTS (SELECT 1 FROM ptx.inspection_draw d WHERE d.draw_id = execute_inspection_draw.draw_id) THEN
        PERFORM ptx.raise('inspection_draw.not_an_inspection_draw', COALESCE(draw_id::text, '<NULL>'));
    END IF;
    RETURN QUERY SELECT * FROM ptx.draw_run(draw_id, 'ptx.compute_inspection_draw(bigint)');
END
$$;
COMMENT ON FUNCTION ptx.execute_inspection_draw(bigint) IS
    'execute an inspection draw (the executor of kind inspection behind ptx.execute_draw); idempotent';

------------------------------------------------------------------------
-- Verification: replay from the seed and the stored pools.
------------------------------------------------------------------------
CREATE FUNCTION ptx.verify_inspection_draw(draw_id bigint) RETURNS boolean
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d ptx.inspection_draw;
    seed bytea;
    population bigint[];
    k int;
    prio bigint[];
    base bigint[];
    c_inspector bigint[];
    c_agency bigint[];
    differences bigint;
BEGIN
    SELECT * INTO d FROM ptx.inspection_draw x WHERE x.draw_id = verify_inspection_draw.draw_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('inspection_draw.verify_not_an_inspection_draw', COALESCE(draw_id::text, '<NULL>'));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = d.draw_id) THEN
        PERFORM ptx.raise('inspection_draw.not_executed', d.draw_id::text);
    END IF;
    SELECT r.seed INTO seed FROM ptx.draw_request r WHERE r.id = d.draw_id;
    SELECT p.pool, p.wanted INTO population, k FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no = 1;
    SELECT p.pool INTO prio FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no = 2;
    -- the sample size obeys the rule, the priority targets are those of the request
    IF population IS NULL OR prio IS NULL
       OR k IS DISTINCT FROM ptx.inspection_sample_size(cardinality(population), d.ratio)
       OR prio IS DISTINCT FROM d.priority
       OR (SELECT p.wanted FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no = 2)
          IS DISTINCT FROM cardinality(prio) THEN
        RETURN false;
    END IF;
    SELECT p.pool INTO base FROM ptx.draw_pool p
     WHERE p.draw_id = d.draw_id AND p.pool_no = 3 AND p.wanted = d.per_agency;
    IF base IS NULL
       OR EXISTS (SELECT 1 FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no > 3) THEN
        RETURN false;
    END IF;
    SELECT COALESCE(array_agg(c.inspector_id), '{}'), COALESCE(array_agg(c.agency_id), '{}')
      INTO c_inspector, c_agency
      FROM ptx.inspection_draw_conflict c WHERE c.draw_id = d.draw_id;
    -- the replay gives the stored picks
    SELECT count(*) INTO differences
      FROM ((SELECT s.seat, s.subject_id, s.role, s.assigned_to
               FROM ptx.inspection_sample(seed, population, k, prio, base, c_inspector, c_agency, d.per_agency) s
             EXCEPT ALL
             SELECT p.seat, p.subject_id, p.role, p.assigned_to FROM ptx.draw_pick p WHERE p.draw_id = d.draw_id)
            UNION ALL
            (SELECT p.seat, p.subject_id, p.role, p.assigned_to FROM ptx.draw_pick p WHERE p.draw_id = d.draw_id
             EXCEPT ALL
             SELECT s.seat, s.subject_id, s.role, s.assigned_to
               FROM ptx.inspection_sample(seed, population, k, prio, base, c_inspector, c_agency, d.per_agency) s)) x;
    RETURN differences = 0;
EXCEPTION WHEN SQLSTATE 'PX007' THEN
    -- stored pools too small for the recorded picks
    RETURN false;
END
$$;
COMMENT ON FUNCTION ptx.verify_inspection_draw(bigint) IS
    'replay an inspection draw from its seed and stored pools (the verifier of kind inspection behind ptx.verify_draw)';

------------------------------------------------------------------------
-- Request, commit, execute: for psql and pg_cron.  A procedure without
-- SET or SECURITY DEFINER, which would forbid COMMIT.
------------------------------------------------------------------------
CREATE PROCEDURE ptx.draw_inspection(year int, supervisor_id bigint, ratio numeric DEFAULT NULL,
                                     INOUT draw_id bigint DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- a procedure that commits cannot have a SET clause: the search path is
    -- pinned for each of its transactions (a trojan operator in a writable
    -- schema must not run with the caller's rights)
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    draw_id := ptx.request_inspection_draw(year, supervisor_id, ratio);
    COMMIT;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    PERFORM ptx.execute_draw(draw_id);
END
$$;
COMMENT ON PROCEDURE ptx.draw_inspection(int, bigint, numeric, bigint) IS
    'request a department''s yearly inspection draw, commit it, execute it; draw_id is the output';

GRANT SELECT ON ptx.inspection_draw, ptx.inspection_draw_state, ptx.inspection_pick
    TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.request_inspection_draw(int, bigint, numeric),
    ptx.execute_inspection_draw(bigint)
    TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.verify_inspection_draw(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON PROCEDURE ptx.draw_inspection(int, bigint, numeric, bigint)
    TO ptx_admin, ptx_supervisor;
