-- Sales (出让, 转让): land use rights, mining rights and state-owned
-- property are sold, not tendered (R13).  One process for the three
-- categories, in the forms the law names:
--   listing (挂牌)          offers during a window of at least
--                           sale.listing_min_days days (39号令 §19); at the
--                           close the highest offer wins if it reaches the
--                           reserve price; when two or more bidders still
--                           ask to raise at the close, an on-site auction
--                           (现场竞价) follows (39号令 §20);
--   auction (拍卖)          ascending offers with an increment; the highest
--                           at the close wins if it reaches the reserve
--                           price, otherwise the sale fails (流拍);
--   online_bidding (网络竞价) a free-offer period, then a timed period: an
--                           offer in the last sale.extension_minutes
--                           minutes restarts the clock for that many
--                           minutes (限时竞价); one qualified buyer buys at
--                           no less than the listed price (32号令).
-- A bidder offers once its deposit (竞买保证金) is recorded; a
-- credit-restricted one is refused (PX006).  Every accepted offer is a row
-- of ptx.offer, never changed: the trail of the sale (R3).
--
-- The reserve price (底价) is sealed like a bid (44_bids.sql): only its
-- OpenPGP ciphertext under the project's key in ptx_seal is stored, so the
-- tables and the ledger's row images hold no clear value until the close,
-- when ptx.close_sale opens it and publishes it with the result.
--
-- The result feeds the lifecycle: sold → awarded (the machine's step
-- announced → awarded checks that the sale of the round was sold to the
-- winner), then contracted and closed as any project; failed → failed,
-- and the project is announced again (re-offered) for a new round.
--
-- Offers are serialised by a row lock on the sale: under READ COMMITTED the
-- second offer waits for the first, then reads the price the first left.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('sale.listing_min_days', 10, 'days', '招标拍卖挂牌出让国有建设用地使用权规定 (国土资源部令39号) §19',
   'listing (挂牌): least days from the start of the listing to its close; the law''s 10 days is the floor'),
  ('sale.extension_minutes', 5, 'minutes', '企业国有资产交易监督管理办法 (国资委 财政部令32号) §29; 产权交易机构网络竞价实施办法 (限时竞价)',
   'online bidding: an offer received in the last this many minutes before the close moves the close to this many minutes after the offer');

------------------------------------------------------------------------
-- Tables.
------------------------------------------------------------------------
CREATE TABLE ptx.sale (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      bigint NOT NULL REFERENCES ptx.project (id),
    round           integer NOT NULL,
    form            text NOT NULL CHECK (form IN ('listing', 'auction', 'online_bidding')),
    start_price     numeric(18, 2) NOT NULL CHECK (start_price > 0),
    increment       numeric(18, 2) NOT NULL CHECK (increment > 0),
    deposit         numeric(18, 2) CHECK (deposit >= 0),
    opens_at        timestamptz NOT NULL,
    announced_close timestamptz NOT NULL,
    closes_at       timestamptz NOT NULL,
    extension_minutes integer CHECK (extension_minutes > 0),
    reserve_sealed  bytea,
    reserve_price   numeric(18, 2) CHECK (reserve_price > 0),
    stage           text NOT NULL DEFAULT 'open'
                    CHECK (stage IN ('open', 'on_site', 'sold', 'failed')),
    opened_by       text NOT NULL DEFAULT session_user,
    result_at       timestamptz,
    winner_id       bigint REFERENCES ptx.org (id),
    winning_offer_id bigint,
    winning_price   numeric(18, 2),
    UNIQUE (project_id, round),
    CHECK (closes_at > opens_at AND closes_at >= announced_close),
    CHECK ((stage IN ('sold', 'failed')) = (result_at IS NOT NULL)),
    CHECK ((stage = 'sold') = (winner_id IS NOT NULL)),
    CHECK (reserve_price IS NULL OR stage IN ('sold', 'failed')),
    CHECK ((form = 'online_bidding') = (extension_minutes IS NOT NULL))
);
COMMENT ON TABLE ptx.sale IS 'sales (拍卖, 挂牌, 网络竞价) of land use rights, mining rights and state-owned property: one per project and round';
COMMENT ON COLUMN ptx.sale.form IS 'listing 挂牌, auction 拍卖, online_bidding 网络竞价 (限时竞价)';
COMMENT ON COLUMN ptx.sale.start_price IS 'starting or listed price (起始价, 挂牌价), CNY: the first offer is at least this';
COMMENT ON COLUMN ptx.sale.increment IS 'least increment (加价幅度), CNY: each offer is at least the current price plus this';
COMMENT ON COLUMN ptx.sale.deposit IS 'deposit (竞买保证金) a bidder pays before offering, CNY; NULL when none is asked';
COMMENT ON COLUMN ptx.sale.announced_close IS 'the close as announced';
COMMENT ON COLUMN ptx.sale.closes_at IS 'the close, moved by offers in the timed period of an online bidding';
COMMENT ON COLUMN ptx.sale.reserve_sealed IS 'the reserve price (底价) as OpenPGP ciphertext under the project''s key; NULL when there is none';
COMMENT ON COLUMN ptx.sale.reserve_price IS 'the reserve price in clear, published at the close; NULL before';
COMMENT ON COLUMN ptx.sale.stage IS 'open (offers taken), on_site (现场竞价 after a listing), sold (成交), failed (流拍, 不成交)';
CREATE INDEX sale_project_idx ON ptx.sale (project_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.sale', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.sale', 'id'), '');

