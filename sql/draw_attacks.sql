-- Draws no one can re-roll, reads no one can unrecord (DESIGN.md §11.1,
-- §11.2): each attack of a hostile but authorised user, tried as the role
-- that has it, and shown refused or without effect.
--   1. peek and mutate: execute, look, roll back, change the pool, execute
--      again (an operator with a recusal, a supervisor with an inspector);
--   2. abandon and request again: a second request of a need (PX008), the
--      recorded cancellation, seen by supervisors, published, flagged;
--   3. reads that vanish: a read rolled back or aborted leaves its record;
--   4. ptx_admin reads no committee and executes no expert draw.
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
GRANT EXECUTE ON FUNCTION regress_rid(int) TO PUBLIC;

SET ptx.fake_now = '2024-06-01 09:00:00+08';
\o /dev/null
SELECT ptx.set_policy('expert_db.min_size', 10, 'a small test database');
SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');
SELECT ptx.add_org(regress_uscc(1), '住房和城乡建设厅', '150000', '{supervisor}') AS sup,
       ptx.add_org(regress_uscc(2), '招标人', '150100', '{tenderee}') AS tenderee,
       ptx.add_org(regress_uscc(3), '代理机构甲', '150100', '{agency}') AS agency,
       ptx.add_org(regress_uscc(4), '投标人', '150100', '{bidder}') AS bidder \gset
SELECT ptx.add_org(regress_uscc(5), '代理机构乙', '150100', '{agency}'),
       ptx.add_org(regress_uscc(6), '代理机构丙', '150100', '{agency}');
SELECT min(ptx.add_org(regress_uscc(i), '单位' || i, '150100', '{bidder}')) AS e0
  FROM generate_series(10, 29) i \gset
SELECT ptx.grant_jurisdiction(:sup, 'construction', '150000');
SELECT min(ptx.add_expert('专家' || i, regress_rid(i), :e0 + i, '150100', '{A08}', '2025-12-31')) AS x1
  FROM generate_series(1, 12) i \gset
