-- Sales (src/sql/49_sales.sql): the new file is carried whole; its tables
-- are brought under the ledger here the way 90_ledger_track.sql does at a
-- fresh install (they are new and empty: there is nothing to snapshot).
DO $track_sales$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sale', 'deposit', 'offer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                        WHERE g.tgrelid = pg_catalog.format('ptx.%I', t)::regclass
                          AND g.tgname = 'ptx_ledger') THEN
            EXECUTE pg_catalog.format(
                'CREATE TRIGGER ptx_ledger AFTER INSERT OR UPDATE OR DELETE ON ptx.%I'
                ' FOR EACH ROW EXECUTE FUNCTION ptx.ledger_capture()', t);
        END IF;
    END LOOP;
END
$track_sales$;