CREATE TABLE ptx.deposit (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sale_id         bigint NOT NULL REFERENCES ptx.sale (id),
    bidder_id       bigint NOT NULL REFERENCES ptx.org (id),
    amount          numeric(18, 2) NOT NULL CHECK (amount >= 0),
    paid_on         date NOT NULL,
    recorded_at     timestamptz NOT NULL,
    recorded_by     text NOT NULL DEFAULT session_user,
    on_site_requested_at timestamptz,
    UNIQUE (sale_id, bidder_id)
);
COMMENT ON TABLE ptx.deposit IS 'deposits (竞买保证金) received from bidders; a bidder offers only once its deposit is recorded';
COMMENT ON COLUMN ptx.deposit.recorded_at IS 'when the platform recorded the deposit (time of receipt)';
COMMENT ON COLUMN ptx.deposit.on_site_requested_at IS 'when the bidder asked, before the close of a listing, to go on raising (要求现场竞价)';
CREATE INDEX deposit_bidder_idx ON ptx.deposit (bidder_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.deposit', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.deposit', 'id'), '');

CREATE TABLE ptx.offer (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sale_id         bigint NOT NULL REFERENCES ptx.sale (id),
    seq             integer NOT NULL CHECK (seq >= 1),
    bidder_id       bigint NOT NULL REFERENCES ptx.org (id),
    amount          numeric(18, 2) NOT NULL CHECK (amount > 0),
    stage           text NOT NULL CHECK (stage IN ('open', 'on_site')),
    offered_at      timestamptz NOT NULL,
    closes_at       timestamptz NOT NULL,
    recorded_by     text NOT NULL DEFAULT session_user,
    UNIQUE (sale_id, seq)
);
COMMENT ON TABLE ptx.offer IS 'accepted offers (报价, 应价) of a sale, in order; never changed or withdrawn';
COMMENT ON COLUMN ptx.offer.seq IS '1 for the first offer of the sale, then one more for each; the amounts rise with it';
COMMENT ON COLUMN ptx.offer.offered_at IS 'time of receipt of the offer';
COMMENT ON COLUMN ptx.offer.closes_at IS 'the close of the sale after this offer (moved in a timed period)';
CREATE INDEX offer_bidder_idx ON ptx.offer (bidder_id);
SELECT pg_catalog.pg_extension_config_dump('ptx.offer', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.offer', 'id'), '');

ALTER TABLE ptx.sale ADD FOREIGN KEY (winning_offer_id) REFERENCES ptx.offer (id);

------------------------------------------------------------------------
-- Guards: offers are a record; deposits change only by the request to go
-- on to the on-site auction; a sale's terms are fixed once opened.
------------------------------------------------------------------------
-- One function per table whose rows may change at all, so that each reads
-- only the columns of its own table (plpgsql_check checks a trigger
-- function against every table it fires on); all refuse the same way.
CREATE FUNCTION ptx.sale_record_refuse(op text, schema_name name, table_name name) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.raise(CASE op WHEN 'UPDATE' THEN 'sales.record_update'
                              WHEN 'DELETE' THEN 'sales.record_delete'
                              ELSE 'sales.record_truncate' END,
                      pg_catalog.quote_ident(schema_name), pg_catalog.quote_ident(table_name));
END
$$;
COMMENT ON FUNCTION ptx.sale_record_refuse(text, name, name) IS
    'internal to the guards of sales, deposits and offers: the refusal of a change to their record (55000)';

-- offers (every change) and TRUNCATE of the three tables
CREATE FUNCTION ptx.sale_record_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.sale_record_refuse(TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME);
    RETURN NULL;
END
$$;

-- a sale: only while open (or on site), its close moves and its result is
-- recorded; its terms never change
CREATE FUNCTION ptx.sale_terms_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.id, NEW.project_id, NEW.round, NEW.form, NEW.start_price, NEW.increment, NEW.deposit,
            NEW.opens_at, NEW.announced_close, NEW.extension_minutes, NEW.reserve_sealed, NEW.opened_by)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.project_id, OLD.round, OLD.form, OLD.start_price, OLD.increment, OLD.deposit,
            OLD.opens_at, OLD.announced_close, OLD.extension_minutes, OLD.reserve_sealed, OLD.opened_by)
           AND OLD.stage IN ('open', 'on_site') THEN
            RETURN NEW;                      -- the close moves, the result is recorded
        END IF;
    END IF;
    PERFORM ptx.sale_record_refuse(TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME);
    RETURN NULL;
END
$$;

