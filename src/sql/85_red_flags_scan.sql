-- The checks of the association analysis (关联对比分析, R9) and the scan
-- that records what they find as red flags (85_red_flags.sql).
--
-- Each check is one set-based SQL function over the days [from_date,
-- to_date] (local dates, ptx.local_date): it returns the hits whose event
-- (the opening of the bids, the end of a round, the award, the signing of
-- a contract) falls on those days, looking back as far as its rule needs.
-- Bids are read only once opened (开标): a sealed bid tells nothing, not
-- even to the analysis.  "The bids of a round" are those opened and not
-- withdrawn.  docs/reference/red-flags.md defines every kind.

CREATE TYPE ptx.red_flag_hit AS (
    kind        text,
    subject     jsonb,
    project_id  bigint,
    contract_id bigint,
    org_ids     bigint[],
    expert_id   bigint,
    event_on    date,
    evidence    jsonb
);
COMMENT ON TYPE ptx.red_flag_hit IS 'a red flag found by a check, before it is recorded';

CREATE FUNCTION ptx.check_red_flag_period(from_date date, to_date date) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF from_date IS NULL OR to_date IS NULL OR from_date > to_date THEN
        PERFORM ptx.raise('red_flags.invalid_period', COALESCE(from_date::text, 'NULL'), COALESCE(to_date::text, 'NULL'));
    END IF;
END
$$;

------------------------------------------------------------------------
-- Bidders of one round sharing a phone, an e-mail address, an address or
-- a legal representative (招标投标法实施条例 §40).  One hit per round and
-- group of bidders, naming every item they share.
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_shared_contact(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH item AS (
            SELECT b.project_id, b.round, b.id AS bid_id, b.bidder_id,
                   ptx.local_date(b.opened_at) AS opened_on, i.field, i.value, i.shown
              FROM ptx.bid b
              JOIN ptx.org o ON o.id = b.bidder_id
             CROSS JOIN LATERAL (VALUES
                   -- personal data: compared by keyed hash, never shown
                   -- (ptx.org_contact() opens it, and records the read)
                   ('phone', pg_catalog.encode(o.phone_hash, 'hex'), 'personal data: ptx.org_contact()'),
                   ('email', pg_catalog.encode(o.email_hash, 'hex'), 'personal data: ptx.org_contact()'),
                   ('address', ptx.normalize_address(o.address), o.address),
                   ('legal_rep', pg_catalog.encode(o.legal_rep_id_hash, 'hex'), o.legal_rep_name)
                 ) i(field, value, shown)
             WHERE b.opened_at IS NOT NULL AND b.status <> 'withdrawn'
               AND ptx.local_date(b.opened_at) BETWEEN red_flags_shared_contact.from_date
                                                   AND red_flags_shared_contact.to_date
               AND i.value IS NOT NULL
        ), shared AS (
            SELECT i.project_id, i.round, i.field,
                   pg_catalog.array_agg(i.bidder_id ORDER BY i.bidder_id) AS bidders,
                   pg_catalog.array_agg(i.bid_id ORDER BY i.bid_id) AS bids,
                   pg_catalog.array_agg(DISTINCT i.shown) AS shown,
                   pg_catalog.min(i.opened_on) AS opened_on
              FROM item i
             GROUP BY i.project_id, i.round, i.field, i.value
            HAVING pg_catalog.count(*) >= 2
        )
        SELECT ROW('shared_contact',
                   pg_catalog.jsonb_build_object('project_id', s.project_id, 'round', s.round,
                                                 'bidders', pg_catalog.to_jsonb(s.bidders)),
                   s.project_id, NULL::bigint, s.bidders, NULL::bigint, pg_catalog.min(s.opened_on),
                   pg_catalog.jsonb_build_object(
                       'round', s.round,
                       'bids', pg_catalog.to_jsonb(pg_catalog.min(s.bids)),
                       'bidders', pg_catalog.to_jsonb(s.bidders),
                       'shared', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                     'field', s.field, 'value', pg_catalog.to_jsonb(s.shown))
                                 ORDER BY s.field)))::ptx.red_flag_hit
          FROM shared s
         GROUP BY s.project_id, s.round, s.bidders;
    END;
COMMENT ON FUNCTION ptx.red_flags_shared_contact(date, date) IS
    'red flags shared_contact: bidders of one round sharing a phone, e-mail, address or legal representative';

