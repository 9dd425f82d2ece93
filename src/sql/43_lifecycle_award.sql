-- The choice of the winner (确定中标人, 招标投标法实施条例 §55).  In a project
-- that must be tendered (matched by the catalog, not entered voluntarily)
-- and is funded by the state (国有资金占控股或者主导地位: funding 'state' or
-- 'state_owned'), the tenderee awards the first-ranked candidate.  The next
-- candidate in rank may be awarded only once the first is set aside for one
-- of the causes §55 names; a candidate set aside is never awarded, in any
-- project.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('award.first_ranked_state_funded', 1, 'boolean', '招标投标法实施条例 §55',
   '1: a state-funded project that must be tendered awards its best-ranked candidate not set aside');

CREATE TABLE ptx.candidate_set_aside (
    project_id  bigint NOT NULL REFERENCES ptx.project (id),
    round       integer NOT NULL,
    bidder_id   bigint NOT NULL REFERENCES ptx.org (id),
    cause       text NOT NULL
        CHECK (cause IN ('declined', 'force_majeure', 'no_performance_bond', 'violation')),
    reason      text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    recorded_at timestamptz NOT NULL DEFAULT ptx.now(),
    recorded_by text NOT NULL DEFAULT session_user,
    PRIMARY KEY (project_id, round, bidder_id)
);
COMMENT ON TABLE ptx.candidate_set_aside IS
    'candidates set aside before the award (条例 §55): declined 放弃中标, force_majeure 因不可抗力不能履行合同, no_performance_bond 未按要求提交履约保证金, violation 被查实存在影响中标结果的违法行为';
COMMENT ON COLUMN ptx.candidate_set_aside.bidder_id IS
    'a candidate of the round (checked by ptx.set_aside_candidate); set aside for the whole round, a re-evaluation (重新评审) included';
SELECT pg_catalog.pg_extension_config_dump('ptx.candidate_set_aside', '');

CREATE FUNCTION ptx.candidate_set_aside_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.raise('award.set_aside_record', TG_OP);
    RETURN NULL;
END
$$;
CREATE TRIGGER candidate_set_aside_before_write BEFORE UPDATE OR DELETE ON ptx.candidate_set_aside
    FOR EACH ROW EXECUTE FUNCTION ptx.candidate_set_aside_before_write();
CREATE TRIGGER candidate_set_aside_no_truncate BEFORE TRUNCATE ON ptx.candidate_set_aside
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.candidate_set_aside_before_write();

CREATE FUNCTION ptx.set_aside_candidate(project_id bigint, bidder_id bigint, cause text, reason text)
    RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
BEGIN
    PERFORM ptx.check_centre('set_aside_candidate', project_id);
    SELECT * INTO p FROM ptx.project WHERE id = set_aside_candidate.project_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('award.project_missing', COALESCE(set_aside_candidate.project_id::text, 'NULL'));
    END IF;
    IF cause IS NULL OR cause NOT IN ('declined', 'force_majeure', 'no_performance_bond', 'violation') THEN
        PERFORM ptx.raise('award.invalid_cause', COALESCE(cause, 'NULL'));
    END IF;
    IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
        PERFORM ptx.raise('award.no_reason');
    END IF;
    IF p.state NOT IN ('publicity', 'awarded') THEN
        PERFORM ptx.raise('award.wrong_state', p.code, p.state);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.candidate c
                    WHERE c.project_id = p.id AND c.round = p.round
                      AND c.evaluation = ptx.candidate_evaluation(p.id)
                      AND c.bidder_id = set_aside_candidate.bidder_id) THEN
        PERFORM ptx.raise('award.not_a_candidate', COALESCE(set_aside_candidate.bidder_id::text, 'NULL'), p.code);
    END IF;
    IF EXISTS (SELECT 1 FROM ptx.candidate_set_aside s
                WHERE s.project_id = p.id AND s.round = p.round
                  AND s.bidder_id = set_aside_candidate.bidder_id) THEN
        PERFORM ptx.raise('award.already_set_aside', set_aside_candidate.bidder_id::text, p.code);
    END IF;
    INSERT INTO ptx.candidate_set_aside (project_id, round, bidder_id, cause, reason)
    VALUES (p.id, p.round, set_aside_candidate.bidder_id, cause, reason);
END
$$;
COMMENT ON FUNCTION ptx.set_aside_candidate(bigint, bigint, text, text) IS
    'set a published candidate aside before the award, for a cause of 招标投标法实施条例 §55, so that the next in rank may be awarded';

-- The winner a project may be awarded to, NULL when any candidate may be:
-- the best-ranked candidate of the round not set aside, in a state-funded
-- project that must be tendered.
CREATE FUNCTION ptx.required_winner(project_id bigint) RETURNS bigint
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT c.bidder_id
          FROM ptx.project p
          JOIN ptx.candidate c ON c.project_id = p.id AND c.round = p.round
         WHERE p.id = required_winner.project_id
           AND c.evaluation = ptx.candidate_evaluation(p.id)
           AND ptx.setting('award.first_ranked_state_funded') <> 0
           AND p.catalog_id IS NOT NULL AND NOT p.voluntary
           AND p.funding IN ('state', 'state_owned')
           AND NOT EXISTS (SELECT 1 FROM ptx.candidate_set_aside s
                            WHERE s.project_id = c.project_id AND s.round = c.round
                              AND s.bidder_id = c.bidder_id)
         ORDER BY c.rank
         LIMIT 1;
    END;
COMMENT ON FUNCTION ptx.required_winner(bigint) IS
    'the candidate a state-funded project that must be tendered has to award (条例 §55), NULL when the tenderee may choose among the candidates';

-- Named to fire after the lifecycle's project_guard (triggers fire in name
-- order), which reports a winner who is no candidate at all.
CREATE FUNCTION ptx.project_rank_for_award() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s ptx.candidate_set_aside;
    required bigint;
BEGIN
    SELECT * INTO s FROM ptx.candidate_set_aside a
     WHERE a.project_id = NEW.id AND a.round = NEW.round AND a.bidder_id = NEW.winner_id;
    IF FOUND THEN
        PERFORM ptx.raise('award.was_set_aside', NEW.winner_id::text, NEW.code,
                          s.recorded_at::text, s.cause, s.reason);
    END IF;
    required := ptx.required_winner(NEW.id);
    IF required IS NOT NULL AND required <> NEW.winner_id THEN
        PERFORM ptx.raise('award.first_ranked', NEW.code, NEW.funding, required::text, NEW.winner_id::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER project_rank_for_award BEFORE UPDATE OF state ON ptx.project
    FOR EACH ROW WHEN (NEW.state = 'awarded' AND OLD.state IS DISTINCT FROM 'awarded')
    EXECUTE FUNCTION ptx.project_rank_for_award();

GRANT SELECT ON ptx.candidate_set_aside TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.set_aside_candidate(bigint, bigint, text, text) TO ptx_admin, ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.required_winner(bigint) TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
