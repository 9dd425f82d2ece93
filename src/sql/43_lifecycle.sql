-- The trading lifecycle (招标投标程序) and its clocks (R4).  The state
-- machine itself is src/lifecycle.c, as triggers on ptx.project; the
-- functions below are the API, each one UPDATE that the machine checks.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('tender.min_bid_days.construction', 20, 'days', '招标投标法 §24',
   'engineering construction tenders: least days from issuing the documents to the bid deadline'),
  ('tender.min_bid_days.procurement', 20, 'days', '政府采购法 §35; 政府采购货物和服务招标投标管理办法 §16',
   'government procurement tenders: least days from issuing the documents to the bid deadline'),
  ('tender.min_bid_days.land', 20, 'days', '招标拍卖挂牌出让国有建设用地使用权规定 §10',
   'land use rights: least days from the announcement to the start of bidding, auction or listing'),
  ('tender.min_bid_days.mining', 20, 'days', '矿业权交易规则 (公告期)',
   'mining rights: least days from the announcement to the start of bidding, auction or listing'),
  ('tender.min_bid_days.state_property', 20, 'working days', '企业国有资产交易监督管理办法 §13',
   'state-owned property: least working days of disclosure before the transfer'),
  ('tender.min_bid_days.other', 20, 'days', '招标投标法 §24',
   'other categories: least days from the announcement to the bid deadline'),
  ('tender.min_bids', 3, 'bids', '招标投标法 §28; 招标投标法实施条例 §44',
   'fewer valid bids at the deadline: no opening, the tender fails and is tendered again'),
  ('candidates.max', 3, 'candidates', '招标投标法实施条例 §53',
   'most ranked candidates the evaluation committee names'),
  ('publicity.publish_within_days', 3, 'days', '招标投标法实施条例 §54',
   'days after receiving the evaluation report by which the candidates are published'),
  ('publicity.min_days', 3, 'days', '招标投标法实施条例 §54',
   'least days the candidates are publicised before the award');

-- Periods per trading method (R12): government procurement runs under its
-- own law, not the tendering law's clocks.  ptx.period_key picks the most
-- specific of key.category.method, key.category and key.  A project that
-- entered voluntarily (no catalog entry covers it) is not one that "must
-- be tendered" (招标投标法 §24): in construction and other tenders its
-- period is tender.min_bid_days.voluntary; the other categories' periods
-- come from their own laws and bind every project.
INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('tender.min_bid_days.procurement.open', 20, 'days', '政府采购货物和服务招标投标管理办法 (财政部令第87号) §16',
   'open procurement tender (公开招标): least days from issuing the documents to the bid deadline'),
  ('tender.min_bid_days.procurement.invited', 20, 'days', '政府采购货物和服务招标投标管理办法 (财政部令第87号) §16',
   'invited procurement tender (邀请招标): least days from issuing the documents to the bid deadline'),
  ('tender.min_bid_days.procurement.negotiation', 3, 'working days', '政府采购非招标采购方式管理办法 (财政部令第74号) §29',
   'competitive negotiation (竞争性谈判): least working days from issuing the documents to the first responses'),
  ('tender.min_bid_days.procurement.inquiry', 3, 'working days', '政府采购非招标采购方式管理办法 (财政部令第74号) §45',
   'inquiry (询价): least working days from issuing the inquiry notice to the responses'),
  ('tender.min_bid_days.procurement.consultation', 10, 'days', '政府采购竞争性磋商采购方式管理暂行办法 (财库〔2014〕214号) §10',
   'competitive consultation (竞争性磋商): least days from issuing the documents to the first responses'),
  ('tender.min_bid_days.procurement.single_source', 5, 'working days', '政府采购法实施条例 §38; 财政部令第74号 §38',
   'single source (单一来源): the announcement is the publicity of the single supplier; least working days before the negotiation'),
  ('tender.min_bid_days.voluntary', 0, 'days', '招标投标法 §24 (binds only projects that must be tendered)',
   'projects entered voluntarily, outside government procurement: least days to the bid deadline (a reasonable time set by the region)'),
  ('tender.min_bids.procurement.single_source', 1, 'bids', '政府采购法 §31, §39',
   'single source: the one supplier''s response is enough to open'),
  ('tender.opening_tolerance_minutes', 0, 'minutes', '招标投标法 §34; 财政部令第87号 §39',
   'minutes after the minute of the bid deadline in which the bids may still be opened (0: within the minute of the deadline)'),
  ('publicity.publish_within_days.procurement', 7, 'working days', '政府采购法实施条例 §43 (5 working days to decide, 2 to announce)',
   'government procurement: working days after the evaluation report by which the result is announced'),
  ('publicity.min_days.procurement', 1, 'working days', '财政部令第87号 §69; 财政部令第74号 §18',
   'government procurement: least working days the result is announced before the award notice takes effect'),
  ('amendment.min_days', 15, 'days', '招标投标法实施条例 §21; 招标投标法 §23',
   'a clarification or amendment of the documents reaches the bidders at least this many days before the bid deadline'),
  ('amendment.min_days.procurement.negotiation', 3, 'working days', '财政部令第74号 §29',
   'competitive negotiation: least working days between a clarification or amendment and the responses'),
  ('amendment.min_days.procurement.inquiry', 3, 'working days', '财政部令第74号 §45',
   'inquiry: least working days between a clarification or amendment and the responses'),
  ('amendment.min_days.procurement.consultation', 5, 'days', '财库〔2014〕214号 §10',
   'competitive consultation: least days between a clarification or amendment and the first responses');

