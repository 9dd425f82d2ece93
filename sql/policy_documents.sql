-- Register of policy documents (制度文件清理, R10): valid, revised and
-- repealed documents with their history, and the public list of the
-- valid ones.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS ptx CASCADE;
CREATE EXTENSION ptx CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'Asia/Shanghai';
SET DateStyle = 'ISO, YMD';

SELECT ptx.add_region('150000', '内蒙古自治区');
SELECT ptx.add_region('150200', '包头市', '150000');

SELECT ptx.add_policy_document('内政办发〔2018〕67号', '关于进一步做好公共资源交易工作的通知',
                               '内蒙古自治区人民政府办公厅', '150000', '2018-10-18') AS notice \gset
SELECT ptx.add_policy_document('内政办发〔2015〕88号', '内蒙古自治区公共资源交易平台管理暂行办法',
                               '内蒙古自治区人民政府办公厅', '150000', '2015-07-01', '2015-09-01') AS rules_2015 \gset
SELECT ptx.add_policy_document('包政办发〔2016〕12号', '包头市公共资源交易目录',
                               '包头市人民政府办公厅', '150200', '2016-03-01') AS baotou_catalog \gset
SELECT ptx.add_policy_document('包政办发〔2017〕5号', '包头市政府采购评审专家管理办法',
                               '包头市人民政府办公厅', '150200', '2017-02-10') AS baotou_experts \gset
SELECT number, issued_on, effective_on, revises FROM ptx.policy_document ORDER BY id;

-- Issued, not yet in force: pending until the first day.
SELECT d AS on_date, ptx.policy_document_status(:rules_2015, d::date)
  FROM unnest('{2015-07-01,2015-08-31,2015-09-01}'::text[]) d;

-- A revision names the document it revises; the revised one stays valid
-- until the revision takes effect, and is revised from that day.
SELECT ptx.add_policy_document('内政办发〔2019〕30号', '内蒙古自治区公共资源交易平台管理服务实施细则',
                               '内蒙古自治区人民政府办公厅', '150000', '2019-05-20', '2019-07-01',
                               revises => :rules_2015) AS rules_2019 \gset
SELECT d AS on_date, ptx.policy_document_status(:rules_2015, d::date) AS rules_2015,
       ptx.policy_document_status(:rules_2019, d::date) AS rules_2019
  FROM unnest('{2019-06-30,2019-07-01}'::text[]) d;

-- Repeal (废止), from a date, by a decision that is itself registered.
SELECT ptx.add_policy_document('包政办发〔2020〕1号', '包头市关于废止部分规范性文件的决定',
                               '包头市人民政府办公厅', '150200', '2020-01-06') AS repeal_decision \gset
SELECT ptx.repeal_policy_document(:baotou_experts, '与《政府采购评审专家管理办法》（财库〔2016〕198号）不一致',
                                  '2020-02-01', :repeal_decision) IS NOT NULL AS repealed;
SELECT d AS on_date, ptx.policy_document_status(:baotou_experts, d::date)
  FROM unnest('{2020-01-31,2020-02-01}'::text[]) d;

-- The history: every change is a record with its date, reason and the
-- document that made it.
SELECT d.number, c.status, c.effective_on, c.reason, b.number AS by_document,
       c.recorded_by = session_user AS by_session_user
  FROM ptx.policy_document_change c
  JOIN ptx.policy_document d ON d.id = c.document_id
  LEFT JOIN ptx.policy_document b ON b.id = c.by_document_id
 ORDER BY c.id;

-- Revised and repealed are final; dates must hold together.
SELECT ptx.repeal_policy_document(:baotou_experts, 'again');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_policy_document('内政办发〔2021〕9号', '再次修订', '内蒙古自治区人民政府办公厅', '150000',
                               '2021-01-01', revises => :rules_2015);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS not_registered FROM ptx.policy_document WHERE number = '内政办发〔2021〕9号';
