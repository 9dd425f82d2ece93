-- Agency inspection: publication (一公开) and the written report to the
-- joint-conference office (联席会议办公室).
--
-- The ptx_public views call no function (ptx_public has nothing in schema
-- ptx): the inspectors' names are masked inline, and the follow-up status
-- is the recorded one (the deadline is published beside it).  The seed of
-- an executed draw is published by ptx_public.draw (61_draw.sql).

CREATE VIEW ptx_public.inspection_draw WITH (security_barrier = true) AS
SELECT d.draw_id, d.year,
       o.name AS department, o.uscc AS department_uscc,
       d.ratio, d.minimum_ratio, d.ratio_basis,
       p.pool_size AS population, p.wanted AS sample_size,
       pg_catalog.cardinality(d.priority) AS priority_targets,
       d.per_agency AS inspectors_per_agency,
       r.requested_at, x.executed_at,
       pg_catalog.encode(r.commitment, 'hex') AS commitment,
       CASE WHEN x.draw_id IS NOT NULL THEN pg_catalog.encode(p.pool_hash, 'hex') END AS population_hash,
       (SELECT pg_catalog.count(*) FROM ptx.inspection_result res WHERE res.draw_id = d.draw_id) AS results_recorded
  FROM ptx.inspection_draw d
  JOIN ptx.org o ON o.id = d.supervisor_id
  JOIN ptx.draw_request r ON r.id = d.draw_id
  LEFT JOIN ptx.draw_execution x ON x.draw_id = d.draw_id
  LEFT JOIN ptx.draw_pool p ON p.draw_id = d.draw_id AND p.pool_no = 1;
COMMENT ON VIEW ptx_public.inspection_draw IS
    'agency inspection draws (双随机抽查): population, ratio, sample size, commitment; the seed is published in ptx_public.draw once executed';

CREATE VIEW ptx_public.inspection_result WITH (security_barrier = true) AS
SELECT d.year, o.name AS department, d.draw_id, k.seat,
       a.name AS agency, a.uscc AS agency_uscc,
       CASE k.role WHEN 'agency' THEN 'random' ELSE 'priority' END AS selection,
       q.kind AS priority_kind,
       ARRAY(SELECT pg_catalog.left(i.name, 1) || pg_catalog.repeat('*', GREATEST(pg_catalog.char_length(i.name) - 1, 1))
               FROM ptx.draw_pick ip JOIN ptx.inspector i ON i.id = ip.subject_id
              WHERE ip.draw_id = k.draw_id AND ip.role = 'inspector' AND ip.assigned_to = k.subject_id
              ORDER BY ip.seat) AS inspectors,
       res.inspected_on, res.findings, res.outcome, res.rectify_by,
       CASE WHEN res.id IS NULL THEN NULL
            WHEN res.rectify_by IS NULL THEN 'none'
            ELSE COALESCE((SELECT f.status FROM ptx.inspection_followup f
                            WHERE f.result_id = res.id ORDER BY f.id DESC LIMIT 1), 'ordered') END AS rectification
  FROM ptx.inspection_draw d
  JOIN ptx.org o ON o.id = d.supervisor_id
  JOIN ptx.draw_pick k ON k.draw_id = d.draw_id AND k.role IN ('agency', 'priority')
  JOIN ptx.org a ON a.id = k.subject_id
  LEFT JOIN ptx.inspection_priority q
         ON q.year = d.year AND q.supervisor_id = d.supervisor_id AND q.agency_id = k.subject_id
  LEFT JOIN ptx.inspection_result res ON res.draw_id = d.draw_id AND res.agency_id = k.subject_id;
COMMENT ON VIEW ptx_public.inspection_result IS
    'inspected agencies and their results (检查结果公开): findings, outcome, rectification deadline and follow-up; inspectors'' names masked';

GRANT SELECT ON ptx_public.inspection_draw, ptx_public.inspection_result
    TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor;

------------------------------------------------------------------------
-- The written report (书面报告) for the joint-conference office.
------------------------------------------------------------------------
CREATE FUNCTION ptx.inspection_draw_report(draw_id bigint) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d ptx.inspection_draw;
    r ptx.draw_request;
    x ptx.draw_execution;
    pop ptx.draw_pool;
    dept ptx.org;
    agencies jsonb;
    results jsonb;