------------------------------------------------------------------------
-- Bids of one round with the same value (招标投标法实施条例 §40):
--   same_fingerprint  the same machine fingerprint (由同一单位或者个人编制)
--   same_document     the same digest of the documents (投标文件异常一致)
--   identical_price   the same price
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_same_bid_value(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH item AS (
            SELECT b.project_id, b.round, b.id AS bid_id, b.bidder_id,
                   ptx.local_date(b.opened_at) AS opened_on, v.kind, v.value
              FROM ptx.bid b
             CROSS JOIN LATERAL (VALUES
                   ('same_fingerprint', b.fingerprint),
                   ('same_document', pg_catalog.encode(b.doc_digest, 'hex')),
                   ('identical_price', b.price::text)
                 ) v(kind, value)
             WHERE b.opened_at IS NOT NULL AND b.status <> 'withdrawn'
               AND ptx.local_date(b.opened_at) BETWEEN red_flags_same_bid_value.from_date
                                                   AND red_flags_same_bid_value.to_date
               AND v.value IS NOT NULL
        )
        SELECT ROW(i.kind,
                   pg_catalog.jsonb_build_object('project_id', i.project_id, 'round', i.round,
                                                 'bidders', pg_catalog.to_jsonb(pg_catalog.array_agg(i.bidder_id ORDER BY i.bidder_id))),
                   i.project_id, NULL::bigint,
                   pg_catalog.array_agg(i.bidder_id ORDER BY i.bidder_id), NULL::bigint,
                   pg_catalog.min(i.opened_on),
                   pg_catalog.jsonb_build_object(
                       'round', i.round,
                       CASE i.kind WHEN 'same_fingerprint' THEN 'fingerprint'
                                   WHEN 'same_document' THEN 'doc_digest' ELSE 'price' END,
                       CASE WHEN i.kind = 'identical_price' THEN pg_catalog.to_jsonb(i.value::numeric)
                            ELSE pg_catalog.to_jsonb(i.value) END,
                       'bids', pg_catalog.to_jsonb(pg_catalog.array_agg(i.bid_id ORDER BY i.bid_id)),
                       'bidders', pg_catalog.to_jsonb(pg_catalog.array_agg(i.bidder_id ORDER BY i.bidder_id))))::ptx.red_flag_hit
          FROM item i
         GROUP BY i.kind, i.project_id, i.round, i.value
        HAVING pg_catalog.count(*) >= 2;
    END;
COMMENT ON FUNCTION ptx.red_flags_same_bid_value(date, date) IS
    'red flags same_fingerprint, same_document and identical_price: bids of one round with the same machine fingerprint, document digest or price';

------------------------------------------------------------------------
-- single_bid: a round that ended (opened, or failed) with one bid.  In a
-- failed round the bids are returned sealed and a bid withdrawn earlier
-- is returned with them: such a round counts every bid returned.
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_single_bid(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH round_end AS (
            SELECT DISTINCT ON (t.project_id, t.round) t.project_id, t.round, t.to_state, t.at
              FROM ptx.transition t
             WHERE t.to_state IN ('opened', 'failed')
             ORDER BY t.project_id, t.round, t.id
        ), round_bids AS (
            SELECT b.project_id, b.round, pg_catalog.count(*) AS n,
                   pg_catalog.min(b.id) AS bid_id, pg_catalog.min(b.bidder_id) AS bidder_id
              FROM ptx.bid b
             WHERE b.status <> 'withdrawn'
             GROUP BY b.project_id, b.round
        )
        SELECT ROW('single_bid',
                   pg_catalog.jsonb_build_object('project_id', e.project_id, 'round', e.round),
                   e.project_id, NULL::bigint, ARRAY[r.bidder_id], NULL::bigint,
                   ptx.local_date(e.at),
                   pg_catalog.jsonb_build_object('round', e.round, 'outcome', e.to_state,
                                                 'ended_at', e.at, 'bids', 1,
                                                 'bid', r.bid_id, 'bidder', r.bidder_id))::ptx.red_flag_hit
          FROM round_end e
          JOIN round_bids r ON r.project_id = e.project_id AND r.round = e.round
         WHERE r.n = 1
           AND ptx.local_date(e.at) BETWEEN red_flags_single_bid.from_date AND red_flags_single_bid.to_date;
    END;
COMMENT ON FUNCTION ptx.red_flags_single_bid(date, date) IS
    'red flags single_bid: a round that ended (opened or failed) with a single bid';

------------------------------------------------------------------------
-- At the award (中标通知书), over the bids of the winning round:
--   close_runner_up  the runner-up (the best-ranked candidate other than
--                    the winner) bid within red_flag.close_bid_ratio of
--                    the winning price: |runner-up − winner| ≤ ratio × winner
--   others_rejected  every bid but the winner's was rejected (否决)
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_award(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH award AS (
            SELECT p.id AS project_id, p.round, p.winner_id, ptx.local_date(p.awarded_at) AS awarded_on,
                   w.id AS bid_id, w.price
              FROM ptx.project p
              JOIN ptx.bid w ON w.project_id = p.id AND w.round = p.round AND w.bidder_id = p.winner_id
             WHERE p.winner_id IS NOT NULL AND p.awarded_at IS NOT NULL
               AND ptx.local_date(p.awarded_at) BETWEEN red_flags_award.from_date AND red_flags_award.to_date
        ), runner_up AS (
            SELECT DISTINCT ON (a.project_id) a.*, c.rank, c.bidder_id AS runner_up_id,
                   r.id AS runner_up_bid, r.price AS runner_up_price,
                   pg_catalog.abs(r.price - a.price) AS gap,
                   ptx.setting('red_flag.close_bid_ratio') AS ratio
              FROM award a
              JOIN ptx.candidate c ON c.project_id = a.project_id AND c.round = a.round
                                  AND c.bidder_id <> a.winner_id
                                  AND NOT EXISTS (SELECT 1 FROM ptx.candidate l
                                                   WHERE l.project_id = c.project_id AND l.round = c.round
                                                     AND l.evaluation > c.evaluation)
              JOIN ptx.bid r ON r.id = c.bid_id
             ORDER BY a.project_id, c.rank
        ), others AS (
            SELECT a.project_id, pg_catalog.count(*) AS n,
                   pg_catalog.count(*) FILTER (WHERE o.status = 'rejected') AS rejected,
                   pg_catalog.array_agg(o.bidder_id ORDER BY o.bidder_id) AS bidders,
                   pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('bid', o.id, 'bidder', o.bidder_id,
                                                                      'price', o.price, 'reason', o.status_note)
                                        ORDER BY o.id) AS bids
              FROM award a
              JOIN ptx.bid o ON o.project_id = a.project_id AND o.round = a.round
                            AND o.id <> a.bid_id AND o.opened_at IS NOT NULL AND o.status <> 'withdrawn'
             GROUP BY a.project_id
        )
        SELECT ROW('close_runner_up',
                   pg_catalog.jsonb_build_object('project_id', u.project_id, 'round', u.round),
                   u.project_id, NULL::bigint,
                   ARRAY[LEAST(u.winner_id, u.runner_up_id), GREATEST(u.winner_id, u.runner_up_id)],
                   NULL::bigint, u.awarded_on,
                   pg_catalog.jsonb_build_object(
                       'round', u.round,
                       'winner', pg_catalog.jsonb_build_object('bidder', u.winner_id, 'bid', u.bid_id, 'price', u.price),
                       'runner_up', pg_catalog.jsonb_build_object('bidder', u.runner_up_id, 'bid', u.runner_up_bid,
                                                                  'price', u.runner_up_price, 'rank', u.rank),
                       'gap', u.gap,
                       'gap_ratio', CASE WHEN u.price > 0 THEN pg_catalog.round(u.gap / u.price, 6) END,
                       'red_flag.close_bid_ratio', u.ratio))::ptx.red_flag_hit
          FROM runner_up u
         WHERE u.gap <= u.ratio * u.price
        UNION ALL
        SELECT ROW('others_rejected',
                   pg_catalog.jsonb_build_object('project_id', a.project_id, 'round', a.round),
                   a.project_id, NULL::bigint,
                   ARRAY(SELECT x FROM pg_catalog.unnest(o.bidders || a.winner_id) x ORDER BY x),
                   NULL::bigint, a.awarded_on,
                   pg_catalog.jsonb_build_object(
                       'round', a.round,
                       'winner', pg_catalog.jsonb_build_object('bidder', a.winner_id, 'bid', a.bid_id, 'price', a.price),
                       'rejected', o.bids))::ptx.red_flag_hit
          FROM award a
          JOIN others o ON o.project_id = a.project_id
         WHERE o.rejected = o.n;
    END;
COMMENT ON FUNCTION ptx.red_flags_award(date, date) IS
    'red flags close_runner_up and others_rejected, at the award: runner-up within red_flag.close_bid_ratio of the winning price; every other bid rejected';

------------------------------------------------------------------------
-- repeated_winner: a supplier's trade with one tenderee that makes
-- red_flag.repeat_wins within red_flag.repeat_window_months (the window
-- ends on the day of that trade and holds the days after the same day
-- that many months earlier).  Trades are awards on the platform and
-- contracts outside it.  The trade at which the count reaches the number
-- is flagged; the count starts again once older trades leave the window.
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_repeated_winner(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH trade AS (
            SELECT 'project'::text AS source, p.id, p.tenderee_id, p.winner_id AS supplier_id,
                   ptx.local_date(p.awarded_at) AS day
              FROM ptx.project p
             WHERE p.winner_id IS NOT NULL AND p.awarded_at IS NOT NULL
            UNION ALL
            SELECT 'contract', c.id, c.tenderee_id, c.supplier_id, c.signed_on
              FROM ptx.contract c
             WHERE c.project_id IS NULL
        ), counted AS (
            SELECT t.*, w.n, w.trades, a.window_after
              FROM trade t
             CROSS JOIN LATERAL (
                   SELECT (t.day - pg_catalog.make_interval(months => ptx.setting('red_flag.repeat_window_months')::int))::date
                              AS window_after) a
             CROSS JOIN LATERAL (
                   SELECT pg_catalog.count(*) AS n,
                          pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('source', t2.source, 'id', t2.id, 'day', t2.day)
                                               ORDER BY t2.day, t2.source, t2.id) AS trades
                     FROM trade t2
                    WHERE t2.tenderee_id = t.tenderee_id AND t2.supplier_id = t.supplier_id
                      AND t2.day > a.window_after
                      AND (t2.day, t2.source, t2.id) <= (t.day, t.source, t.id)) w
             WHERE t.day BETWEEN red_flags_repeated_winner.from_date AND red_flags_repeated_winner.to_date
        )
        SELECT ROW('repeated_winner',
                   pg_catalog.jsonb_build_object('tenderee_id', c.tenderee_id, 'supplier_id', c.supplier_id,
                                                 c.source || '_id', c.id),
                   CASE WHEN c.source = 'project' THEN c.id END,
                   CASE WHEN c.source = 'contract' THEN c.id END,
                   ARRAY[LEAST(c.tenderee_id, c.supplier_id), GREATEST(c.tenderee_id, c.supplier_id)],
                   NULL::bigint, c.day,
                   pg_catalog.jsonb_build_object(
                       'tenderee', c.tenderee_id, 'supplier', c.supplier_id,
                       'wins', c.n, 'window', pg_catalog.jsonb_build_object('after', c.window_after, 'until', c.day),
                       'trades', c.trades,
                       'red_flag.repeat_wins', ptx.setting('red_flag.repeat_wins'),
                       'red_flag.repeat_window_months', ptx.setting('red_flag.repeat_window_months')))::ptx.red_flag_hit
          FROM counted c
         WHERE c.n = ptx.setting('red_flag.repeat_wins');
    END;
COMMENT ON FUNCTION ptx.red_flags_repeated_winner(date, date) IS
    'red flags repeated_winner: the trade at which a supplier reaches red_flag.repeat_wins wins from one tenderee within red_flag.repeat_window_months';

------------------------------------------------------------------------
-- expert_winner: the award at which one expert has sat on the committees
-- of red_flag.expert_winner_count projects won by one bidder within
-- red_flag.repeat_window_months (counted as repeated_winner counts).
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_expert_winner(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH seat AS (
            SELECT DISTINCT m.expert_id, p.id AS project_id, p.winner_id, ptx.local_date(p.awarded_at) AS day
              FROM ptx.committee_member m
              JOIN ptx.project p ON p.id = m.project_id
             WHERE m.expert_id IS NOT NULL AND p.winner_id IS NOT NULL AND p.awarded_at IS NOT NULL
        ), counted AS (
            SELECT s.*, w.n, w.projects, a.window_after
              FROM seat s
             CROSS JOIN LATERAL (
                   SELECT (s.day - pg_catalog.make_interval(months => ptx.setting('red_flag.repeat_window_months')::int))::date
                              AS window_after) a
             CROSS JOIN LATERAL (
                   SELECT pg_catalog.count(*) AS n,
                          pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('project', s2.project_id, 'awarded_on', s2.day)
                                               ORDER BY s2.day, s2.project_id) AS projects
                     FROM seat s2
                    WHERE s2.expert_id = s.expert_id AND s2.winner_id = s.winner_id
                      AND s2.day > a.window_after
                      AND (s2.day, s2.project_id) <= (s.day, s.project_id)) w
             WHERE s.day BETWEEN red_flags_expert_winner.from_date AND red_flags_expert_winner.to_date
        )
        SELECT ROW('expert_winner',
                   pg_catalog.jsonb_build_object('expert_id', c.expert_id, 'winner_id', c.winner_id,
                                                 'project_id', c.project_id),
                   c.project_id, NULL::bigint, ARRAY[c.winner_id], c.expert_id, c.day,
                   pg_catalog.jsonb_build_object(
                       'expert', c.expert_id, 'winner', c.winner_id, 'committees', c.n,
                       'window', pg_catalog.jsonb_build_object('after', c.window_after, 'until', c.day),
                       'projects', c.projects,
                       'red_flag.expert_winner_count', ptx.setting('red_flag.expert_winner_count'),
                       'red_flag.repeat_window_months', ptx.setting('red_flag.repeat_window_months')))::ptx.red_flag_hit
          FROM counted c
         WHERE c.n = ptx.setting('red_flag.expert_winner_count');
    END;
COMMENT ON FUNCTION ptx.red_flags_expert_winner(date, date) IS
    'red flags expert_winner: the award at which an expert reaches red_flag.expert_winner_count committees of projects won by one bidder within red_flag.repeat_window_months';

------------------------------------------------------------------------
-- A draw request cancelled before its execution (撤销抽取申请,
-- 66_draw_cancellation.sql): every cancellation is flagged on its day, so
-- that an operator who cancels until a draw suits him is seen.
------------------------------------------------------------------------
-- (PL/pgSQL, so that an upgrade may create it before the table it reads)
CREATE FUNCTION ptx.red_flags_cancelled_draw(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY
        SELECT (ROW('cancelled_draw',
                   pg_catalog.jsonb_build_object('draw_id', c.draw_id),
                   d.project_id, NULL::bigint, '{}'::bigint[], NULL::bigint,
                   ptx.local_date(c.cancelled_at),
                   pg_catalog.jsonb_build_object(
                       'draw', c.draw_id, 'round', ptx.expert_draw_round(d.pool_rules), 'need', d.need,
                       'requested_by', d.requested_by, 'requested_at', d.requested_at,
                       'cancelled_by', c.cancelled_by, 'cancelled_at', c.cancelled_at, 'reason', c.reason,
                       'cancellations_of_project', (SELECT pg_catalog.count(*)
                                                      FROM ptx.draw_cancellation c2
                                                      JOIN ptx.draw_request d2 ON d2.id = c2.draw_id
                                                     WHERE d2.project_id = d.project_id
                                                       AND c2.draw_id <= c.draw_id)))::ptx.red_flag_hit).*
          FROM ptx.draw_cancellation c
          JOIN ptx.draw_request d ON d.id = c.draw_id
         WHERE ptx.local_date(c.cancelled_at) BETWEEN red_flags_cancelled_draw.from_date AND red_flags_cancelled_draw.to_date;
END
$$;
COMMENT ON FUNCTION ptx.red_flags_cancelled_draw(date, date) IS
    'red flags cancelled_draw: a draw request cancelled before its execution (ptx.cancel_draw), on the day of the cancellation';

------------------------------------------------------------------------
-- The red flag of a re-evaluation (重新评审, 85_red_flags.sql): a project
-- sent back from the publicity of its candidates to evaluation.  The law
-- allows it only after an objection to the result (招标投标法实施条例 §54)
-- or a procurement challenge (政府采购法 §52) was upheld, and ptx refuses
-- it otherwise; but the one who answers the objection is the tenderee's
-- side, so an insider who wants other candidates could uphold an
-- objection and have the ranking redone.  Every re-evaluation is therefore
-- shown to the supervisor with what made it possible: the objections
-- upheld, who answered them, who sent the project back, and the candidate
-- ranked first by the evaluation set aside.
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_reevaluation(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        SELECT ROW('reevaluation',
                   pg_catalog.jsonb_build_object('transition_id', t.id),
                   t.project_id, NULL::bigint,
                   ARRAY(SELECT DISTINCT u.org_id
                           FROM pg_catalog.unnest(ARRAY[p.tenderee_id, first.bidder_id] || up.complainants) u(org_id)
                          WHERE u.org_id IS NOT NULL
                          ORDER BY 1),
                   NULL::bigint,
                   ptx.local_date(t.at),
                   pg_catalog.jsonb_build_object(
                       'round', t.round,
                       'evaluation', ev.n,
                       'reevaluations_of_round', ev.n - 1,
                       'sent_back_by', t.actor, 'sent_back_at', t.at, 'reason', t.reason,
                       'first_candidate_set_aside', first.bidder_id,
                       'objections_upheld', up.objections))::ptx.red_flag_hit
          FROM ptx.transition t
          JOIN ptx.project p ON p.id = t.project_id
          -- the evaluation this step starts: 1 + the re-evaluations of the
          -- round up to and including it
          CROSS JOIN LATERAL (SELECT 1 + pg_catalog.count(*)::integer AS n
                                FROM ptx.transition t2
                               WHERE t2.project_id = t.project_id AND t2.round = t.round
                                 AND t2.from_state = 'publicity' AND t2.to_state = 'evaluating'
                                 AND t2.id <= t.id) ev
          -- the previous re-evaluation of the round: objections upheld
          -- before it were used by it
          LEFT JOIN LATERAL (SELECT t3.at
                               FROM ptx.transition t3
                              WHERE t3.project_id = t.project_id AND t3.round = t.round
                                AND t3.from_state = 'publicity' AND t3.to_state = 'evaluating'
                                AND t3.id < t.id
                              ORDER BY t3.id DESC
                              LIMIT 1) prev ON true
          -- the candidate ranked first by the evaluation set aside
          LEFT JOIN LATERAL (SELECT c.bidder_id
                               FROM ptx.candidate c
                              WHERE c.project_id = t.project_id AND c.round = t.round
                                AND c.evaluation = ev.n - 1 AND c.rank = 1) first ON true
          -- the objections upheld for this step
          CROSS JOIN LATERAL (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                  'objection', o.id, 'stage', o.stage,
                                                  'complainant', o.complainant_id,
                                                  'filed_at', o.filed_at, 'answered_at', o.answered_at,
                                                  'answered_by', o.answered_by,
                                                  'answered_by_sender', o.answered_by = t.actor)
                                              ORDER BY o.id), '[]'::jsonb) AS objections,
                                     COALESCE(pg_catalog.array_agg(o.complainant_id), '{}') AS complainants
                                FROM ptx.objection o
                               WHERE o.project_id = t.project_id AND o.round = t.round
                                 AND o.stage IN ('result', 'challenge') AND o.upheld
                                 AND o.answered_at <= t.at
                                 AND o.answered_at >= COALESCE(prev.at, '-infinity')) up
         WHERE t.from_state = 'publicity' AND t.to_state = 'evaluating'
           AND ptx.local_date(t.at) BETWEEN red_flags_reevaluation.from_date AND red_flags_reevaluation.to_date;
    END;
COMMENT ON FUNCTION ptx.red_flags_reevaluation(date, date) IS
    'red flags reevaluation: a project sent back from the publicity of its candidates to evaluation (ptx.reevaluate), on the day of the step, with the objections upheld and who answered them';

REVOKE ALL ON FUNCTION ptx.red_flags_reevaluation(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ptx.red_flags_reevaluation(date, date) TO ptx_admin, ptx_auditor;

------------------------------------------------------------------------
-- Thresholds of the catalog (限额标准, R1):
--   below_threshold        a contract outside the platform at most
--                          red_flag.threshold_band below the threshold of
--                          a catalog entry in force for it:
--                          (1 − band) × threshold ≤ amount < threshold
--   split_below_threshold  a group of ptx.split_suspects (化整为零), on the
--                          day of its latest trade
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flags_threshold(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT ROW('below_threshold',
                   pg_catalog.jsonb_build_object('contract_id', c.id),
                   NULL::bigint, c.id,
                   ARRAY[LEAST(c.tenderee_id, c.supplier_id), GREATEST(c.tenderee_id, c.supplier_id)],
                   NULL::bigint, c.signed_on,
                   pg_catalog.jsonb_build_object(
                       'tenderee', c.tenderee_id, 'supplier', c.supplier_id,
                       'amount', c.amount, 'signed_on', c.signed_on,
                       'thresholds', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                         'catalog', e.code, 'version', e.version, 'threshold', e.min_amount,
                                         'gap', e.min_amount - c.amount)
                                     ORDER BY e.min_amount, e.code),
                       'red_flag.threshold_band', ptx.setting('red_flag.threshold_band')))::ptx.red_flag_hit
          FROM ptx.contract c
         CROSS JOIN LATERAL ptx.catalog_in_force(c.category, c.region, c.funding, c.signed_on, c.kind) e
         WHERE c.project_id IS NULL
           AND c.signed_on BETWEEN red_flags_threshold.from_date AND red_flags_threshold.to_date
           AND e.min_amount IS NOT NULL
           AND c.amount < e.min_amount
           AND c.amount >= (1 - ptx.setting('red_flag.threshold_band')) * e.min_amount
         GROUP BY c.id
        UNION ALL
        SELECT ROW('split_below_threshold',
                   pg_catalog.jsonb_build_object('tenderee_id', s.tenderee_id, 'category', s.category,
                                                 'year', s.year, 'catalog', s.catalog_code),
                   NULL::bigint, NULL::bigint, ARRAY[s.tenderee_id], NULL::bigint, d.last_day,
                   pg_catalog.jsonb_build_object(
                       'tenderee', s.tenderee_id, 'category', s.category, 'year', s.year,
                       'catalog', s.catalog_code, 'catalog_region', s.catalog_region,
                       'threshold', s.threshold, 'trades', s.trades, 'total', s.total,
                       'projects', pg_catalog.to_jsonb(s.project_ids),
                       'contracts', pg_catalog.to_jsonb(s.contract_ids)))::ptx.red_flag_hit
          FROM pg_catalog.generate_series(pg_catalog.date_part('year', red_flags_threshold.from_date)::int,
                                          pg_catalog.date_part('year', red_flags_threshold.to_date)::int) y
         CROSS JOIN LATERAL ptx.split_suspects(y) s
         CROSS JOIN LATERAL (
               SELECT GREATEST((SELECT pg_catalog.max(ptx.local_date(p.registered_at))
                                  FROM ptx.project p WHERE p.id = ANY (s.project_ids)),
                               (SELECT pg_catalog.max(c.signed_on)
                                  FROM ptx.contract c WHERE c.id = ANY (s.contract_ids))) AS last_day) d
         WHERE d.last_day BETWEEN red_flags_threshold.from_date AND red_flags_threshold.to_date;
    END;
COMMENT ON FUNCTION ptx.red_flags_threshold(date, date) IS
    'red flags below_threshold (a contract outside the platform just below a catalog threshold) and split_below_threshold (化整为零)';

------------------------------------------------------------------------
-- Sales (R13, 49_sales.sql), at the result of a closed sale:
--   sale_single_bidder   every offer came from one bidder (no competition)
--   sale_shared_contact  bidders who offered share a phone, an e-mail
--                        address, an address or a legal representative
--   sale_at_reserve      sold at the reserve price (底价) or within
--                        red_flag.sale_reserve_band above it: the secret
--                        reserve may have been known
------------------------------------------------------------------------
INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('red_flag.sale_reserve_band', 0.005, 'ratio',
   '招标拍卖挂牌出让国有建设用地使用权规定 §9 (底价保密); 内政办发〔2018〕67号 §12',
   'a sale is flagged when its winning price exceeds the reserve price by at most this share of the reserve');

CREATE FUNCTION ptx.red_flags_sales(from_date date, to_date date)
    RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        WITH closed AS (
            SELECT s.id AS sale_id, s.project_id, s.round, s.form, s.stage, s.reserve_price,
                   s.winner_id, s.winning_price, ptx.local_date(s.result_at) AS result_on
              FROM ptx.sale s
             WHERE s.stage IN ('sold', 'failed')
               AND ptx.local_date(s.result_at) BETWEEN red_flags_sales.from_date AND red_flags_sales.to_date
        ), offered AS (
            SELECT c.sale_id, pg_catalog.array_agg(DISTINCT o.bidder_id) AS bidders,
                   pg_catalog.count(*) AS offers
              FROM closed c JOIN ptx.offer o ON o.sale_id = c.sale_id
             GROUP BY c.sale_id
        ), item AS (
            SELECT c.sale_id, o.id AS bidder_id, i.field, i.value, i.shown
              FROM closed c
              JOIN offered f ON f.sale_id = c.sale_id
              JOIN ptx.org o ON o.id = ANY (f.bidders)
             CROSS JOIN LATERAL (VALUES
                   -- personal data: compared by keyed hash, never shown
                   ('phone', pg_catalog.encode(o.phone_hash, 'hex'), 'personal data: ptx.org_contact()'),
                   ('email', pg_catalog.encode(o.email_hash, 'hex'), 'personal data: ptx.org_contact()'),
                   ('address', ptx.normalize_address(o.address), o.address),
                   ('legal_rep', pg_catalog.encode(o.legal_rep_id_hash, 'hex'), o.legal_rep_name)
                 ) i(field, value, shown)
             WHERE i.value IS NOT NULL
        ), shared AS (
            SELECT i.sale_id, i.field, pg_catalog.array_agg(i.bidder_id ORDER BY i.bidder_id) AS bidders,
                   pg_catalog.array_agg(DISTINCT i.shown) AS shown
              FROM item i
             GROUP BY i.sale_id, i.field, i.value
            HAVING pg_catalog.count(*) >= 2
        )
        SELECT ROW('sale_single_bidder',
                   pg_catalog.jsonb_build_object('project_id', c.project_id, 'round', c.round),
                   c.project_id, NULL::bigint, f.bidders, NULL::bigint, c.result_on,
                   pg_catalog.jsonb_build_object('sale', c.sale_id, 'form', c.form, 'result', c.stage,
                                                 'bidder', f.bidders[1], 'offers', f.offers,
                                                 'winning_price', c.winning_price))::ptx.red_flag_hit
          FROM closed c JOIN offered f ON f.sale_id = c.sale_id
         WHERE pg_catalog.cardinality(f.bidders) = 1
        UNION ALL
        SELECT ROW('sale_shared_contact',
                   pg_catalog.jsonb_build_object('project_id', c.project_id, 'round', c.round,
                                                 'bidders', pg_catalog.to_jsonb(s.bidders)),
                   c.project_id, NULL::bigint, s.bidders, NULL::bigint, c.result_on,
                   pg_catalog.jsonb_build_object(
                       'sale', c.sale_id, 'form', c.form,
                       'bidders', pg_catalog.to_jsonb(s.bidders),
                       'shared', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                     'field', s.field, 'value', pg_catalog.to_jsonb(s.shown))
                                 ORDER BY s.field)))::ptx.red_flag_hit
          FROM shared s JOIN closed c ON c.sale_id = s.sale_id
         GROUP BY c.sale_id, c.project_id, c.round, c.form, c.result_on, s.bidders
        UNION ALL
        SELECT ROW('sale_at_reserve',
                   pg_catalog.jsonb_build_object('project_id', c.project_id, 'round', c.round),
                   c.project_id, NULL::bigint, ARRAY[c.winner_id], NULL::bigint, c.result_on,
                   pg_catalog.jsonb_build_object(
                       'sale', c.sale_id, 'form', c.form, 'buyer', c.winner_id,
                       'winning_price', c.winning_price, 'reserve_price', c.reserve_price,
                       'gap', c.winning_price - c.reserve_price,
                       'red_flag.sale_reserve_band', ptx.setting('red_flag.sale_reserve_band')))::ptx.red_flag_hit
          FROM closed c
         WHERE c.stage = 'sold' AND c.reserve_price IS NOT NULL
           AND c.winning_price - c.reserve_price <= ptx.setting('red_flag.sale_reserve_band') * c.reserve_price;
    END;
