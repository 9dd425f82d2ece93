-- Demo, last part: every step recorded, tamper-evident, traceable
-- (全程留痕、可查可溯、电子固化, R3).
--
-- Everything the earlier parts did — registrations, every state
-- transition, every bid (sealed), every draw and read of a committee
-- list, credit records — is in the ledger, written in the same transaction
-- as the change.  Here the ledger is sealed into hash-chained blocks,
-- verified, a digest is published, one project's trail is read back, and
-- then a superuser tampers with the data and with the ledger itself.
\pset footer off
\set ON_ERROR_STOP on
SET TimeZone = 'Asia/Shanghai';

SELECT ptx.seal() AS blocks_sealed_now \gset

\echo
\echo '== The ledger after the demo'
SELECT count(*) AS entries, count(*) FILTER (WHERE kind <> 'row') AS events,
       count(DISTINCT relation) AS relations,
       min(business_at)::date AS first_business_day, max(business_at)::date AS last_business_day
  FROM ptx.ledger_entry;
SELECT relation, count(*) AS entries FROM ptx.ledger_entry GROUP BY relation ORDER BY 2 DESC, 1 LIMIT 10;
SELECT count(*) AS blocks, sum(entry_count) AS sealed_entries,
       (SELECT count(*) FROM ptx.ledger_entry e
         WHERE e.seq > (SELECT coalesce(max(last_seq), 0) FROM ptx.ledger_block)) AS unsealed
  FROM ptx.ledger_block;

\echo '== Verification (no rows: every entry, block, link and tracked row checks out)'
SELECT * FROM ptx.verify();

\echo '== The digest published outside the database (print-out, the regional centre)'
SELECT ptx.digest() AS published \gset
SELECT :'published'::jsonb - 'system_identifier' AS digest;

\echo '== The trail of one project, end to end (the tender that failed and was tendered again)'
SELECT t.seq, t.business_at::date AS day, t.operation, t.relation,
       coalesce(t.data ->> 'to_state', t.data ->> 'state', t.data ->> 'status', '') AS state_or_status
  FROM ptx.trail((SELECT id FROM ptx.project WHERE code = '150100-2025-02')) t
 ORDER BY t.seq;

\echo '== A superuser halves a contract''s amount with triggers off ...'
SET session_replication_role = replica;
UPDATE ptx.contract SET amount = amount / 2
 WHERE id = (SELECT min(id) FROM ptx.contract WHERE project_id IS NOT NULL);
RESET session_replication_role;
SELECT problem, left(detail, 100) AS detail FROM ptx.verify();

\echo '== ... tries to fix the ledger entry to match: refused (PX009) ...'
\set ON_ERROR_STOP off
\set SHOW_CONTEXT never
UPDATE ptx.ledger_entry SET row_image = NULL WHERE seq = 1;
\set ON_ERROR_STOP on

\echo '== ... forces it with triggers off: the hash chain gives it away'
SET session_replication_role = replica;
UPDATE ptx.ledger_entry SET business_at = business_at - interval '1 day'
 WHERE seq = (SELECT max(seq) FROM ptx.ledger_entry WHERE relation = 'ptx.contract' AND operation = 'INSERT');
RESET session_replication_role;
SELECT problem, count(*) AS findings FROM ptx.verify() GROUP BY problem ORDER BY problem;

\echo '== and the digest published earlier still matches the chain, which was not rewritten'
SELECT count(*) AS digest_problems FROM ptx.verify(:'published'::jsonb) WHERE problem LIKE 'digest%';
