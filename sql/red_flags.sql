-- Association analysis (关联对比分析, R9): every check at its boundary on
-- both sides, the evidence of each flag, the scan run again (idempotent),
-- dismissal as a record, agencies with flags as inspection priority
-- targets, the pg_cron job, privileges per role.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
-- the baseline of ptx's tables now, not whenever a sealing worker comes
SELECT ptx.seal() > 0 AS baseline \gset
SELECT ptx.set_policy('bids.bidder_sealed', 0, 'the bids of this test are sealed by the platform') \gset
\set SHOW_CONTEXT never
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';

SET client_min_messages = warning;
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor', 'auditor', 'public'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
  END LOOP;
END $$;
RESET client_min_messages;

CREATE OR REPLACE FUNCTION regress_uscc(n int) RETURNS text LANGUAGE sql AS $$
  SELECT '91150000' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150000' || lpad(n::text, 9, '0')) $$;
CREATE OR REPLACE FUNCTION regress_rid(n int) RETURNS text LANGUAGE sql AS $$
  SELECT b || substr('10X98765432', (SELECT sum(substr(b, i::int, 1)::int * w) FROM unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::int[]) WITH ORDINALITY AS t(w, i))::int % 11 + 1, 1)
    FROM (SELECT '15010219800101' || lpad(n::text, 3, '0') AS b) s $$;

-- The settings.
SELECT key, value, unit FROM ptx.policy_default WHERE key LIKE 'red_flag.%' ORDER BY key;

SET ptx.fake_now = '2025-01-02 09:00:00+08';
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_org(regress_uscc(1), '住房和城乡建设局', '150000', '{supervisor}') AS sup,
       ptx.add_org(regress_uscc(2), '第一中学', '150100', '{tenderee}') AS t1,
       ptx.add_org(regress_uscc(3), '水务局', '150100', '{tenderee}') AS t2,
       ptx.add_org(regress_uscc(4), '招标代理公司', '150100', '{agency}') AS agency \gset
SELECT ptx.grant_jurisdiction(:sup, 'construction', '150000');
SELECT count(ptx.add_org(regress_uscc(10 + i), '投标人' || i, '150100', '{bidder}')) AS bidders FROM generate_series(1, 6) i;
SELECT id AS b1 FROM ptx.org WHERE name = '投标人1' \gset
SELECT id AS b2 FROM ptx.org WHERE name = '投标人2' \gset
SELECT id AS b3 FROM ptx.org WHERE name = '投标人3' \gset
SELECT id AS b4 FROM ptx.org WHERE name = '投标人4' \gset
SELECT id AS b5 FROM ptx.org WHERE name = '投标人5' \gset
SELECT id AS b6 FROM ptx.org WHERE name = '投标人6' \gset

------------------------------------------------------------------------
-- Contact data of organisations: normalised, validated, the legal
-- representative's ID number only as a keyed hash.
------------------------------------------------------------------------
SELECT ptx.set_org_contact(:b1, phone => '0471-6612345', email => 'Bid1@Example.com',
                           address => '呼和浩特市新城区 中山路 1 号');
SELECT ptx.set_org_contact(:b2, phone => '0471 661 2345', legal_rep_name => '王某',
                           legal_rep_id_number => regress_rid(1));
SELECT ptx.set_org_contact(:b3, address => '呼和浩特市新城区中山路1号', email => 'bid3@example.com');
SELECT ptx.set_org_contact(:b4, address => '呼和浩特市新城区中山路2号', email => 'bid3@example.com ');
SELECT ptx.set_org_contact(:b5, legal_rep_name => '王某某', legal_rep_id_number => lower(regress_rid(1)));
-- the tenderee shares bidder 6's phone: it does not bid, no flag
SELECT ptx.set_org_contact(:b6, phone => '0471-6600000');
SELECT ptx.set_org_contact(:t1, phone => '0471-6600000');
SELECT name, phone_hash IS NOT NULL AS phone, email_hash IS NOT NULL AS email, address, legal_rep_name,
       length(legal_rep_id_hash) AS hash_bytes
  FROM ptx.org WHERE 'bidder' = ANY (roles) ORDER BY id;
