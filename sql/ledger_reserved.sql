-- Events that ptx trusts are ptx's alone (DESIGN.md §11.3), and no one
-- blocks the ledger for everyone: reserved kinds refused by
-- ptx.ledger_event (PX009) for every role, the internal writers granted to
-- no one, a track event that cannot be forged, temporary tables never
-- tracked, the capture function not granted to group roles.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

SELECT ptx.ledger_reserved_kinds();
SET client_min_messages = warning;
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['admin', 'operator', 'supervisor'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
  END LOOP;
END $$;
RESET client_min_messages;

-- Reserved kinds, whoever asks; case and blanks do not hide them.
SET ROLE regress_ptx_operator;
SELECT ptx.ledger_event('draw_executed', 'ptx.draw_request', '{"id": 1}', '{"picks": 0}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.ledger_event(' Track ', 'public.t', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.ledger_event('transition', 'ptx.project', '{"id": 1}', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.ledger_event('track_note', 'ptx.project', '{"id": 1}', NULL) > 0 AS application_kind;
SELECT ptx.ledger_event_internal('draw_executed', 'ptx.draw_request', '{"id": 1}', NULL);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_supervisor;
SELECT ptx.ledger_event('untrack', 'ptx.project', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_ptx_admin;
SELECT ptx.ledger_event('draw_requested', 'ptx.draw_request', '{"id": 1}', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.ledger_event_internal('track', 'ptx.project', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT ptx.ledger_event('personal_data_read', 'ptx.expert', '{"id": 1}', NULL);   -- the superuser too
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS reserved_events_written FROM ptx.ledger_entry
 WHERE operation = 'EVENT' AND kind = ANY (ptx.ledger_reserved_kinds());

-- A track event only with the capture trigger that ptx.track creates in
-- the same transaction: not for a table tracked before, not by hand.
CREATE TABLE public.regress_ptx_shop (id int PRIMARY KEY);
SELECT ptx.track('public.regress_ptx_shop');
SELECT ptx.ledger_track_event('public.regress_ptx_shop'::regclass, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.ledger_track_event('ptx.project'::regclass, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS track_events FROM ptx.ledger_entry
 WHERE kind = 'track' AND relation = 'public.regress_ptx_shop';
GRANT USAGE ON SCHEMA public TO regress_ptx_admin;
CREATE TABLE public.regress_ptx_other (id int PRIMARY KEY);
SET ROLE regress_ptx_admin;
SELECT ptx.track('public.regress_ptx_other');                        -- not its table
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.ledger_attach('public.regress_ptx_other'::regclass);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.ledger_untrack_event('public.regress_ptx_shop'::regclass, '{}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Temporary tables are never tracked.
CREATE TEMP TABLE regress_ptx_scratch (id int PRIMARY KEY);
SELECT ptx.track('regress_ptx_scratch');
\echo :LAST_ERROR_SQLSTATE

-- The capture function is granted to no group role.
SELECT r AS role, has_function_privilege(r, 'ptx.ledger_capture()', 'EXECUTE') AS capture,
       has_function_privilege(r, 'ptx.ledger_event_internal(text,text,jsonb,jsonb)', 'EXECUTE') AS internal
  FROM unnest(ARRAY['ptx_admin', 'ptx_operator', 'ptx_supervisor', 'ptx_auditor', 'ptx_public']) r;

SELECT ptx.untrack('public.regress_ptx_shop');
DROP TABLE public.regress_ptx_shop, public.regress_ptx_other;
REVOKE USAGE ON SCHEMA public FROM regress_ptx_admin;
