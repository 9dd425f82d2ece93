-- The sampler PTX-DRAW-1 (DESIGN.md §4, docs/draw-algorithm.md), exposed
-- for replay by auditors.  src/draw.c.

CREATE FUNCTION ptx.draw_sample(seed bytea, pool bigint[], k int) RETURNS bigint[]
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_draw_sample';
COMMENT ON FUNCTION ptx.draw_sample(bytea, bigint[], int) IS
    'PTX-DRAW-1: k picks from a pool of ids with a seed, no composition rule; replays a simple draw';

CREATE FUNCTION ptx.draw_stream(seed bytea, count int) RETURNS SETOF numeric
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE ROWS 100
    AS 'MODULE_PATHNAME', 'ptx_draw_stream_values';
COMMENT ON FUNCTION ptx.draw_stream(bytea, int) IS
    'the first values (uint64) of the PTX-DRAW-1 stream of a seed, for checking an independent implementation';

GRANT EXECUTE ON FUNCTION ptx.draw_sample(bytea, bigint[], int), ptx.draw_stream(bytea, int)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
