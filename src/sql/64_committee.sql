-- The evaluation committee (评标委员会, R5): drawn experts and tenderee
-- representatives; replacement (补抽); the composition rules checked when
-- evaluation starts; secrecy of the member list until the result is
-- published (法 §37, §44).

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('committee.min_members', 5, 'members', '招标投标法 §37',
   'an evaluation committee has at least this many members'),
  ('committee.odd_members', 1, 'boolean', '招标投标法 §37 (五人以上单数)',
   '1: the number of members must be odd; 0: any number'),
  ('committee.min_expert_share', 2::numeric / 3, 'ratio', '招标投标法 §37; 财政部令第87号 §47',
   'experts make at least this share of the members (the rest are tenderee representatives)'),
  ('committee.procurement_large_amount', 10000000, 'CNY', '财政部令第87号 §47',
   'government procurement of at least this budget needs the larger committee'),
  ('committee.procurement_large_min_members', 7, 'members', '财政部令第87号 §47',
   'members of the committee of a government procurement at or above committee.procurement_large_amount'),
  ('committee.check_before_evaluation', 1, 'boolean', '招标投标法 §37; 招标投标法实施条例 §46',
   '1: the committee is checked when evaluation starts (PX012); 0: committees are kept outside ptx, in another expert system, and not checked');

------------------------------------------------------------------------
-- Tenderee representatives (招标人代表): members, not drawn.
------------------------------------------------------------------------
CREATE TABLE ptx.committee_representative (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES ptx.project (id),
    org_id          bigint NOT NULL REFERENCES ptx.org (id),
    name            text NOT NULL CHECK (pg_catalog.btrim(name) <> ''),
    added_by        text NOT NULL DEFAULT session_user,
    added_at        timestamptz NOT NULL DEFAULT ptx.now(),
    withdrawn_at    timestamptz,
    withdrawn_reason text,
    CHECK ((withdrawn_at IS NULL) = (withdrawn_reason IS NULL))
);
COMMENT ON TABLE ptx.committee_representative IS 'tenderee representatives (招标人代表) sitting on evaluation committees; confidential until the result is published';
CREATE INDEX committee_representative_project_idx ON ptx.committee_representative (project_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.committee_representative', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.committee_representative', 'id'), '');

CREATE FUNCTION ptx.add_tenderee_representative(project_id bigint, name text) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.check_project_open_for_draw(project_id);
    new_id bigint;
BEGIN
    PERFORM ptx.check_centre('add_tenderee_representative', project_id);
    INSERT INTO ptx.committee_representative AS c (project_id, org_id, name)
    VALUES (p.id, p.tenderee_id, add_tenderee_representative.name)
    RETURNING c.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.add_tenderee_representative(bigint, text) IS
    'seat a representative of the project''s tenderee on its committee; returns the representative''s id';

CREATE FUNCTION ptx.withdraw_tenderee_representative(representative_id bigint, reason text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c ptx.committee_representative;
BEGIN
    PERFORM ptx.check_centre('withdraw_tenderee_representative', (SELECT r.project_id FROM ptx.committee_representative r WHERE r.id = representative_id));
    SELECT * INTO c FROM ptx.committee_representative x WHERE x.id = representative_id FOR UPDATE;
    IF NOT FOUND OR c.withdrawn_at IS NOT NULL THEN
        PERFORM ptx.raise('committee.representative_not_seated', COALESCE(representative_id::text, '<NULL>'));
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        PERFORM ptx.raise('committee.withdrawal_reason_missing');
    END IF;
    PERFORM ptx.check_project_open_for_draw(c.project_id);
    UPDATE ptx.committee_representative x
       SET withdrawn_at = ptx.now(), withdrawn_reason = reason
     WHERE x.id = c.id;
END
$$;
COMMENT ON FUNCTION ptx.withdraw_tenderee_representative(bigint, text) IS
    'take a tenderee representative off a committee, with a reason';

------------------------------------------------------------------------
-- The member list: experts picked by executed expert or replacement
-- draws who have not been replaced, and seated representatives.
-- Auditors read the view; operators read it through ptx.committee(),
-- every call a ledger event.
------------------------------------------------------------------------
CREATE VIEW ptx.committee_member AS
SELECT d.project_id,
       'expert'::text AS member_kind,
       p.subject_id AS expert_id,
       NULL::bigint AS representative_id,
       e.name,
       p.role AS specialty,
       e.employer_id AS org_id,
       p.draw_id,
       p.seat,
       x.executed_at AS seated_at
  FROM ptx.draw_pick p
  JOIN ptx.draw_request d ON d.id = p.draw_id
  JOIN ptx.draw_execution x ON x.draw_id = p.draw_id
  JOIN ptx.expert e ON e.id = p.subject_id
 WHERE d.kind IN ('expert', 'replacement')
   AND NOT EXISTS (SELECT 1 FROM ptx.draw_request rd
                    WHERE rd.project_id = d.project_id
                      AND rd.replaced_subject_id = p.subject_id)
UNION ALL
SELECT c.project_id, 'tenderee_representative', NULL, c.id, c.name, NULL, c.org_id, NULL, NULL, c.added_at
  FROM ptx.committee_representative c
 WHERE c.withdrawn_at IS NULL;
COMMENT ON VIEW ptx.committee_member IS 'members of evaluation committees: drawn experts not replaced, and tenderee representatives; confidential until the result is published';

CREATE FUNCTION ptx.committee(project_id bigint)
    RETURNS TABLE (member_kind text, expert_id bigint, representative_id bigint, name text,
                   specialty text, org_id bigint, draw_id bigint, seat int, seated_at timestamptz)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n int;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.project p WHERE p.id = committee.project_id) THEN
        PERFORM ptx.raise('committee.project_not_found', COALESCE(committee.project_id::text, '<NULL>'));
    END IF;
    SELECT count(*) INTO n FROM ptx.committee_member m WHERE m.project_id = committee.project_id;
    -- recorded and committed before the names are returned: the reader's
    -- rollback leaves the record (58_autonomous.sql)
    PERFORM ptx.record_read('committee_read', 'ptx.project', jsonb_build_object('id', committee.project_id),
        jsonb_build_object('members', n, 'published', ptx.draw_project_published(committee.project_id)));
    RETURN QUERY
        SELECT m.member_kind, m.expert_id, m.representative_id, m.name, m.specialty, m.org_id,
               m.draw_id, m.seat, m.seated_at
          FROM ptx.committee_member m
         WHERE m.project_id = committee.project_id
         ORDER BY m.member_kind, m.draw_id, m.seat, m.representative_id;
