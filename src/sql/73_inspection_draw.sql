-- Agency inspection: the yearly draw of each department (双随机), one per
-- department and year (PX008), through the common draw mechanism of
-- 61_draw.sql (request, committed seed, execution, replay).

CREATE TABLE ptx.inspection_draw (
    draw_id         bigint PRIMARY KEY,
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
COMMENT ON COLUMN ptx.inspection_draw.priority IS 'priority targets fixed with the request, sorted';
SELECT pg_catalog.pg_extension_config_dump('ptx.inspection_draw', '');