------------------------------------------------------------------------
-- Trading methods (交易方式), a closed vocabulary per category.
------------------------------------------------------------------------
CREATE TABLE ptx.trade_method (
    category    text NOT NULL REFERENCES ptx.category (code),
    method      text NOT NULL CHECK (method ~ '^[a-z_]+$'),
    name_zh     text NOT NULL,
    basis       text NOT NULL,
    PRIMARY KEY (category, method)
);
COMMENT ON TABLE ptx.trade_method IS 'the trading methods (交易方式) each category allows, with their legal basis';
INSERT INTO ptx.trade_method (category, method, name_zh, basis) VALUES
  ('construction', 'open', '公开招标', '招标投标法 §10'),
  ('construction', 'invited', '邀请招标', '招标投标法 §10'),
  ('other', 'open', '公开招标', '招标投标法 §10'),
  ('other', 'invited', '邀请招标', '招标投标法 §10'),
  ('procurement', 'open', '公开招标', '政府采购法 §26'),
  ('procurement', 'invited', '邀请招标', '政府采购法 §26, §29'),
  ('procurement', 'negotiation', '竞争性谈判', '政府采购法 §26, §30'),
  ('procurement', 'consultation', '竞争性磋商', '政府采购法 §26; 财库〔2014〕214号'),
  ('procurement', 'inquiry', '询价', '政府采购法 §26, §32'),
  ('procurement', 'single_source', '单一来源采购', '政府采购法 §26, §31'),
  ('procurement', 'framework', '框架协议采购', '政府采购框架协议采购方式管理暂行办法 (财政部令第110号)'),
  ('land', 'open', '招标出让', '招标拍卖挂牌出让国有建设用地使用权规定 §2'),
  ('land', 'auction', '拍卖出让', '招标拍卖挂牌出让国有建设用地使用权规定 §2'),
  ('land', 'listing', '挂牌出让', '招标拍卖挂牌出让国有建设用地使用权规定 §2'),
  ('land', 'online_bidding', '网上竞价', '招标拍卖挂牌出让国有建设用地使用权规定 §2 (网上交易)'),
  ('mining', 'open', '招标出让', '矿业权出让交易规则'),
  ('mining', 'auction', '拍卖出让', '矿业权出让交易规则'),
  ('mining', 'listing', '挂牌出让', '矿业权出让交易规则'),
  ('mining', 'online_bidding', '网上竞价', '矿业权出让交易规则'),
  ('state_property', 'open', '公开征集 (招投标)', '企业国有资产交易监督管理办法 §17'),
  ('state_property', 'auction', '拍卖', '企业国有资产交易监督管理办法 §17'),
  ('state_property', 'listing', '挂牌 (协议成交)', '企业国有资产交易监督管理办法 §17'),
  ('state_property', 'online_bidding', '网络竞价', '企业国有资产交易监督管理办法 §17');