COMMENT ON FUNCTION ptx.red_flags_sales(date, date) IS
    'red flags sale_single_bidder, sale_shared_contact and sale_at_reserve, at the result of a sale';

------------------------------------------------------------------------
-- Every check, in one set.
------------------------------------------------------------------------
CREATE FUNCTION ptx.red_flag_hits(from_date date, to_date date) RETURNS SETOF ptx.red_flag_hit
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT * FROM ptx.red_flags_shared_contact(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_same_bid_value(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_single_bid(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_award(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_repeated_winner(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_expert_winner(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_threshold(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_cancelled_draw(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_reevaluation(red_flag_hits.from_date, red_flag_hits.to_date)
        UNION ALL
        SELECT * FROM ptx.red_flags_sales(red_flag_hits.from_date, red_flag_hits.to_date);
    END;
COMMENT ON FUNCTION ptx.red_flag_hits(date, date) IS
    'what every check finds for the days from from_date to to_date, recorded or not';

------------------------------------------------------------------------
-- The scan: records the new hits, then puts the agencies with open flags
-- on the inspection lists (重点检查对象, R6) of the projects' departments.
------------------------------------------------------------------------
CREATE FUNCTION ptx.scan_red_flags(from_date date, to_date date) RETURNS integer
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    found integer;
    min_flags numeric := ptx.setting('red_flag.priority_min_flags');
BEGIN
    PERFORM ptx.check_red_flag_period(from_date, to_date);
    -- one scan at a time: two scans would find the same hits
    LOCK TABLE ptx.red_flag IN SHARE ROW EXCLUSIVE MODE;

    WITH hit AS (
        SELECT h.* FROM ptx.red_flag_hits(scan_red_flags.from_date, scan_red_flags.to_date) h
    ), recorded AS (
        INSERT INTO ptx.red_flag (kind, subject, project_id, contract_id, org_ids, expert_id,
                                  agency_id, supervisor_id, event_on, evidence)
        SELECT h.kind, h.subject, h.project_id, h.contract_id, h.org_ids, h.expert_id,
               p.agency_id, p.supervisor_id, h.event_on, h.evidence
          FROM hit h
          LEFT JOIN ptx.project p ON p.id = h.project_id
         ORDER BY h.event_on, h.kind, h.subject
        ON CONFLICT (kind, subject) DO NOTHING
        RETURNING 1
    )
    SELECT count(*) INTO found FROM recorded;

    -- Agencies with open flags: priority targets of the year in which the
    -- flagged project entered (the year whose agency business is
    -- inspected), unless already listed or the year's draw was requested.
    IF min_flags > 0 THEN
        PERFORM ptx.add_inspection_priority(a.year, a.supervisor_id, a.agency_id, 'red_flag', a.reason)
           FROM (SELECT ptx.business_year(p.registered_at, ptx.agency_business_offset()) AS year,
                        f.supervisor_id, f.agency_id,
                        format('%s open red flags (%s) on projects %s', count(*),
                               string_agg(DISTINCT f.kind, ', ' ORDER BY f.kind),
                               string_agg(DISTINCT p.code, ', ' ORDER BY p.code)) AS reason
                   FROM ptx.red_flag f
                   JOIN ptx.project p ON p.id = f.project_id
                  WHERE f.agency_id IS NOT NULL AND f.supervisor_id IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM ptx.red_flag_dismissal d WHERE d.flag_id = f.id)
                  GROUP BY 1, f.supervisor_id, f.agency_id
                 HAVING count(*) >= min_flags) a
          WHERE ptx.has_role(a.agency_id, 'agency')
            AND NOT EXISTS (SELECT 1 FROM ptx.inspection_priority q
                             WHERE q.year = a.year AND q.supervisor_id = a.supervisor_id
                               AND q.agency_id = a.agency_id)
            AND NOT EXISTS (SELECT 1 FROM ptx.inspection_draw d
                             WHERE d.year = a.year AND d.supervisor_id = a.supervisor_id)
          ORDER BY a.year, a.supervisor_id, a.agency_id;
    END IF;
    RETURN found;
END
$$;
COMMENT ON FUNCTION ptx.scan_red_flags(date, date) IS
    'run every red-flag check over the days from from_date to to_date, record the new flags (returns how many) and put agencies with open flags on the inspection priority lists';

INSERT INTO ptx.scheduled_job (name, schedule, command, description) VALUES
  ('ptx:red-flags', '40 1 * * *', 'SELECT ptx.scan_red_flags(ptx.today() - 7, ptx.today())',
   'each night: the red-flag checks (关联对比分析) over the last seven days; a flag already found is not found again');

GRANT EXECUTE ON FUNCTION ptx.red_flags_shared_contact(date, date),
    ptx.red_flags_same_bid_value(date, date), ptx.red_flags_single_bid(date, date),
    ptx.red_flags_award(date, date), ptx.red_flags_repeated_winner(date, date),
    ptx.red_flags_expert_winner(date, date), ptx.red_flags_threshold(date, date),
    ptx.red_flag_hits(date, date), ptx.check_red_flag_period(date, date)
    TO ptx_admin, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.red_flags_cancelled_draw(date, date) TO ptx_admin, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.scan_red_flags(date, date) TO ptx_admin, ptx_supervisor;
REVOKE ALL ON FUNCTION ptx.red_flags_sales(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ptx.red_flags_sales(date, date) TO ptx_admin, ptx_auditor;
