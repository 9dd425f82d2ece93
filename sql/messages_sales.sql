-- Messages in English and in Chinese: the refusals of the trading terms'
-- vocabularies, the sales, credit, the credit lists' import and the policy
-- documents, each in both languages.  The SQLSTATE never changes with the
-- language.
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
       ptx.add_org(pg_temp.uscc(2), '包头市土地储备中心', '150200', '{tenderee,bidder}') AS seller,
       ptx.add_org(pg_temp.uscc(3), '竞买人甲', '150200', '{bidder}') AS bidder_a,
       ptx.add_org(pg_temp.uscc(4), '竞买人乙', '150200', '{bidder}') AS bidder_b,
       ptx.add_org(pg_temp.uscc(5), '失信企业', '150200', '{bidder}') AS restricted,
       ptx.add_org(pg_temp.uscc(6), '不是竞买人', '150200', '{tenderee}') AS not_a_bidder;
SELECT ptx.add_credit_record('org', 5, 'bid_ban', '串通投标', '2025-01-01', NULL,
                             '包头市住房和城乡建设局 包建罚〔2025〕1号') AS bid_ban,
       ptx.add_credit_record('org', 5, 'dishonest_list', '提供虚假材料', '2025-02-01', '2025-12-31') AS listed;
SELECT ptx.grant_jurisdiction(1, c, '150000') FROM unnest(ARRAY['land', 'construction']) c;
SELECT ptx.register_project('L1', '昆区宗地挂牌出让', 'land', '150200', 2, 30000000, 1, 'state', NULL, 'listing') AS l1,
       ptx.register_project('C1', '施工招标', 'construction', '150200', 2, 5000000, 1, 'state') AS c1,
       ptx.register_project('L2', '宗地拍卖', 'land', '150200', 2, 1000000, 1, 'state', NULL, 'open') AS l2;

