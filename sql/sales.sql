-- Sales (R13): listing, auction and online bidding of land use rights,
-- mining rights and state-owned property, at every boundary.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TIME ZONE 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2025-03-03 09:00:00+08';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150200', '包头市', '150000');
CREATE FUNCTION pg_temp.uscc(n int) RETURNS text LANGUAGE sql
    RETURN '91150200' || lpad(n::text, 9, '0') || ptx.uscc_check_char('91150200' || lpad(n::text, 9, '0'));
SELECT ptx.add_org(pg_temp.uscc(1), '包头市自然资源局', '150000', '{supervisor}') AS supervisor,
       ptx.add_org(pg_temp.uscc(2), '包头市土地储备中心', '150200', '{tenderee,bidder}') AS seller;
SELECT ptx.add_org(pg_temp.uscc(2 + n), '竞买人' || n, '150200', '{bidder}') FROM generate_series(1, 5) n;
SELECT ptx.add_org(pg_temp.uscc(8), '失信企业', '150200', '{bidder}') AS restricted,
       ptx.add_org(pg_temp.uscc(9), '不是竞买人', '150200', '{tenderee}') AS not_a_bidder;
SELECT ptx.add_credit_record('org', 8, 'bid_ban', '串通投标', '2025-01-01') > 0 AS restricted;
SELECT ptx.grant_jurisdiction(1, c, '150000')
  FROM unnest(ARRAY['land', 'mining', 'state_property', 'construction']) c;
SELECT ptx.register_project('L1', '昆区宗地挂牌出让', 'land', '150200', 2, 30000000, 1, 'state', NULL, 'listing') AS l1,
       ptx.register_project('A1', '采矿权拍卖出让', 'mining', '150200', 2, 8000000, 1, 'state', NULL, 'auction') AS a1,
       ptx.register_project('S1', '国有股权转让', 'state_property', '150200', 2, 5000000, 1, 'state', NULL, 'online_bidding') AS s1,
       ptx.register_project('C1', '施工招标', 'construction', '150200', 2, 5000000, 1, 'state') AS c1,
       ptx.register_project('L2', '宗地拍卖', 'land', '150200', 2, 1000000, 1, 'state', NULL, 'open') AS l2;