GRANT SELECT ON ptx.trade_method TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

ALTER TABLE ptx.project
    ADD COLUMN complex boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT project_method_fkey FOREIGN KEY (category, method)
        REFERENCES ptx.trade_method (category, method);
COMMENT ON COLUMN ptx.project.complex IS
    'technically complex, highly specialised or of great social impact (技术复杂、专业性强或者社会影响较大): a procurement committee of 7+ members (财政部令第87号 §47)';

------------------------------------------------------------------------
-- Transitions: one row per step of a project, never changed.
------------------------------------------------------------------------
CREATE TABLE ptx.transition (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  bigint NOT NULL REFERENCES ptx.project (id),
    round       integer NOT NULL,
    from_state  text,
    to_state    text NOT NULL,
    at          timestamptz NOT NULL DEFAULT ptx.now(),
    real_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    actor       text NOT NULL DEFAULT session_user,
    reason      text
);
COMMENT ON TABLE ptx.transition IS 'every step of every project: entry, state changes, suspensions and resumptions';
COMMENT ON COLUMN ptx.transition.from_state IS 'NULL for the entry of the project';
COMMENT ON COLUMN ptx.transition.to_state IS 'the new state; suspended when an objection or complaint suspends the project, and back when it resumes';
COMMENT ON COLUMN ptx.transition.at IS 'business time (ptx.now())';
COMMENT ON COLUMN ptx.transition.real_at IS 'wall-clock time of the recording';
COMMENT ON COLUMN ptx.transition.actor IS 'the session user who made the step';
CREATE INDEX transition_project_idx ON ptx.transition (project_id, id);
SELECT pg_catalog.pg_extension_config_dump('ptx.transition', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.transition', 'id'), '');

CREATE FUNCTION ptx.transition_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.real_at := pg_catalog.clock_timestamp();
        NEW.actor := session_user;
        RETURN NEW;
    END IF;
    PERFORM ptx.raise('lifecycle.transition_record', TG_OP);
    RETURN NULL;
END
$$;
CREATE TRIGGER transition_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.transition
    FOR EACH ROW EXECUTE FUNCTION ptx.transition_before_write();
CREATE TRIGGER transition_no_truncate BEFORE TRUNCATE ON ptx.transition
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.transition_before_write();

-- An unknown method is refused with the methods of the category (the
-- foreign key above is the backstop).
CREATE FUNCTION ptx.project_method_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NEW.category IS NULL OR NOT EXISTS (SELECT 1 FROM ptx.category c WHERE c.code = NEW.category) THEN
        RETURN NEW;                          -- the foreign key on category reports it
    END IF;
    IF NEW.method IS NULL OR NOT EXISTS (SELECT 1 FROM ptx.trade_method m
                                          WHERE m.category = NEW.category AND m.method = NEW.method) THEN
        PERFORM ptx.raise('lifecycle.unknown_method', NEW.category, COALESCE(NEW.method, 'NULL'),
                          (SELECT string_agg(m.method, ', ' ORDER BY m.method)
                             FROM ptx.trade_method m WHERE m.category = NEW.category));
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER project_method_check BEFORE INSERT OR UPDATE OF category, method ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.project_method_check();

-- The least period from the announcement to the bid deadline of a project:
-- the policy setting that applies, the earliest day of the deadline, and
-- the setting's value, unit and basis (for the machine's messages).
CREATE FUNCTION ptx.bid_period(project_id bigint, announced_at timestamptz)
    RETURNS TABLE (key text, earliest date, value text, unit text, basis text)
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT d.key, ptx.clock_date(ptx.local_date(bid_period.announced_at), d.key),
               ptx.setting(d.key)::text, d.unit, d.basis
          FROM ptx.project p
          CROSS JOIN LATERAL (
                SELECT CASE WHEN p.voluntary AND p.category IN ('construction', 'other')
                            THEN 'tender.min_bid_days.voluntary'
                            ELSE COALESCE(
                                (SELECT x.key FROM ptx.policy_default x
                                  WHERE x.key = 'tender.min_bid_days.' || p.category || '.' || p.method),
                                (SELECT x.key FROM ptx.policy_default x
                                  WHERE x.key = 'tender.min_bid_days.' || p.category),
                                'tender.min_bid_days.other') END AS key) k
          JOIN ptx.policy_default d ON d.key = k.key
         WHERE p.id = bid_period.project_id;
    END;