-- phones and e-mails are personal data: keyed hashes compare, the
-- ciphertext opens for a supervisor, and the read is recorded
SELECT (SELECT phone_hash FROM ptx.org WHERE id = :b1) = (SELECT phone_hash FROM ptx.org WHERE id = :b2) AS same_phone_same_hash,
       (SELECT email_hash FROM ptx.org WHERE id = :b3) = (SELECT email_hash FROM ptx.org WHERE id = :b4) AS same_email_same_hash;
SELECT * FROM ptx.org_contact(:b1);
SELECT count(*) AS reads_recorded FROM ptx.ledger_entry
 WHERE kind = 'personal_data_read' AND relation = 'ptx.org' AND key::jsonb = jsonb_build_object('id', :b1);
SELECT ptx.set_org_contact(:b6, phone => '12ab');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_org_contact(:b6, email => 'not an address');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_org_contact(:b6, legal_rep_id_number => '150102198001010010');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_org_contact(-1, phone => '0471-6600000');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
UPDATE ptx.org SET phone_hash = '\x0471' WHERE id = :b6;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.org SET email_cipher = NULL WHERE id = :b3;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- the ID number is nowhere in clear: not in the table, not in the ledger
SELECT count(*) AS clear_id_numbers
  FROM ptx.ledger_entry e WHERE e.row_image::text LIKE '%' || regress_rid(1) || '%';
-- (ptx.message's hint for a bad address names an example one)
SELECT count(*) AS clear_phones_or_emails
  FROM ptx.ledger_entry e
 WHERE e.row_image::text LIKE '%6612345%'
    OR (e.row_image::text ILIKE '%example.com%' AND e.relation IS DISTINCT FROM 'ptx.message');
SELECT count(*) AS clear_in_org
  FROM ptx.org o WHERE o::text LIKE '%6612345%' OR o::text ILIKE '%example.com%';
SELECT count(*) AS hashed_in_ledger
  FROM ptx.ledger_entry e WHERE e.relation = 'ptx.org' AND e.row_image ->> 'legal_rep_id_hash' IS NOT NULL;

------------------------------------------------------------------------
-- Trading data, written as loaded (triggers off): projects, opened bids,
-- candidates, the rounds' ends, contracts.
------------------------------------------------------------------------
SET session_replication_role = replica;
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount,
                         state, round, registered_at, opened_at, winner_id, awarded_at) VALUES
  -- P1: bids sharing contact data, fingerprints, documents and a price
  ('P1', '教学楼', 'construction', '150100', :t1, :agency, :sup, 5000000, 'opened', 1,
   '2025-02-03 09:00+08', '2025-03-03 09:00+08', NULL, NULL),
  -- P0: announced, bids still sealed
  ('P0', '操场', 'construction', '150100', :t1, :agency, :sup, 3000000, 'announced', 1,
   '2025-02-03 09:00+08', NULL, NULL, NULL),
  -- P2, P3: runner-up at the gap ratio, and one cent over
  ('P2', '食堂', 'construction', '150100', :t1, :agency, :sup, 1200000, 'awarded', 1,
   '2025-03-03 09:00+08', '2025-04-01 09:00+08', :b1, '2025-04-10 09:00+08'),
  ('P3', '宿舍', 'construction', '150100', :t1, :agency, :sup, 1200000, 'awarded', 1,
   '2025-03-03 09:00+08', '2025-04-01 09:00+08', :b1, '2025-04-10 09:00+08'),
  -- P4: every other bid rejected; P5: one other still valid
  ('P4', '围墙', 'construction', '150100', :t1, :agency, :sup, 900000, 'awarded', 1,
   '2025-03-03 09:00+08', '2025-04-01 09:00+08', :b2, '2025-04-11 09:00+08'),
  ('P5', '大门', 'construction', '150100', :t1, NULL, :sup, 900000, 'awarded', 1,
   '2025-03-03 09:00+08', '2025-04-01 09:00+08', :b2, '2025-04-11 09:00+08'),
  -- P6: round 1 failed with one bid, round 2 opened with three;
  -- P7: failed with two bids
  ('P6', '锅炉房', 'construction', '150100', :t1, :agency, :sup, 800000, 'opened', 2,
   '2025-05-05 09:00+08', '2025-06-30 09:00+08', NULL, NULL),
  ('P7', '车库', 'construction', '150100', :t1, :agency, :sup, 800000, 'failed', 1,
   '2025-05-05 09:00+08', NULL, NULL, NULL);
