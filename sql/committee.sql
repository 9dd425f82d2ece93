-- The evaluation committee (评标委员会, R5): composition at its boundaries
-- (4/5/6/7 members, 2/3 experts, 7 for government procurement of 10 M
-- CNY), the check before evaluation (PX012), secrecy of the member list and
-- the seed per role until the result is published, ratings (评价反馈).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
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
-- the committee's problems, with the drawn experts' ids (random) masked
CREATE OR REPLACE FUNCTION regress_problems(p bigint) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(x, 'expert \d+', 'expert N'), 'organisation \d+', 'organisation N') FROM ptx.committee_problems(p) x $$;

SET ptx.fake_now = '2024-06-10 09:00:00+08';
SELECT ptx.set_policy('expert_db.min_size', 10, 'a small test database');
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_org(regress_uscc(1), '财政厅', '150000', '{supervisor}') AS sup,
       ptx.add_org(regress_uscc(2), '招标人', '150100', '{tenderee}') AS tenderee,
       ptx.add_org(regress_uscc(3), '代理机构', '150100', '{agency}') AS agency \gset
SELECT min(ptx.add_org(regress_uscc(i), '单位' || i, '150100', '{bidder}')) AS e0 FROM generate_series(4, 40) i \gset
SELECT count(ptx.add_expert('专家' || i, regress_rid(i), :e0 + i, '150100', '{A08}', '2025-12-31')) AS experts
  FROM generate_series(1, 30) i;

SET session_replication_role = replica;
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount, state) VALUES
  ('P', '办公楼施工', 'construction', '150100', :tenderee, :agency, :sup, 5000000, 'opened'),
  ('Q', '医疗设备采购', 'procurement', '150100', :tenderee, :agency, :sup, 10000000, 'opened'),
  ('R', '医疗设备采购', 'procurement', '150100', :tenderee, :agency, :sup, 9999999.99, 'opened');
RESET session_replication_role;
SELECT id AS p FROM ptx.project WHERE code = 'P' \gset
SELECT id AS q FROM ptx.project WHERE code = 'Q' \gset
SELECT id AS r FROM ptx.project WHERE code = 'R' \gset

-- 4 experts: too few, and even.
CALL ptx.draw_experts(:p, '[{"specialty":"A08","count":4}]');
SELECT ptx.committee_composition(:p);
SELECT * FROM regress_problems(:p);
UPDATE ptx.project SET state = 'evaluating' WHERE id = :p;
\echo :LAST_ERROR_SQLSTATE
-- 5 members, 4 of them experts (4 ≥ 2/3 × 5): complete.
SELECT ptx.add_tenderee_representative(:p, '招标人代表甲') AS rep1 \gset
SELECT * FROM regress_problems(:p);
UPDATE ptx.project SET state = 'evaluating' WHERE id = :p;
SELECT state FROM ptx.project WHERE id = :p;
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'opened' WHERE id = :p;
RESET session_replication_role;
-- 6 members: even.
SELECT ptx.add_tenderee_representative(:p, '招标人代表乙') AS rep2 \gset
SELECT * FROM regress_problems(:p);
-- 7 members, 4 experts: fewer than 2/3 (5 needed).
SELECT ptx.add_tenderee_representative(:p, '招标人代表丙') AS rep3 \gset
SELECT * FROM regress_problems(:p);
UPDATE ptx.project SET state = 'evaluating' WHERE id = :p;
\echo :LAST_ERROR_SQLSTATE
-- 7 members, 5 experts: complete.
SELECT ptx.withdraw_tenderee_representative(:rep3, '');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.withdraw_tenderee_representative(:rep3, '改由专家补足');
SELECT ptx.withdraw_tenderee_representative(:rep3, '再次');
\echo :LAST_ERROR_SQLSTATE
CALL ptx.draw_experts(:p, '[{"specialty":"A08","count":1}]');
SELECT ptx.committee_composition(:p);
SELECT * FROM regress_problems(:p);

-- Government procurement: at 10 000 000 CNY the committee needs 7; one
-- cent below, 5 will do.
CALL ptx.draw_experts(:q, '[{"specialty":"A08","count":5}]');
CALL ptx.draw_experts(:r, '[{"specialty":"A08","count":5}]');
SELECT * FROM regress_problems(:q);
SELECT * FROM regress_problems(:r);
-- Where committees are kept in another expert system, the check can be
-- switched off (committee.check_before_evaluation).
UPDATE ptx.project SET state = 'evaluating' WHERE id = :q;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('committee.check_before_evaluation', 0, 'committees kept in another system');
UPDATE ptx.project SET state = 'evaluating' WHERE id = :q;
SELECT state FROM ptx.project WHERE id = :q;
SELECT ptx.set_policy('committee.check_before_evaluation', NULL, 'back to the law');
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'opened' WHERE id = :q;
RESET session_replication_role;
CALL ptx.draw_experts(:q, '[{"specialty":"A08","count":2}]');
SELECT * FROM regress_problems(:q);
-- The settings decide: 9 members for this region's large procurements.
SELECT ptx.set_policy('committee.procurement_large_min_members', 9, 'regional rule');
SELECT * FROM regress_problems(:q);
SELECT ptx.set_policy('committee.procurement_large_min_members', NULL, 'back to the law');

-- The check is made again against the final bidders: a bid from the
-- employer of a seated expert stops the evaluation until that expert is
-- replaced (补抽).
SELECT m.expert_id AS conflicted, m.draw_id AS conflicted_draw, e.employer_id AS conflicted_employer
  FROM ptx.committee_member m JOIN ptx.expert e ON e.id = m.expert_id
 WHERE m.project_id = :p ORDER BY m.draw_id, m.seat LIMIT 1 \gset