COMMENT ON FUNCTION ptx.bid_period(bigint, timestamptz) IS
    'the least bid period of a project announced at a time: its setting, the earliest deadline day, value, unit and basis';

CREATE FUNCTION ptx.min_bids(project_id bigint) RETURNS integer
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT ptx.setting(ptx.period_key('tender.min_bids', p.category, p.method))::integer
          FROM ptx.project p WHERE p.id = min_bids.project_id;
    END;
COMMENT ON FUNCTION ptx.min_bids(bigint) IS
    'the least valid bids that open a project''s tender: tender.min_bids, or its setting for the category and method';

------------------------------------------------------------------------
-- The machine (src/lifecycle.c).
------------------------------------------------------------------------
CREATE FUNCTION ptx.transition_allowed(from_state text, to_state text) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_transition_allowed';
COMMENT ON FUNCTION ptx.transition_allowed(text, text) IS
    'true when the lifecycle has a step from one state to another';

CREATE FUNCTION ptx.next_states(state text) RETURNS text[]
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_next_states';
COMMENT ON FUNCTION ptx.next_states(text) IS 'the states a project can go to from a state';

CREATE FUNCTION ptx.receipt_time() RETURNS timestamptz
    LANGUAGE c VOLATILE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'ptx_receipt_time';
COMMENT ON FUNCTION ptx.receipt_time() IS
    'time of receipt of a bid or objection: ptx.now() under a faked clock, else the current wall-clock time';

CREATE FUNCTION ptx.project_guard() RETURNS trigger
    LANGUAGE c
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'ptx_project_guard';
CREATE TRIGGER project_guard BEFORE INSERT OR UPDATE ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.project_guard();

CREATE FUNCTION ptx.project_record() RETURNS trigger
    LANGUAGE c
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'ptx_project_record';
CREATE TRIGGER project_record AFTER INSERT OR UPDATE ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.project_record();

------------------------------------------------------------------------
-- Candidates (中标候选人): at most candidates.max, ranked, each with a
-- valid bid of the current round.
------------------------------------------------------------------------
CREATE TABLE ptx.candidate (
    project_id  bigint NOT NULL REFERENCES ptx.project (id),
    round       integer NOT NULL,
    rank        integer NOT NULL CHECK (rank >= 1),
    bidder_id   bigint NOT NULL REFERENCES ptx.org (id),
    bid_id      bigint NOT NULL REFERENCES ptx.bid (id),
    published_at timestamptz NOT NULL DEFAULT ptx.now(),
    evaluation  integer NOT NULL DEFAULT 1 CHECK (evaluation >= 1),
    CONSTRAINT candidate_pkey PRIMARY KEY (project_id, round, evaluation, rank),
    CONSTRAINT candidate_project_id_round_evaluation_bidder_id_key
        UNIQUE (project_id, round, evaluation, bidder_id)
);
COMMENT ON TABLE ptx.candidate IS 'ranked candidates (中标候选人) named by the evaluation committee and publicised';
COMMENT ON COLUMN ptx.candidate.evaluation IS
    'the evaluation of the round that named them: 1, then one more for each re-evaluation (重新评审) after an upheld objection to the result; the latest evaluation''s candidates are the ones publicised and awarded';
SELECT pg_catalog.pg_extension_config_dump('ptx.candidate', '');

