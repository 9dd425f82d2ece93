-- Agency inspection: the sampling step (src/inspect.c), a pure function of
-- the stored inputs of a draw, so that execution and verification run the
-- same code and an auditor can replay it.

CREATE FUNCTION ptx.inspection_sample(seed bytea, population bigint[], k int,
                                      priority bigint[], inspectors bigint[],
                                      conflict_inspector bigint[], conflict_agency bigint[],
                                      per_agency int)
    RETURNS TABLE (seat int, subject_id bigint, role text, assigned_to bigint)
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE ROWS 100
    AS 'MODULE_PATHNAME', 'ptx_inspection_sample';
COMMENT ON FUNCTION ptx.inspection_sample(bytea, bigint[], int, bigint[], bigint[], bigint[], bigint[], int) IS
    'PTX-DRAW-1 for an inspection: k agencies from the population, then the priority targets not picked, then per_agency inspectors for each agency in seat order from the inspectors less the declared conflicts (pairs conflict_inspector[i], conflict_agency[i]), one stream';

GRANT EXECUTE ON FUNCTION ptx.inspection_sample(bytea, bigint[], int, bigint[], bigint[], bigint[], bigint[], int)
    TO ptx_admin, ptx_supervisor, ptx_auditor;
