-- Contracts (合同) and the off-platform trade (场外交易, R1; 招标投标法 §46).
--
-- A contract without a project is a trade outside the platform: refused
-- when the catalog covers it.  A contract of a project is signed with the
-- winner, within contract.sign_days days of the award notice, and moves
-- the project to contracted.  Contracts are a record: never changed.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('contract.sign_days', 30, 'days', '招标投标法 §46',
   'days from the award notice within which the contract is signed');

CREATE UNIQUE INDEX contract_one_per_project ON ptx.contract (project_id)
    WHERE project_id IS NOT NULL;

CREATE FUNCTION ptx.contract_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    m ptx.catalog;
    due date;
    winning_price numeric;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM ptx.raise('contracts.record', TG_OP);
    END IF;
    NEW.recorded_at := ptx.now();
    IF NEW.amount IS NULL OR NEW.signed_on IS NULL OR NEW.category IS NULL OR NEW.region IS NULL THEN
        RETURN NEW;                          -- the NOT NULL constraints report it
    END IF;
    IF NEW.signed_on > ptx.today() THEN
        PERFORM ptx.raise('contracts.future', NEW.signed_on::text, ptx.today()::text);
    END IF;

    IF NEW.project_id IS NULL THEN
        -- R1: a trade the catalog covers goes through the platform.
        SELECT * INTO m
          FROM ptx.catalog_match(NEW.category, NEW.region, NEW.amount, NEW.funding,
                                 NEW.signed_on, NEW.kind)
         LIMIT 1;
        IF FOUND THEN
            -- the conditions of the entry: pieces of the detail, each in
            -- the language of lc_messages
            PERFORM ptx.raise('contracts.off_platform',
                              NEW.amount::text, COALESCE(NEW.tenderee_id::text, '<NULL>'),
                              COALESCE(NEW.supplier_id::text, '<NULL>'),
                              m.code, m.version::text, m.category, m.region,
                              CASE WHEN m.min_amount IS NOT NULL
                                   THEN ptx.message_text('contracts.covered_from_amount', m.min_amount::text)
                                   ELSE ptx.message_text('contracts.covered_any_amount') END,
                              CASE WHEN m.funding IS NOT NULL
                                   THEN ptx.message_text('contracts.covered_funding',
                                                         array_to_string(m.funding, ptx.message_text('contracts.covered_or')))
                                   ELSE '' END,
                              CASE WHEN m.kinds IS NOT NULL
                                   THEN ptx.message_text('contracts.covered_kind',
                                                         array_to_string(m.kinds, ptx.message_text('contracts.covered_or')))
                                   ELSE '' END,
                              m.valid_from::text,
                              CASE WHEN m.valid_to IS NOT NULL
                                   THEN ptx.message_text('contracts.covered_until', m.valid_to::text) ELSE '' END,
                              NEW.category, NEW.region, NEW.signed_on::text);
        END IF;
        RETURN NEW;
    END IF;

    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('contracts.no_project', NEW.project_id::text);
    END IF;
    IF p.state <> 'awarded' THEN
        PERFORM ptx.raise('contracts.wrong_state', p.code, p.state::text);
    END IF;
    IF NEW.supplier_id <> p.winner_id OR NEW.tenderee_id <> p.tenderee_id THEN
        PERFORM ptx.raise('contracts.wrong_parties', p.code, p.tenderee_id::text, p.winner_id::text,
                          NEW.tenderee_id::text, NEW.supplier_id::text);
    END IF;
    -- 条例 §57: the price of the contract is the winning bid's
    SELECT b.price INTO winning_price FROM ptx.bid b
     WHERE b.project_id = p.id AND b.round = p.round AND b.bidder_id = p.winner_id;
    IF winning_price IS NOT NULL AND NEW.amount <> winning_price THEN
        PERFORM ptx.raise('contracts.price', p.code, NEW.amount::text, p.winner_id::text, winning_price::text);
    END IF;
    IF (NEW.category, NEW.region) IS DISTINCT FROM (p.category, p.region) THEN
        PERFORM ptx.raise('contracts.category_region', p.code, p.category, p.region, NEW.category, NEW.region);
    END IF;
    due := ptx.clock_date(ptx.local_date(p.awarded_at), 'contract.sign_days');
    IF NEW.signed_on < ptx.local_date(p.awarded_at) OR NEW.signed_on > due THEN
        PERFORM ptx.raise('contracts.sign_period', p.code, ptx.local_date(p.awarded_at)::text,
                          due::text, NEW.signed_on::text);
    END IF;
    NEW.funding := COALESCE(NEW.funding, p.funding);
    NEW.kind := COALESCE(NEW.kind, p.kind);
    RETURN NEW;
END
$$;
-- Named to fire after the credit guard (credit_guard): a restricted party
-- is told so first, whatever else is wrong with the contract.
CREATE TRIGGER lifecycle_contract BEFORE INSERT OR UPDATE OR DELETE ON ptx.contract
    FOR EACH ROW EXECUTE FUNCTION ptx.contract_before_write();
CREATE TRIGGER lifecycle_contract_no_truncate BEFORE TRUNCATE ON ptx.contract
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.contract_before_write();

CREATE FUNCTION ptx.contract_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE ptx.project SET state = 'contracted',
           state_note = format('contract %s signed on %s', NEW.id, NEW.signed_on)
     WHERE id = NEW.project_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER contract_after_insert AFTER INSERT ON ptx.contract
    FOR EACH ROW WHEN (NEW.project_id IS NOT NULL)
    EXECUTE FUNCTION ptx.contract_after_insert();

CREATE FUNCTION ptx.record_contract(project_id bigint, tenderee_id bigint, supplier_id bigint,
                                    category text, region text, amount numeric,
                                    funding text DEFAULT NULL,
                                    signed_on date DEFAULT ptx.today(),
                                    kind text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    PERFORM ptx.check_centre('record_contract', COALESCE((SELECT p.region FROM ptx.project p WHERE p.id = record_contract.project_id), record_contract.region), pg_catalog.jsonb_build_object('project', project_id));
    INSERT INTO ptx.contract (project_id, tenderee_id, supplier_id, category, region, amount,
                              funding, signed_on, kind)
    VALUES (record_contract.project_id, record_contract.tenderee_id, record_contract.supplier_id,
            record_contract.category, record_contract.region, record_contract.amount,
            record_contract.funding, COALESCE(record_contract.signed_on, ptx.today()),
            record_contract.kind)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.record_contract(bigint, bigint, bigint, text, text, numeric, text, date, text) IS
    'record a contract: of an awarded project with its winner, or a trade outside the platform the catalog does not cover';

GRANT EXECUTE ON FUNCTION
    ptx.record_contract(bigint, bigint, bigint, text, text, numeric, text, date, text)
    TO ptx_admin, ptx_operator;