-- The evaluation a project's candidates belong to: 1, and one more for each
-- time the project went back from publicity to evaluation in its round.
CREATE FUNCTION ptx.candidate_evaluation(project_id bigint) RETURNS integer
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT 1 + pg_catalog.count(*)::integer
          FROM ptx.project p
          JOIN ptx.transition t ON t.project_id = p.id AND t.round = p.round
         WHERE p.id = candidate_evaluation.project_id
           AND t.from_state = 'publicity' AND t.to_state = 'evaluating';
    END;
COMMENT ON FUNCTION ptx.candidate_evaluation(bigint) IS
    'the evaluation of the project''s current round that names candidates now: 1, plus one for each re-evaluation (重新评审)';

CREATE FUNCTION ptx.candidate_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    b ptx.bid;
    max_rank integer := ptx.setting('candidates.max');
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM ptx.raise('lifecycle.candidate_record', TG_OP);
    END IF;
    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('lifecycle.candidate_project_missing', COALESCE(NEW.project_id::text, '<NULL>'));
    END IF;
    IF p.state <> 'evaluating' THEN
        PERFORM ptx.raise('lifecycle.candidates_wrong_state', p.code, p.state);
    END IF;
    IF NEW.rank > max_rank THEN
        PERFORM ptx.raise('lifecycle.candidate_rank', p.code, NEW.rank::text, max_rank::text);
    END IF;
    SELECT * INTO b FROM ptx.bid
     WHERE project_id = NEW.project_id AND round = p.round AND bidder_id = NEW.bidder_id;
    IF NOT FOUND OR b.status <> 'valid' THEN
        IF b.id IS NULL THEN
            PERFORM ptx.raise('lifecycle.candidate_no_bid', COALESCE(NEW.bidder_id::text, '<NULL>'), p.code,
                              p.round::text);
        ELSE
            PERFORM ptx.raise('lifecycle.candidate_bid_invalid', COALESCE(NEW.bidder_id::text, '<NULL>'), p.code,
                              b.id::text, b.status);
        END IF;
    END IF;
    NEW.round := p.round;
    NEW.bid_id := b.id;
    NEW.published_at := ptx.now();
    NEW.evaluation := ptx.candidate_evaluation(p.id);
    RETURN NEW;
END
$$;
CREATE TRIGGER candidate_before_write BEFORE INSERT OR UPDATE OR DELETE ON ptx.candidate
    FOR EACH ROW EXECUTE FUNCTION ptx.candidate_before_write();

------------------------------------------------------------------------
-- The API.  Each function is one step: a single UPDATE the machine checks.
------------------------------------------------------------------------
CREATE FUNCTION ptx.project_lock(project_id bigint, step_to text[] DEFAULT NULL) RETURNS ptx.project
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
BEGIN
    SELECT * INTO p FROM ptx.project WHERE id = project_lock.project_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('lifecycle.project_missing', COALESCE(project_id::text, '<NULL>'));
    END IF;
    IF p.state = ANY (step_to) THEN
        PERFORM ptx.raise('lifecycle.already_in_state', p.code, p.state, p.state_changed_at::text);
    END IF;
    RETURN p;
END
$$;
COMMENT ON FUNCTION ptx.project_lock(bigint, text[]) IS
    'the project row, locked for a step to one of the given states; an error when it does not exist or is already there';

CREATE FUNCTION ptx.announce(project_id bigint, bid_deadline timestamptz) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id);
BEGIN
    PERFORM ptx.check_centre('announce', project_id);
    IF p.state = 'announced' THEN
        PERFORM ptx.raise('lifecycle.already_announced', p.code, p.bid_deadline::text);
    END IF;
    UPDATE ptx.project SET state = 'announced', bid_deadline = announce.bid_deadline
     WHERE id = announce.project_id;
END
$$;
COMMENT ON FUNCTION ptx.announce(bigint, timestamptz) IS
    'publish the tender announcement and documents (招标公告) with the bid deadline; also re-tenders a failed project';

