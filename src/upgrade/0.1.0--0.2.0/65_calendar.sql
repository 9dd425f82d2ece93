-- 0.1.0 → 0.2.0, after the functions: the trigger that refuses an unknown
-- trading method (43_lifecycle.sql), and ledger capture of the tables this
-- step adds (90_ledger_track.sql tracks every ptx table at installation).

CREATE TRIGGER project_method_check BEFORE INSERT OR UPDATE OF category, method ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.project_method_check();

DO $upgrade$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['trade_method', 'document_amendment'] LOOP
        IF pg_catalog.to_regclass('ptx.' || t) IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                            WHERE g.tgrelid = pg_catalog.to_regclass('ptx.' || t)
                              AND g.tgname = 'ptx_ledger') THEN
            EXECUTE pg_catalog.format(
                'CREATE TRIGGER ptx_ledger AFTER INSERT OR UPDATE OR DELETE ON ptx.%I'
                ' FOR EACH ROW EXECUTE FUNCTION ptx.ledger_capture()', t);
        END IF;
    END LOOP;
END
$upgrade$;