SELECT id AS p0 FROM ptx.project WHERE code = 'P0' \gset
SELECT id AS p1 FROM ptx.project WHERE code = 'P1' \gset
SELECT id AS p2 FROM ptx.project WHERE code = 'P2' \gset
SELECT id AS p3 FROM ptx.project WHERE code = 'P3' \gset
SELECT id AS p4 FROM ptx.project WHERE code = 'P4' \gset
SELECT id AS p5 FROM ptx.project WHERE code = 'P5' \gset
SELECT id AS p6 FROM ptx.project WHERE code = 'P6' \gset
SELECT id AS p7 FROM ptx.project WHERE code = 'P7' \gset
INSERT INTO ptx.bid (project_id, bidder_id, round, price, doc_digest, fingerprint, sealed, status, status_note, opened_at)
SELECT p.id, v.bidder, v.round, v.price, v.digest::bytea, v.fingerprint, v.sealed::bytea, v.status, v.note, v.opened::timestamptz
  FROM (VALUES
    ('P1', :b1, 1, 4800000.00, '\x01', 'FP-A', NULL, 'valid', NULL, '2025-03-03 09:00+08'),
    ('P1', :b2, 1, 4810000.00, '\x02', 'FP-B', NULL, 'valid', NULL, '2025-03-03 09:00+08'),
    ('P1', :b3, 1, 4820000.00, '\x03', 'FP-A', NULL, 'valid', NULL, '2025-03-03 09:00+08'),
    ('P1', :b4, 1, 4830000.00, '\x02', 'FP-D', NULL, 'valid', NULL, '2025-03-03 09:00+08'),
    ('P1', :b5, 1, 4820000.00, '\x05', NULL,   NULL, 'valid', NULL, '2025-03-03 09:00+08'),
    -- withdrawn before the deadline: it takes no part
    ('P1', :b6, 1, 4800000.00, '\x01', 'FP-A', NULL, 'withdrawn', NULL, '2025-03-03 09:00+08'),
    -- sealed: shared contact, nothing is read before the opening
    ('P0', :b1, 1, NULL, NULL, NULL, '\xdead', 'valid', NULL, NULL),
    ('P0', :b2, 1, NULL, NULL, NULL, '\xbeef', 'valid', NULL, NULL),
    ('P2', :b1, 1, 1000000.00, NULL, NULL, NULL, 'valid', NULL, '2025-04-01 09:00+08'),
    ('P2', :b3, 1, 1005000.00, NULL, NULL, NULL, 'valid', NULL, '2025-04-01 09:00+08'),
    ('P2', :b6, 1, 1100000.00, NULL, NULL, NULL, 'valid', NULL, '2025-04-01 09:00+08'),
    ('P3', :b1, 1, 1000000.00, NULL, NULL, NULL, 'valid', NULL, '2025-04-01 09:00+08'),
    ('P3', :b4, 1, 1005000.01, NULL, NULL, NULL, 'valid', NULL, '2025-04-01 09:00+08'),
    ('P3', :b6, 1, 1100000.00, NULL, NULL, NULL, 'valid', NULL, '2025-04-01 09:00+08'),
    ('P4', :b2, 1, 880000.00, NULL, NULL, NULL, 'valid', NULL, '2025-04-01 09:00+08'),
    ('P4', :b3, 1, 850000.00, NULL, NULL, NULL, 'rejected', '未按要求提供业绩证明', '2025-04-01 09:00+08'),
    ('P4', :b4, 1, 860000.00, NULL, NULL, NULL, 'rejected', '投标保证金不足', '2025-04-01 09:00+08'),
    ('P5', :b2, 1, 880000.00, NULL, NULL, NULL, 'valid', NULL, '2025-04-01 09:00+08'),
    ('P5', :b3, 1, 850000.00, NULL, NULL, NULL, 'rejected', '未按要求提供业绩证明', '2025-04-01 09:00+08'),
    ('P5', :b4, 1, 890000.00, NULL, NULL, NULL, 'valid', NULL, '2025-04-01 09:00+08'),
    ('P6', :b1, 1, NULL, NULL, NULL, '\x01', 'returned', NULL, NULL),
    ('P6', :b1, 2, 790000.00, NULL, NULL, NULL, 'valid', NULL, '2025-06-30 09:00+08'),
    ('P6', :b2, 2, 780000.00, NULL, NULL, NULL, 'valid', NULL, '2025-06-30 09:00+08'),
    ('P6', :b3, 2, 770000.00, NULL, NULL, NULL, 'valid', NULL, '2025-06-30 09:00+08'),
    ('P7', :b1, 1, NULL, NULL, NULL, '\x01', 'returned', NULL, NULL),
    ('P7', :b2, 1, NULL, NULL, NULL, '\x02', 'returned', NULL, NULL)
  ) v(code, bidder, round, price, digest, fingerprint, sealed, status, note, opened)
  JOIN ptx.project p ON p.code = v.code;
