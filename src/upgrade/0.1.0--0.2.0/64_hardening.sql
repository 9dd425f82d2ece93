-- Closed vocabularies, finite amounts, TRUNCATE refused (from 0.1.0):
-- runs after the functions are replaced.
--
-- New in 0.2.0 and carried whole: src/sql/40_vocabulary.sql (the tables
-- ptx.funding_source and ptx.project_kind, the checks, the constraints on
-- ptx.project, ptx.contract, ptx.bid, ptx.policy and ptx.policy_default),
-- src/sql/42_catalog_terms.sql (ptx.catalog) and src/sql/98_hardening.sql
-- (the TRUNCATE guard of every ptx table and of every table tracked under
-- 0.1.0, the states of ptx.transition).
--
-- Their constraints are added NOT VALID and validated at once
-- (ptx.add_checked_constraint): on a database whose old rows break one
-- (a funding or kind spelt otherwise, a NaN amount, a negative policy
-- value), the constraint holds for new rows, a WARNING names it, and the
-- old rows, which are records, stay as they were.  Find them with e.g.
--   SELECT id, funding FROM ptx.project p WHERE funding IS NOT NULL
--      AND NOT EXISTS (SELECT 1 FROM ptx.funding_source f WHERE f.code = p.funding);
-- then add the code to the vocabulary if it is a real one (INSERT INTO
-- ptx.funding_source ...) and run ALTER TABLE ... VALIDATE CONSTRAINT.
-- Until then the scans that match old contracts against the catalog
-- (ptx.catalog_in_force: split trades, below-threshold red flags) refuse
-- such a row with 22023 rather than read it as not covered.

-- The new tables come under the ledger by src/sql/90_ledger_track.sql,
-- which every upgrade runs again.

-- What 99_finish.sql closes at install, for the objects new in 0.2.0.
REVOKE ALL ON FUNCTION ptx.check_trade_terms(text, text, text, text), ptx.check_term_list(text, text[]),
    ptx.trade_terms_before_write(), ptx.catalog_terms_before_insert(), ptx.add_checked_constraint(regclass, text, text),
    ptx.ledger_refuse_truncate(), ptx.transition_states_check() FROM PUBLIC;
REVOKE ALL ON ptx.funding_source, ptx.project_kind FROM PUBLIC;
GRANT SELECT ON ptx.funding_source, ptx.project_kind TO ptx_auditor;