------------------------------------------------------------------------
-- Opening a sale: the terms, the announcement period, the listing window.
------------------------------------------------------------------------
SELECT ptx.open_sale(4, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08');      -- a tender
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_sale(5, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08');      -- method open, no form
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_sale(5, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08', options => '{"form": "dutch"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_sale(5, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08', options => '{"speed": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_sale(1, 'NaN', 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_sale(1, 100, 0, '2025-04-01 09:00+08', '2025-04-20 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_sale(1, 100.001, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_sale(1, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08', reserve_price => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_sale(1, 100, 10, '2025-04-20 09:00+08', '2025-04-01 09:00+08');
\echo :LAST_ERROR_SQLSTATE
-- land: the announcement at least 20 days before the start (39号令 §10)
SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-23 09:00+08', '2025-04-20 09:00+08');  -- day 20, a Sunday
\echo :LAST_ERROR_SQLSTATE
-- listing: at least 10 days (39号令 §19): the 10th day after the start is the earliest close
SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-24 09:00+08', '2025-04-02 17:00+08');  -- 9 days
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-24 09:00+08', '2025-04-03 00:00+08',
                     reserve_price => 31000000, deposit => 6000000);                     -- 10 days
SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-24 09:00+08', '2025-04-03 00:00+08');  -- twice
\echo :LAST_ERROR_SQLSTATE
-- a region may lengthen the listing, never shorten it below the law's 10 days
SELECT ptx.set_policy('sale.listing_min_days', 5, 'too short');
SELECT ptx.register_project('L3', '宗地', 'land', '150200', 2, 1000000, 1, 'state', NULL, 'listing') AS l3;
SELECT ptx.open_sale(6, 100, 10, '2025-03-24 09:00+08', '2025-03-29 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.set_policy('sale.listing_min_days', NULL, 'back to the law');
SELECT code, state, bid_deadline, state_note FROM ptx.project WHERE id = 1;

-- The reserve price is sealed: no clear value in the table nor in the ledger.
SELECT form, start_price, increment, deposit, stage, reserve_price,
       octet_length(reserve_sealed) > 1000 AS sealed,
       position(convert_to('31000000', 'UTF8') in reserve_sealed) = 0 AS no_clear_text
  FROM ptx.sale WHERE project_id = 1;
SELECT count(*) AS images, bool_and(row_image::text NOT LIKE '%31000000%') AS reserve_not_in_ledger
  FROM ptx.ledger_entry WHERE relation = 'ptx.sale' AND operation IN ('INSERT', 'UPDATE');

------------------------------------------------------------------------
-- Deposits and who may buy.
------------------------------------------------------------------------
SET ptx.fake_now = '2025-03-24 08:00:00+08';
SELECT ptx.record_deposit(1, 9, 6000000);                 -- not a bidder
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_deposit(1, 2, 6000000);                 -- the seller
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_deposit(1, 8, 6000000);                 -- credit-restricted
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_deposit(1, 3, 5999999.99);              -- below the deposit asked
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_deposit(1, 3, 6000000, '2025-03-25');   -- paid tomorrow
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_deposit(1, 3, 6000000) > 0 AS deposit_3;
SELECT ptx.record_deposit(1, 3, 6000000);                 -- twice
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_deposit(99, 3, 6000000);                -- no sale
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Offers: the window, the deposit, the increment.
------------------------------------------------------------------------
SELECT ptx.offer(1, 3, 30000000);                         -- before the start
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-03-24 09:00:00+08';
SELECT ptx.offer(1, 8, 30000000);                         -- credit-restricted
\echo :LAST_ERROR_SQLSTATE
-- deposit recorded a second after the offer: the offer is refused
SELECT ptx.offer(1, 4, 30000000);
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-03-24 09:00:01+08';
SELECT ptx.record_deposit(1, 4, 6000000) > 0 AS deposit_4;
-- deposit recorded a second before the offer: accepted
SET ptx.fake_now = '2025-03-24 09:00:02+08';
SELECT ptx.offer(1, 3, 29999999.99);                      -- below the starting price by a cent
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(1, 4, 30000000) > 0 AS at_start_price;
SELECT ptx.offer(1, 3, 30499999.99);                      -- current + increment less a cent
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(1, 3, 30500000) > 0 AS at_current_plus_increment;
SELECT ptx.offer(1, 3, 'NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(1, 3, 'Infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(1, 3, -1);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(1, 3, 40000000.005);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(1, 4, NULL);
\echo :LAST_ERROR_SQLSTATE
-- only READ COMMITTED sees the current price
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT ptx.offer(1, 4, 31000000);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- a direct INSERT obeys the same rules
INSERT INTO ptx.offer (sale_id, bidder_id, amount) VALUES (1, 3, 30000000.01);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.offer (sale_id, bidder_id, amount) VALUES (1, 8, 40000000);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.offer (sale_id, bidder_id, amount) VALUES (1, 5, 40000000);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.offer (sale_id, seq, bidder_id, amount, stage, offered_at, closes_at)
VALUES (99, 1, 3, 40000000, 'open', now(), now());
\echo :LAST_ERROR_SQLSTATE
-- offers are a record
UPDATE ptx.offer SET amount = 1 WHERE seq = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.offer;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.sale SET start_price = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.deposit SET amount = 0;
\echo :LAST_ERROR_SQLSTATE

-- As the roles: the operator takes offers; the supervisor and the public
-- cannot; nobody reads the reserve.
CREATE ROLE regress_ptx_sales_operator LOGIN IN ROLE ptx_operator;
CREATE ROLE regress_ptx_sales_supervisor LOGIN IN ROLE ptx_supervisor;
CREATE ROLE regress_ptx_sales_public LOGIN IN ROLE ptx_public;
SET SESSION AUTHORIZATION regress_ptx_sales_operator;
SELECT ptx.offer(1, 4, 31000000) > 0 AS operator_offer;
SELECT current_price, offers, bidders, deposits, has_reserve, reserve_price FROM ptx.sale_status WHERE project_id = 1;
-- who offers is not shown before the close
SELECT seq, amount, bidder_id FROM ptx.sale_offer WHERE project_id = 1 ORDER BY seq;
SELECT count(*) AS deposits_shown FROM ptx.sale_deposit;
SELECT count(*) FROM ptx.offer;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ptx.deposit;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM ptx_seal.project_key;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx_seal.unseal(1, reserve_sealed) FROM ptx.sale WHERE project_id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.offer SET amount = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.close_sale(1);                                 -- before the close
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ptx_sales_supervisor;
SELECT ptx.offer(1, 4, 32000000);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_deposit(1, 5, 6000000);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS offers_seen, count(bidder_id) AS bidders_shown FROM ptx.sale_offer;
SELECT bidder_id FROM ptx.offer;
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ptx_sales_public;
SELECT count(*) FROM ptx.offer;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS results_before_close FROM ptx_public.sale_result;
RESET SESSION AUTHORIZATION;

------------------------------------------------------------------------
-- The close of the listing: two bidders ask to go on → on-site auction.
------------------------------------------------------------------------
SET ptx.fake_now = '2025-03-30 10:00:00+08';
SELECT ptx.record_deposit(1, 5, 6000000) > 0 AS deposit_5;
SELECT ptx.request_on_site_auction(1, 6);                 -- no deposit
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_on_site_auction(1, 3), ptx.request_on_site_auction(1, 4);
SELECT ptx.request_on_site_auction(1, 4);                 -- twice
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = '2025-04-03 00:00:00+08';              -- the close itself
SELECT ptx.offer(1, 3, 31500000) > 0 AS offer_at_the_close;
SET ptx.fake_now = '2025-04-03 00:00:00.000001+08';
SELECT ptx.offer(1, 4, 32000000);                         -- a microsecond late
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.request_on_site_auction(1, 5);                 -- too late
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.close_sale(1);
SELECT stage, reserve_price FROM ptx.sale WHERE project_id = 1;
-- on site: only those who asked, still rising by the increment
SELECT ptx.offer(1, 5, 40000000);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(1, 4, 31999999.99);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(1, 4, 32000000) > 0, ptx.offer(1, 3, 33000000) > 0;
SELECT ptx.close_sale(1);
SELECT ptx.close_sale(1);                                 -- twice
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(1, 4, 34000000);                         -- after the result
\echo :LAST_ERROR_SQLSTATE
SELECT stage, reserve_price, winner_id, winning_price, result_at FROM ptx.sale WHERE project_id = 1;
SELECT seq, bidder_id, amount, o.stage, offered_at FROM ptx.offer o JOIN ptx.sale s ON s.id = o.sale_id
 WHERE s.project_id = 1 ORDER BY seq;
SET SESSION AUTHORIZATION regress_ptx_sales_operator;
SELECT seq, amount, bidder_id FROM ptx.sale_offer WHERE project_id = 1 ORDER BY seq;
SELECT bidder_id, amount, on_site_requested_at FROM ptx.sale_deposit WHERE project_id = 1 ORDER BY bidder_id;
SELECT current_price, offers, bidders, deposits, reserve_price, winner_id FROM ptx.sale_status WHERE project_id = 1;
RESET SESSION AUTHORIZATION;
SELECT code, state, winner_id, awarded_at, state_note FROM ptx.project WHERE id = 1;
SELECT from_state, to_state, reason FROM ptx.project_history(1);
-- the contract is at the price of the sale
SELECT ptx.record_contract(1, 2, 3, 'land', '150200', 32000000, signed_on => '2025-04-03');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_contract(1, 2, 3, 'land', '150200', 33000000, signed_on => '2025-04-03') > 0 AS contract;
SELECT state FROM ptx.project WHERE id = 1;
-- a direct step announced → awarded without a sold sale is refused
SELECT ptx.open_sale(3, 5000000, 100000, '2025-05-06 09:00+08', '2025-05-06 10:00+08') AS s1_sale;
UPDATE ptx.project SET state = 'awarded', winner_id = 3 WHERE id = 3;
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Auction: the reserve missed by a cent fails (流拍); offered again, met
-- exactly, it sells.
------------------------------------------------------------------------
SET ptx.fake_now = '2025-04-02 09:00:00+08';
SELECT ptx.open_sale(2, 7999999.99, 100000, '2025-04-22 09:00+08', '2025-04-22 11:00+08',
                     reserve_price => 8200000, deposit => 1000000) > 0 AS a1_sale;
SET ptx.fake_now = '2025-04-22 08:00:00+08';
SELECT ptx.record_deposit(2, 3, 1000000) > 0, ptx.record_deposit(2, 4, 1000000) > 0;
SET ptx.fake_now = '2025-04-22 09:30:00+08';
SELECT ptx.offer(2, 3, 7999999.99) > 0, ptx.offer(2, 4, 8099999.99) > 0, ptx.offer(2, 3, 8199999.99) > 0;
SET ptx.fake_now = '2025-04-22 11:00:00+08';
SELECT ptx.close_sale(2);
SELECT stage, reserve_price, winner_id, winning_price FROM ptx.sale WHERE project_id = 2;
SELECT code, state, round, state_note FROM ptx.project WHERE id = 2;
-- offered again: a new round, a new sale, a new deposit
SELECT ptx.open_sale(2, 8000000, 100000, '2025-05-12 09:00+08', '2025-05-12 11:00+08',
                     reserve_price => 8200000, deposit => 1000000) > 0 AS a1_again;
SELECT round, stage FROM ptx.sale WHERE project_id = 2 ORDER BY round;
SET ptx.fake_now = '2025-05-12 09:30:00+08';
SELECT ptx.offer(2, 3, 8200000);                          -- last round's deposit does not count
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.record_deposit(2, 3, 1000000) > 0;
SELECT ptx.offer(2, 3, 8200000) > 0;
SET ptx.fake_now = '2025-05-12 11:00:00+08';
SELECT ptx.close_sale(2);
SELECT round, stage, reserve_price, winner_id, winning_price FROM ptx.sale WHERE project_id = 2 ORDER BY round;
SELECT code, state, round, winner_id FROM ptx.project WHERE id = 2;

------------------------------------------------------------------------
-- Online bidding of state-owned property (限时竞价): an offer in the last
-- 5 minutes moves the close to 5 minutes after it.
------------------------------------------------------------------------
SET ptx.fake_now = '2025-05-06 08:00:00+08';
SELECT ptx.record_deposit(3, 3, 0) > 0, ptx.record_deposit(3, 4, 0) > 0;
SET ptx.fake_now = '2025-05-06 09:54:59+08';              -- 5 min 1 s before the close
SELECT ptx.offer(3, 3, 5000000) > 0;
SELECT closes_at FROM ptx.sale WHERE project_id = 3;
SET ptx.fake_now = '2025-05-06 09:59:00+08';              -- in the last minute
SELECT ptx.offer(3, 4, 5100000) > 0;
SELECT closes_at FROM ptx.sale WHERE project_id = 3;
SET ptx.fake_now = '2025-05-06 10:00:30+08';              -- after the announced close, before the moved one
SELECT ptx.close_sale(3);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(3, 3, 5200000) > 0;
SELECT seq, bidder_id, amount, offered_at, o.closes_at FROM ptx.offer o JOIN ptx.sale s ON s.id = o.sale_id
 WHERE s.project_id = 3 ORDER BY seq;
SET ptx.fake_now = '2025-05-06 10:05:30.000001+08';
SELECT ptx.offer(3, 4, 5300000);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.close_sale(3);
SELECT stage, announced_close, closes_at, winner_id, winning_price FROM ptx.sale WHERE project_id = 3;

-- One qualified buyer buys at no less than the listed price (32号令).
SELECT ptx.register_project('S2', '国有房产转让', 'state_property', '150200', 2, 2000000, 1, 'state', NULL, 'online_bidding') AS s2;
-- 20 working days of disclosure (32号令 §13), across the Dragon Boat holiday
SELECT ptx.clock_date('2025-05-06', 'tender.min_bid_days.state_property') AS earliest;
SELECT ptx.open_sale(7, 2000000, 50000, '2025-06-03 09:00+08', '2025-06-03 10:00+08');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.open_sale(7, 2000000, 50000, '2025-06-04 09:00+08', '2025-06-04 10:00+08') > 0;
SET ptx.fake_now = '2025-06-04 09:10:00+08';
SELECT ptx.record_deposit(7, 5, 0) > 0;
SELECT ptx.offer(7, 5, 1999999.99);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.offer(7, 5, 2000000) > 0;
SET ptx.fake_now = '2025-06-04 10:00:00+08';
SELECT ptx.close_sale(7);
-- a sale without offers fails
SELECT ptx.open_sale(6, 1000000, 10000, '2025-06-24 09:00+08', '2025-07-04 09:00+08') > 0 AS l3_sale;
SET ptx.fake_now = '2025-07-04 09:00:00+08';
SELECT ptx.close_sale(6);

------------------------------------------------------------------------
-- Red flags over the closed sales: one bidder, bidders sharing a contact,
-- a sale at the reserve price (within red_flag.sale_reserve_band).
------------------------------------------------------------------------
SELECT ptx.set_org_contact(3, phone => '13847200001'), ptx.set_org_contact(4, phone => '13847200001');
SELECT h.kind, p.code, h.subject - 'project_id' AS subject, h.org_ids, h.event_on, h.evidence - 'sale'
  FROM ptx.red_flag_hits('2025-01-01', '2025-12-31') h JOIN ptx.project p ON p.id = h.project_id
 WHERE h.kind LIKE 'sale%' ORDER BY h.kind, p.code, h.subject::text;
-- L1 sold 2 000 000 above its reserve of 31 000 000: 6.4516…% of it
SELECT ptx.set_policy('red_flag.sale_reserve_band', 0.064516, 'just below');
SELECT count(*) AS l1_at_reserve FROM ptx.red_flag_hits('2025-01-01', '2025-12-31') h
 WHERE h.kind = 'sale_at_reserve' AND h.project_id = 1;
SELECT ptx.set_policy('red_flag.sale_reserve_band', 0.064517, 'just above');
SELECT count(*) AS l1_at_reserve FROM ptx.red_flag_hits('2025-01-01', '2025-12-31') h
 WHERE h.kind = 'sale_at_reserve' AND h.project_id = 1;
SELECT ptx.set_policy('red_flag.sale_reserve_band', NULL, 'back to the default');
SELECT ptx.scan_red_flags('2025-01-01', '2025-12-31') AS recorded;
SELECT kind, count(*) FROM ptx.red_flag GROUP BY kind ORDER BY kind;

------------------------------------------------------------------------
-- Disclosure: results only, the reserve published with them.
------------------------------------------------------------------------
SET SESSION AUTHORIZATION regress_ptx_sales_public;
SELECT project_code, round, form, result, reserve_price, winning_price, buyer, bidders, offers
  FROM ptx_public.sale_result ORDER BY project_code, round;
RESET SESSION AUTHORIZATION;

-- The ledger holds every step of the sales.
SELECT relation, operation, count(*) FROM ptx.ledger_entry
 WHERE relation IN ('ptx.sale', 'ptx.offer', 'ptx.deposit') AND operation IN ('INSERT', 'UPDATE', 'DELETE')
 GROUP BY relation, operation ORDER BY relation, operation;

DROP ROLE regress_ptx_sales_operator, regress_ptx_sales_supervisor, regress_ptx_sales_public;