BEGIN
    SELECT * INTO d FROM ptx.inspection_draw i WHERE i.draw_id = inspection_draw_report.draw_id;
    SELECT * INTO r FROM ptx.draw_request q WHERE q.id = d.draw_id;
    SELECT * INTO x FROM ptx.draw_execution e WHERE e.draw_id = d.draw_id;
    SELECT * INTO pop FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no = 1;
    SELECT * INTO dept FROM ptx.org o WHERE o.id = d.supervisor_id;

    SELECT COALESCE(jsonb_agg(jsonb_build_object(
               'seat', k.seat,
               'agency_id', k.subject_id,
               'name', a.name,
               'uscc', a.uscc,
               'selection', CASE k.role WHEN 'agency' THEN 'random' ELSE 'priority' END,
               'priority', CASE WHEN q.id IS NOT NULL THEN jsonb_build_object('kind', q.kind, 'reason', q.reason) END,
               'inspectors', (SELECT jsonb_agg(jsonb_build_object('id', i.id, 'name', i.name) ORDER BY ip.seat)
                                FROM ptx.draw_pick ip JOIN ptx.inspector i ON i.id = ip.subject_id
                               WHERE ip.draw_id = k.draw_id AND ip.role = 'inspector'
                                 AND ip.assigned_to = k.subject_id),
               'excluded_inspectors', (SELECT COALESCE(jsonb_agg(c.inspector_id ORDER BY c.inspector_id), '[]')
                                         FROM ptx.inspection_draw_conflict c
                                        WHERE c.draw_id = k.draw_id AND c.agency_id = k.subject_id),
               'result', CASE WHEN s.result_id IS NOT NULL THEN jsonb_build_object(
                             'inspected_on', s.inspected_on, 'findings', s.findings,
                             'outcome', s.outcome, 'rectify_by', s.rectify_by, 'status', s.status,
                             'followups', (SELECT COALESCE(jsonb_agg(jsonb_build_object('status', f.status, 'note', f.note,
                                                                                        'recorded_at', f.recorded_at)
                                                                     ORDER BY f.id), '[]')
                                             FROM ptx.inspection_followup f WHERE f.result_id = s.result_id)) END)
               ORDER BY k.seat), '[]'),
           jsonb_build_object(
               'agencies', count(*),
               'recorded', count(s.result_id),
               'awaiting', count(*) - count(s.result_id),
               'no_issue', count(*) FILTER (WHERE s.outcome = 'no_issue'),
               'rectify', count(*) FILTER (WHERE s.outcome = 'rectify'),
               'penalty', count(*) FILTER (WHERE s.outcome = 'penalty'),
               'rectification_pending', count(*) FILTER (WHERE s.status = 'pending'),
               'rectification_overdue', count(*) FILTER (WHERE s.status IN ('overdue', 'not_rectified')),
               'rectified', count(*) FILTER (WHERE s.status = 'rectified'),
               'escalated', count(*) FILTER (WHERE s.status = 'escalated'))
      INTO agencies, results
      FROM ptx.draw_pick k
      JOIN ptx.org a ON a.id = k.subject_id
      LEFT JOIN ptx.inspection_priority q
             ON q.year = d.year AND q.supervisor_id = d.supervisor_id AND q.agency_id = k.subject_id
      LEFT JOIN ptx.inspection_result_status s ON s.draw_id = k.draw_id AND s.agency_id = k.subject_id
     WHERE k.draw_id = d.draw_id AND k.role IN ('agency', 'priority');

    RETURN jsonb_build_object(
        'draw_id', d.draw_id,
        'department', jsonb_build_object('id', dept.id, 'name', dept.name, 'uscc', dept.uscc),
        'requested_by', r.requested_by,
        'requested_at', r.requested_at,
        'executed_at', x.executed_at,
        'state', CASE WHEN x.draw_id IS NULL THEN 'requested, not executed' ELSE 'executed' END,
        'population', jsonb_build_object(
            'definition', 'agencies (role agency) named by the projects that name the department as supervisor and were registered in [start, end)',
            'start', d.period_start, 'end', d.period_end,
            'size', pop.pool_size,
            'hash', encode(pop.pool_hash, 'hex'),
            'agencies', pop.pool),
        'ratio', jsonb_build_object('applied', d.ratio, 'minimum', d.minimum_ratio, 'basis', d.ratio_basis,
                                    'requested', d.requested_ratio),
        'sample_size', pop.wanted,
        'priority_targets', cardinality(d.priority),
        'inspectors_per_agency', d.per_agency,
        'inspector_pool', (SELECT p.pool FROM ptx.draw_pool p WHERE p.draw_id = d.draw_id AND p.pool_no = 3),
        'agencies', CASE WHEN x.draw_id IS NOT NULL THEN agencies END,
        'results', CASE WHEN x.draw_id IS NOT NULL THEN results END,
        'seed_commitment', encode(r.commitment, 'hex'),
        'seed', CASE WHEN x.draw_id IS NOT NULL THEN encode(r.seed, 'hex') END,
        'verified', CASE WHEN x.draw_id IS NOT NULL THEN ptx.verify_draw(d.draw_id) END,
        'replay', jsonb_build_object(
            'algorithm', 'PTX-DRAW-1 (docs/draw-algorithm.md; docs/reference/inspection.md gives the replay in Python)',
            'steps', jsonb_build_array(
                'Check that SHA-256(seed) equals seed_commitment, and the SHA-256 of population.agencies (8 bytes big-endian each, ascending) equals population.hash.',
                'Stream: block i = SHA-256(seed || uint64_be(i)), four uint64 big-endian values a block.',
                'Agencies: pick sample_size from population.agencies (sorted); they take seats 1 to sample_size in pick order.',
                'Priority targets not picked follow, ascending by id, on the next seats.',
                'Inspectors: for each agency in seat order, pick inspectors_per_agency from inspector_pool (sorted) less the agency''s excluded_inspectors (declared conflicts), continuing the same stream.',
                'Compare with the agencies and inspectors above.'),
            'sql', format('SELECT ptx.verify_draw(%s);', d.draw_id)));
