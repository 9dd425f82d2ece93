-- Draws no one can re-roll, reads no one can unrecord (DESIGN.md §11.1,
-- §11.2), from 0.1.0: runs after the functions are replaced.
--
-- New in 0.2.0, carried whole: src/sql/58_autonomous.sql (the worker's
-- SQL interface) and src/sql/66_draw_cancellation.sql (the table
-- ptx.draw_cancellation, ptx.cancel_draw, the views).  No existing table
-- changes.  Expert draws requested under 0.1.0 have no round in their
-- pool rules: ptx.expert_draw_round counts them as round 1.

-- The ledger captures the new table like every ptx table: the upgrade
-- runs src/sql/90_ledger_track.sql again.

-- What 99_finish.sql closes at install, for the objects new in 0.2.0.
REVOKE ALL ON FUNCTION ptx.autonomous_run(text), ptx.in_autonomous_transaction(),
    ptx.record_read(text, text, jsonb, jsonb),
    ptx.draw_run_committed(bigint, regprocedure), ptx.check_draw_not_cancelled(bigint),
    ptx.draw_picks_committed(bigint),
    ptx.expert_draw_round(jsonb), ptx.cancel_draw(bigint, text),
    ptx.red_flags_cancelled_draw(date, date) FROM PUBLIC;
REVOKE ALL ON ptx.draw_cancellation, ptx.draw_cancellation_state, ptx_public.draw_cancellation FROM PUBLIC;
GRANT SELECT ON ptx.draw_cancellation, ptx.draw_cancellation_state, ptx_public.draw_cancellation TO ptx_auditor;