END
$$;
COMMENT ON FUNCTION ptx.committee(bigint) IS
    'the members of a project''s evaluation committee, for operators and auditors; every read is a ledger event committed in its own transaction before the names are returned';

------------------------------------------------------------------------
-- Replacement (补抽): a member leaves for a reason, and a new draw with the
-- same rules fills the seat from the pool less everyone drawn before.
------------------------------------------------------------------------
CREATE FUNCTION ptx.replace_pick(draw_id bigint, subject_id bigint, reason text) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    p ptx.project;
    pick ptx.draw_pick;
BEGIN
    PERFORM ptx.check_centre('replace_pick', (SELECT d.project_id FROM ptx.draw_request d WHERE d.id = replace_pick.draw_id));
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = replace_pick.draw_id;
    IF NOT FOUND OR r.kind NOT IN ('expert', 'replacement') THEN
        PERFORM ptx.raise('committee.not_expert_draw', COALESCE(replace_pick.draw_id::text, '<NULL>'));
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        PERFORM ptx.raise('committee.replacement_reason_missing');
    END IF;
    SELECT * INTO pick FROM ptx.draw_pick dp
     WHERE dp.draw_id = r.id AND dp.subject_id = replace_pick.subject_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('committee.not_drawn', COALESCE(replace_pick.subject_id::text, '<NULL>'), r.id::text);
    END IF;
    p := ptx.check_project_open_for_draw(r.project_id);
    IF EXISTS (SELECT 1 FROM ptx.draw_request x
                WHERE x.project_id = r.project_id AND x.replaced_subject_id = replace_pick.subject_id) THEN
        PERFORM ptx.raise('committee.already_replaced', replace_pick.subject_id::text, p.code);
    END IF;
    RETURN ptx.new_draw_request('replacement',
                                format('replacement of a member of the committee of project %s', p.code),
                                jsonb_build_array(jsonb_build_object('specialty', pick.role, 'count', 1)),
                                r.options - 'public_entropy', r.pool_rules, r.project_id,
                                r.id, replace_pick.subject_id, replace_pick.reason);
END
$$;
COMMENT ON FUNCTION ptx.replace_pick(bigint, bigint, text) IS
    'take a drawn expert off the committee for a reason and request the replacement draw (补抽) of the same specialty and rules; returns the new draw''s id';

