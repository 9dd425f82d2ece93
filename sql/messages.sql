-- Messages in English (the default) and in Chinese (lc_messages zh_CN):
-- C messages through PostgreSQL's NLS (po/zh_CN.po), PL/pgSQL messages
-- through the catalogue ptx.message and ptx.raise().  The SQLSTATE never
-- changes with the language.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150100', '呼和浩特市', '150000');

-- English, the default
SET lc_messages = 'C';
SELECT ptx.message_language();
INSERT INTO ptx.region (code, name) VALUES ('1501x0', 'x');        -- C: PX010
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_region('152500', '锡林郭勒盟', '150100');             -- PL/pgSQL: PX010
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_region('150102', '新城区', '150200');                 -- 23503
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_org('91150100MA0N00000X', '某公司', '150100', '{tenderee}');   -- C: PX010
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_org('91150000000000001' || ptx.uscc_check_char('91150000000000001'),
                   '某公司', '150100', '{tenderee,broker}');          -- 22023
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.schedule_jobs();                                          -- PX014
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = 'yesterday-ish';                                  -- 22023, a GUC check
\echo :LAST_ERROR_SQLSTATE

-- Chinese, the same refusals
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.message_language();
INSERT INTO ptx.region (code, name) VALUES ('1501x0', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_region('152500', '锡林郭勒盟', '150100');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_region('150102', '新城区', '150200');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_org('91150100MA0N00000X', '某公司', '150100', '{tenderee}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_org('91150000000000001' || ptx.uscc_check_char('91150000000000001'),
                   '某公司', '150100', '{tenderee,broker}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.schedule_jobs();
\echo :LAST_ERROR_SQLSTATE
SET ptx.fake_now = 'yesterday-ish';
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.message_text('registry.region_fixed', '150100');
RESET lc_messages;

-- The catalogue: no message in one language only, ids well formed, and
-- every id that a ptx function raises is in it.
INSERT INTO ptx.message (id, sqlstate, en_message) VALUES ('x.only_english', '22023', 'english only');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.message VALUES ('x.no_detail_zh', '22023', 'm', 'd', NULL, '消息', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO ptx.message VALUES ('Bad Id', '22023', 'm', NULL, NULL, '消息', NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.raise('no.such_message');
\echo :LAST_ERROR_SQLSTATE
SELECT m[1] AS raised_but_missing
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
       regexp_matches(p.prosrc, 'ptx\.(?:raise|notice|warning|message_text)\(''([^'']+)''', 'g') m
 WHERE n.nspname LIKE 'ptx%'
   AND NOT EXISTS (SELECT 1 FROM ptx.message WHERE id = m[1])
 ORDER BY 1;
-- no ptx function raises a text of its own: every error, notice and
-- warning of PL/pgSQL goes through the catalogue (ptx.raise and its kin
-- raise the catalogue's texts with RAISE ... USING)
SELECT n.nspname || '.' || p.proname AS raises_own_text
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname LIKE 'ptx%' AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
   AND (p.prosrc ~* 'RAISE\s+(EXCEPTION|WARNING|NOTICE|INFO)?\s*'''
        OR p.prosrc ~* '(MESSAGE|DETAIL|HINT)\s*=\s*(pg_catalog\.)?(format\()?''')
 ORDER BY 1;
-- and every message of the catalogue is named by some function (in a
-- call of ptx.raise, or as the id a call chooses)
SELECT id AS never_raised FROM ptx.message msg
 WHERE NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname LIKE 'ptx%' AND p.prosrc LIKE '%''' || msg.id || '''%')
 ORDER BY 1;
-- the inspection ratio, the rule of R6, in both languages
SELECT ptx.add_org('91150000000000001' || ptx.uscc_check_char('91150000000000001'),
                   '内蒙古自治区住房和城乡建设厅', '150000', '{supervisor}') AS dept \gset
SELECT ptx.request_inspection_draw(2025, :dept, 0.2);
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.request_inspection_draw(2025, :dept, 0.2);
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.setting('no.such.setting');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;

-- The group roles read the catalogue; the public does not.
SET ROLE ptx_operator;
SELECT count(*) > 0 AS operator_reads FROM ptx.message;
RESET ROLE;
SET ROLE ptx_public;
SELECT count(*) FROM ptx.message;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Notices and warnings come from the catalogue too, in either language;
-- a level that is neither is refused.
SELECT ptx.notice('registry.region_fixed', '150100');
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.warning('registry.parent_region_missing', '150200', '150102');
RESET lc_messages;
SELECT ptx.report_message('error', 'registry.region_fixed', '{150100}');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.notice('no.such_message');
\echo :LAST_ERROR_SQLSTATE
SET lc_messages = 'zh_CN.UTF-8';
SELECT ptx.notice('no.such_message');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.report_message('error', 'registry.region_fixed', '{150100}');
\echo :LAST_ERROR_SQLSTATE
RESET lc_messages;
