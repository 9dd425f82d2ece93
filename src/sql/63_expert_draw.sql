-- Drawing evaluation experts (评标专家随机抽取, R5) with the mechanism of
-- 61_draw.sql: the eligible pool of each need, the request, the executor
-- and the verifier of the kinds expert and replacement.

------------------------------------------------------------------------
-- The eligible pools (set-based).  An expert is eligible for a need of a
-- project on the evaluation date when
--   - one of the expert's codes lies under the need's code (A08 ⊇ A0801),
--   - active, or suspended until a day before the date; never dismissed,
--   - trained: the training certificate runs to the date or later,
--   - qualified: title and years, where recorded, meet the settings,
--   - not credit-restricted on the date (ptx.is_restricted, credit module),
--   - not recused (回避): no relation with the tenderee, the agency, any
--     bidder or the supervising department — employment, directorship or
--     control within expert.recusal_years before the date, a relative or
--     other declared interest on the date, supervisory staff —, and never
--     punished for misconduct in tendering,
--   - not already drawn for the project (exclude),
--   - inside the regions asked for, outside the project's region if remote.
------------------------------------------------------------------------
CREATE FUNCTION ptx.expert_pools(project_id bigint, specialties text[], at_date date,
                                 remote boolean DEFAULT false, regions text[] DEFAULT NULL,
                                 exclude bigint[] DEFAULT '{}')
    RETURNS TABLE (need_no int, expert_ids bigint[], employer_ids bigint[])
    LANGUAGE plpgsql STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    -- planned for its arguments each time: a generic plan cannot know how
    -- many experts a specialty holds
    SET plan_cache_mode = force_custom_plan
    AS $$
DECLARE
    p ptx.project;
    parties bigint[];
    window_start date;
    min_years int := ptx.setting('expert.min_practice_years')::int;
    titles text[] := ARRAY(SELECT t FROM unnest(ARRAY['senior', 'associate_senior', 'equivalent', 'intermediate', 'junior']) t
                            WHERE ptx.expert_title_rank(t) >= ptx.setting('expert.min_title_rank'));
    outside text[] := '{}';
    inside text[];
    recused bigint[];
BEGIN
    SELECT * INTO p FROM ptx.project pr WHERE pr.id = expert_pools.project_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('expert_draw.project_not_found', COALESCE(expert_pools.project_id::text, '<NULL>'));
    END IF;
    parties := array_remove(ARRAY[p.tenderee_id, p.agency_id, p.supervisor_id]
                            || ARRAY(SELECT b.bidder_id FROM ptx.bid b WHERE b.project_id = p.id), NULL);
    window_start := (expert_pools.at_date - make_interval(years => ptx.setting('expert.recusal_years')::int))::date;
    IF expert_pools.remote THEN
        outside := ARRAY(SELECT r.code FROM ptx.region r WHERE p.region = ANY (r.path));
    END IF;
    IF expert_pools.regions IS NOT NULL THEN
        inside := ARRAY(SELECT r.code FROM ptx.region r WHERE r.path && expert_pools.regions);
    END IF;

    -- everyone recused from this project or credit-restricted on the date
    -- (ptx.restricted_subjects: ptx.is_restricted for all experts at
    -- once), once for all needs
    recused := ARRAY(
        SELECT r.expert_id
          FROM ptx.expert_relation r
         WHERE r.org_id = ANY (parties)
           AND (r.valid_from IS NULL OR r.valid_from <= expert_pools.at_date)
           AND (r.valid_to IS NULL
                OR r.valid_to >= CASE WHEN r.kind IN ('employee', 'director', 'controller')
                                      THEN window_start ELSE expert_pools.at_date END)
        UNION
        SELECT pe.expert_id FROM ptx.expert_penalty pe WHERE pe.decided_on <= expert_pools.at_date
        UNION
        SELECT x FROM ptx.restricted_subjects('expert', expert_pools.at_date) x
        UNION
        SELECT x FROM unnest(expert_pools.exclude) x);

    -- every need in one query, planned once whatever the number of needs:
    -- for each, one index range scan of the roster, the pool sorted by id
    RETURN QUERY
    SELECT n.ord::int,
           COALESCE(q.ids, '{}'::bigint[]),
           COALESCE(q.employers, '{}'::bigint[])
      FROM unnest(expert_pools.specialties) WITH ORDINALITY AS n (code, ord)
     CROSS JOIN LATERAL (
            SELECT array_agg(e.expert_id ORDER BY e.expert_id) AS ids,
                   array_agg(e.employer_id ORDER BY e.expert_id) AS employers
              FROM ptx_private.expert_roster e
             WHERE e.code = n.code
               AND (e.status = 'active' OR (e.status = 'suspended' AND e.suspended_until < expert_pools.at_date))
               AND e.trained_until >= expert_pools.at_date
               AND (e.practice_years IS NULL OR e.practice_years >= min_years)
               AND (e.title IS NULL OR e.title = ANY (titles))
               AND e.region <> ALL (outside)
               AND (inside IS NULL OR e.region = ANY (inside))
               AND e.expert_id <> ALL (recused)) q
     ORDER BY n.ord;
