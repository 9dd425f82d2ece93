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
