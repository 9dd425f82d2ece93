-- carry: whole
-- Every table of schema ptx is tracked by the ledger (R3), whichever module
-- created it: the capture trigger is attached by a catalog query, after all
-- modules' tables exist.  Every upgrade script runs this file again (its
-- first line says so to src/upgrade/carry.pl), which attaches the trigger
-- to the tables the upgrade added and leaves the others as they are.
--
-- The trigger is AFTER ROW, so that rows refused by the modules' BEFORE
-- triggers and constraints never reach the ledger.  Rows that the install
-- script itself inserted (built-in categories, policy defaults) are logged
-- by the first ptx.seal() as a baseline SNAPSHOT, not here: an entry written
-- during CREATE EXTENSION would be written again when a dump is restored.
--
-- Three tables are not captured row by row, because what matters in them is
-- recorded otherwise, and verified:
--   ptx.draw_pool       the pools of an executed draw: the event
--                       draw_executed records each pool's number, label,
--                       wanted, size, the hash of its sorted ids and the hash
--                       of its groups; ptx.verify_draw checks the stored
--                       pools against that event (docs/reference/draws.md).
--   ptx.draw_pick       the picks of an executed draw: a function of the
--                       seed (in the captured request) and the pools, and
--                       the event records their number and hash;
--                       ptx.verify_draw checks both and replays the draw.
--   ptx.agency_business derived from ptx.project (captured) by triggers;
--                       ptx.rebuild_agency_business() recomputes it and
--                       ptx.verify_agency_business() compares it with the
--                       projects (docs/reference/inspection.md).
-- An inspection draw stores 10 000 ids and 7 500 picks; row by row they
-- would be as many ledger entries, each with its image and hash.

DO $track$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.oid, c.relname
          FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'ptx'::pg_catalog.regnamespace
           AND c.relkind IN ('r', 'p')
           AND NOT c.relispartition
           AND c.relname NOT IN ('ledger_entry', 'ledger_block', 'ledger_key_index', 'ledger_project_index',
                                 'draw_pool', 'draw_pick', 'agency_business')
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                            WHERE t.tgrelid = c.oid AND t.tgname = 'ptx_ledger')
         ORDER BY c.relname
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                        WHERE i.indrelid = r.oid AND i.indisprimary) THEN
            RAISE EXCEPTION 'table ptx.% has no primary key', r.relname
                USING ERRCODE = '55000',
                      HINT = 'Every ptx table needs a primary key so that the ledger can identify its rows.';
        END IF;
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER ptx_ledger AFTER INSERT OR UPDATE OR DELETE ON ptx.%I'
            ' FOR EACH ROW EXECUTE FUNCTION ptx.ledger_capture()', r.relname);
    END LOOP;
END
$track$;