INSERT INTO ptx.candidate (project_id, round, rank, bidder_id, bid_id)
SELECT b.project_id, 1, v.rank, b.bidder_id, b.id
  FROM (VALUES ('P2', :b1, 1), ('P2', :b3, 2), ('P2', :b6, 3),
               ('P3', :b1, 1), ('P3', :b4, 2), ('P3', :b6, 3),
               ('P4', :b2, 1), ('P5', :b2, 1), ('P5', :b4, 2)) v(code, bidder, rank)
  JOIN ptx.project p ON p.code = v.code
  JOIN ptx.bid b ON b.project_id = p.id AND b.bidder_id = v.bidder AND b.round = 1;
INSERT INTO ptx.transition (project_id, round, from_state, to_state, at) VALUES
  (:p6, 1, 'announced', 'failed', '2025-06-02 09:00+08'),
  (:p6, 2, 'announced', 'opened', '2025-06-30 09:00+08'),
  (:p7, 1, 'announced', 'failed', '2025-06-02 09:00+08');
RESET session_replication_role;

------------------------------------------------------------------------
-- Bids of one round: shared contact data, same fingerprint, same
-- document, identical price.  Sealed and withdrawn bids take no part.
------------------------------------------------------------------------
SELECT kind, subject - 'project_id' AS subject, project_id = :p1 AS p1, event_on, evidence - 'bids' - 'bidders' AS evidence,
       org_ids = ARRAY(SELECT x FROM unnest(org_ids) x ORDER BY x) AS sorted
  FROM ptx.red_flag_hits('2025-03-03', '2025-03-03')
 ORDER BY kind, subject::text;
-- by name, for reading
SELECT h.kind, string_agg(o.name, ', ' ORDER BY o.id) AS bidders
  FROM ptx.red_flag_hits('2025-03-03', '2025-03-03') h
  CROSS JOIN LATERAL unnest(h.org_ids) x JOIN ptx.org o ON o.id = x
 GROUP BY h.kind, h.subject ORDER BY 1, 2;
-- the day before and the day after the opening: nothing
SELECT count(*) AS hits_0302 FROM ptx.red_flag_hits('2025-03-02', '2025-03-02');
SELECT count(*) AS hits_0304 FROM ptx.red_flag_hits('2025-03-04', '2025-03-04');

------------------------------------------------------------------------
-- At the award: runner-up within 0.5 % (gap exactly 0.5 % in P2, one
-- cent more in P3); every other bid rejected (P4) or not (P5).
------------------------------------------------------------------------
SELECT h.kind, p.code, event_on, evidence
  FROM ptx.red_flag_hits('2025-04-10', '2025-04-11') h JOIN ptx.project p ON p.id = h.project_id
 ORDER BY h.kind, p.code;
SELECT ptx.set_policy('red_flag.close_bid_ratio', 0.00500001, 'test: one unit of ratio more');
SELECT h.kind, p.code FROM ptx.red_flag_hits('2025-04-10', '2025-04-10') h JOIN ptx.project p ON p.id = h.project_id
 ORDER BY h.kind, p.code;
SELECT ptx.set_policy('red_flag.close_bid_ratio', NULL, 'back to the default');

------------------------------------------------------------------------
-- Single bid: round 1 of P6 failed with one bid (flagged), round 2
-- opened with three, P7 failed with two.
------------------------------------------------------------------------
SELECT h.kind, p.code, subject - 'project_id' AS subject, event_on, evidence - 'bid' - 'bidder' AS evidence
  FROM ptx.red_flag_hits('2025-06-01', '2025-06-30') h JOIN ptx.project p ON p.id = h.project_id
 ORDER BY h.kind, p.code;