SELECT ptx.repeal_policy_document(:baotou_catalog, '早于印发', '2016-02-29');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.repeal_policy_document(:baotou_catalog, ' ');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_policy_document('包政办发〔2016〕98号', ' ', '包头市人民政府办公厅', '150200', '2016-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.repeal_policy_document(999, 'no such document');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_policy_document('包政办发〔2016〕99号', '倒签', '包头市人民政府办公厅', '150200',
                               '2016-03-01', '2016-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_policy_document('内政办发〔2018〕67号', '重复文号', '内蒙古自治区人民政府办公厅', '150000', '2018-10-18');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_policy_document('乌政发〔2018〕1号', '未登记地区', '乌海市人民政府', '150300', '2018-10-18');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.add_policy_document('内政办发〔2010〕1号', '修订不存在的文件', '内蒙古自治区人民政府办公厅', '150000',
                               '2010-01-01', revises => 999);
\echo :LAST_ERROR_SQLSTATE
-- A document revised before it was issued cannot be.
SELECT ptx.add_policy_document('包政办发〔2015〕1号', '早于原文件的修订', '包头市人民政府办公厅', '150200',
                               '2015-01-01', revises => :baotou_catalog);
\echo :LAST_ERROR_SQLSTATE

-- Nothing is changed or deleted.
UPDATE ptx.policy_document SET title = '改标题' WHERE id = :notice;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.policy_document WHERE id = :baotou_experts;
\echo :LAST_ERROR_SQLSTATE
UPDATE ptx.policy_document_change SET status = 'revised';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM ptx.policy_document_change;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE ptx.policy_document_change;
\echo :LAST_ERROR_SQLSTATE

-- A repeal can be announced ahead: the document stays valid until then.
SET ptx.fake_now = '2020-03-02 09:00:00+08';
SELECT ptx.repeal_policy_document(:baotou_catalog, '由自治区统一目录替代', '2020-07-01') IS NOT NULL AS announced;

-- The public register and the list of valid documents, today.
SELECT number, region_name, issued_on, effective_on, revises_number, status,
       change, change_effective_on, changed_by_number
  FROM ptx_public.policy_documents ORDER BY issued_on, number;
SELECT number, title, issuer, region, effective_on, revises_number
  FROM ptx_public.valid_policy_documents ORDER BY issued_on, number;
SET ptx.fake_now = '2020-07-01 09:00:00+08';
SELECT number FROM ptx_public.valid_policy_documents ORDER BY issued_on, number;
-- Only documents issued by today are public.
SET ptx.fake_now = '2019-06-30 09:00:00+08';
SELECT number, status FROM ptx_public.policy_documents ORDER BY issued_on, number;
RESET ptx.fake_now;

-- Supervisors and administrators register; operators read.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['supervisor', 'operator'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_ptx_' || r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', 'regress_ptx_' || r);
    END IF;
    IF NOT pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('GRANT %I TO %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;
SET ROLE regress_ptx_supervisor;
SELECT ptx.add_policy_document('包建发〔2021〕3号', '包头市房屋建筑和市政工程招标投标管理办法',
                               '包头市住房和城乡建设局', '150200', '2021-04-01') IS NOT NULL AS by_supervisor;
RESET ROLE;
SET ROLE regress_ptx_operator;
SELECT count(*) AS operator_reads FROM ptx.policy_document;
SELECT ptx.add_policy_document('x', 'x', 'x', '150200', '2021-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT ptx.repeal_policy_document(:notice, 'x');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Leave the test roles without the memberships granted here.
DO $$
DECLARE r text;
BEGIN
  FOR r IN SELECT substr(rolname, 13) FROM pg_roles
            WHERE rolname IN ('regress_ptx_admin', 'regress_ptx_operator', 'regress_ptx_supervisor',
                              'regress_ptx_auditor', 'regress_ptx_public') LOOP
    IF pg_has_role('regress_ptx_' || r, 'ptx_' || r, 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', 'ptx_' || r, 'regress_ptx_' || r);
    END IF;
  END LOOP;
END $$;