CREATE FUNCTION ptx.extend_deadline(project_id bigint, bid_deadline timestamptz) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_centre('extend_deadline', project_id);
    PERFORM ptx.project_lock(project_id);
    UPDATE ptx.project SET bid_deadline = extend_deadline.bid_deadline
     WHERE id = extend_deadline.project_id;
END
$$;
COMMENT ON FUNCTION ptx.extend_deadline(bigint, timestamptz) IS
    'postpone the bid deadline of an announced project before it passes';

CREATE FUNCTION ptx.open_bids(project_id bigint) RETURNS text
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id, '{opened,failed}');
    n bigint;
    outcome text;
BEGIN
    PERFORM ptx.check_centre('open_bids', project_id);
    SELECT count(*) INTO n FROM ptx.bid b
     WHERE b.project_id = p.id AND b.round = p.round AND b.status = 'valid';
    outcome := CASE WHEN n >= ptx.min_bids(p.id) THEN 'opened' ELSE 'failed' END;
    UPDATE ptx.project SET state = outcome,
           state_note = CASE WHEN outcome = 'failed'
                             THEN format('%s valid bids at the deadline of round %s', n, p.round) END
     WHERE id = p.id;
    RETURN outcome;
END
$$;
COMMENT ON FUNCTION ptx.open_bids(bigint) IS
    'open the bids (开标) at the deadline: opened with enough valid bids, else failed (流标), to be tendered again';