-- a deposit: only the request for an on-site auction, once
CREATE FUNCTION ptx.deposit_record_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.id, NEW.sale_id, NEW.bidder_id, NEW.amount, NEW.paid_on, NEW.recorded_at, NEW.recorded_by)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.sale_id, OLD.bidder_id, OLD.amount, OLD.paid_on, OLD.recorded_at, OLD.recorded_by)
           AND OLD.on_site_requested_at IS NULL THEN
            RETURN NEW;                      -- the request for an on-site auction
        END IF;
    END IF;
    PERFORM ptx.sale_record_refuse(TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER sale_record_guard BEFORE UPDATE OR DELETE ON ptx.sale
    FOR EACH ROW EXECUTE FUNCTION ptx.sale_terms_guard();
CREATE TRIGGER sale_no_truncate BEFORE TRUNCATE ON ptx.sale
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.sale_record_guard();
CREATE TRIGGER deposit_record_guard BEFORE UPDATE OR DELETE ON ptx.deposit
    FOR EACH ROW EXECUTE FUNCTION ptx.deposit_record_guard();
CREATE TRIGGER deposit_no_truncate BEFORE TRUNCATE ON ptx.deposit
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.sale_record_guard();
CREATE TRIGGER offer_record_guard BEFORE UPDATE OR DELETE ON ptx.offer
    FOR EACH ROW EXECUTE FUNCTION ptx.sale_record_guard();
CREATE TRIGGER offer_no_truncate BEFORE TRUNCATE ON ptx.offer
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.sale_record_guard();

------------------------------------------------------------------------
-- Helpers.
------------------------------------------------------------------------
-- An amount in CNY: finite, positive (or zero when allowed), in fen.
CREATE FUNCTION ptx.sale_check_amount(what text, amount numeric, zero_ok boolean DEFAULT false)
    RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    -- one message per amount of a sale (the deposit may be zero); any
    -- other names itself
    IF amount IS NULL THEN
        PERFORM ptx.raise(CASE what WHEN 'start price' THEN 'sales.start_price_missing'
                                    WHEN 'increment' THEN 'sales.increment_missing'
                                    WHEN 'reserve price' THEN 'sales.reserve_price_missing'
                                    WHEN 'deposit' THEN 'sales.deposit_missing'
                                    WHEN 'offer' THEN 'sales.offer_missing'
                                    ELSE 'sales.amount_missing' END,
                          COALESCE(what, '<NULL>'));
    END IF;
    IF amount = 'NaN'::numeric OR amount = 'Infinity'::numeric OR amount = '-Infinity'::numeric
       OR amount < 0 OR (amount = 0 AND NOT zero_ok) OR amount <> round(amount, 2)
       OR amount >= 1e16 THEN
        PERFORM ptx.raise(CASE WHEN what = 'start price' AND NOT zero_ok THEN 'sales.start_price_invalid'
                               WHEN what = 'increment' AND NOT zero_ok THEN 'sales.increment_invalid'
                               WHEN what = 'reserve price' AND NOT zero_ok THEN 'sales.reserve_price_invalid'
                               WHEN what = 'deposit' AND zero_ok THEN 'sales.deposit_invalid'
                               WHEN what = 'offer' AND NOT zero_ok THEN 'sales.offer_invalid'
                               WHEN zero_ok THEN 'sales.amount_invalid_zero_ok'
                               ELSE 'sales.amount_invalid' END,
                          amount::text, COALESCE(what, '<NULL>'));
    END IF;
END
$$;

-- The sale of a project's current round, locked (FOR NO KEY UPDATE) when
-- asked: offers, deposits and the close take their turn on this row.
CREATE FUNCTION ptx.sale_of(project_id bigint, lock boolean DEFAULT false) RETURNS ptx.sale
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s ptx.sale;
BEGIN
    IF lock THEN
        SELECT x.* INTO s FROM ptx.sale x JOIN ptx.project p ON p.id = x.project_id AND p.round = x.round
         WHERE x.project_id = sale_of.project_id
           FOR NO KEY UPDATE OF x;
    ELSE
        SELECT x.* INTO s FROM ptx.sale x JOIN ptx.project p ON p.id = x.project_id AND p.round = x.round
         WHERE x.project_id = sale_of.project_id;
    END IF;
    IF NOT FOUND THEN
        PERFORM ptx.raise('sales.no_sale', COALESCE(project_id::text, 'NULL'));
    END IF;
    RETURN s;
END
$$;

-- A bidder that may take part in a sale of a project: a registered bidder,
-- not the seller or its agency, not credit-restricted (PX006).
CREATE FUNCTION ptx.sale_check_bidder(p ptx.project, bidder_id bigint) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF bidder_id IS NULL OR NOT ptx.has_role(bidder_id, 'bidder') THEN
        PERFORM ptx.raise('sales.not_a_bidder', COALESCE(bidder_id::text, 'NULL'));
    END IF;
    IF bidder_id = p.tenderee_id OR bidder_id IS NOT DISTINCT FROM p.agency_id THEN
        PERFORM ptx.raise('sales.seller_cannot_buy', bidder_id::text, p.code);
    END IF;
    PERFORM ptx.assert_not_restricted('org', bidder_id, 'bidder', ptx.local_date(ptx.now()));
END
$$;

------------------------------------------------------------------------
-- Opening a sale: the announcement of the project with the terms.
------------------------------------------------------------------------
CREATE FUNCTION ptx.open_sale(project_id bigint, start_price numeric, increment numeric,
                              opens_at timestamptz, closes_at timestamptz,
                              reserve_price numeric DEFAULT NULL, deposit numeric DEFAULT NULL,
                              options jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    form text;
    now_ts timestamptz := ptx.now();
    period_key text;
    due date;
    listing_days integer;
    ext integer;
    sale_id bigint;
    k text;
    unit text;
    basis text;
BEGIN
    SELECT * INTO p FROM ptx.project WHERE id = open_sale.project_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM ptx.raise('sales.project_missing', COALESCE(project_id::text, 'NULL'));
    END IF;
    IF p.category NOT IN ('land', 'mining', 'state_property') THEN
        PERFORM ptx.raise('sales.not_for_sale', p.code, p.category);
    END IF;
    IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
        PERFORM ptx.raise('sales.options_not_object', p.code);
    END IF;
    FOR k IN SELECT jsonb_object_keys(options) LOOP
        IF k NOT IN ('form') THEN
            PERFORM ptx.raise('sales.unknown_option', k);
        END IF;
    END LOOP;
    form := COALESCE(options ->> 'form', p.method);
    IF form IS NULL OR form NOT IN ('listing', 'auction', 'online_bidding') THEN
        PERFORM ptx.raise(CASE WHEN options ->> 'form' IS NULL THEN 'sales.no_form_given' ELSE 'sales.no_form' END,
                          p.code, p.method, options ->> 'form');
    END IF;
    PERFORM ptx.sale_check_amount('start price', start_price);
    PERFORM ptx.sale_check_amount('increment', increment);
    IF reserve_price IS NOT NULL THEN
        PERFORM ptx.sale_check_amount('reserve price', reserve_price);
    END IF;
    IF deposit IS NOT NULL THEN
        PERFORM ptx.sale_check_amount('deposit', deposit, true);
    END IF;
    IF opens_at IS NULL OR closes_at IS NULL OR NOT isfinite(opens_at) OR NOT isfinite(closes_at)
       OR closes_at <= opens_at THEN
        PERFORM ptx.raise('sales.invalid_period', p.code, opens_at::text, closes_at::text);
    END IF;
    IF p.state NOT IN ('registered', 'failed') THEN
        PERFORM ptx.raise('sales.wrong_state', p.code, p.state);
    END IF;

    -- The announcement (公告) precedes the start: 20 days for land and
    -- mining (39号令 §10), 20 working days of disclosure for state-owned
    -- property (32号令 §13); the same settings as the tender periods.
    period_key := 'tender.min_bid_days.' || p.category;
    due := ptx.clock_date(ptx.local_date(now_ts), period_key);
    IF ptx.local_date(opens_at) < due THEN
        SELECT d.unit, d.basis INTO unit, basis FROM ptx.policy_default d WHERE d.key = period_key;
        PERFORM ptx.raise(CASE unit WHEN 'days' THEN 'sales.starts_too_early'
                                    WHEN 'working days' THEN 'sales.starts_too_early_working_days'
                                    ELSE 'sales.starts_too_early_unit' END,
                          p.code, ptx.local_date(opens_at)::text, ptx.local_date(now_ts)::text, due::text,
                          ptx.setting(period_key)::text, unit, period_key, basis);
    END IF;
    IF form = 'listing' THEN
        -- the law's 10 days is the floor of the setting
        due := GREATEST(ptx.clock_date(ptx.local_date(opens_at), 'sale.listing_min_days'),
                        ptx.local_date(opens_at) + 10);
        listing_days := due - ptx.local_date(opens_at);
        IF ptx.local_date(closes_at) < due THEN
            PERFORM ptx.raise('sales.listing_too_short', p.code, ptx.local_date(opens_at)::text,
                              ptx.local_date(closes_at)::text, listing_days::text, due::text);
        END IF;
    ELSIF form = 'online_bidding' THEN
        ext := ptx.setting('sale.extension_minutes')::integer;
        IF ext IS NULL OR ext < 1 THEN
            PERFORM ptx.raise('sales.extension_setting_invalid');
        END IF;
    END IF;

    -- The announcement: the machine checks the close against the period.
    UPDATE ptx.project SET state = 'announced', bid_deadline = open_sale.closes_at,
           state_note = pg_catalog.format('sale by %s from %s to %s', form, opens_at, closes_at)
     WHERE id = p.id;
    SELECT * INTO p FROM ptx.project WHERE id = p.id;

    INSERT INTO ptx.sale AS s (project_id, round, form, start_price, increment, deposit, opens_at,
                               announced_close, closes_at, extension_minutes, reserve_sealed)
    VALUES (p.id, p.round, form, start_price, increment, deposit, opens_at, closes_at, closes_at, ext,
            CASE WHEN reserve_price IS NOT NULL
                 THEN ptx_seal.seal(p.id, jsonb_build_object('reserve', reserve_price::text)::text) END)
    RETURNING s.id INTO sale_id;
    RETURN sale_id;
END
$$;
COMMENT ON FUNCTION ptx.open_sale(bigint, numeric, numeric, timestamptz, timestamptz, numeric, numeric, jsonb) IS
    'announce the sale of a project (出让/转让公告) by listing, auction or online bidding with its terms; the reserve price is sealed until the close; returns the sale id';

------------------------------------------------------------------------
-- Deposits.
------------------------------------------------------------------------
CREATE FUNCTION ptx.record_deposit(project_id bigint, bidder_id bigint, amount numeric,
                                   paid_on date DEFAULT ptx.today()) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s ptx.sale := ptx.sale_of(project_id, true);
    p ptx.project;
    t timestamptz := ptx.receipt_time();
    d ptx.deposit;
BEGIN
    SELECT * INTO p FROM ptx.project WHERE id = s.project_id;
    PERFORM ptx.sale_check_bidder(p, bidder_id);
    PERFORM ptx.sale_check_amount('deposit', amount, true);
    IF paid_on IS NULL OR paid_on > ptx.local_date(t) THEN
        PERFORM ptx.raise('sales.deposit_bad_date', bidder_id::text, COALESCE(paid_on::text, 'NULL'),
                          ptx.local_date(t)::text);
    END IF;
    IF s.stage <> 'open' OR t > s.closes_at THEN
        PERFORM ptx.raise('sales.deposits_closed', p.code, s.stage, s.closes_at::text, t::text);
    END IF;
    IF amount < COALESCE(s.deposit, 0) THEN
        PERFORM ptx.raise('sales.deposit_too_small', bidder_id::text, amount::text, s.deposit::text);
    END IF;
    SELECT * INTO d FROM ptx.deposit x WHERE x.sale_id = s.id AND x.bidder_id = record_deposit.bidder_id;
    IF FOUND THEN
        PERFORM ptx.raise('sales.deposit_exists', bidder_id::text, p.code, d.id::text, d.amount::text,
                          d.recorded_at::text);
    END IF;
    INSERT INTO ptx.deposit AS x (sale_id, bidder_id, amount, paid_on, recorded_at)
    VALUES (s.id, bidder_id, amount, paid_on, t)
    RETURNING x.* INTO d;
    RETURN d.id;
END
$$;
COMMENT ON FUNCTION ptx.record_deposit(bigint, bigint, numeric, date) IS
    'record the deposit (竞买保证金) of a bidder in the sale of a project; the bidder may offer from then on; returns the deposit id';

-- A bidder of a listing asks, before the close, to go on raising: with two
-- or more asking, the close leads to an on-site auction (39号令 §20).
CREATE FUNCTION ptx.request_on_site_auction(project_id bigint, bidder_id bigint) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s ptx.sale := ptx.sale_of(project_id, true);
    t timestamptz := ptx.receipt_time();
BEGIN
    IF s.form <> 'listing' OR s.stage <> 'open' OR t > s.closes_at OR t < s.opens_at THEN
        PERFORM ptx.raise('sales.on_site_not_open', project_id::text, s.form, s.stage, s.opens_at::text,
                          s.closes_at::text, t::text);
    END IF;
    UPDATE ptx.deposit d SET on_site_requested_at = t
     WHERE d.sale_id = s.id AND d.bidder_id = request_on_site_auction.bidder_id
       AND d.on_site_requested_at IS NULL;
    IF NOT FOUND THEN
        PERFORM ptx.raise('sales.on_site_refused', COALESCE(bidder_id::text, 'NULL'), project_id::text);
    END IF;
END
$$;
COMMENT ON FUNCTION ptx.request_on_site_auction(bigint, bigint) IS
    'a bidder of a listing asks to go on raising at the close (要求现场竞价)';

------------------------------------------------------------------------
-- Offers.
------------------------------------------------------------------------
-- The checks of an offer, written out (the helpers are called only to
-- report what fails: an offer is the hot path of a sale).
CREATE FUNCTION ptx.offer_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s ptx.sale;
    p ptx.project;
    t timestamptz;
    cur ptx.offer;
    d ptx.deposit;
    least_amount numeric;
    new_close timestamptz;
BEGIN
    IF TG_OP <> 'INSERT' OR TG_WHEN <> 'BEFORE' THEN
        PERFORM ptx.raise('sales.offer_trigger_misused');
    END IF;
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        PERFORM ptx.raise('sales.offer_isolation');
    END IF;
    IF NEW.amount IS NULL OR NEW.amount = 'NaN'::numeric OR NEW.amount <= 0 OR NEW.amount >= 1e16
       OR NEW.amount <> round(NEW.amount, 2) THEN
        PERFORM ptx.sale_check_amount('offer', NEW.amount);
    END IF;
    -- What does not depend on the current price is checked before the
    -- offer takes its turn, so that the turn is short: the bidder, its
    -- deposit (deposits are never changed once recorded).
    SELECT * INTO s FROM ptx.sale x WHERE x.id = NEW.sale_id;
    IF NOT FOUND THEN
        PERFORM ptx.raise('sales.sale_missing', COALESCE(NEW.sale_id::text, 'NULL'));
    END IF;
    SELECT * INTO p FROM ptx.project y WHERE y.id = s.project_id;
    IF NEW.bidder_id IS NULL OR NEW.bidder_id = p.tenderee_id OR NEW.bidder_id IS NOT DISTINCT FROM p.agency_id
       OR NOT EXISTS (SELECT 1 FROM ptx.org o WHERE o.id = NEW.bidder_id AND 'bidder' = ANY (o.roles))
       OR ptx.is_restricted('org', NEW.bidder_id, ptx.local_date(ptx.now())) THEN
        PERFORM ptx.sale_check_bidder(p, NEW.bidder_id);
    END IF;
    SELECT * INTO d FROM ptx.deposit x WHERE x.sale_id = s.id AND x.bidder_id = NEW.bidder_id;

    -- The turn: the sale's row, then what the previous offers left.
    SELECT * INTO s FROM ptx.sale x WHERE x.id = s.id FOR NO KEY UPDATE;
    SELECT y.state, y.round INTO p.state, p.round FROM ptx.project y WHERE y.id = s.project_id;
    t := ptx.receipt_time();

    IF s.stage NOT IN ('open', 'on_site') OR p.state <> 'announced' OR s.round <> p.round
       OR (s.stage = 'open' AND (t < s.opens_at OR t > s.closes_at)) THEN
        PERFORM ptx.raise('sales.offer_outside', p.code, t::text, s.stage, s.opens_at::text, s.closes_at::text);
    END IF;
    IF d.id IS NULL OR d.recorded_at > t THEN
        PERFORM ptx.raise(CASE WHEN d.id IS NULL THEN 'sales.offer_no_deposit' ELSE 'sales.offer_before_deposit' END,
                          NEW.bidder_id::text, p.code, NEW.amount::text, t::text, d.recorded_at::text);
    END IF;
    IF s.stage = 'on_site' AND d.on_site_requested_at IS NULL THEN
        PERFORM ptx.raise('sales.offer_not_on_site', NEW.bidder_id::text, p.code);
    END IF;

    -- The current price: the last offer, read after the lock.
    SELECT * INTO cur FROM ptx.offer o WHERE o.sale_id = s.id ORDER BY o.seq DESC LIMIT 1;
    least_amount := CASE WHEN cur.id IS NULL THEN s.start_price ELSE cur.amount + s.increment END;
    IF NEW.amount < least_amount THEN
        PERFORM ptx.raise(CASE WHEN cur.id IS NULL THEN 'sales.offer_below_start' ELSE 'sales.offer_too_low' END,
                          NEW.amount::text, p.code, s.start_price::text, cur.amount::text, cur.seq::text,
                          s.increment::text, least_amount::text);
    END IF;

    -- The timed period (限时竞价): an offer in its last minutes restarts it.
    new_close := s.closes_at;
    IF s.form = 'online_bidding' AND s.stage = 'open'
       AND t > s.closes_at - pg_catalog.make_interval(mins => s.extension_minutes) THEN
        new_close := t + pg_catalog.make_interval(mins => s.extension_minutes);
        UPDATE ptx.sale x SET closes_at = new_close WHERE x.id = s.id;
    END IF;

    NEW.seq := COALESCE(cur.seq, 0) + 1;
    NEW.stage := s.stage;
    NEW.offered_at := t;
    NEW.closes_at := new_close;
    NEW.recorded_by := session_user;
    RETURN NEW;
END
$$;
-- The rules of an offer hold for the API and for a direct INSERT alike.
CREATE TRIGGER offer_before_insert BEFORE INSERT ON ptx.offer
    FOR EACH ROW EXECUTE FUNCTION ptx.offer_before_insert();

CREATE FUNCTION ptx.offer(project_id bigint, bidder_id bigint, amount numeric) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    sale_id bigint;
    offer_id bigint;
BEGIN
    -- the amount as given, before the column rounds it to fen
    IF amount IS NULL OR amount = 'NaN'::numeric OR amount <= 0 OR amount >= 1e16
       OR amount <> round(amount, 2) THEN
        PERFORM ptx.sale_check_amount('offer', amount);
    END IF;
    SELECT x.id INTO sale_id
      FROM ptx.sale x JOIN ptx.project y ON y.id = x.project_id AND y.round = x.round
     WHERE x.project_id = offer.project_id;
    IF NOT FOUND THEN
        PERFORM ptx.sale_of(project_id);       -- reports it
    END IF;
    -- ptx.offer_before_insert checks the offer and takes its turn
    INSERT INTO ptx.offer AS o (sale_id, bidder_id, amount)
    VALUES (sale_id, offer.bidder_id, offer.amount)
    RETURNING o.id INTO offer_id;
    RETURN offer_id;
END
$$;
COMMENT ON FUNCTION ptx.offer(bigint, bigint, numeric) IS
    'an offer (报价) of a bidder in the sale of a project: at least the current price plus the increment, within the period, after the deposit; PX016 when refused; returns the offer id';

------------------------------------------------------------------------
-- The close.
------------------------------------------------------------------------
CREATE FUNCTION ptx.close_sale(project_id bigint) RETURNS text
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id);
    s ptx.sale := ptx.sale_of(project_id, true);
    t timestamptz := ptx.now();
    best ptx.offer;
    reserve numeric;
    n_asking bigint;
    n_bidders bigint;
    outcome text;
BEGIN
    IF s.stage IN ('sold', 'failed') THEN
        PERFORM ptx.raise(CASE s.stage WHEN 'sold' THEN 'sales.closed_sold' ELSE 'sales.closed_failed' END,
                          p.code, s.result_at::text);
    END IF;
    IF s.stage = 'open' AND t < s.closes_at THEN
        PERFORM ptx.raise('sales.close_too_early', p.code, s.closes_at::text, t::text);
    END IF;
    IF s.stage = 'open' AND s.form = 'listing' THEN
        SELECT count(*) INTO n_asking FROM ptx.deposit d
         WHERE d.sale_id = s.id AND d.on_site_requested_at IS NOT NULL;
        IF n_asking >= 2 THEN
            UPDATE ptx.sale x SET stage = 'on_site' WHERE x.id = s.id;
            RETURN 'on_site_auction';
        END IF;
    END IF;

    SELECT * INTO best FROM ptx.offer o WHERE o.sale_id = s.id ORDER BY o.seq DESC LIMIT 1;
    SELECT count(DISTINCT o.bidder_id) INTO n_bidders FROM ptx.offer o WHERE o.sale_id = s.id;
    IF s.reserve_sealed IS NOT NULL THEN
        reserve := (ptx_seal.unseal(p.id, s.reserve_sealed) ->> 'reserve')::numeric(18, 2);
    END IF;
    outcome := CASE WHEN best.id IS NULL THEN 'failed'
                    WHEN reserve IS NOT NULL AND best.amount < reserve THEN 'failed'
                    ELSE 'sold' END;
    UPDATE ptx.sale x SET stage = outcome, result_at = t, reserve_price = reserve,
           winner_id = CASE WHEN outcome = 'sold' THEN best.bidder_id END,
           winning_offer_id = CASE WHEN outcome = 'sold' THEN best.id END,
           winning_price = CASE WHEN outcome = 'sold' THEN best.amount END
     WHERE x.id = s.id;
    IF outcome = 'sold' THEN
        UPDATE ptx.project x SET state = 'awarded', winner_id = best.bidder_id,
               state_note = pg_catalog.format('sold by %s for %s CNY (offer %s of %s, %s bidders)',
                                              s.form, best.amount, best.seq, best.seq, n_bidders)
         WHERE x.id = p.id;
    ELSE
        UPDATE ptx.project x SET state = 'failed',
               state_note = CASE WHEN best.id IS NULL
                                 THEN pg_catalog.format('sale by %s failed: no offer', s.form)
                                 ELSE pg_catalog.format('sale by %s failed: the highest offer %s CNY is below the reserve price %s CNY',
                                                        s.form, best.amount, reserve) END
         WHERE x.id = p.id;
    END IF;
    RETURN outcome;
END
$$;
COMMENT ON FUNCTION ptx.close_sale(bigint) IS
    'close the sale of a project: sold (成交, the project is awarded to the highest offer), failed (流拍, to be offered again) or on_site_auction (a listing goes on to 现场竞价); the reserve price is published';

-- The contract of a sold project is at the winning price.
CREATE FUNCTION ptx.sale_contract_price() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s ptx.sale;
BEGIN
    SELECT x.* INTO s FROM ptx.sale x JOIN ptx.project p ON p.id = x.project_id AND p.round = x.round
     WHERE x.project_id = NEW.project_id AND x.stage = 'sold';
    IF FOUND AND NEW.amount IS DISTINCT FROM s.winning_price THEN
        PERFORM ptx.raise('sales.contract_price', NEW.project_id::text, NEW.amount::text, s.winning_price::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER sale_contract_price BEFORE INSERT ON ptx.contract
    FOR EACH ROW WHEN (NEW.project_id IS NOT NULL)
    EXECUTE FUNCTION ptx.sale_contract_price();

------------------------------------------------------------------------
-- Reading a sale.
------------------------------------------------------------------------
-- Who takes part in a sale is kept from everyone until the close, as the
-- bidders of a tender are until the opening: knowing who else bids, or
-- that nobody does, is what a collusion needs (DESIGN.md §11).  The
-- tables ptx.deposit and ptx.offer are read by the auditors only; those
-- who run the sales read the views below, which show the prices as they
-- are offered (the current price is public in a sale) and the bidders
-- only once the sale is closed.
CREATE VIEW ptx.sale_status WITH (security_barrier = true) AS
SELECT s.id AS sale_id, s.project_id, p.code AS project_code, s.round, s.form, s.stage,
       s.start_price, s.increment, s.deposit, s.opens_at, s.announced_close, s.closes_at,
       s.reserve_sealed IS NOT NULL AS has_reserve, s.reserve_price,
       o.amount AS current_price, COALESCE(o.seq, 0) AS offers,
       CASE WHEN s.stage IN ('sold', 'failed') THEN
           (SELECT count(DISTINCT x.bidder_id) FROM ptx.offer x WHERE x.sale_id = s.id) END AS bidders,
       CASE WHEN s.stage IN ('sold', 'failed') THEN
           (SELECT count(*) FROM ptx.deposit d WHERE d.sale_id = s.id) END AS deposits,
       s.result_at, s.winner_id, s.winning_price
  FROM ptx.sale s
  JOIN ptx.project p ON p.id = s.project_id
  LEFT JOIN LATERAL (SELECT x.* FROM ptx.offer x WHERE x.sale_id = s.id
                      ORDER BY x.seq DESC LIMIT 1) o ON true;
COMMENT ON VIEW ptx.sale_status IS
    'each sale with its current price and number of offers; the numbers of bidders and deposits and the reserve price once it is closed';

CREATE VIEW ptx.sale_offer WITH (security_barrier = true) AS
SELECT o.id, o.sale_id, s.project_id, s.round, o.seq, o.amount, o.stage, o.offered_at, o.closes_at,
       CASE WHEN s.stage IN ('sold', 'failed') THEN o.bidder_id END AS bidder_id
  FROM ptx.offer o
  JOIN ptx.sale s ON s.id = o.sale_id;
COMMENT ON VIEW ptx.sale_offer IS
    'the offers of every sale in order; the bidder of each is shown once the sale is closed';

CREATE VIEW ptx.sale_deposit WITH (security_barrier = true) AS
SELECT d.id, d.sale_id, s.project_id, s.round, d.bidder_id, d.amount, d.paid_on, d.recorded_at,
       d.recorded_by, d.on_site_requested_at
  FROM ptx.deposit d
  JOIN ptx.sale s ON s.id = d.sale_id
 WHERE s.stage IN ('sold', 'failed');
COMMENT ON VIEW ptx.sale_deposit IS 'the deposits of the closed sales (竞买保证金), to be refunded or kept';

-- Disclosure (成交公示, 结果公告): the result of every closed sale, the
-- reserve price published with it.  Bidders are counted, not named; the
-- buyer is named, as an award is.
CREATE VIEW ptx_public.sale_result WITH (security_barrier = true) AS
SELECT p.code AS project_code, p.title, p.category, p.region, s.round, s.form,
       s.start_price, s.increment, s.opens_at, s.closes_at,
       s.stage AS result, s.result_at, s.reserve_price,
       s.winning_price, w.name AS buyer,
       (SELECT count(DISTINCT o.bidder_id) FROM ptx.offer o WHERE o.sale_id = s.id) AS bidders,
       (SELECT count(*) FROM ptx.offer o WHERE o.sale_id = s.id) AS offers
  FROM ptx.sale s
  JOIN ptx.project p ON p.id = s.project_id
  LEFT JOIN ptx.org w ON w.id = s.winner_id
 WHERE s.stage IN ('sold', 'failed');
COMMENT ON VIEW ptx_public.sale_result IS
    'results of closed sales (成交公示): sold or failed, the winning price, the number of bidders and offers, and the reserve price (底价) published at the close';

-- Nothing to PUBLIC (99_finish.sql closes it at an install; an upgrade
-- carries these lines).
REVOKE ALL ON FUNCTION ptx.sale_record_guard(), ptx.sale_terms_guard(), ptx.deposit_record_guard(),
    ptx.sale_record_refuse(text, name, name), ptx.offer_before_insert(), ptx.sale_check_amount(text, numeric, boolean),
    ptx.sale_of(bigint, boolean), ptx.sale_check_bidder(ptx.project, bigint),
    ptx.open_sale(bigint, numeric, numeric, timestamptz, timestamptz, numeric, numeric, jsonb),
    ptx.record_deposit(bigint, bigint, numeric, date), ptx.request_on_site_auction(bigint, bigint),
    ptx.offer(bigint, bigint, numeric), ptx.close_sale(bigint), ptx.sale_contract_price()
    FROM PUBLIC;
GRANT SELECT ON ptx.sale, ptx.sale_status, ptx.sale_offer, ptx.sale_deposit
    TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT SELECT ON ptx_public.sale_result
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor, ptx_public;
GRANT EXECUTE ON FUNCTION
    ptx.open_sale(bigint, numeric, numeric, timestamptz, timestamptz, numeric, numeric, jsonb),
    ptx.record_deposit(bigint, bigint, numeric, date),
    ptx.request_on_site_auction(bigint, bigint),
    ptx.offer(bigint, bigint, numeric),
    ptx.close_sale(bigint)
    TO ptx_admin, ptx_operator;