------------------------------------------------------------------------
-- Repeated wins from one tenderee: 3 within 12 months.  Bidder 5 wins
-- on 2024-01-11, 2024-06-01 and 2025-01-10 (3 in the window after
-- 2024-01-10); bidder 6 on 2024-01-10, 2024-06-01 and 2025-01-10: the
-- first is exactly 12 months before the last and out of the window (2).
------------------------------------------------------------------------
SET session_replication_role = replica;
INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount, signed_on) VALUES
  (NULL, :t2, :b5, 'other', '150100', 100000, '2024-01-11'),
  (NULL, :t2, :b5, 'other', '150100', 100000, '2024-06-01'),
  (NULL, :t2, :b5, 'other', '150100', 100000, '2025-01-10'),
  (NULL, :t2, :b6, 'other', '150100', 100000, '2024-01-10'),
  (NULL, :t2, :b6, 'other', '150100', 100000, '2024-06-01'),
  (NULL, :t2, :b6, 'other', '150100', 100000, '2025-01-10');
RESET session_replication_role;
SELECT kind, subject - 'contract_id' AS subject, contract_id IS NOT NULL AS by_contract, event_on,
       evidence -> 'wins' AS wins, evidence -> 'window' AS "window",
       jsonb_path_query_array(evidence, '$.trades[*].day') AS days
  FROM ptx.red_flag_hits('2024-01-01', '2025-12-31') WHERE kind = 'repeated_winner';
-- with 4 wins needed, bidder 5's 3 are not enough; with 2, bidder 5
-- reaches it at its second win, bidder 6 too and again on 2025-01-10 (its
-- first win has left the window), bidders 1 and 2 with P2 + P3 and P4 + P5
SELECT ptx.set_policy('red_flag.repeat_wins', 4, 'test');
SELECT count(*) AS with_4 FROM ptx.red_flag_hits('2024-01-01', '2025-12-31') WHERE kind = 'repeated_winner';
SELECT ptx.set_policy('red_flag.repeat_wins', 2, 'test');
SELECT o.name AS supplier, h.event_on, h.evidence -> 'wins' AS wins
  FROM ptx.red_flag_hits('2024-01-01', '2025-12-31') h JOIN ptx.org o ON o.id = (h.subject ->> 'supplier_id')::bigint
 WHERE h.kind = 'repeated_winner' ORDER BY 1, 2;
SELECT ptx.set_policy('red_flag.repeat_wins', NULL, 'back to the default');

------------------------------------------------------------------------
-- Contracts outside the platform just below a threshold: 4 M, band 5 %.
------------------------------------------------------------------------
SELECT ptx.add_catalog_entry('GC-01', 'construction', '150000', 4000000, '{state}', '2025-01-01');
SET session_replication_role = replica;
INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount, funding, signed_on) VALUES
  (NULL, :t2, :b1, 'construction', '150100', 3800000.00, 'state', '2025-07-01'),
  (NULL, :t2, :b2, 'construction', '150100', 3799999.99, 'state', '2025-07-02'),
  (NULL, :t2, :b3, 'construction', '150100', 4000000.00, 'state', '2025-07-03'),
  (NULL, :t2, :b4, 'construction', '150100', 3900000.00, 'private', '2025-07-04');
RESET session_replication_role;
SELECT kind, subject ? 'contract_id' AS by_contract, event_on, evidence - 'contracts' - 'tenderee' - 'supplier' AS evidence
  FROM ptx.red_flag_hits('2025-07-01', '2025-07-31') ORDER BY kind, event_on;

------------------------------------------------------------------------
-- The same expert on the committees of projects one bidder wins: the
-- only A09 expert sits on E1, E2, E3 (won by bidder 1) and E4 (bidder 2).
------------------------------------------------------------------------
SELECT ptx.set_policy('expert_db.min_size', 1, 'a small test database');
SELECT ptx.add_expert('专家' || i, regress_rid(100 + i), :t2, '150100', '{A09}', '2026-12-31') AS expert
  FROM generate_series(1, 1) i \gset
SET session_replication_role = replica;
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount, state, registered_at)
SELECT 'E' || i, '评标' || i, 'construction', '150100', :t1, :agency, :sup, 100000, 'opened', '2025-08-01 09:00+08'
  FROM generate_series(1, 4) i;
