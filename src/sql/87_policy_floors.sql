-- Legal numbers have floors (DESIGN.md §11.5): a region may set a policy
-- stricter than the law, never laxer.  ptx.policy_floor says, for each
-- setting the law fixes, in which direction "stricter" lies; the law's
-- value is the setting's row of ptx.policy_default.  Every write of
-- ptx.policy (ptx.set_policy or a direct INSERT/UPDATE) is checked by a
-- trigger: a value laxer than the law, NaN, an infinite or a negative value
-- is refused with 22023 and the law in the detail.
--
-- Settings without a row here (analysis thresholds such as red_flag.*,
-- local rules such as expert.rating_*) are checked for NaN, infinity and
-- sign only; ratios must lie in [0, 1] and booleans be 0 or 1.
-- expert_db.min_size only makes a draw warn, and test and demo pools are
-- small: it stays free.  committee.check_before_evaluation stays free: a
-- committee drawn in
-- another system (another region's expert pool) cannot be checked here.

CREATE TABLE ptx.policy_floor (
    key         text PRIMARY KEY REFERENCES ptx.policy_default (key),
    direction   text NOT NULL CHECK (direction IN ('at_least', 'at_most'))
);
COMMENT ON TABLE ptx.policy_floor IS 'settings the law fixes: at_least (a larger value is stricter) or at_most (a smaller value is stricter) than ptx.policy_default.value';

INSERT INTO ptx.policy_floor (key, direction)
SELECT v.key, v.direction
  FROM (VALUES
    ('tender.min_bid_days.construction', 'at_least'),
    ('tender.min_bid_days.procurement', 'at_least'),
    ('tender.min_bid_days.land', 'at_least'),
    ('tender.min_bid_days.mining', 'at_least'),
    ('tender.min_bid_days.state_property', 'at_least'),
    ('tender.min_bid_days.other', 'at_least'),
    ('tender.min_bids', 'at_least'),
    ('candidates.max', 'at_most'),
    ('publicity.publish_within_days', 'at_most'),
    ('publicity.min_days', 'at_least'),
    ('award.first_ranked_state_funded', 'at_least'),
    ('objection.answer_days', 'at_most'),
    ('complaint.file_days', 'at_least'),
    ('complaint.accept_working_days', 'at_most'),
    ('complaint.decide_working_days', 'at_most'),
    ('contract.sign_days', 'at_most'),
    ('expert.min_practice_years', 'at_least'),
    ('expert.min_title_rank', 'at_least'),
    ('expert.recusal_years', 'at_least'),
    ('committee.min_members', 'at_least'),
    ('committee.odd_members', 'at_least'),
    ('committee.min_expert_share', 'at_least'),
    ('committee.procurement_large_amount', 'at_most'),
    ('committee.procurement_large_min_members', 'at_least'),
    ('inspection.default_ratio', 'at_least'),
    ('inspection.inspectors_per_agency', 'at_least'),
    ('tender.min_bid_days.procurement.open', 'at_least'),
    ('tender.min_bid_days.procurement.invited', 'at_least'),
    ('tender.min_bid_days.procurement.negotiation', 'at_least'),
    ('tender.min_bid_days.procurement.consultation', 'at_least'),
    ('tender.min_bid_days.procurement.inquiry', 'at_least'),
    ('tender.min_bid_days.procurement.single_source', 'at_least'),
    ('amendment.min_days', 'at_least'),
    ('amendment.min_days.procurement.negotiation', 'at_least'),
    ('amendment.min_days.procurement.inquiry', 'at_least'),
    ('amendment.min_days.procurement.consultation', 'at_least'),
    ('publicity.min_days.procurement', 'at_least'),
    ('publicity.publish_within_days.procurement', 'at_most'),
    ('challenge.file_working_days', 'at_least'),
    ('challenge.answer_working_days', 'at_most'),
    ('complaint.file_days.procurement', 'at_least'),
    ('complaint.accept_working_days.procurement', 'at_most'),
    ('complaint.decide_working_days.procurement', 'at_most'),
    ('prequalification.sale_days', 'at_least'),
    ('prequalification.application_days', 'at_least'),
    ('prequalification.min_qualified', 'at_least'),
    ('amendment.min_days.prequalification', 'at_least')) AS v(key, direction)
 WHERE EXISTS (SELECT 1 FROM ptx.policy_default d WHERE d.key = v.key);

CREATE FUNCTION ptx.policy_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d ptx.policy_default;
    dir text;
BEGIN
    SELECT * INTO d FROM ptx.policy_default WHERE key = NEW.key;
    IF NOT FOUND THEN
        RETURN NEW;                     -- the foreign key refuses it
    END IF;
    IF NEW.value IS NULL OR NEW.value = 'NaN'::numeric
       OR NEW.value IN ('Infinity'::numeric, '-Infinity'::numeric) OR NEW.value < 0 THEN
        PERFORM ptx.raise('policy_floors.not_finite', NEW.key, COALESCE(NEW.value::text, 'NULL'), d.unit, d.basis);
    END IF;
    IF (d.unit LIKE 'ratio%' AND NEW.value > 1)
       OR (d.unit = 'boolean' AND NEW.value NOT IN (0, 1)) THEN
        PERFORM ptx.raise(CASE WHEN d.unit = 'boolean' THEN 'policy_floors.not_boolean'
                               ELSE 'policy_floors.ratio_above_one' END,
                          NEW.key, NEW.value::text, d.unit, d.basis);
    END IF;
    SELECT f.direction INTO dir FROM ptx.policy_floor f WHERE f.key = NEW.key;
    IF (dir = 'at_least' AND NEW.value < d.value) OR (dir = 'at_most' AND NEW.value > d.value) THEN
        PERFORM ptx.raise(CASE dir WHEN 'at_least' THEN 'policy_floors.laxer_at_least'
                                   ELSE 'policy_floors.laxer_at_most' END,
                          NEW.key, NEW.value::text, d.value::text, d.basis, d.unit);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.policy_before_write() IS
    'trigger: a policy override may be stricter than the law, never laxer; NaN, infinite and negative values are refused';
CREATE TRIGGER policy_before_write BEFORE INSERT OR UPDATE ON ptx.policy
    FOR EACH ROW EXECUTE FUNCTION ptx.policy_before_write();

GRANT SELECT ON ptx.policy_floor TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