SELECT ptx.add_inspector(:sup, '检查员' || j) FROM generate_series(1, 4) j;
-- every login acts for its organisation (DESIGN.md §11.4): the operator
-- for the trading centre of 呼和浩特, the supervisor for the department
SELECT ptx.add_org(regress_uscc(7), '呼和浩特市公共资源交易中心', '150100', '{centre}') AS centre \gset
SELECT ptx.add_staff('regress_ptx_operator', :centre), ptx.add_staff('regress_ptx_supervisor', :sup);
-- registered in 2024 (the agencies' business of the year), then opened
-- with the other modules' triggers off: this test is about draws
INSERT INTO ptx.project (code, title, category, region, tenderee_id, agency_id, supervisor_id, amount)
SELECT code, '工程 ' || code, 'construction', '150100', :tenderee, a.id, :sup, 5000000
  FROM (VALUES ('P', 3), ('Q', 5), ('R', 6)) v (code, n)
  JOIN ptx.org a ON a.uscc = regress_uscc(v.n);
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'opened';
INSERT INTO ptx.bid (project_id, bidder_id, price)
SELECT id, :bidder, 4800000 FROM ptx.project;
RESET session_replication_role;
\o
SELECT id AS p FROM ptx.project WHERE code = 'P' \gset
SELECT id AS q FROM ptx.project WHERE code = 'Q' \gset
SET ptx.fake_now = '2024-06-10 09:00:00+08';

\echo '== 1. Peek and mutate: an operator looks, rolls back, recuses the unwanted expert'
SET SESSION AUTHORIZATION regress_ptx_operator;
SELECT ptx.request_expert_draw(:p, '[{"specialty":"A08","count":3}]') AS d \gset
BEGIN;
SELECT string_agg(subject_id::text, ',' ORDER BY seat) AS peek, min(subject_id) AS unwanted
  FROM ptx.execute_draw(:d) \gset
ROLLBACK;
-- the look committed the execution: the recusal comes too late
SELECT count(*) AS executions_after_rollback FROM ptx.draw_execution WHERE draw_id = :d;
SELECT ptx.add_expert_relation(:unwanted, :bidder, 'employee') IS NOT NULL AS recused;
SELECT string_agg(subject_id::text, ',' ORDER BY seat) = :'peek' AS same_committee,
       bool_or(subject_id = :unwanted) AS unwanted_still_drawn
  FROM ptx.execute_draw(:d);
RESET SESSION AUTHORIZATION;
SELECT ptx.verify_draw(:d) AS verified,
       (SELECT count(*) FROM ptx.ledger_entry
         WHERE kind = 'draw_executed' AND key::jsonb = jsonb_build_object('id', :d)) AS executions_recorded,
       (SELECT executed_by FROM ptx.draw_execution WHERE draw_id = :d) AS executed_by;
-- the recused member is now a problem of the committee: replaced with a reason, recorded
SELECT count(*) AS problems FROM ptx.committee_problems(:p) x WHERE x LIKE 'expert % may not sit: employee relation%';
-- nobody executes a draw outside the worker, not even the owner
SELECT ptx.draw_run_committed(:d, 'ptx.compute_expert_draw(bigint)');
\echo :LAST_ERROR_SQLSTATE

\echo '== 1b. A supervisor looks at the inspection draw, rolls back, sets an inspector inactive'
SELECT ptx.request_inspection_draw(2024, :sup) AS di \gset
SET SESSION AUTHORIZATION regress_ptx_supervisor;
BEGIN;
SELECT string_agg(subject_id || '/' || role || '/' || COALESCE(assigned_to::text, '-'), ',' ORDER BY seat) AS ipeek,
       min(subject_id) FILTER (WHERE role = 'inspector') AS unwanted_inspector
  FROM ptx.execute_draw(:di) \gset
ROLLBACK;
SELECT ptx.set_inspector_active(:unwanted_inspector, false);
SELECT string_agg(subject_id || '/' || role || '/' || COALESCE(assigned_to::text, '-'), ',' ORDER BY seat) = :'ipeek' AS same_inspection,
       count(*) FILTER (WHERE role = 'agency') AS agencies,
       bool_or(subject_id = :unwanted_inspector AND role = 'inspector') AS inactive_inspector_kept
  FROM ptx.execute_draw(:di);
RESET SESSION AUTHORIZATION;
-- the pool is the one of the execution, whatever changes afterwards
SELECT ptx.verify_draw(:di) AS verified,
       (SELECT :unwanted_inspector = ANY (pool) FROM ptx.draw_pool WHERE draw_id = :di AND pool_no = 3) AS stored_pool_kept;

\echo '== 2. Abandon and request again'
SET SESSION AUTHORIZATION regress_ptx_operator;
SELECT ptx.request_expert_draw(:q, '[{"specialty":"A08","count":3}]') AS q1 \gset
SELECT ptx.request_expert_draw(:q, '[{"specialty":"A08","count":3}]');
\echo :LAST_ERROR_SQLSTATE
-- a code under the need is the same need
SELECT ptx.request_expert_draw(:q, '[{"specialty":"A0801","count":3}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(:q1, ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(:di, '不是专家抽取');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(:q1, '评标时间推迟，抽取需求变更');
SELECT ptx.cancel_draw(:q1, '再次');
\echo :LAST_ERROR_SQLSTATE
-- a cancelled draw is never executed
SELECT count(*) FROM ptx.execute_draw(:q1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:q, '[{"specialty":"A08","count":3}]') AS q2 \gset
SELECT count(*) AS picks FROM ptx.execute_draw(:q2);
-- after its execution a draw cannot be cancelled
SELECT ptx.cancel_draw(:q2, '不满意');
\echo :LAST_ERROR_SQLSTATE
-- nor cancelled and executed in one transaction (the worker would wait for it)
BEGIN;
SELECT ptx.request_expert_draw(:q, '[{"specialty":"B08","count":1}]') AS q3 \gset
COMMIT;
BEGIN;
SELECT ptx.cancel_draw(:q3, '需求有误');
SELECT count(*) FROM ptx.execute_draw(:q3);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT ptx.cancel_draw(:q3, '需求有误');
RESET SESSION AUTHORIZATION;
-- supervisors see every cancellation at once; they cannot cancel
SET ROLE regress_ptx_supervisor;
SELECT draw_id = :q1 AS first_request, project_code, round, reason, cancelled_by, requested_by
  FROM ptx.draw_cancellation_state ORDER BY draw_id;
SELECT ptx.cancel_draw(:q2, '监管部门撤销');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- the ledger captured it
SELECT count(*) AS cancellations_recorded FROM ptx.ledger_entry
 WHERE relation = 'ptx.draw_cancellation' AND operation = 'INSERT';
-- the public sees it with the project's result, not before
SET ROLE regress_ptx_public;
SELECT count(*) AS published_before_result FROM ptx_public.draw_cancellation;
RESET ROLE;
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'publicity' WHERE id = :q;
RESET session_replication_role;
SET ROLE regress_ptx_public;
SELECT draw_id = :q1 AS first_request, project_code, reason, length(commitment) AS commitment_hex
  FROM ptx_public.draw_cancellation ORDER BY draw_id;
RESET ROLE;
-- each cancellation is a red flag (cancelled_draw) on its day, not the day before
SELECT count(*) AS flags_day_before FROM ptx.red_flag_hits('2024-06-09', '2024-06-09') WHERE kind = 'cancelled_draw';
SELECT ptx.scan_red_flags('2024-06-10', '2024-06-10') > 0 AS scanned;
SELECT kind, (subject ->> 'draw_id')::bigint = :q1 AS first_request, project_id = :q AS of_q, event_on,
       evidence ->> 'reason' AS reason, evidence ->> 'cancelled_by' AS cancelled_by,
       evidence ->> 'cancellations_of_project' AS nth
  FROM ptx.red_flag WHERE kind = 'cancelled_draw' ORDER BY id;

-- a caller whose snapshot predates the execution (repeatable read) gets
-- the picks all the same, from the worker
SELECT id AS r FROM ptx.project WHERE code = 'R' \gset
SET SESSION AUTHORIZATION regress_ptx_operator;
SELECT ptx.request_expert_draw(:r, '[{"specialty":"A08","count":3}]') AS r1 \gset
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) AS executions_seen FROM ptx.draw_execution WHERE draw_id = :r1;
SELECT count(*) AS picks, count(DISTINCT subject_id) AS experts FROM ptx.execute_draw(:r1);
SELECT count(*) AS executions_seen FROM ptx.draw_execution WHERE draw_id = :r1;
COMMIT;
RESET SESSION AUTHORIZATION;
SELECT ptx.verify_draw(:r1) AS verified;

\echo '== 3. Reads that vanish: each read leaves a committed record'
CREATE TEMP VIEW reads AS
SELECT kind, count(*) AS records, string_agg(DISTINCT session_user_name, ',') AS by
  FROM ptx.ledger_entry
 WHERE kind IN ('committee_read', 'personal_data_read', 'draw_result_read')
 GROUP BY kind ORDER BY kind;
SELECT * FROM reads;
SET SESSION AUTHORIZATION regress_ptx_operator;
BEGIN;
SELECT count(*) > 0 AS saw_members FROM ptx.committee(:p);
ROLLBACK;
BEGIN;
SELECT id_number = regress_rid(1) AS saw_id_number FROM ptx.expert_personal_data(:x1);
ROLLBACK;
BEGIN;
SELECT count(*) AS saw_picks FROM ptx.execute_draw(:d);
ROLLBACK;
-- a transaction that fails after the read
BEGIN;
SELECT count(*) > 0 AS saw_members FROM ptx.committee(:p);
SELECT 1 / 0;
ROLLBACK;
RESET SESSION AUTHORIZATION;
SELECT * FROM reads;
-- an auditor reading the trail of a project not yet published
SET ROLE regress_ptx_auditor;
BEGIN;
SELECT count(*) > 0 AS saw_trail FROM ptx.trail(:p);
ROLLBACK;
RESET ROLE;
SELECT count(*) AS trail_reads, min(row_image::jsonb ->> 'state') AS state
  FROM ptx.ledger_entry WHERE kind = 'sealed_read' AND key::jsonb = jsonb_build_object('id', :p);
-- once the result is published the trail is no secret: no record
SET session_replication_role = replica;
UPDATE ptx.project SET state = 'publicity' WHERE id = :q;
RESET session_replication_role;
SELECT count(*) > 0 AS saw_trail FROM ptx.trail(:q);
SELECT count(*) AS published_trail_reads FROM ptx.ledger_entry
 WHERE kind = 'sealed_read' AND key::jsonb = jsonb_build_object('id', :q);

\echo '== 4. ptx_admin: no expert draw, no committee before publication'
SET ROLE regress_ptx_admin;
SELECT count(*) FROM ptx.execute_draw(:d);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_expert_draw(:p, '[{"specialty":"B08","count":1}]');
\echo :LAST_ERROR_SQLSTATE
CALL ptx.draw_experts(:p, '[{"specialty":"B08","count":1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.replace_pick(:d, :x1, '试探');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.committee(:p);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.check_committee(:p);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.draw_pick;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.committee_member;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.autonomous_run('SELECT 1');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.draw_run_committed(:d, 'ptx.compute_expert_draw(bigint)');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.cancel_draw(:d, '管理员撤销');
\echo :LAST_ERROR_SQLSTATE
-- the committee's counts stay open to it, and inspection draws, but only
-- as staff of the draw's department (PX015 while it acts for none)
SELECT ptx.committee_composition(:p) ->> 'experts' AS experts;
SELECT count(*) > 0 AS inspection_picks FROM ptx.execute_draw(:di);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT ptx.add_staff('regress_ptx_admin', :sup) > 0 AS admin_staff_of_department;
SET ROLE regress_ptx_admin;
SELECT count(*) > 0 AS inspection_picks FROM ptx.execute_draw(:di);
RESET ROLE;
-- auditors read the committee, each read recorded
SET ROLE regress_ptx_auditor;
SELECT count(*) AS members FROM ptx.committee(:p);
RESET ROLE;
SELECT records AS committee_reads FROM reads WHERE kind = 'committee_read';
