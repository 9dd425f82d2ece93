-- Credit guards (R7): a credit-restricted subject is refused as bidder,
-- as agency and as contract party, in every region and category, whether
-- the row comes through the API or a direct write.  Experts are kept out
-- of draws by the experts module, which filters its pool with
-- ptx.is_restricted / ptx.restricted_subjects.
--
-- The tenderee of a project is not refused: RULES.md R7 restricts bidders,
-- agencies, experts and contract parties, and a dishonest tenderee (often
-- a public body) must still bring its project onto the platform.  It is
-- refused when it comes to sign the contract.
--
-- Each guard checks only when the party is new (INSERT, or the column
-- changed), so later steps on a row accepted earlier are not blocked.
-- It asks ptx.is_restricted first (one index probe, inlined into the
-- trigger's query) and builds the PX006 error only for a restricted party:
-- about 5 µs a row where assert_not_restricted alone costs 11 µs.

CREATE FUNCTION ptx.credit_guard_bid() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF (TG_OP = 'INSERT' OR NEW.bidder_id IS DISTINCT FROM OLD.bidder_id
        OR NEW.project_id IS DISTINCT FROM OLD.project_id)
       AND ptx.is_restricted('org', NEW.bidder_id) THEN
        PERFORM ptx.assert_not_restricted('org', NEW.bidder_id, 'bidder');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.credit_guard_bid() IS 'refuse a bid by a credit-restricted bidder (PX006)';
CREATE TRIGGER credit_guard BEFORE INSERT OR UPDATE OF bidder_id, project_id ON ptx.bid
    FOR EACH ROW EXECUTE FUNCTION ptx.credit_guard_bid();

CREATE FUNCTION ptx.credit_guard_project() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NEW.agency_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.agency_id IS DISTINCT FROM OLD.agency_id)
       AND ptx.is_restricted('org', NEW.agency_id) THEN
        PERFORM ptx.assert_not_restricted('org', NEW.agency_id, 'agency');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.credit_guard_project() IS 'refuse a credit-restricted agency on a project (PX006)';
CREATE TRIGGER credit_guard BEFORE INSERT OR UPDATE OF agency_id ON ptx.project
    FOR EACH ROW EXECUTE FUNCTION ptx.credit_guard_project();

-- A contract party is checked on the signing day and on the day the
-- contract is recorded, so that neither a late record nor a backdated
-- signing date lets a restricted party through.
CREATE FUNCTION ptx.credit_guard_contract() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d date;
BEGIN
    IF TG_OP = 'INSERT'
       OR (NEW.tenderee_id, NEW.supplier_id, NEW.signed_on)
          IS DISTINCT FROM (OLD.tenderee_id, OLD.supplier_id, OLD.signed_on) THEN
        FOREACH d IN ARRAY ARRAY[NEW.signed_on, ptx.today()] LOOP
            IF ptx.is_restricted('org', NEW.tenderee_id, d) THEN
                PERFORM ptx.assert_not_restricted('org', NEW.tenderee_id, 'contract party (tenderee)', d);
            END IF;
            IF ptx.is_restricted('org', NEW.supplier_id, d) THEN
                PERFORM ptx.assert_not_restricted('org', NEW.supplier_id, 'contract party (supplier)', d);
            END IF;
        END LOOP;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION ptx.credit_guard_contract() IS
    'refuse a contract with a credit-restricted party on the signing or recording day (PX006)';
CREATE TRIGGER credit_guard BEFORE INSERT OR UPDATE OF tenderee_id, supplier_id, signed_on ON ptx.contract
    FOR EACH ROW EXECUTE FUNCTION ptx.credit_guard_contract();
