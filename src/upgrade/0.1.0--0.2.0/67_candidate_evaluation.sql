-- ptx.candidate's rows gained the column evaluation and its primary key the
-- evaluation (43_candidate_evaluation.sql): the ledger identifies a row by
-- its key, so the table is taken under the ledger afresh, as ptx.track
-- does it: a new capture trigger, a track event that is the rows' new
-- baseline, and a SNAPSHOT of every row under its new key.  The entries
-- before it stay in the chain and keep verifying; ptx.verify() compares
-- the rows from the new baseline on.
DROP TRIGGER ptx_ledger ON ptx.candidate;
CREATE TRIGGER ptx_ledger AFTER INSERT OR UPDATE OR DELETE ON ptx.candidate
    FOR EACH ROW EXECUTE FUNCTION ptx.ledger_capture();
SELECT ptx.ledger_track_event('ptx.candidate'::pg_catalog.regclass,
    pg_catalog.jsonb_build_object('table', 'ptx.candidate',
                                  'reason', 'release 0.2.0: the primary key gained the evaluation'));
SELECT ptx.ledger_snapshot('ptx.candidate'::pg_catalog.regclass);
