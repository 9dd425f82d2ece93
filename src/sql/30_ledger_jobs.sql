-- The ledger's pg_cron jobs (ptx.schedule_jobs() registers them).  With ptx
-- in shared_preload_libraries the sealing workers seal within seconds and
-- ptx:seal only finds nothing left to do; without them it bounds the lag to
-- a minute.
INSERT INTO ptx.scheduled_job (name, schedule, command, description) VALUES
  ('ptx:seal', '* * * * *', 'SELECT ptx.seal()',
   'seal ledger entries into hash-chained blocks (电子固化)'),
  ('ptx:verify', '17 2 * * *', 'SELECT ptx.verify_incremental()',
   'verify the ledger from the last clean check on; results in ptx.ledger_check');