RESET session_replication_role;
SELECT id AS e1 FROM ptx.project WHERE code = 'E1' \gset
SELECT id AS e2 FROM ptx.project WHERE code = 'E2' \gset
SELECT id AS e3 FROM ptx.project WHERE code = 'E3' \gset
SELECT id AS e4 FROM ptx.project WHERE code = 'E4' \gset
CALL ptx.draw_experts(:e1, '[{"specialty":"A09","count":1}]');
CALL ptx.draw_experts(:e2, '[{"specialty":"A09","count":1}]');
CALL ptx.draw_experts(:e3, '[{"specialty":"A09","count":1}]');
CALL ptx.draw_experts(:e4, '[{"specialty":"A09","count":1}]');
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'awarded', winner_id = CASE code WHEN 'E4' THEN :b2 ELSE :b1 END,
       awarded_at = ('2025-08-0' || substr(code, 2) || ' 10:00+08')::timestamptz
 WHERE code LIKE 'E_';
RESET session_replication_role;
SELECT h.kind, p.code, expert_id = :expert AS the_expert, org_ids = ARRAY[:b1]::bigint[] AS bidder1, event_on,
       evidence - 'expert' - 'winner' - 'projects' AS evidence
  FROM ptx.red_flag_hits('2025-08-01', '2025-08-31') h JOIN ptx.project p ON p.id = h.project_id
 WHERE h.kind = 'expert_winner';
SELECT ptx.set_policy('red_flag.expert_winner_count', 4, 'test');
SELECT count(*) AS with_4 FROM ptx.red_flag_hits('2025-08-01', '2025-08-31') WHERE kind = 'expert_winner';
SELECT ptx.set_policy('red_flag.expert_winner_count', NULL, 'back to the default');

