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
        RAISE EXCEPTION 'contracts cannot be changed or removed'
            USING ERRCODE = '55000',
                  DETAIL = format('%s on ptx.contract was refused: a recorded contract stays as it was signed.', TG_OP),
                  HINT = 'Record an amendment as a new trade.';
    END IF;
    NEW.recorded_at := ptx.now();
    IF NEW.amount IS NULL OR NEW.signed_on IS NULL OR NEW.category IS NULL OR NEW.region IS NULL THEN
        RETURN NEW;                          -- the NOT NULL constraints report it
    END IF;
    IF NEW.signed_on > ptx.today() THEN
        RAISE EXCEPTION 'contract cannot be signed in the future'
            USING ERRCODE = '22023',
                  DETAIL = format('It is dated %s; today is %s.', NEW.signed_on, ptx.today());
    END IF;

    IF NEW.project_id IS NULL THEN
        -- R1: a trade the catalog covers goes through the platform.
        SELECT * INTO m
          FROM ptx.catalog_match(NEW.category, NEW.region, NEW.amount, NEW.funding,
                                 NEW.signed_on, NEW.kind)
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'trade of % CNY between organisations % and % must go through the platform',
                            NEW.amount, NEW.tenderee_id, NEW.supplier_id
                USING ERRCODE = 'PX001',
                      DETAIL = format('Catalog entry %s (version %s: %s in region %s%s%s%s, in force from %s%s) covers it: %s in region %s, %s CNY, signed on %s.',
                                      m.code, m.version, m.category, m.region,
                                      CASE WHEN m.min_amount IS NOT NULL
                                           THEN format(', from %s CNY', m.min_amount) ELSE ', any amount' END,
                                      CASE WHEN m.funding IS NOT NULL
                                           THEN format(', funding %s', array_to_string(m.funding, ' or ')) ELSE '' END,
                                      CASE WHEN m.kinds IS NOT NULL
                                           THEN format(', kind %s', array_to_string(m.kinds, ' or ')) ELSE '' END,
                                      m.valid_from,
                                      CASE WHEN m.valid_to IS NOT NULL THEN format(' to %s', m.valid_to) ELSE '' END,
                                      NEW.category, NEW.region, NEW.amount, NEW.signed_on),
                      HINT = 'Register the project with ptx.register_project and trade it on the platform (应进必进, notice §8).';
        END IF;
        RETURN NEW;
    END IF;

    SELECT * INTO p FROM ptx.project WHERE id = NEW.project_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'project % does not exist', NEW.project_id USING ERRCODE = '23503';
    END IF;
    IF p.state <> 'awarded' THEN
        RAISE EXCEPTION 'project % cannot take a contract in state %', p.code, p.state
            USING ERRCODE = 'PX003',
                  HINT = 'A contract is signed after the award notice (中标通知书), once.';
    END IF;
    IF NEW.supplier_id <> p.winner_id OR NEW.tenderee_id <> p.tenderee_id THEN
        RAISE EXCEPTION 'contract of project % is not between its tenderee and its winner', p.code
            USING ERRCODE = 'PX001',
                  DETAIL = format('The project was awarded by organisation %s to organisation %s; the contract names %s and %s.',
                                  p.tenderee_id, p.winner_id, NEW.tenderee_id, NEW.supplier_id),
                  HINT = 'A contract with another party than the winner is a trade outside the platform (招标投标法 §46).';
    END IF;
    -- 条例 §57: the price of the contract is the winning bid's
    SELECT b.price INTO winning_price FROM ptx.bid b
     WHERE b.project_id = p.id AND b.round = p.round AND b.bidder_id = p.winner_id;
    IF winning_price IS NOT NULL AND NEW.amount <> winning_price THEN
        RAISE EXCEPTION 'contract of project % departs from the winning bid', p.code
            USING ERRCODE = '22023',
                  DETAIL = format('The contract amount is %s CNY; organisation %s won with a bid of %s CNY.',
                                  NEW.amount, p.winner_id, winning_price),
                  HINT = 'The price of the contract is the winning bid''s (招标投标法 §46, 招标投标法实施条例 §57).';
    END IF;
    IF (NEW.category, NEW.region) IS DISTINCT FROM (p.category, p.region) THEN
        RAISE EXCEPTION 'contract of project % names another category or region', p.code
            USING ERRCODE = '22023',
                  DETAIL = format('The project is %s in region %s; the contract says %s in region %s.',
                                  p.category, p.region, NEW.category, NEW.region);
    END IF;
    due := ptx.clock_date(ptx.local_date(p.awarded_at), 'contract.sign_days');
    IF NEW.signed_on < ptx.local_date(p.awarded_at) OR NEW.signed_on > due THEN
        RAISE EXCEPTION 'contract of project % is signed outside the legal period', p.code
            USING ERRCODE = 'PX004',
                  DETAIL = format('The award notice was issued on %s; the contract is signed from then until %s. It is dated %s.',
                                  ptx.local_date(p.awarded_at), due, NEW.signed_on),
                  HINT = 'Policy setting contract.sign_days (招标投标法 §46).';
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