SET session_replication_role = replica;
INSERT INTO ptx.bid (project_id, bidder_id, price) VALUES (:p, :conflicted_employer, 4900000);
RESET session_replication_role;
SELECT * FROM regress_problems(:p);
\set VERBOSITY sqlstate
UPDATE ptx.project SET state = 'evaluating' WHERE id = :p;
\set VERBOSITY default
SELECT ptx.replace_pick(:conflicted_draw, :conflicted, '与投标人存在利害关系') AS rd \gset
SELECT count(*) AS replaced FROM ptx.execute_draw(:rd);
SELECT * FROM regress_problems(:p);
UPDATE ptx.project SET state = 'evaluating' WHERE id = :p;
SELECT state FROM ptx.project WHERE id = :p;

-- Secrecy before publication.  Operators read the members through
-- ptx.committee(), every read a ledger event; never the seed.
BEGIN;
SET LOCAL track_functions = 'all';
SET LOCAL ROLE regress_ptx_operator;
SELECT member_kind, count(*) FROM ptx.committee(:p) GROUP BY 1 ORDER BY 1;
SELECT pg_stat_get_xact_function_calls('ptx.ledger_event_internal(text,text,jsonb,jsonb)'::regprocedure) AS ledger_events;
COMMIT;
SET ROLE regress_ptx_operator;
SELECT count(*) FROM ptx.committee_member;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.draw_pick;
\echo :LAST_ERROR_SQLSTATE
SELECT seed FROM ptx.draw_request LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT replaced_subject_id FROM ptx.draw_request LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS requests, count(commitment) AS commitments FROM ptx.draw_request WHERE project_id = :p;
SELECT count(*) AS public_rows FROM ptx_public.committee;
RESET ROLE;
-- Supervisors: composition counts only; neither members nor picks.
SET ROLE regress_ptx_supervisor;
SELECT ptx.committee_composition(:p);
SELECT count(*) FROM ptx.committee(:p);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.execute_draw(:rd);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.check_committee(:p);
\echo :LAST_ERROR_SQLSTATE
SELECT seed FROM ptx.draw_request LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.verify_draw(:rd) AS verified;
RESET ROLE;
-- Auditors (纪检监察与审计): the seeds and the members, reading only.
SET ROLE regress_ptx_auditor;
SELECT count(seed) AS seeds_seen FROM ptx.draw_request WHERE project_id = :p;
SELECT count(*) AS members FROM ptx.committee(:p);
SELECT count(*) AS members_in_view FROM ptx.committee_member WHERE project_id = :p;
SELECT count(*) FROM ptx.execute_draw(:rd);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- The public: the commitments, no seed, no member.
SET ROLE regress_ptx_public;
SELECT count(*) AS draws, count(seed_masked) AS seeds, bool_and(length(commitment) = 64) AS commitments
  FROM ptx_public.draw WHERE project_code = 'P';
SELECT count(*) AS members FROM ptx_public.committee;
SELECT count(*) FROM ptx.committee(:p);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Experts are rated once the result is published.
SELECT ptx.rate_expert(:p, :conflicted, 80);
\echo :LAST_ERROR_SQLSTATE

-- Publication (state publicity): the committee with masked names, the seeds.
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'publicity' WHERE id = :p;
RESET session_replication_role;
SET ROLE regress_ptx_public;
SELECT project_code, member_kind, name ~ '^.\*+$' AS masked, specialty
  FROM ptx_public.committee ORDER BY member_kind, name;
SELECT count(*) AS draws, count(seed_masked) AS seeds,
       bool_and(commitment = encode(sha256(decode(seed_masked, 'hex')), 'hex')) AS seeds_match_commitments
  FROM ptx_public.draw WHERE project_code = 'P';
SELECT count(seed_masked) AS unpublished_seeds FROM ptx_public.draw WHERE project_code IN ('Q', 'R');
RESET ROLE;

-- Ratings (评价反馈) and dynamic management: with a window of one rating,
-- an average of 60 keeps an expert active, 59 suspends for 180 days.
SELECT ptx.set_policy('expert.rating_window', 1, 'test'), ptx.set_policy('expert.rating_min_count', 1, 'test');
SELECT array_agg(expert_id ORDER BY draw_id, seat) AS rated FROM ptx.committee_member WHERE project_id = :p AND member_kind = 'expert' \gset
SET ROLE regress_ptx_operator;
SELECT ptx.rate_expert(:p, (:'rated'::bigint[])[1], 60, '评审认真') > 0 AS rated_60;
SELECT ptx.rate_expert(:p, (:'rated'::bigint[])[2], 59, '评审意见前后矛盾') > 0 AS rated_59;
\set VERBOSITY sqlstate
SELECT ptx.rate_expert(:p, (:'rated'::bigint[])[1], 90);
SELECT ptx.rate_expert(:p, :conflicted, 90);
SELECT ptx.rate_expert(:p, (:'rated'::bigint[])[3], 101);
\set VERBOSITY default
RESET ROLE;
SELECT e.id = (:'rated'::bigint[])[2] AS is_the_59, e.status, e.suspended_until
  FROM ptx.expert e WHERE e.id IN ((:'rated'::bigint[])[1], (:'rated'::bigint[])[2]) ORDER BY e.status;
SELECT s.status, s.suspended_until, s.reason FROM ptx.expert_status_event s
 WHERE s.expert_id = (:'rated'::bigint[])[2];

-- Direct writes are closed: no one designates an expert.
SET ROLE regress_ptx_operator;
INSERT INTO ptx.draw_pick VALUES (:rd, 9, 1, 'A08', NULL);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