END
$$;
COMMENT ON FUNCTION ptx.expert_pools(bigint, text[], date, boolean, text[], bigint[]) IS
    'the pools of several needs of a project on a date in one pass: for each specialty, the eligible experts sorted by id and their employers';

CREATE FUNCTION ptx.expert_pool(project_id bigint, specialty text, at_date date,
                                remote boolean DEFAULT false, regions text[] DEFAULT NULL,
                                exclude bigint[] DEFAULT '{}')
    RETURNS TABLE (expert_id bigint, employer_id bigint)
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT u.expert_id, u.employer_id
          FROM ptx.expert_pools(expert_pool.project_id, ARRAY[expert_pool.specialty], expert_pool.at_date,
                                expert_pool.remote, expert_pool.regions, expert_pool.exclude) p,
               unnest(p.expert_ids, p.employer_ids) AS u (expert_id, employer_id)
         ORDER BY u.expert_id;
    END;
COMMENT ON FUNCTION ptx.expert_pool(bigint, text, date, boolean, text[], bigint[]) IS
    'the experts eligible for a need of a project on a date, sorted by id, with their employers: specialty, status, training, qualification, credit, recusal, regions';

-- Why one expert is not eligible for a project on a date (no rows: eligible
-- as far as the person goes; specialty and regions belong to a need).
CREATE FUNCTION ptx.expert_ineligibility(expert_id bigint, project_id bigint, at_date date DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    e ptx.expert;
    p ptx.project;
    d date := COALESCE(at_date, ptx.today());
    window_start date := (d - make_interval(years => ptx.setting('expert.recusal_years')::int))::date;
    rel record;
BEGIN
    SELECT * INTO e FROM ptx.expert x WHERE x.id = expert_ineligibility.expert_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('expert_draw.expert_not_found', COALESCE(expert_ineligibility.expert_id::text, '<NULL>'));
    END IF;
    SELECT * INTO p FROM ptx.project pr WHERE pr.id = expert_ineligibility.project_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('expert_draw.project_not_found', COALESCE(expert_ineligibility.project_id::text, '<NULL>'));
    END IF;
    IF e.status = 'dismissed' THEN
        RETURN NEXT ptx.message_text('expert_ineligible.dismissed');
    ELSIF e.status = 'suspended' AND e.suspended_until >= d THEN
        RETURN NEXT ptx.message_text('expert_ineligible.suspended', e.suspended_until::text);
    END IF;
    IF e.trained_until IS NULL OR e.trained_until < d THEN
        RETURN NEXT ptx.message_text('expert_ineligible.training', d::text);
    END IF;
    IF e.practice_years < ptx.setting('expert.min_practice_years')
       OR ptx.expert_title_rank(e.title) < ptx.setting('expert.min_title_rank') THEN
        RETURN NEXT ptx.message_text('expert_ineligible.qualification');
    END IF;
    IF ptx.is_restricted('expert', e.id, d) THEN
        RETURN NEXT ptx.message_text('expert_ineligible.credit');
    END IF;
    IF EXISTS (SELECT 1 FROM ptx.expert_penalty pe WHERE pe.expert_id = e.id AND pe.decided_on <= d) THEN
        RETURN NEXT ptx.message_text('expert_ineligible.penalty');
    END IF;
    FOR rel IN
        SELECT r.kind, r.org_id,
               CASE WHEN r.org_id = p.tenderee_id THEN 'expert_party.tenderee'
                    WHEN r.org_id = p.agency_id THEN 'expert_party.agency'
                    WHEN r.org_id = p.supervisor_id THEN 'expert_party.supervisor'
                    ELSE 'expert_party.bidder' END AS party
          FROM ptx.expert_relation r
         WHERE r.expert_id = e.id
           AND r.org_id IN (SELECT p.tenderee_id UNION SELECT p.agency_id UNION SELECT p.supervisor_id
                            UNION SELECT b.bidder_id FROM ptx.bid b WHERE b.project_id = p.id)
           AND (r.valid_from IS NULL OR r.valid_from <= d)
           AND (r.valid_to IS NULL
                OR r.valid_to >= CASE WHEN r.kind IN ('employee', 'director', 'controller') THEN window_start ELSE d END)
         ORDER BY r.id
    LOOP
        -- the kind and the party are named in the session's language too
        RETURN NEXT ptx.message_text('expert_ineligible.relation',
                                     ptx.message_text(CASE rel.kind
                                                          WHEN 'employee' THEN 'expert_relation.employee'
                                                          WHEN 'director' THEN 'expert_relation.director'
                                                          WHEN 'controller' THEN 'expert_relation.controller'
                                                          WHEN 'relative' THEN 'expert_relation.relative'
                                                          WHEN 'supervisor_staff' THEN 'expert_relation.supervisor_staff'
                                                          ELSE 'expert_relation.other' END),
                                     ptx.message_text(rel.party), rel.org_id::text);
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.expert_ineligibility(bigint, bigint, date) IS
    'the reasons why an expert may not sit on a project''s committee on a date (status, training, qualification, credit, penalty, recusal); no rows when none';

------------------------------------------------------------------------
-- What an execution used besides the pools, for replay and audit.
------------------------------------------------------------------------
CREATE TABLE ptx.expert_draw_context (
    draw_id             bigint PRIMARY KEY REFERENCES ptx.draw_request (id),
    evaluation_date     date NOT NULL,
    max_per_employer    int NOT NULL,
    already_drawn       bigint[] NOT NULL,
    seated_employers    bigint[] NOT NULL,
    settings            jsonb NOT NULL,
    active_experts      int NOT NULL
);
COMMENT ON TABLE ptx.expert_draw_context IS 'the inputs of an expert draw besides its pools: experts already drawn for the project (excluded), employers already seated, settings in force';
COMMENT ON COLUMN ptx.expert_draw_context.active_experts IS 'active experts in the database at execution, counted up to expert_db.min_size';
SELECT pg_catalog.pg_extension_config_dump('ptx.expert_draw_context', '');

------------------------------------------------------------------------
-- Requests.
------------------------------------------------------------------------
CREATE FUNCTION ptx.check_expert_need(need jsonb) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n jsonb;
BEGIN
    IF need IS NULL OR jsonb_typeof(need) <> 'array' OR jsonb_array_length(need) = 0 THEN
        PERFORM ptx.raise('expert_draw.invalid_need');
    END IF;
    FOR n IN SELECT * FROM jsonb_array_elements(need) LOOP
        IF jsonb_typeof(n) <> 'object' OR NOT n ?& ARRAY['specialty', 'count']
           OR (SELECT count(*) FROM jsonb_object_keys(n)) <> 2
           OR jsonb_typeof(n -> 'specialty') <> 'string' OR jsonb_typeof(n -> 'count') <> 'number' THEN
            PERFORM ptx.raise('expert_draw.invalid_need_item', n::text);
        END IF;
        IF NOT ptx.specialty_code_valid(n ->> 'specialty') THEN
            PERFORM ptx.raise('expert_draw.invalid_specialty', n ->> 'specialty');
        END IF;
        IF (n ->> 'count')::numeric NOT IN (SELECT generate_series(1, 50)) THEN
            PERFORM ptx.raise('expert_draw.invalid_count', (n -> 'count')::text, n ->> 'specialty');
        END IF;
    END LOOP;
END
$$;

CREATE FUNCTION ptx.expert_draw_rules(project_id bigint, options jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    o jsonb := COALESCE(options, '{}');
    bad text[];
    regions text[];
    missing text[];
    eval date;
    maxpe numeric;
BEGIN
    IF jsonb_typeof(o) <> 'object' THEN
        PERFORM ptx.raise('expert_draw.invalid_options');
    END IF;
    bad := ARRAY(SELECT k FROM jsonb_object_keys(o) k
                  WHERE k NOT IN ('remote', 'regions', 'max_per_employer', 'public_entropy', 'evaluation_date')
                  ORDER BY k);
    IF cardinality(bad) > 0 THEN
        PERFORM ptx.raise('expert_draw.unknown_options', array_to_string(bad, ', '));
    END IF;
    IF o ? 'remote' AND jsonb_typeof(o -> 'remote') <> 'boolean' THEN
        PERFORM ptx.raise('expert_draw.invalid_remote');
    END IF;
    IF o ? 'regions' THEN
        IF jsonb_typeof(o -> 'regions') <> 'array' OR jsonb_array_length(o -> 'regions') = 0
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(o -> 'regions') x WHERE jsonb_typeof(x) <> 'string') THEN
            PERFORM ptx.raise('expert_draw.invalid_regions');
        END IF;
        regions := ARRAY(SELECT jsonb_array_elements_text(o -> 'regions'));
        missing := ARRAY(SELECT x FROM unnest(regions) x
                          WHERE NOT EXISTS (SELECT 1 FROM ptx.region r WHERE r.code = x));
        IF cardinality(missing) > 0 THEN
            PERFORM ptx.raise('expert_draw.regions_missing', array_to_string(missing, ', '));
        END IF;
    END IF;
    maxpe := 1;
    IF o ? 'max_per_employer' THEN
        IF jsonb_typeof(o -> 'max_per_employer') <> 'number'
           OR (o ->> 'max_per_employer')::numeric NOT IN (SELECT generate_series(1, 50)) THEN
            PERFORM ptx.raise('expert_draw.invalid_max_per_employer');
        END IF;
        maxpe := (o ->> 'max_per_employer')::numeric;
    END IF;
    eval := ptx.today();
    IF o ? 'evaluation_date' THEN
        BEGIN
            eval := (o ->> 'evaluation_date')::date;
        EXCEPTION WHEN others THEN
            PERFORM ptx.raise('expert_draw.invalid_evaluation_date');
        END;
        IF eval < ptx.today() THEN
            PERFORM ptx.raise('expert_draw.evaluation_date_past', eval::text, ptx.today()::text);
        END IF;
    END IF;
    RETURN jsonb_build_object('evaluation_date', eval,
                              'remote', COALESCE((o ->> 'remote')::boolean, false),
                              'regions', to_jsonb(regions),
                              'max_per_employer', maxpe,
                              'project_region', (SELECT p.region FROM ptx.project p WHERE p.id = expert_draw_rules.project_id));
END
$$;
COMMENT ON FUNCTION ptx.expert_draw_rules(bigint, jsonb) IS
    'the pool rules of an expert draw from its options, checked: evaluation date, remote, regions, max_per_employer';

CREATE FUNCTION ptx.check_project_open_for_draw(project_id bigint) RETURNS ptx.project
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
BEGIN
    SELECT * INTO p FROM ptx.project pr WHERE pr.id = check_project_open_for_draw.project_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('expert_draw.project_not_found',
                          COALESCE(check_project_open_for_draw.project_id::text, '<NULL>'));
    END IF;
    IF p.state IN ('publicity', 'awarded', 'contracted', 'closed', 'terminated', 'failed') THEN
        PERFORM ptx.raise('expert_draw.project_closed', p.code, p.state::text);
    END IF;
    RETURN p;
END
$$;

CREATE FUNCTION ptx.request_expert_draw(project_id bigint, need jsonb, options jsonb DEFAULT '{}')
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.check_project_open_for_draw(project_id);
    rules jsonb;
    existing record;
BEGIN
    PERFORM ptx.check_centre('request_expert_draw', project_id);
    PERFORM ptx.check_expert_need(need);
    rules := ptx.expert_draw_rules(p.id, options) || jsonb_build_object('round', p.round);
    -- One draw per need and round of a project (DESIGN.md §11.1): no two
    -- live requests of a round serve one specialty, or a code under
    -- another (A08 and A0801).  Requests of a project wait for each other
    -- here, so that two cannot both pass.
    PERFORM 1 FROM ptx.project pr WHERE pr.id = p.id FOR NO KEY UPDATE;
    SELECT d.id, d.requested_by, d.requested_at,
           EXISTS (SELECT 1 FROM ptx.draw_execution x WHERE x.draw_id = d.id) AS executed,
           (SELECT string_agg(DISTINCT a.x ->> 'specialty', ', ')
              FROM jsonb_array_elements(d.need) a (x), jsonb_array_elements(request_expert_draw.need) b (x)
             WHERE starts_with(a.x ->> 'specialty', b.x ->> 'specialty')
                OR starts_with(b.x ->> 'specialty', a.x ->> 'specialty')) AS specialties
      INTO existing
      FROM ptx.draw_request d
     WHERE d.project_id = p.id AND d.kind = 'expert'
       AND ptx.expert_draw_round(d.pool_rules) = p.round
       AND NOT EXISTS (SELECT 1 FROM ptx.draw_cancellation c WHERE c.draw_id = d.id)
       AND EXISTS (SELECT 1
                     FROM jsonb_array_elements(d.need) a (x), jsonb_array_elements(request_expert_draw.need) b (x)
                    WHERE starts_with(a.x ->> 'specialty', b.x ->> 'specialty')
                       OR starts_with(b.x ->> 'specialty', a.x ->> 'specialty'))
     ORDER BY d.id
     LIMIT 1;
    IF FOUND THEN
        PERFORM ptx.raise(CASE WHEN existing.executed THEN 'expert_draw.already_drawn_executed'
                               ELSE 'expert_draw.already_drawn' END,
                          p.code, existing.specialties, p.round::text, existing.id::text,
                          existing.requested_by, existing.requested_at::text);
    END IF;
    RETURN ptx.new_draw_request('expert', format('evaluation committee of project %s', p.code),
                                need, COALESCE(options, '{}'), rules, p.id);
END
$$;
COMMENT ON FUNCTION ptx.request_expert_draw(bigint, jsonb, jsonb) IS
    'request a draw of evaluation experts for a project: one per need (specialty) and round unless cancelled before execution (PX008); commit, then ptx.execute_draw (or CALL ptx.draw_experts)';

-- The tender round of an expert draw: recorded in its pool rules since
-- 0.2.0; a request of 0.1.0 counts as round 1.
CREATE FUNCTION ptx.expert_draw_round(pool_rules jsonb) RETURNS int
    LANGUAGE sql IMMUTABLE
    BEGIN ATOMIC
        SELECT COALESCE((expert_draw_round.pool_rules ->> 'round')::int, 1);
    END;
COMMENT ON FUNCTION ptx.expert_draw_round(jsonb) IS
    'the tender round of an expert draw from its pool rules (1 when not recorded)';

------------------------------------------------------------------------
-- Execution.
------------------------------------------------------------------------
CREATE FUNCTION ptx.expert_seated_employers(project_id bigint) RETURNS bigint[]
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT COALESCE(array_agg(e.employer_id ORDER BY p.draw_id, p.seat), '{}')
          FROM ptx.draw_pick p
          JOIN ptx.draw_request d ON d.id = p.draw_id
          JOIN ptx.expert e ON e.id = p.subject_id
         WHERE d.project_id = expert_seated_employers.project_id
           AND d.kind IN ('expert', 'replacement')
           AND e.employer_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM ptx.draw_request rd
                            WHERE rd.replaces_draw_id IS NOT NULL
                              AND rd.project_id = d.project_id
                              AND rd.replaced_subject_id = p.subject_id);
    END;
