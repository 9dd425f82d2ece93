-- Legal numbers have floors (DESIGN.md §11.5): stricter allowed, laxer
-- refused with 22023 and the law in the detail, through ptx.set_policy and
-- through a direct write of ptx.policy alike; NaN, infinity, negative
-- values, ratios above 1 and booleans other than 0 and 1 refused.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

SELECT f.key, f.direction, d.value, d.unit FROM ptx.policy_floor f JOIN ptx.policy_default d USING (key) ORDER BY key;

-- Each boundary: the law's value and a stricter one pass, one step laxer is refused.
SELECT ptx.set_policy('tender.min_bids', 3, 'the law');
SELECT ptx.set_policy('tender.min_bids', 4, 'stricter');
SELECT ptx.set_policy('tender.min_bids', 2, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('tender.min_bid_days.construction', 20, 'the law');
SELECT ptx.set_policy('tender.min_bid_days.construction', 19.5, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('committee.min_members', 7, 'stricter');
SELECT ptx.set_policy('committee.min_members', 4, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('inspection.default_ratio', 0.25, 'the law');
SELECT ptx.set_policy('inspection.default_ratio', 0.3, 'stricter');
SELECT ptx.set_policy('inspection.default_ratio', 0.2, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('inspection.default_ratio', 1.01, 'not a ratio');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('candidates.max', 2, 'stricter');
SELECT ptx.set_policy('candidates.max', 4, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('complaint.accept_working_days', 3, 'the law');
SELECT ptx.set_policy('complaint.accept_working_days', 4, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('award.first_ranked_state_funded', 0, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('committee.odd_members', 2, 'not a boolean');
\echo :LAST_ERROR_SQLSTATE

-- Values that mean nothing, on any setting.
SELECT ptx.set_policy('red_flag.repeat_wins', 'NaN', 'nan');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('red_flag.repeat_wins', 'Infinity', 'infinite');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('red_flag.repeat_wins', -1, 'negative');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('red_flag.repeat_wins', 0, 'zero is a value');
SELECT ptx.set_policy('tender.min_bids', 'Infinity', 'infinite is not stricter');
\echo :LAST_ERROR_SQLSTATE

-- A direct write is held to the same floors, for ptx_admin as for the owner.
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_admin') THEN
    CREATE ROLE regress_ptx_admin LOGIN;
  END IF;
END $$;
GRANT ptx_admin TO regress_ptx_admin;
RESET client_min_messages;
SET ROLE regress_ptx_admin;
SELECT ptx.set_policy('tender.min_bids', 2, 'laxer, as ptx_admin');
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.policy SET value = 19 WHERE key = 'tender.min_bid_days.construction';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
INSERT INTO ptx.policy (key, value, reason) VALUES ('tender.min_bids', 2, 'direct')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.policy SET value = 1 WHERE key = 'tender.min_bids';
\echo :LAST_ERROR_SQLSTATE
SELECT key, value FROM ptx.policy ORDER BY key;
-- A NULL restores the law.
SELECT ptx.set_policy('tender.min_bids', NULL, 'back to the law');
SELECT ptx.setting('tender.min_bids');

-- The procurement methods' periods and the procurement challenge's clocks
-- are the law's numbers too: one step laxer is refused, the law passes.
SELECT ptx.set_policy('tender.min_bid_days.procurement.negotiation', 2, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('tender.min_bid_days.procurement.negotiation', 3, 'the law') IS NOT NULL AS law;
SELECT ptx.set_policy('challenge.answer_working_days', 8, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('challenge.answer_working_days', 7, 'the law') IS NOT NULL AS law;
SELECT ptx.set_policy('amendment.min_days', 14, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('complaint.decide_working_days.procurement', 31, 'laxer');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('tender.min_bid_days.procurement.negotiation', NULL, 'back') IS NOT NULL AS back,
       ptx.set_policy('challenge.answer_working_days', NULL, 'back') IS NOT NULL AS back;
