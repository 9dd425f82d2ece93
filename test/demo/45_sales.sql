-- Demo, part 2b: sales (R13).  A plot of land in Baotou sold by listing
-- (挂牌出让), two bidders still raising at the close, so an on-site auction
-- (现场竞价) decides; and a state-owned company's equity sold by online
-- bidding with a timed period (网络竞价, 限时竞价) after 20 working days of
-- disclosure.  Both trails are shown: every offer, the project's steps, the
-- ledger entries, and what the public sees.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';
SET ptx.fake_now = '2026-01-05 09:00:00+08';

\o /dev/null
CREATE FUNCTION pg_temp.uscc(region text, k int) RETURNS text LANGUAGE sql
    RETURN '91' || region || lpad((900000 + k)::text, 8, '0') || (k % 10)::text
           || ptx.uscc_check_char('91' || region || lpad((900000 + k)::text, 8, '0') || (k % 10)::text);
CREATE TEMP TABLE demo_sale_org AS
SELECT v.label, ptx.add_org(pg_temp.uscc(v.region, v.k), v.name, v.region, v.roles) AS id
  FROM (VALUES
    ('land_seller',  1, '150200', '包头市土地储备中心',             '{tenderee}'::text[]),
    ('equity_seller', 2, '150000', '内蒙古某国有资本投资运营有限公司', '{tenderee}'),
    ('buyer_a',      3, '150200', '包头市鹿城房地产开发有限公司',     '{bidder}'),
    ('buyer_b',      4, '150200', '包头市钢城置业有限公司',           '{bidder}'),
    ('buyer_c',      5, '150100', '呼和浩特市青城置业有限公司',       '{bidder}'),
    ('buyer_d',      6, '150600', '鄂尔多斯市东胜能源投资有限公司',   '{bidder}'),
    ('buyer_e',      7, '150100', '内蒙古草原新材料股份有限公司',     '{bidder}')) v(label, k, region, name, roles);
CREATE FUNCTION pg_temp.org(label text) RETURNS bigint LANGUAGE sql
    RETURN (SELECT id FROM demo_sale_org d WHERE d.label = org.label);
SELECT ptx.register_project('BT-TD-2026-001', '包头市昆都仑区钢铁大街北侧宗地国有建设用地使用权挂牌出让',
                            'land', '150200', pg_temp.org('land_seller'), 45000000,
                            (SELECT id FROM ptx.org WHERE name = '包头市自然资源局'),
                            'state', NULL, 'listing') AS land \gset
SELECT ptx.register_project('NM-GQ-2026-001', '内蒙古某国有资本投资运营有限公司所持某热力公司40%股权转让',
                            'state_property', '150000', pg_temp.org('equity_seller'), 12000000,
                            (SELECT id FROM ptx.org WHERE name = '内蒙古自治区国有资产监督管理委员会'),
                            'state_owned', NULL, 'online_bidding') AS equity \gset
\o

\echo
\echo '== The land plot: a listing of 10 days, announced 20 days before (39号令 §10, §19)'
\echo '   A listing of 9 days is refused:'
\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never
SELECT ptx.open_sale(:land, 45000000, 500000, '2026-01-26 09:00+08', '2026-02-04 17:00+08');
\set ON_ERROR_STOP 1
SELECT ptx.open_sale(:land, 45000000, 500000, '2026-01-26 09:00+08', '2026-02-05 10:00+08',
                     reserve_price => 46000000, deposit => 9000000) AS land_sale;
\echo '   The reserve price (底价) is sealed: the table and the ledger hold only ciphertext'
SELECT s.form, s.start_price, s.increment, s.deposit, s.reserve_price,
       octet_length(s.reserve_sealed) AS sealed_bytes,
       (SELECT bool_and(e.row_image::text NOT LIKE '%46000000%') FROM ptx.ledger_entry e
         WHERE e.relation = 'ptx.sale') AS reserve_absent_from_ledger
  FROM ptx.sale s WHERE s.project_id = :land;

\o /dev/null
SET ptx.fake_now = '2026-01-23 10:00:00+08';
SELECT ptx.record_deposit(:land, pg_temp.org(b), 9000000) FROM unnest(ARRAY['buyer_a', 'buyer_b', 'buyer_c']) b;
SET ptx.fake_now = '2026-01-26 10:00:00+08';
SELECT ptx.offer(:land, pg_temp.org('buyer_a'), 45000000);
SET ptx.fake_now = '2026-01-28 15:20:00+08';
SELECT ptx.offer(:land, pg_temp.org('buyer_c'), 45500000);
SET ptx.fake_now = '2026-02-02 11:00:00+08';
SELECT ptx.offer(:land, pg_temp.org('buyer_b'), 46000000);
SET ptx.fake_now = '2026-02-05 09:30:00+08';
SELECT ptx.offer(:land, pg_temp.org('buyer_a'), 46500000);
SELECT ptx.request_on_site_auction(:land, pg_temp.org('buyer_a')),
       ptx.request_on_site_auction(:land, pg_temp.org('buyer_b'));