COMMENT ON FUNCTION ptx.expert_seated_employers(bigint) IS 'employers of the experts seated on a project''s committee';

CREATE FUNCTION ptx.compute_expert_draw(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    at date;
    remote boolean;
    regions text[];
    maxpe int;
    drawn bigint[];
    seated bigint[];
    n record;
    specs text[];
    pool bigint[] := '{}';
    groups bigint[] := '{}';
    sizes int[] := '{}';
    counts int[];
    min_size int := ptx.setting('expert_db.min_size')::int;
    active int;
BEGIN
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = compute_expert_draw.draw_id;
    IF r.kind NOT IN ('expert', 'replacement') THEN
        PERFORM ptx.raise('expert_draw.not_expert_draw', r.id::text);
    END IF;
    at := (r.pool_rules ->> 'evaluation_date')::date;
    remote := (r.pool_rules ->> 'remote')::boolean;
    IF jsonb_typeof(r.pool_rules -> 'regions') = 'array' THEN
        regions := ARRAY(SELECT jsonb_array_elements_text(r.pool_rules -> 'regions'));
    END IF;
    maxpe := (r.pool_rules ->> 'max_per_employer')::int;

    -- 评标专家和评标专家库管理暂行办法 §8: a warning, not an error
    SELECT count(*) INTO active
      FROM (SELECT 1 FROM ptx.expert e
             WHERE e.status = 'active' OR (e.status = 'suspended' AND e.suspended_until < at)
             LIMIT min_size) s;
    IF active < min_size THEN
        PERFORM ptx.warning('expert_draw.database_small', active::text, min_size::text);
    END IF;

    -- experts already drawn for the project, the declined ones included
    drawn := ARRAY(SELECT DISTINCT p.subject_id
                     FROM ptx.draw_pick p JOIN ptx.draw_request d ON d.id = p.draw_id
                    WHERE d.project_id = r.project_id AND d.kind IN ('expert', 'replacement')
                    ORDER BY 1);
    seated := ptx.expert_seated_employers(r.project_id);

    specs := ARRAY(SELECT x ->> 'specialty' FROM jsonb_array_elements(r.need) WITH ORDINALITY AS t (x, o) ORDER BY o);
    counts := ARRAY(SELECT (x ->> 'count')::int FROM jsonb_array_elements(r.need) WITH ORDINALITY AS t (x, o) ORDER BY o);
    FOR n IN SELECT * FROM ptx.expert_pools(r.project_id, specs, at, remote, regions, drawn) ORDER BY 1 LOOP
        PERFORM ptx.draw_store_pool(r.id, n.need_no, specs[n.need_no], counts[n.need_no], n.expert_ids, n.employer_ids);
        pool := pool || n.expert_ids;
        groups := groups || n.employer_ids;
        sizes := sizes || cardinality(n.expert_ids);
    END LOOP;

    INSERT INTO ptx.expert_draw_context (draw_id, evaluation_date, max_per_employer, already_drawn,
                                         seated_employers, settings, active_experts)
    VALUES (r.id, at, maxpe, drawn, seated,
            jsonb_build_object('expert.recusal_years', ptx.setting('expert.recusal_years'),
                               'expert.min_practice_years', ptx.setting('expert.min_practice_years'),
                               'expert.min_title_rank', ptx.setting('expert.min_title_rank')),
            active);

    RETURN QUERY
        SELECT q.seat, q.subject_id, specs[q.need_no], NULL::bigint
          FROM ptx.draw_pick_needs(r.seed, pool, sizes, counts, groups, maxpe, seated, specs) q
         ORDER BY q.seat;
END
$$;
COMMENT ON FUNCTION ptx.compute_expert_draw(bigint) IS
    'computes and stores the pools of an expert draw and picks from them; called by ptx.draw_run';

CREATE FUNCTION ptx.execute_expert_draw(draw_id bigint)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_centre('execute_expert_draw', (SELECT d.project_id FROM ptx.draw_request d WHERE d.id = execute_expert_draw.draw_id));
    IF NOT EXISTS (SELECT 1 FROM ptx.draw_request d
                    WHERE d.id = execute_expert_draw.draw_id AND d.kind IN ('expert', 'replacement')) THEN
        PERFORM ptx.raise('expert_draw.not_expert_draw', COALESCE(draw_id::text, '<NULL>'));
    END IF;
    RETURN QUERY SELECT * FROM ptx.draw_run(draw_id, 'ptx.compute_expert_draw(bigint)');
END
$$;
COMMENT ON FUNCTION ptx.execute_expert_draw(bigint) IS
    'the executor of expert and replacement draws (through ptx.execute_draw)';

CREATE FUNCTION ptx.verify_expert_draw(draw_id bigint) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    c ptx.expert_draw_context;
    pool bigint[] := '{}';
    groups bigint[] := '{}';
    sizes int[] := '{}';
    counts int[] := '{}';
    labels text[] := '{}';
    pl ptx.draw_pool;
    replay text[];
    recorded text[];
BEGIN
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = verify_expert_draw.draw_id;
    SELECT * INTO c FROM ptx.expert_draw_context x WHERE x.draw_id = r.id;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    FOR pl IN SELECT * FROM ptx.draw_pool p WHERE p.draw_id = r.id ORDER BY p.pool_no LOOP
        -- the pools are the needs in order, and hold no expert drawn before
        IF pl.pool_no <> cardinality(sizes) + 1 OR pl.pool && c.already_drawn
           OR pl.label IS DISTINCT FROM r.need -> (pl.pool_no - 1) ->> 'specialty'
           OR pl.wanted IS DISTINCT FROM (r.need -> (pl.pool_no - 1) ->> 'count')::int THEN
            RETURN false;
        END IF;
        pool := pool || pl.pool;
        groups := groups || COALESCE(pl.groups, array_fill(NULL::bigint, ARRAY[pl.pool_size]));
        sizes := sizes || pl.pool_size;
        counts := counts || pl.wanted;
        labels := labels || pl.label;
    END LOOP;
    IF cardinality(sizes) <> jsonb_array_length(r.need) THEN
        RETURN false;
    END IF;
    BEGIN
        replay := ARRAY(SELECT q.seat || ':' || q.subject_id || ':' || labels[q.need_no]
                          FROM ptx.draw_pick_needs(r.seed, pool, sizes, counts, groups, c.max_per_employer,
                                                   c.seated_employers, labels) q
                         ORDER BY q.seat);
    EXCEPTION WHEN SQLSTATE 'PX007' OR invalid_parameter_value THEN
        RETURN false;
    END;
    recorded := ARRAY(SELECT p.seat || ':' || p.subject_id || ':' || p.role
                        FROM ptx.draw_pick p WHERE p.draw_id = r.id ORDER BY p.seat);
    RETURN replay = recorded;
END
$$;
COMMENT ON FUNCTION ptx.verify_expert_draw(bigint) IS
    'replays an expert or replacement draw from its seed, its stored pools and its context; through ptx.verify_draw';

------------------------------------------------------------------------
-- Request, commit and execute in one call, for psql and cron.
------------------------------------------------------------------------
CREATE PROCEDURE ptx.draw_experts(project_id bigint, need jsonb, options jsonb DEFAULT '{}',
                                  INOUT draw_id bigint DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- a procedure that commits cannot have a SET clause: the search path is
    -- pinned for each of its transactions (a trojan operator in a writable
    -- schema must not run with the caller's rights)
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    -- no SET clause and no SECURITY DEFINER: a procedure that commits
    -- cannot have them; every name is qualified
    IF draw_id IS NULL THEN
        draw_id := ptx.request_expert_draw(project_id, need, options);
    ELSIF NOT EXISTS (SELECT 1 FROM ptx.draw_request d
                       WHERE d.id = draw_experts.draw_id AND d.project_id = draw_experts.project_id
                         AND d.kind IN ('expert', 'replacement')) THEN
        PERFORM ptx.raise('expert_draw.not_project_draw', draw_id::text, COALESCE(project_id::text, '<NULL>'));
    END IF;
    COMMIT;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    PERFORM ptx.execute_draw(draw_id);
END
$$;
COMMENT ON PROCEDURE ptx.draw_experts(bigint, jsonb, jsonb, bigint) IS
    'request an expert draw, commit it and execute it; with a draw_id, commit and execute that request (after a failure)';

-- operators only: ptx_admin neither executes expert draws nor reads their
-- picks (DESIGN.md §11.1)
GRANT EXECUTE ON FUNCTION ptx.request_expert_draw(bigint, jsonb, jsonb), ptx.execute_expert_draw(bigint)
    TO ptx_operator;
GRANT EXECUTE ON PROCEDURE ptx.draw_experts(bigint, jsonb, jsonb, bigint) TO ptx_operator;
REVOKE EXECUTE ON FUNCTION ptx.request_expert_draw(bigint, jsonb, jsonb), ptx.execute_expert_draw(bigint)
    FROM ptx_admin;
REVOKE EXECUTE ON PROCEDURE ptx.draw_experts(bigint, jsonb, jsonb, bigint) FROM ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.expert_draw_round(jsonb) TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.expert_pool(bigint, text, date, boolean, text[], bigint[]),
    ptx.expert_pools(bigint, text[], date, boolean, text[], bigint[]),
    ptx.expert_ineligibility(bigint, bigint, date)
    TO ptx_admin, ptx_auditor;