END
$$;
COMMENT ON FUNCTION ptx.inspection_draw_report(bigint) IS
    'the report of one inspection draw: population, ratio, sample, agencies with inspectors and results, seed and replay';

CREATE FUNCTION ptx.inspection_report(year int, supervisor_id bigint DEFAULT NULL) RETURNS jsonb
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    draws jsonb;
    missing jsonb;
BEGIN
    PERFORM ptx.inspection_period(year);
    IF supervisor_id IS NOT NULL AND NOT ptx.has_role(supervisor_id, 'supervisor') THEN
        PERFORM ptx.raise('inspection.report_not_a_supervisor', supervisor_id::text);
    END IF;
    SELECT COALESCE(jsonb_agg(ptx.inspection_draw_report(d.draw_id) ORDER BY d.supervisor_id), '[]')
      INTO draws
      FROM ptx.inspection_draw d
     WHERE d.year = inspection_report.year
       AND (inspection_report.supervisor_id IS NULL OR d.supervisor_id = inspection_report.supervisor_id);
    SELECT COALESCE(jsonb_agg(jsonb_build_object('id', o.id, 'name', o.name) ORDER BY o.id), '[]')
      INTO missing
      FROM ptx.inspection_departments(year) s
      JOIN ptx.org o ON o.id = s
     WHERE (inspection_report.supervisor_id IS NULL OR s = inspection_report.supervisor_id)
       AND NOT EXISTS (SELECT 1 FROM ptx.inspection_draw d
                        WHERE d.year = inspection_report.year AND d.supervisor_id = s);
    RETURN jsonb_build_object(
        'title', format('%s年度招标采购代理机构检查情况报告 (agency inspection report %s)', year, year),
        'to', '公共资源交易管理工作联席会议办公室 (joint-conference office)',
        'basis', '内政办发〔2018〕67号 §6: each year each supervisory department inspects agencies at not below the national ratio, or 25 % where none is set, drawn at random with random inspectors (双随机一公开)',
        'year', year,
        'generated_at', ptx.now(),
        'summary', jsonb_build_object(
            'draws', jsonb_array_length(draws),
            'executed', (SELECT count(*) FROM jsonb_array_elements(draws) e WHERE e ->> 'state' = 'executed'),
            'population', (SELECT COALESCE(sum((e -> 'population' ->> 'size')::int), 0) FROM jsonb_array_elements(draws) e),
            'sampled', (SELECT COALESCE(sum((e ->> 'sample_size')::int), 0) FROM jsonb_array_elements(draws) e),
            'priority_targets', (SELECT COALESCE(sum((e ->> 'priority_targets')::int), 0) FROM jsonb_array_elements(draws) e),
            'results_recorded', (SELECT COALESCE(sum((e -> 'results' ->> 'recorded')::int), 0) FROM jsonb_array_elements(draws) e),
            'departments_without_draw', jsonb_array_length(missing)),
        'draws', draws,
        'departments_without_draw', missing);
END
$$;
COMMENT ON FUNCTION ptx.inspection_report(int, bigint) IS
    'the written report of a year''s agency inspections for the joint-conference office (联席会议办公室): per department population, ratio, n, picks, inspectors, results, seed commitment and replay';

GRANT EXECUTE ON FUNCTION ptx.inspection_report(int, bigint) TO ptx_admin, ptx_supervisor, ptx_auditor;
