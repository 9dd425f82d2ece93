-- Demo: association analysis (关联对比分析, R9) — red flags with their evidence.
--
-- Runs after the trading year 2025 (40_lifecycle.sql).  Two bidders who
-- bid together turn out to share a phone and a legal representative; the
-- scan over 2025 finds them, the trades outside the platform of
-- 呼和浩特市水务局 (one supplier three times, a job cut below the
-- threshold), and whatever else the year holds.  A flag found unfounded
-- is dismissed, with its reason.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2026-06-15 09:00:00+08';

-- Two bidders of one opened project of 2025 register the same phone and
-- the same legal representative (法定代表人).
CREATE TEMP TABLE demo_pair AS
SELECT b1.project_id, b1.bidder_id AS a, b2.bidder_id AS b
  FROM ptx.bid b1 JOIN ptx.bid b2 ON b2.project_id = b1.project_id AND b2.round = b1.round
                                  AND b2.bidder_id > b1.bidder_id
 WHERE b1.opened_at IS NOT NULL AND b2.opened_at IS NOT NULL
 ORDER BY b1.project_id, b1.bidder_id, b2.bidder_id LIMIT 1;
\o /dev/null
SELECT ptx.set_org_contact(x, phone => '0471-6901234', legal_rep_name => '张某',
                           legal_rep_id_number => '11010519491231002X')
  FROM demo_pair, unnest(ARRAY[a, b]) x;
\o

\echo
\echo '== The scan over 2025 (ptx.scan_red_flags): new flags'
SELECT ptx.scan_red_flags('2025-01-01', '2025-12-31') AS new_flags;
\echo '== ... and run again: nothing new'
SELECT ptx.scan_red_flags('2025-01-01', '2025-12-31') AS new_flags;
\echo '== Flags by kind'
SELECT kind, count(*) AS flags, count(DISTINCT project_id) AS projects, count(agency_id) AS on_agencies
  FROM ptx.red_flag GROUP BY kind ORDER BY kind;

\echo '== Bidders sharing contact data (条例 §40), with the evidence'
SELECT f.project_code, (SELECT string_agg(o.name, '、' ORDER BY o.id) FROM ptx.org o WHERE o.id = ANY (f.org_ids)) AS bidders,
       f.evidence -> 'shared' AS shared
  FROM ptx.red_flag_status f WHERE f.kind = 'shared_contact' ORDER BY f.id LIMIT 3;

\echo '== One supplier winning repeatedly from one tenderee, and contracts near the threshold'
SELECT f.kind, t.name AS tenderee, f.event_on,
       COALESCE(f.evidence -> 'wins', f.evidence -> 'total') AS wins_or_total,
       COALESCE(f.evidence -> 'trades', f.evidence -> 'contracts') AS trades
  FROM ptx.red_flag f JOIN ptx.org t ON t.id = COALESCE((f.subject ->> 'tenderee_id')::bigint, (f.evidence ->> 'tenderee')::bigint)
 WHERE f.kind IN ('repeated_winner', 'split_below_threshold', 'below_threshold')
 ORDER BY f.kind, f.event_on;

\echo '== Other flags of the year'
SELECT f.kind, f.project_code, f.event_on, f.evidence
  FROM ptx.red_flag_status f
 WHERE f.kind NOT IN ('shared_contact', 'repeated_winner', 'split_below_threshold', 'below_threshold')
 ORDER BY f.kind, f.event_on LIMIT 6;

\echo '== Agencies with flags: the 2025 inspection lists were fixed by the January draws,'
\echo '   so flags on 2025 projects feed no priority target any more'
SELECT count(DISTINCT agency_id) AS agencies_with_flags,
       (SELECT count(*) FROM ptx.inspection_priority WHERE kind = 'red_flag') AS red_flag_priority_targets
  FROM ptx.red_flag WHERE agency_id IS NOT NULL;

\echo '== A supervisor examines a flag and dismisses it (排除): a record, never a deletion'
SELECT ptx.dismiss_red_flag((SELECT min(id) FROM ptx.red_flag WHERE kind = 'shared_contact'),
                            '两家公司为同一集团的兄弟公司，已在投标文件中如实声明') AS dismissal;
SELECT status, count(*) FROM ptx.red_flag_status GROUP BY status ORDER BY status;
\echo '== The nightly job'
SELECT name, schedule, command FROM ptx.scheduled_job WHERE name = 'ptx:red-flags';
RESET ptx.fake_now;