CREATE FUNCTION ptx.start_evaluation(project_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_centre('start_evaluation', project_id);
    PERFORM ptx.project_lock(project_id, '{evaluating}');
    UPDATE ptx.project SET state = 'evaluating' WHERE id = start_evaluation.project_id;
END
$$;
COMMENT ON FUNCTION ptx.start_evaluation(bigint) IS 'hand the opened bids to the evaluation committee (评标)';

CREATE FUNCTION ptx.report_evaluation(project_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id);
BEGIN
    PERFORM ptx.check_centre('report_evaluation', project_id);
    IF p.reported_at IS NOT NULL THEN
        PERFORM ptx.raise('lifecycle.report_recorded', p.code, p.reported_at::text);
    END IF;
    UPDATE ptx.project SET reported_at = ptx.now() WHERE id = report_evaluation.project_id;
END
$$;
COMMENT ON FUNCTION ptx.report_evaluation(bigint) IS
    'record the receipt of the evaluation report (评标报告); the publication clock starts';

CREATE FUNCTION ptx.publish_candidates(project_id bigint, bidder_ids bigint[],
                                       publicity_until timestamptz DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id, '{publicity}');
    max_n integer := ptx.setting('candidates.max');
BEGIN
    PERFORM ptx.check_centre('publish_candidates', project_id);
    IF COALESCE(cardinality(bidder_ids), 0) = 0 OR cardinality(bidder_ids) > max_n
       OR array_position(bidder_ids, NULL) IS NOT NULL THEN
        PERFORM ptx.raise(CASE WHEN bidder_ids IS NULL THEN 'lifecycle.candidates_none'
                               ELSE 'lifecycle.candidates_count' END,
                          p.code, max_n::text, bidder_ids::text);
    END IF;
    IF (SELECT count(DISTINCT x) FROM unnest(bidder_ids) x) <> cardinality(bidder_ids) THEN
        PERFORM ptx.raise('lifecycle.candidate_twice', p.code, bidder_ids::text);
    END IF;
    INSERT INTO ptx.candidate (project_id, rank, bidder_id)
    SELECT p.id, r.rank, r.bidder_id
      FROM unnest(bidder_ids) WITH ORDINALITY r(bidder_id, rank);
    UPDATE ptx.project SET state = 'publicity',
           publicity_until = publish_candidates.publicity_until
     WHERE id = p.id;
END
$$;
COMMENT ON FUNCTION ptx.publish_candidates(bigint, bigint[], timestamptz) IS
    'publish the ranked candidates (中标候选人公示); publicity lasts until the given end, at least publicity.min_days';

-- Re-evaluation (重新评审): an objection to the result (评标结果异议, 条例
-- §54) or a procurement challenge (质疑, 政府采购法 §52) upheld during the
-- publicity sends the project back to its evaluation committee.  The
-- machine (src/lifecycle.c) checks the upheld objection and clears the
-- report and the publicity; the committee reports again and new candidates
-- are published, of the next evaluation (ptx.candidate.evaluation).
CREATE FUNCTION ptx.reevaluate(project_id bigint, reason text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_centre('reevaluate', project_id);
    IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
        PERFORM ptx.raise('lifecycle.reevaluate_no_reason');
    END IF;
    PERFORM ptx.project_lock(project_id, '{evaluating}');
    UPDATE ptx.project SET state = 'evaluating', state_note = reevaluate.reason
     WHERE id = reevaluate.project_id;
END
$$;
COMMENT ON FUNCTION ptx.reevaluate(bigint, text) IS
    'send a project in publicity back to evaluation (重新评审) after an objection to the result or a challenge was upheld in this publicity';

CREATE FUNCTION ptx.award(project_id bigint, bidder_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
BEGIN
    PERFORM ptx.check_centre('award', project_id);
    p := ptx.project_lock(project_id);
    IF p.state = 'awarded' AND p.winner_id IS DISTINCT FROM award.bidder_id THEN
        -- the winner set aside, the next candidate (条例 §55): the machine checks
        UPDATE ptx.project SET winner_id = award.bidder_id WHERE id = award.project_id;
        RETURN;
    END IF;
    IF p.state = 'awarded' THEN
        PERFORM ptx.raise('lifecycle.already_awarded', p.code, p.state_changed_at::text);
    END IF;
    UPDATE ptx.project SET state = 'awarded', winner_id = award.bidder_id
     WHERE id = award.project_id;
END
$$;
COMMENT ON FUNCTION ptx.award(bigint, bigint) IS
    'issue the award notice (中标通知书) to a candidate after the publicity; once the winner is set aside, to the next candidate';

CREATE FUNCTION ptx.terminate(project_id bigint, reason text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_centre('terminate', project_id);
    PERFORM ptx.project_lock(project_id, '{terminated}');
    UPDATE ptx.project SET state = 'terminated', state_note = terminate.reason
     WHERE id = terminate.project_id;
END
$$;
COMMENT ON FUNCTION ptx.terminate(bigint, text) IS 'terminate a project (终止招标) with a reason';

CREATE FUNCTION ptx.close_project(project_id bigint, note text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.check_centre('close_project', project_id);
    PERFORM ptx.project_lock(project_id, '{closed}');
    UPDATE ptx.project SET state = 'closed', state_note = close_project.note
     WHERE id = close_project.project_id;
END
$$;
COMMENT ON FUNCTION ptx.close_project(bigint, text) IS 'close a contracted project (归档)';

CREATE FUNCTION ptx.project_history(project_id bigint)
    RETURNS TABLE (at timestamptz, round integer, from_state text, to_state text,
                   actor text, reason text)
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT t.at, t.round, t.from_state, t.to_state, t.actor, t.reason
          FROM ptx.transition t
         WHERE t.project_id = project_history.project_id
         ORDER BY t.id;
    END;
COMMENT ON FUNCTION ptx.project_history(bigint) IS 'the steps of a project in order';

GRANT SELECT ON ptx.transition, ptx.candidate TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT UPDATE ON ptx.project TO ptx_admin;
GRANT EXECUTE ON FUNCTION ptx.transition_allowed(text, text), ptx.next_states(text),
    ptx.receipt_time(), ptx.project_history(bigint),
    ptx.bid_period(bigint, timestamptz), ptx.min_bids(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.announce(bigint, timestamptz),
    ptx.extend_deadline(bigint, timestamptz), ptx.open_bids(bigint),
    ptx.start_evaluation(bigint), ptx.report_evaluation(bigint),
    ptx.publish_candidates(bigint, bigint[], timestamptz), ptx.award(bigint, bigint),
    ptx.terminate(bigint, text), ptx.close_project(bigint, text),
    ptx.reevaluate(bigint, text)
    TO ptx_admin, ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.candidate_evaluation(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