------------------------------------------------------------------------
-- The scan records them, once.  Agencies with open flags become priority
-- targets: not while they have fewer than red_flag.priority_min_flags.
------------------------------------------------------------------------
SELECT ptx.scan_red_flags('2025-01-01', '2024-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.scan_red_flags(NULL, '2024-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS agency_flags_2025 FROM ptx.red_flag_hits('2024-01-01', '2025-12-31') h
  JOIN ptx.project p ON p.id = h.project_id WHERE p.agency_id = :agency \gset
SELECT ptx.set_policy('red_flag.priority_min_flags', :agency_flags_2025 + 1, 'test: one more than there are');
SET ptx.fake_now = '2025-12-31 09:00:00+08';
SELECT ptx.scan_red_flags('2024-01-01', '2025-12-31') AS new_flags;
SELECT kind, count(*), count(agency_id) AS with_agency, count(supervisor_id) AS with_supervisor,
       min(detected_at) AS detected_at, bool_and(detected_by = current_user) AS by_me
  FROM ptx.red_flag GROUP BY kind ORDER BY kind;
SELECT count(*) AS priority_targets FROM ptx.inspection_priority;
-- sealed bids (P0) and returned ones (P7) are never read
SELECT count(*) AS flags_on_sealed_bids FROM ptx.red_flag WHERE project_id IN (:p0, :p7);
SELECT ptx.set_policy('red_flag.priority_min_flags', :agency_flags_2025, 'test: exactly as many as there are');
SELECT ptx.scan_red_flags('2024-01-01', '2025-12-31') AS new_flags_again;
SELECT year, supervisor_id = :sup AS sup, agency_id = :agency AS agency, kind, reason FROM ptx.inspection_priority;
SELECT ptx.scan_red_flags('2024-01-01', '2025-12-31') AS third_scan;
SELECT count(*) AS priority_targets FROM ptx.inspection_priority;
SELECT ptx.set_policy('red_flag.priority_min_flags', NULL, 'back to the default');

------------------------------------------------------------------------
-- Flags are records: never changed; dismissal is a new record.
------------------------------------------------------------------------
SELECT id AS flag FROM ptx.red_flag WHERE kind = 'shared_contact' ORDER BY id LIMIT 1 \gset
UPDATE ptx.red_flag SET evidence = '{}' WHERE id = :flag;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.red_flag WHERE id = :flag;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.red_flag CASCADE;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.dismiss_red_flag(:flag, ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.dismiss_red_flag(-1, '不存在');
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2026-01-05 10:00:00+08';
SELECT ptx.dismiss_red_flag(:flag, '两家公司同在一座写字楼办公，经核查无关联') > 0 AS dismissed;
SELECT ptx.dismiss_red_flag(:flag, '再次排除');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.red_flag_dismissal SET reason = 'x';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.red_flag_dismissal;
\echo :LAST_ERROR_SQLSTATE
SELECT status, count(*) FROM ptx.red_flag_status GROUP BY status ORDER BY status;
SELECT kind, status, dismissal_reason, dismissed_by = current_user AS by_me, dismissed_at
  FROM ptx.red_flag_status WHERE id = :flag;
-- a dismissed flag does not come back
SELECT ptx.scan_red_flags('2024-01-01', '2025-12-31') AS after_dismissal;

------------------------------------------------------------------------
-- The pg_cron job, and the command it runs.
------------------------------------------------------------------------
SELECT name, schedule, command FROM ptx.scheduled_job WHERE name = 'ptx:red-flags';
SELECT command AS job_command FROM ptx.scheduled_job WHERE name = 'ptx:red-flags' \gset
SET session_replication_role = replica;
INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount, funding, signed_on) VALUES
  (NULL, :t1, :b6, 'construction', '150100', 3950000, 'state', '2025-12-30');
RESET session_replication_role;
:job_command;
SELECT kind, event_on, evidence -> 'amount' AS amount FROM ptx.red_flag WHERE event_on = '2025-12-30';

------------------------------------------------------------------------
-- Privileges: supervisors and auditors read; supervisors and admins scan
-- and dismiss; auditors change nothing; operators and the public see none.
------------------------------------------------------------------------
-- Since 0.2.0 a supervisor's login acts for its department only (PX015 otherwise).
SELECT ptx.add_staff('regress_ptx_supervisor', :sup) AS s \gset
SET ROLE regress_ptx_supervisor;
SELECT count(*) > 0 AS supervisor_reads FROM ptx.red_flag_status;
SELECT ptx.scan_red_flags('2025-12-01', '2025-12-31') AS supervisor_scan;
SELECT ptx.dismiss_red_flag((SELECT min(id) FROM ptx.red_flag WHERE kind = 'single_bid'), '流标后重新招标，已有三家投标') > 0 AS supervisor_dismisses;
RESET ROLE;
SET ROLE regress_ptx_auditor;
SELECT count(*) > 0 AS auditor_reads FROM ptx.red_flag;
SELECT count(*) AS auditor_dismissals FROM ptx.red_flag_dismissal;
SELECT count(*) >= 0 AS auditor_previews FROM ptx.red_flag_hits('2025-01-01', '2025-12-31');
SELECT ptx.scan_red_flags('2025-12-01', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.dismiss_red_flag((SELECT max(id) FROM ptx.red_flag), '审计不排除');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_ptx_operator;
SELECT count(*) FROM ptx.red_flag;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.scan_red_flags('2025-12-01', '2025-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_org_contact(:b6, phone => '0471-6600001');
RESET ROLE;
SET ROLE regress_ptx_public;
SELECT count(*) FROM ptx.red_flag;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_org_contact(:b6, phone => '0471-6600001');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT c.relname, a.privilege_type, r.rolname
  FROM pg_class c, aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
 WHERE c.oid IN ('ptx.red_flag'::regclass, 'ptx.red_flag_dismissal'::regclass, 'ptx.red_flag_status'::regclass)
   AND r.rolname LIKE 'ptx\_%'
 ORDER BY 1, 3, 2;
SELECT count(*) AS granted_to_public
  FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.oid IN ('ptx.red_flag'::regclass, 'ptx.red_flag_dismissal'::regclass) AND a.grantee = 0;
-- tracked by the ledger, kept by pg_dump
SELECT tgrelid::regclass AS tracked FROM pg_trigger
 WHERE tgname = 'ptx_ledger' AND tgrelid IN ('ptx.red_flag'::regclass, 'ptx.red_flag_dismissal'::regclass) ORDER BY 1;
SELECT d::text AS dumped
  FROM (SELECT unnest(extconfig)::regclass AS d FROM pg_extension WHERE extname = 'ptx') x
 WHERE d::text LIKE 'ptx.red_flag%' ORDER BY 1;
RESET ptx.fake_now;
-- the test roles leave their group roles, as they came
DO $$
DECLARE r text;
BEGIN
  FOR r IN SELECT substr(rolname, 13) FROM pg_roles
            WHERE rolname IN ('regress_ptx_admin', 'regress_ptx_operator', 'regress_ptx_supervisor',
                              'regress_ptx_auditor', 'regress_ptx_public') LOOP
    IF pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;
