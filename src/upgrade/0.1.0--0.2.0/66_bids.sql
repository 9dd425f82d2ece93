-- Bids sealed by the bidder (src/sql/44_bids_sealed.sql, carried whole: its
-- policy rows, the new columns of ptx.bid, ptx.bid_sealing and
-- ptx.bidder_credential).  What an installation of 0.1.0 needs besides:

-- Projects announced under 0.1.0 took their bids sealed by the platform:
-- they keep that mode, recorded and public like any other.  Projects not
-- announced yet take the mode of the policy when they are announced.
INSERT INTO ptx.bid_sealing (project_id, mode, fixed_at, basis)
SELECT p.id, 'platform', COALESCE(p.announced_at, p.state_changed_at, pg_catalog.clock_timestamp()),
       'announced under release 0.1.0, whose bids were sealed by the platform'
  FROM ptx.project p
 WHERE p.state <> 'registered'
ON CONFLICT ON CONSTRAINT bid_sealing_pkey DO NOTHING;

-- The bids' rows gained columns (seal_mode = 'platform', the others NULL):
-- a SNAPSHOT of each row in the ledger, so that its last image is the row
-- as it now stands and ptx.verify() compares like with like.
SELECT ptx.ledger_snapshot('ptx.bid'::pg_catalog.regclass);