------------------------------------------------------------------------
-- Composition (法 §37, 财政部令第87号 §47), checked before evaluation.
------------------------------------------------------------------------
CREATE FUNCTION ptx.committee_problems(project_id bigint, at_date date DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    d date := COALESCE(at_date, ptx.today());
    experts int;
    members int;
    required int := ptx.setting('committee.min_members')::int;
    share numeric := ptx.setting('committee.min_expert_share');
    needed_experts int;
    m record;
    why text;
BEGIN
    SELECT * INTO p FROM ptx.project pr WHERE pr.id = committee_problems.project_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('committee.project_not_found', COALESCE(committee_problems.project_id::text, '<NULL>'));
    END IF;
    SELECT count(*) FILTER (WHERE c.member_kind = 'expert'), count(*)
      INTO experts, members
      FROM ptx.committee_member c WHERE c.project_id = p.id;
    IF p.category = 'procurement' AND (p.amount >= ptx.setting('committee.procurement_large_amount')
                                       OR p.complex) THEN  -- 87号令 §47: complex or of great social impact
        required := GREATEST(required, ptx.setting('committee.procurement_large_min_members')::int);
    END IF;
    IF members < required THEN
        RETURN NEXT ptx.message_text('committee.problem_too_few', members::text, required::text);
    END IF;
    IF ptx.setting('committee.odd_members') <> 0 AND members % 2 = 0 THEN
        RETURN NEXT ptx.message_text('committee.problem_even', members::text);
    END IF;
    -- ceil(members × share), robust to the rounding of 2/3
    needed_experts := ceil(members * share - 0.000000001);
    IF experts < needed_experts THEN
        RETURN NEXT ptx.message_text('committee.problem_experts', experts::text, members::text,
                                     needed_experts::text);
    END IF;
    -- every seated expert must still be eligible, against the final bidders too
    FOR m IN SELECT c.expert_id FROM ptx.committee_member c
              WHERE c.project_id = p.id AND c.member_kind = 'expert' ORDER BY c.draw_id, c.seat LOOP
        FOR why IN SELECT * FROM ptx.expert_ineligibility(m.expert_id, p.id, d) LOOP
            RETURN NEXT ptx.message_text('committee.problem_expert', m.expert_id::text, why);
        END LOOP;
    END LOOP;
END
$$;
COMMENT ON FUNCTION ptx.committee_problems(bigint, date) IS
    'what keeps a project''s committee from evaluating: size, odd number, share of experts, members no longer eligible; no rows when complete';

CREATE FUNCTION ptx.committee_composition(project_id bigint) RETURNS jsonb
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    experts int;
    members int;
    problems int;
BEGIN
    SELECT * INTO p FROM ptx.project pr WHERE pr.id = committee_composition.project_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('committee.project_not_found', COALESCE(committee_composition.project_id::text, '<NULL>'));
    END IF;
    SELECT count(*) FILTER (WHERE c.member_kind = 'expert'), count(*)
      INTO experts, members
      FROM ptx.committee_member c WHERE c.project_id = p.id;
    SELECT count(*) INTO problems FROM ptx.committee_problems(p.id);
    RETURN jsonb_build_object('members', members, 'experts', experts,
                              'representatives', members - experts,
                              'complete', problems = 0, 'problems', problems);
END
$$;
COMMENT ON FUNCTION ptx.committee_composition(bigint) IS
    'counts of a project''s committee and whether it may evaluate, without names';

CREATE FUNCTION ptx.check_committee(project_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    problems text[];
BEGIN
    problems := ARRAY(SELECT * FROM ptx.committee_problems(check_committee.project_id));
    IF cardinality(problems) > 0 THEN
        PERFORM ptx.raise('committee.incomplete',
                          (SELECT p.code FROM ptx.project p WHERE p.id = check_committee.project_id), problems[1],
                          array_to_string(problems, '; '));
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.check_committee(bigint) IS
    'error PX012 unless the committee of a project may evaluate (see ptx.committee_problems)';

-- SECURITY DEFINER: whoever moves the project (a lifecycle function, an
-- operator) is checked the same way.  Named to fire after the lifecycle's
-- project_guard (triggers fire in name order), so that a step the state
-- machine refuses is reported as such (PX003) before the committee is.
CREATE FUNCTION ptx.project_ready_for_evaluation() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF ptx.setting('committee.check_before_evaluation') <> 0 THEN
        PERFORM ptx.check_committee(NEW.id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER project_ready_for_evaluation BEFORE UPDATE OF state ON ptx.project
    FOR EACH ROW WHEN (NEW.state = 'evaluating' AND OLD.state IS DISTINCT FROM 'evaluating')
    EXECUTE FUNCTION ptx.project_ready_for_evaluation();

------------------------------------------------------------------------
-- After publication: the committee with masked names (R8).  The view
-- calls no ptx function, so that ptx_public needs nothing in schema ptx.
------------------------------------------------------------------------
CREATE VIEW ptx_public.committee WITH (security_barrier = true) AS
SELECT pr.code AS project_code,
       m.member_kind,
       pg_catalog.left(m.name, 1) || pg_catalog.repeat('*', GREATEST(pg_catalog.length(m.name) - 1, 1)) AS name,
       m.specialty,
       m.seated_at
  FROM ptx.committee_member m
  JOIN ptx.project pr ON pr.id = m.project_id
 WHERE pr.state IN ('publicity', 'awarded', 'contracted', 'closed');
COMMENT ON VIEW ptx_public.committee IS 'evaluation committees of projects whose result is published, names masked';

GRANT SELECT ON ptx_public.committee TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.committee(bigint) TO ptx_operator, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.add_tenderee_representative(bigint, text),
    ptx.withdraw_tenderee_representative(bigint, text)
    TO ptx_admin, ptx_operator;
-- replace_pick tells whether an expert was drawn: operators only
GRANT EXECUTE ON FUNCTION ptx.replace_pick(bigint, bigint, text) TO ptx_operator;
REVOKE EXECUTE ON FUNCTION ptx.replace_pick(bigint, bigint, text) FROM ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.committee_composition(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
-- its errors name the members who may not sit: not ptx_admin
GRANT EXECUTE ON FUNCTION ptx.check_committee(bigint) TO ptx_operator, ptx_auditor;
REVOKE EXECUTE ON FUNCTION ptx.check_committee(bigint) FROM ptx_admin;