------------------------------------------------------------------------
-- Vocabularies of the trading terms (40_vocabulary.sql).
------------------------------------------------------------------------
SET lc_messages = 'C';
SELECT ptx.check_trade_terms('fishing', NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.check_trade_terms('fishing', NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.check_trade_terms('land', '159999', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.check_trade_terms('land', '159999', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.check_trade_terms(NULL, NULL, 'STATE', NULL);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.check_trade_terms(NULL, NULL, 'STATE', NULL);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.check_trade_terms(NULL, NULL, NULL, 'Works');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.check_trade_terms(NULL, NULL, NULL, 'Works');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.check_term_list('funding', '{state,NULL}');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.check_term_list('funding', '{state,NULL}');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.check_term_list('kind', '{works,works}');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.check_term_list('kind', '{works,works}');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.check_term_list('colour', '{red}');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.check_term_list('colour', '{red}');
\echo :LAST_ERROR_SQLSTATE

-- a constraint that old rows break holds for new rows, with a warning
-- (its detail is PostgreSQL's own message)
CREATE TEMP TABLE old_rows (amount numeric);
INSERT INTO old_rows VALUES (-1);
SET lc_messages = 'C';
SELECT ptx.add_checked_constraint('old_rows', 'old_rows_amount_positive', 'CHECK (amount >= 0)');
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.add_checked_constraint('old_rows', 'old_rows_amount_positive', 'CHECK (amount >= 0)');
RESET lc_messages;

------------------------------------------------------------------------
-- Sales (49_sales.sql).
------------------------------------------------------------------------
SET lc_messages = 'C';
SELECT ptx.open_sale(2, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08');      -- a tender
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.open_sale(2, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.open_sale(3, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08');      -- no form
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.open_sale(3, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.open_sale(3, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08', options => '{"form": "dutch"}');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.open_sale(3, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08', options => '{"form": "dutch"}');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.open_sale(1, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08', deposit => 'NaN');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.open_sale(1, 100, 10, '2025-04-01 09:00+08', '2025-04-20 09:00+08', deposit => 'NaN');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.open_sale(1, 100, NULL, '2025-04-01 09:00+08', '2025-04-20 09:00+08');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.open_sale(1, 100, NULL, '2025-04-01 09:00+08', '2025-04-20 09:00+08');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-23 09:00+08', '2025-04-20 09:00+08');  -- day 20, a Sunday
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-23 09:00+08', '2025-04-20 09:00+08');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-24 09:00+08', '2025-04-02 17:00+08');  -- 9 days
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-24 09:00+08', '2025-04-02 17:00+08');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-24 09:00+08', '2025-04-03 00:00+08',
                     reserve_price => 31000000, deposit => 6000000) AS sale;

SET lc_messages = 'C';
SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-24 09:00+08', '2025-04-03 00:00+08');  -- twice
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.open_sale(1, 30000000, 500000, '2025-03-24 09:00+08', '2025-04-03 00:00+08');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
UPDATE ptx.sale SET start_price = 1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.sale SET start_price = 1;
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

SET ptx.fake_now = '2025-03-24 08:00:00+08';
SET lc_messages = 'C';
SELECT ptx.record_deposit(1, 6, 6000000);                 -- not a bidder
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_deposit(1, 6, 6000000);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.record_deposit(1, 2, 6000000);                 -- the seller
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_deposit(1, 2, 6000000);
\echo :LAST_ERROR_SQLSTATE

-- credit-restricted (50_credit.sql): two records, one with a source and no end
SET lc_messages = 'C';
SELECT ptx.record_deposit(1, 5, 6000000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_deposit(1, 5, 6000000);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.record_deposit(1, 3, 5999999.99);              -- below the deposit asked
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_deposit(1, 3, 5999999.99);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.record_deposit(1, 3, 6000000, '2025-03-25');   -- paid tomorrow
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_deposit(1, 3, 6000000, '2025-03-25');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.record_deposit(99, 3, 6000000);                -- no sale
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_deposit(99, 3, 6000000);
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

SELECT ptx.record_deposit(1, 3, 6000000) > 0 AS deposit_a;

SET lc_messages = 'C';
SELECT ptx.record_deposit(1, 3, 6000000);                 -- twice
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.record_deposit(1, 3, 6000000);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.offer(1, 3, 30000000);                         -- before the start
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.offer(1, 3, 30000000);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.request_on_site_auction(1, 3);                 -- before the start
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.request_on_site_auction(1, 3);
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

SET ptx.fake_now = '2025-03-24 09:00:00+08';
SET lc_messages = 'C';
SELECT ptx.offer(1, 4, 30000000);                         -- no deposit
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.offer(1, 4, 30000000);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.offer(1, 3, 29999999.99);                      -- below the starting price
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.offer(1, 3, 29999999.99);
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

SELECT ptx.offer(1, 3, 30000000) > 0 AS at_start_price;

SET lc_messages = 'C';
SELECT ptx.offer(1, 3, 30499999.99);                      -- current + increment less a cent
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.offer(1, 3, 30499999.99);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.offer(1, 3, 40000000.005);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.offer(1, 3, 40000000.005);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT ptx.offer(1, 3, 31000000);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SET lc_messages = 'zh_CN.UTF-8';
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT ptx.offer(1, 3, 31000000);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

SET lc_messages = 'C';
INSERT INTO ptx.offer (sale_id, bidder_id, amount) VALUES (99, 3, 40000000);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
INSERT INTO ptx.offer (sale_id, bidder_id, amount) VALUES (99, 3, 40000000);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
DELETE FROM ptx.offer;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
DELETE FROM ptx.offer;
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.request_on_site_auction(1, 4);                 -- no deposit
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.request_on_site_auction(1, 4);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.close_sale(1);                                 -- before the close
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.close_sale(1);
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

SET ptx.fake_now = '2025-04-03 00:00:01+08';
SELECT ptx.close_sale(1) AS outcome;

SET lc_messages = 'C';
SELECT ptx.close_sale(1);                                 -- twice
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.close_sale(1);
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

------------------------------------------------------------------------
-- Credit (50_credit.sql).
------------------------------------------------------------------------
SET lc_messages = 'C';
SELECT ptx.add_credit_record('org', 4, 'bid_ban', ' ', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.add_credit_record('org', 4, 'bid_ban', ' ', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.add_credit_record('expert', 99, 'expert_ban', '受贿', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.add_credit_record('expert', 99, 'expert_ban', '受贿', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.add_credit_record('org', 4, 'blacklist', '围标', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.add_credit_record('org', 4, 'blacklist', '围标', '2025-01-01');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.add_credit_record('org', 4, 'bid_ban', '围标', '2025-03-01', '2025-02-28');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.add_credit_record('org', 4, 'bid_ban', '围标', '2025-03-01', '2025-02-28');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

SELECT ptx.revoke_credit_record(1, '行政复议撤销原处理决定') > 0 AS revoked;

SET lc_messages = 'C';
SELECT ptx.revoke_credit_record(1, '再次撤销');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.revoke_credit_record(1, '再次撤销');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.revoke_credit_record(99, '无此记录');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.revoke_credit_record(99, '无此记录');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
UPDATE ptx.credit_record SET reason = '改写' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.credit_record SET reason = '改写' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
TRUNCATE ptx.credit_revocation;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
TRUNCATE ptx.credit_revocation;
\echo :LAST_ERROR_SQLSTATE

-- an organisation as contract party, on a given day: the record with an end
-- restricts it, the other one is revoked
SET lc_messages = 'C';
SELECT ptx.assert_not_restricted('org', 5, 'contract party (supplier)', '2025-06-30');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.assert_not_restricted('org', 5, 'contract party (supplier)', '2025-06-30');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

------------------------------------------------------------------------
-- Credit lists' import (50_credit_import.sql).
------------------------------------------------------------------------
CREATE TEMP TABLE wrong_shape (a text, b text);
SET lc_messages = 'C';
SELECT * FROM ptx.import_credit_records('wrong_shape');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT * FROM ptx.import_credit_records('wrong_shape');
\echo :LAST_ERROR_SQLSTATE

CREATE TEMP TABLE bad_list (LIKE ptx.credit_import_row);
INSERT INTO bad_list VALUES ('org', pg_temp.uscc(4), NULL, 'bid_ban', '围标', '2025-01-01', NULL, NULL),
                            ('company', pg_temp.uscc(4), NULL, 'bid_ban', '围标', '2025-01-01', NULL, NULL);
SET lc_messages = 'C';
SELECT row_no, status FROM ptx.import_credit_records('bad_list');
SET lc_messages = 'zh_CN.UTF-8';
SELECT row_no, status FROM ptx.import_credit_records('bad_list');
RESET lc_messages;

------------------------------------------------------------------------
-- Policy documents (55_policy_documents.sql).
------------------------------------------------------------------------
SELECT ptx.add_policy_document('包政办发〔2016〕12号', '包头市公共资源交易目录',
                               '包头市人民政府办公厅', '150200', '2016-03-01') AS catalogue \gset
SELECT ptx.repeal_policy_document(:catalogue, '已被新目录取代', '2020-01-06') > 0 AS repealed;

SET lc_messages = 'C';
SELECT ptx.repeal_policy_document(:catalogue, '再次废止');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.repeal_policy_document(:catalogue, '再次废止');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.repeal_policy_document(99, '无此文件');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.repeal_policy_document(99, '无此文件');
\echo :LAST_ERROR_SQLSTATE

SELECT ptx.add_policy_document('包政办发〔2017〕5号', '包头市政府采购评审专家管理办法',
                               '包头市人民政府办公厅', '150200', '2017-02-10') AS experts_rules \gset

SET lc_messages = 'C';
SELECT ptx.repeal_policy_document(:experts_rules, '倒签', '2017-01-01');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.repeal_policy_document(:experts_rules, '倒签', '2017-01-01');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.repeal_policy_document(:experts_rules, ' ');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.repeal_policy_document(:experts_rules, ' ');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.repeal_policy_document(:experts_rules, '自我废止', by_document => :experts_rules);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.repeal_policy_document(:experts_rules, '自我废止', by_document => :experts_rules);
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.add_policy_document('包政办发〔2016〕98号', ' ', '包头市人民政府办公厅', '150200', '2016-03-01');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.add_policy_document('包政办发〔2016〕98号', ' ', '包头市人民政府办公厅', '150200', '2016-03-01');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
SELECT ptx.add_policy_document('包政办发〔2016〕99号', '倒签', '包头市人民政府办公厅', '150200',
                               '2016-03-01', '2016-02-01');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.add_policy_document('包政办发〔2016〕99号', '倒签', '包头市人民政府办公厅', '150200',
                               '2016-03-01', '2016-02-01');
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
DELETE FROM ptx.policy_document WHERE id = :experts_rules;
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
DELETE FROM ptx.policy_document WHERE id = :experts_rules;
\echo :LAST_ERROR_SQLSTATE

SET lc_messages = 'C';
UPDATE ptx.policy_document_change SET reason = '改写';
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
UPDATE ptx.policy_document_change SET reason = '改写';
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;
