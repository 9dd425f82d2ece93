-- Disclosure (信息公开, R8; notice §9) of the trading lifecycle: what the
-- public sees in schema ptx_public.  Each view shows a stage only once it
-- is public: announcements once announced, the opening record once opened,
-- candidates during their publicity, results once awarded, failed or
-- terminated, contracts once signed.  Organisations appear by name; no
-- person, no sealed value, no objection or complaint body is shown.  The
-- views call no function, so the public needs no right in schema ptx.

CREATE VIEW ptx_public.announcement WITH (security_barrier = true) AS
SELECT p.code, p.title, c.name_zh AS category, p.category AS category_code,
       r.name AS region, p.region AS region_code, p.method, p.amount,
       t.name AS tenderee, a.name AS agency, s.name AS supervisor,
       p.round, p.announced_at, p.bid_deadline,
       p.state
  FROM ptx.project p
  JOIN ptx.category c ON c.code = p.category
  JOIN ptx.region r ON r.code = p.region
  JOIN ptx.org t ON t.id = p.tenderee_id
  LEFT JOIN ptx.org a ON a.id = p.agency_id
  JOIN ptx.org s ON s.id = p.supervisor_id
 WHERE p.announced_at IS NOT NULL;
COMMENT ON VIEW ptx_public.announcement IS 'tender announcements (招标公告) with the supervisory department (监管部门)';

CREATE VIEW ptx_public.bid_opening WITH (security_barrier = true) AS
SELECT p.code, b.round, o.name AS bidder, b.price, b.submitted_at, b.opened_at
  FROM ptx.bid b
  JOIN ptx.project p ON p.id = b.project_id
  JOIN ptx.org o ON o.id = b.bidder_id
 WHERE b.opened_at IS NOT NULL;
COMMENT ON VIEW ptx_public.bid_opening IS 'opening records (开标记录): bidders and prices, once opened';

CREATE VIEW ptx_public.candidate WITH (security_barrier = true) AS
SELECT p.code, p.title, c.rank, o.name AS bidder, b.price,
       p.publicity_from, p.publicity_until
  FROM ptx.candidate c
  JOIN ptx.project p ON p.id = c.project_id AND p.round = c.round
  JOIN ptx.org o ON o.id = c.bidder_id
  JOIN ptx.bid b ON b.id = c.bid_id
 WHERE p.state = 'publicity'
   AND NOT EXISTS (SELECT 1 FROM ptx.candidate l
                    WHERE l.project_id = c.project_id AND l.round = c.round
                      AND l.evaluation > c.evaluation);
COMMENT ON VIEW ptx_public.candidate IS 'candidates during their publicity (中标候选人公示), of the latest evaluation';

CREATE VIEW ptx_public.result WITH (security_barrier = true) AS
SELECT p.code, p.title, cat.name_zh AS category, r.name AS region, t.name AS tenderee,
       p.round,
       CASE WHEN p.state IN ('awarded', 'contracted', 'closed') THEN 'awarded' ELSE p.state END AS outcome,
       w.name AS winner, b.price AS winning_price, p.awarded_at,
       CASE WHEN p.state = 'terminated' THEN p.state_note END AS reason,
       p.state_changed_at AS decided_at
  FROM ptx.project p
  JOIN ptx.category cat ON cat.code = p.category
  JOIN ptx.region r ON r.code = p.region
  JOIN ptx.org t ON t.id = p.tenderee_id
  LEFT JOIN ptx.org w ON w.id = p.winner_id
  LEFT JOIN ptx.bid b ON b.project_id = p.id AND b.round = p.round AND b.bidder_id = p.winner_id
 WHERE p.state IN ('awarded', 'contracted', 'closed', 'failed', 'terminated')
   AND (p.state <> 'terminated' OR p.announced_at IS NOT NULL);
COMMENT ON VIEW ptx_public.result IS 'results (中标结果公告): awards, failed tenders (流标) and terminations';

CREATE VIEW ptx_public.contract WITH (security_barrier = true) AS
SELECT p.code, p.title, t.name AS tenderee, s.name AS supplier, c.amount, c.signed_on
  FROM ptx.contract c
  JOIN ptx.project p ON p.id = c.project_id
  JOIN ptx.org t ON t.id = c.tenderee_id
  JOIN ptx.org s ON s.id = c.supplier_id;
COMMENT ON VIEW ptx_public.contract IS 'contracts of projects traded on the platform (合同公告)';

GRANT SELECT ON ptx_public.announcement, ptx_public.bid_opening, ptx_public.candidate,
    ptx_public.result, ptx_public.contract
    TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
