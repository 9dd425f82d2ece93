-- Identifier checks: USCC (GB 32100-2015), resident ID (GB 11643-1999),
-- region codes (GB/T 2260).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- Published codes of well-known companies are valid.
CREATE TEMP TABLE published(code text, name text);
INSERT INTO published VALUES
  ('914403001922038216', '华为技术有限公司'),
  ('91440300708461136T', '深圳市腾讯计算机系统有限公司'),
  ('91110000802100433B', '北京百度网讯科技有限公司'),
  ('91110108551385082Q', '小米科技有限责任公司'),
  ('91330100799655058B', '阿里巴巴（中国）有限公司'),
  ('91110000710925462X', '中国石油天然气股份有限公司');
SELECT name, ptx.uscc_valid(code), ptx.uscc_check_char(code) = right(code, 1) AS check_char_agrees
  FROM published ORDER BY code;

-- Every single-character corruption of them is refused: each position,
-- replaced by every other character of the set or by a character outside it.
WITH alphabet AS (
  SELECT substr('0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZa-', i, 1) AS ch
    FROM generate_series(1, 38) i
), corrupt AS (
  SELECT p.code, pos, a.ch,
         overlay(p.code placing a.ch from pos for 1) AS bad
    FROM published p, generate_series(1, 18) pos, alphabet a
   WHERE substr(p.code, pos, 1) <> a.ch
)
SELECT count(*) AS corruptions, count(*) FILTER (WHERE ptx.uscc_valid(bad)) AS accepted
  FROM corrupt;

-- Transposed neighbours are caught too (the weights differ at each place).
SELECT count(*) FILTER (WHERE ptx.uscc_valid(t)) AS accepted_transpositions
  FROM (SELECT overlay(code placing substr(code, i + 1, 1) || substr(code, i, 1) from i for 2) AS t,
               substr(code, i, 1) <> substr(code, i + 1, 1) AS differs
          FROM published, generate_series(1, 17) i) s
 WHERE differs;

-- Malformed input answers false, never an error.
SELECT ptx.uscc_valid(''), ptx.uscc_valid('91440300708461136'),
       ptx.uscc_valid('91440300708461136TT'), ptx.uscc_valid('91440300708461136t'),
       ptx.uscc_valid('9144O300708461136T'), ptx.uscc_valid(NULL);
SELECT ptx.uscc_check_char('91440300708461136'), ptx.uscc_check_char('9144030070846113'),
       ptx.uscc_check_char('9I440300708461136');

-- check_uscc explains; the expected check character is in the detail.
SELECT ptx.check_uscc('91440300708461136T');
SELECT ptx.check_uscc('914403007084611360');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.check_uscc('9144030070846113');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.check_uscc('91440300708461136I');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.check_uscc('91AB0300708461136T');
\echo :LAST_ERROR_SQLSTATE

-- Resident identity numbers: the standard's own example, a 19th-century
-- birth date, and corruptions of every digit.
SELECT ptx.resident_id_valid('11010519491231002X') AS example,
       ptx.resident_id_valid('440524188001010014') AS born_1880,
       ptx.resident_id_valid('11010519491231002x') AS lowercase_x,
       ptx.resident_id_valid('110105194912310021') AS wrong_check,
       ptx.resident_id_valid('110105194902300027') AS feb_30,
       ptx.resident_id_valid('11010519491231002') AS short;
SELECT count(*) AS corruptions,
       count(*) FILTER (WHERE ptx.resident_id_valid(overlay('11010519491231002X' placing d from pos for 1))) AS accepted
  FROM generate_series(1, 18) pos, unnest(string_to_array('0123456789X', NULL)) d
 WHERE substr('11010519491231002X', pos, 1) <> d;
-- Leap days: 2000-02-29 exists, 1900-02-29 does not (check characters right).
SELECT ptx.resident_id_valid('110105200002290013') AS leap_2000, ptx.resident_id_valid('110105190002290017') AS leap_1900;
SELECT ptx.check_resident_id('110105190002290017');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.check_resident_id('110105194912310021');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.check_resident_id('11010519491231002X');

-- Region codes.
SELECT c, ptx.region_code_valid(c)
  FROM unnest(ARRAY['150000', '150100', '150102', '152900', '000000', '15010', '1501000',
                    '15A100', '150012']) c;
SELECT ptx.check_region_code('15010');
\echo :LAST_ERROR_SQLSTATE
