-- New work on a database updated from the previous release: a project
-- registered on the old registry and catalog, announced, bid on by three
-- old bidders and opened; a new organisation registered.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'Asia/Shanghai';
SET ptx.fake_now = '2026-06-01 09:00:00+08';

SELECT ptx.add_org('91150100' || lpad('777', 9, '0') || ptx.uscc_check_char('91150100' || lpad('777', 9, '0')),
                   '升级后新登记的投标人', '150100', '{bidder}') AS new_bidder \gset

SELECT j.supervisor_id, j.region, t.id AS tenderee_id
  FROM ptx.jurisdiction j
  JOIN ptx.org t ON 'tenderee' = ANY (t.roles) AND ptx.region_within(t.region, j.region)
 WHERE j.category = 'construction'
 ORDER BY j.region, j.supervisor_id, t.id LIMIT 1 \gset

-- this check bids in clear: the platform seals them (the law's default
-- for electronic bids is sealing by the bidder, docs/reference/lifecycle.md)
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'bids of this check are sealed by the platform');

SELECT ptx.register_project('UPG-2026-0001', '升级后的第一个工程', 'construction', :'region',
                            :tenderee_id, 500000, :supervisor_id) AS project_id \gset
SELECT ptx.announce(:project_id, '2026-06-29 09:00:00+08');

SET ptx.fake_now = '2026-06-10 09:00:00+08';
SELECT ptx.submit_bid(:project_id, b.id, 480000 + 1000 * row_number() OVER (ORDER BY b.id))
  FROM (SELECT id FROM ptx.org WHERE 'bidder' = ANY (roles)
          AND NOT ptx.is_restricted('org', id) ORDER BY id LIMIT 3) b;

SET ptx.fake_now = '2026-06-29 09:00:00+08';
SELECT ptx.open_bids(:project_id) AS opened;
SELECT state FROM ptx.project WHERE id = :project_id;
RESET ptx.fake_now;

-- Re-evaluation on a project publicised under the old release: an objection
-- to the result upheld during the publicity sends it back to its
-- committee, whose new ranking is published as the second evaluation
-- under the candidates' new key.
SELECT p.id AS pub_id, p.publicity_from + interval '1 hour' AS during,
       p.publicity_from + interval '2 hours' AS answered,
       p.publicity_from + interval '3 hours' AS reported,
       (SELECT c.bidder_id FROM ptx.candidate c WHERE c.project_id = p.id AND c.round = p.round
         ORDER BY c.rank DESC LIMIT 1) AS last_candidate,
       (SELECT array_agg(c.bidder_id ORDER BY c.rank DESC) FROM ptx.candidate c
         WHERE c.project_id = p.id AND c.round = p.round) AS reversed
  FROM ptx.project p WHERE p.state = 'publicity' ORDER BY p.id LIMIT 1 \gset
SET ptx.fake_now = :'during';
SELECT ptx.file_objection(:pub_id, :last_candidate, 'result', '升级后提出的评标结果异议') AS objection_id \gset
SET ptx.fake_now = :'answered';
SELECT ptx.answer_objection(:objection_id, '经复核，异议成立', true);
SELECT ptx.reevaluate(:pub_id, '升级后异议成立，重新评审');
SET ptx.fake_now = :'reported';
SELECT ptx.report_evaluation(:pub_id);
SELECT ptx.publish_candidates(:pub_id, :'reversed');
SELECT state, ptx.candidate_evaluation(id) FROM ptx.project WHERE id = :pub_id;
RESET ptx.fake_now;
