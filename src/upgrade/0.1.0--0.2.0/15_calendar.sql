-- 0.1.0 → 0.2.0, before the functions: the law's calendar and government
-- procurement's own regime (R11, R12).  Runs on a database full of 0.1.0
-- data: every new column has a default or is nullable, the vocabulary of
-- trading methods is checked on old rows only where they all fit.

-- The policy rows of the periods, the opening tolerance, amendments,
-- challenges and complaints (43_lifecycle.sql, 45_objections.sql) are
-- carried by src/upgrade/carry.pl with every legal default.

-- Trading methods, a closed vocabulary per category (43_lifecycle.sql).
CREATE TABLE ptx.trade_method (
    category    text NOT NULL REFERENCES ptx.category (code),
    method      text NOT NULL CHECK (method ~ '^[a-z_]+$'),
    name_zh     text NOT NULL,
    basis       text NOT NULL,
    PRIMARY KEY (category, method)
);
COMMENT ON TABLE ptx.trade_method IS 'the trading methods (交易方式) each category allows, with their legal basis';
INSERT INTO ptx.trade_method (category, method, name_zh, basis) VALUES
  ('construction', 'open', '公开招标', '招标投标法 §10'),
  ('construction', 'invited', '邀请招标', '招标投标法 §10'),
  ('other', 'open', '公开招标', '招标投标法 §10'),
  ('other', 'invited', '邀请招标', '招标投标法 §10'),
  ('procurement', 'open', '公开招标', '政府采购法 §26'),
  ('procurement', 'invited', '邀请招标', '政府采购法 §26, §29'),
  ('procurement', 'negotiation', '竞争性谈判', '政府采购法 §26, §30'),
  ('procurement', 'consultation', '竞争性磋商', '政府采购法 §26; 财库〔2014〕214号'),
  ('procurement', 'inquiry', '询价', '政府采购法 §26, §32'),
  ('procurement', 'single_source', '单一来源采购', '政府采购法 §26, §31'),
  ('procurement', 'framework', '框架协议采购', '政府采购框架协议采购方式管理暂行办法 (财政部令第110号)'),
  ('land', 'open', '招标出让', '招标拍卖挂牌出让国有建设用地使用权规定 §2'),
  ('land', 'auction', '拍卖出让', '招标拍卖挂牌出让国有建设用地使用权规定 §2'),
  ('land', 'listing', '挂牌出让', '招标拍卖挂牌出让国有建设用地使用权规定 §2'),
  ('land', 'online_bidding', '网上竞价', '招标拍卖挂牌出让国有建设用地使用权规定 §2 (网上交易)'),
  ('mining', 'open', '招标出让', '矿业权出让交易规则'),
  ('mining', 'auction', '拍卖出让', '矿业权出让交易规则'),
  ('mining', 'listing', '挂牌出让', '矿业权出让交易规则'),
  ('mining', 'online_bidding', '网上竞价', '矿业权出让交易规则'),
  ('state_property', 'open', '公开征集 (招投标)', '企业国有资产交易监督管理办法 §17'),
  ('state_property', 'auction', '拍卖', '企业国有资产交易监督管理办法 §17'),
  ('state_property', 'listing', '挂牌 (协议成交)', '企业国有资产交易监督管理办法 §17'),
  ('state_property', 'online_bidding', '网络竞价', '企业国有资产交易监督管理办法 §17');
GRANT SELECT ON ptx.trade_method TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;

ALTER TABLE ptx.project ADD COLUMN complex boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN ptx.project.complex IS
    'technically complex, highly specialised or of great social impact (技术复杂、专业性强或者社会影响较大): a procurement committee of 7+ members (财政部令第87号 §47)';
-- 0.1.0 took any text as the method.  The key is checked for new and
-- changed rows at once; old rows are validated only when every one of
-- them names a method of its category, else the constraint stays NOT
-- VALID (a NOTICE names the projects) so that old projects can finish
-- their lifecycle: a method is checked again only when it changes.
ALTER TABLE ptx.project ADD CONSTRAINT project_method_fkey FOREIGN KEY (category, method)
    REFERENCES ptx.trade_method (category, method) NOT VALID;
DO $upgrade$
DECLARE
    bad text;
BEGIN
    SELECT pg_catalog.string_agg(pg_catalog.format('%s (%s, %s)', p.code, p.category, p.method), ', ')
      INTO bad
      FROM ptx.project p
     WHERE NOT EXISTS (SELECT 1 FROM ptx.trade_method m
                        WHERE m.category = p.category AND m.method = p.method);
    IF bad IS NULL THEN
        ALTER TABLE ptx.project VALIDATE CONSTRAINT project_method_fkey;
    ELSE
        RAISE NOTICE 'projects with a trading method outside ptx.trade_method keep it: %', bad
            USING HINT = 'Correct them with UPDATE ptx.project SET method = ... and then ALTER TABLE ptx.project VALIDATE CONSTRAINT project_method_fkey.';
    END IF;
END
$upgrade$;

-- Objections: the procurement challenge (质疑), its known day, whether an
-- objection suspends, whether the answer upheld it (45_objections.sql).
ALTER TABLE ptx.objection
    ADD COLUMN known_on date,
    ADD COLUMN suspends boolean NOT NULL DEFAULT true,
    ADD COLUMN upheld boolean;
COMMENT ON COLUMN ptx.objection.known_on IS 'a challenge (质疑): the day the supplier knew or should have known of the matter';
COMMENT ON COLUMN ptx.objection.suspends IS 'whether the objection suspends the project until it is answered (a challenge only when challenge.suspends is 1)';
COMMENT ON COLUMN ptx.objection.upheld IS 'the answer found the objection well founded (异议成立); an upheld objection to the result sends the project back to evaluation';
ALTER TABLE ptx.objection DROP CONSTRAINT objection_stage_check,
    ADD CONSTRAINT objection_stage_check CHECK (stage IN ('documents', 'opening', 'result', 'challenge'));
COMMENT ON COLUMN ptx.objection.stage IS 'documents (招标文件), opening (开标) or result (评标结果); challenge (质疑) in government procurement';
ALTER TABLE ptx.complaint DROP CONSTRAINT complaint_stage_check,
    ADD CONSTRAINT complaint_stage_check CHECK (stage IN ('documents', 'opening', 'result', 'challenge', 'other'));
COMMENT ON COLUMN ptx.complaint.stage IS 'documents, opening or result (an objection must come first), challenge (a procurement challenge first, 政府采购法 §55), or other';