\o
\echo '   An offer below the current price plus the increment is refused (PX016):'
\set ON_ERROR_STOP 0
SELECT ptx.offer(:land, pg_temp.org('buyer_c'), 46999999.99);
\set ON_ERROR_STOP 1
SET ptx.fake_now = '2026-02-05 10:00:00+08';
\echo '   At the close two bidders still ask to raise: an on-site auction follows'
SELECT ptx.close_sale(:land) AS listing_close;
\o /dev/null
SET ptx.fake_now = '2026-02-05 10:20:00+08';
SELECT ptx.offer(:land, pg_temp.org('buyer_b'), 47000000);
SELECT ptx.offer(:land, pg_temp.org('buyer_a'), 47500000);
SELECT ptx.offer(:land, pg_temp.org('buyer_b'), 48500000);
\o
SET ptx.fake_now = '2026-02-05 10:40:00+08';
SELECT ptx.close_sale(:land) AS on_site_close;
\o /dev/null
SET ptx.fake_now = '2026-02-09 10:00:00+08';
SELECT ptx.record_contract(:land, pg_temp.org('land_seller'), pg_temp.org('buyer_b'), 'land', '150200',
                           48500000, signed_on => '2026-02-09');
\o

\echo
\echo '== The equity: 20 working days of disclosure (32号令 §13), then online bidding'
\echo '   with a timed period of 5 minutes (限时竞价)'
SET ptx.fake_now = '2026-01-05 09:00:00+08';
SELECT ptx.clock_date('2026-01-05', 'tender.min_bid_days.state_property') AS earliest_start;
SELECT ptx.open_sale(:equity, 12000000, 100000, ptx.clock_date('2026-01-05', 'tender.min_bid_days.state_property') + time '09:00',
                     ptx.clock_date('2026-01-05', 'tender.min_bid_days.state_property') + time '10:00',
                     deposit => 2000000) AS equity_sale;
\o /dev/null
SELECT ptx.clock_date('2026-01-05', 'tender.min_bid_days.state_property') AS d \gset
SET ptx.fake_now = '2026-01-20 10:00:00+08';
SELECT ptx.record_deposit(:equity, pg_temp.org(b), 2000000) FROM unnest(ARRAY['buyer_d', 'buyer_e']) b;
SELECT set_config('ptx.fake_now', (:'d'::date + time '09:05')::text || '+08', false);
SELECT ptx.offer(:equity, pg_temp.org('buyer_d'), 12000000);
SELECT set_config('ptx.fake_now', (:'d'::date + time '09:56')::text || '+08', false);
SELECT ptx.offer(:equity, pg_temp.org('buyer_e'), 12100000);
SELECT set_config('ptx.fake_now', (:'d'::date + time '09:59:30')::text || '+08', false);
SELECT ptx.offer(:equity, pg_temp.org('buyer_d'), 12300000);
SELECT set_config('ptx.fake_now', (:'d'::date + time '10:03')::text || '+08', false);
SELECT ptx.offer(:equity, pg_temp.org('buyer_e'), 12400000);
SELECT set_config('ptx.fake_now', (:'d'::date + time '10:07:40')::text || '+08', false);
SELECT ptx.offer(:equity, pg_temp.org('buyer_d'), 12600000);
SELECT set_config('ptx.fake_now', (:'d'::date + time '10:12:40')::text || '+08', false);
\o
\echo '   Every offer in the last 5 minutes moved the close:'
SELECT ptx.close_sale(:equity) AS equity_close;

\echo
\echo '== The trails: every offer, in order'
SELECT p.code, o.seq, b.name AS bidder, o.amount, o.stage, o.offered_at, o.closes_at AS close_after
  FROM ptx.offer o JOIN ptx.sale s ON s.id = o.sale_id JOIN ptx.project p ON p.id = s.project_id
  JOIN ptx.org b ON b.id = o.bidder_id
 WHERE s.project_id IN (:land, :equity) ORDER BY p.code, o.seq;
\echo '== The steps of each project'
SELECT 'land' AS sale, h.at, h.from_state, h.to_state, h.reason FROM ptx.project_history(:land) h
UNION ALL
SELECT 'equity', h.at, h.from_state, h.to_state, h.reason FROM ptx.project_history(:equity) h
ORDER BY 1 DESC, 2;
\echo '== The ledger entries of both sales'
SELECT e.relation, e.operation, count(*) AS entries
  FROM ptx.ledger_entry e
 WHERE e.relation IN ('ptx.sale', 'ptx.deposit', 'ptx.offer')
 GROUP BY e.relation, e.operation ORDER BY 1, 2;

\echo '== What the public sees (成交公示): the result, the reserve published at the close'
SET ROLE ptx_public;
SELECT project_code, form, result, reserve_price, winning_price, buyer, bidders, offers, result_at
  FROM ptx_public.sale_result WHERE project_code IN ('BT-TD-2026-001', 'NM-GQ-2026-001') ORDER BY project_code;
RESET ROLE;
\set SHOW_CONTEXT errors
RESET ptx.fake_now;
