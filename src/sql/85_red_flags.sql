-- Association analysis (关联对比分析, R9, notice §12): red flags over the
-- trading data, each with the evidence that raised it.
--
-- A red flag (预警) is a fact found by ptx.scan_red_flags
-- (85_red_flags_scan.sql): its kind, what it is about (subject), the rows
-- and values that raised it (evidence) and the day of the event.  Flags
-- are never changed or deleted; a supervisor who finds a flag unfounded
-- records a dismissal (排除), itself a new record with a reason.  A flag is
-- found once: the pair (kind, subject) is unique, so a scan run again over
-- the same days adds nothing, and a dismissed flag does not come back.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('red_flag.close_bid_ratio', 0.005, 'ratio',
   '招标投标法实施条例 §40 (投标报价呈规律性差异); 国际通行的围标串标预警',
   'the winning bid is flagged when the runner-up''s price differs from it by at most this share of the winning price'),
  ('red_flag.repeat_wins', 3, 'wins',
   '内政办发〔2018〕67号 §12 (关联对比分析)',
   'a supplier winning this many trades from one tenderee within red_flag.repeat_window_months is flagged'),
  ('red_flag.expert_winner_count', 3, 'committees',
   '内政办发〔2018〕67号 §12; 招标投标法实施条例 §49',
   'an expert sitting on this many committees of projects won by one bidder within red_flag.repeat_window_months is flagged'),
  ('red_flag.repeat_window_months', 12, 'months',
   '内政办发〔2018〕67号 §12',
   'the window in which repeated wins and repeated expert-winner pairs are counted, ending on the day of the last one'),
  ('red_flag.threshold_band', 0.05, 'ratio',
   '招标投标法实施条例 §24 (化整为零); 必须招标的工程项目规定 §5',
   'a trade outside the platform is flagged when its amount lies below a catalog threshold by at most this share of the threshold'),
  ('red_flag.priority_min_flags', 1, 'flags (0 = never)',
   '内政办发〔2018〕67号 §6 (重点检查对象)',
   'an agency with at least this many open red flags on projects it ran in a year becomes a priority inspection target of the project''s department for that year');

------------------------------------------------------------------------
-- Red flags.
------------------------------------------------------------------------
CREATE TABLE ptx.red_flag (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN (
                        'shared_contact', 'same_fingerprint', 'same_document', 'identical_price',
                        'single_bid', 'close_runner_up', 'others_rejected',
                        'repeated_winner', 'expert_winner', 'below_threshold', 'split_below_threshold',
                        'cancelled_draw',
                        'sale_single_bidder', 'sale_shared_contact', 'sale_at_reserve',
                        'reevaluation')),
    subject         jsonb NOT NULL CHECK (pg_catalog.jsonb_typeof(subject) = 'object'),
    project_id      bigint REFERENCES ptx.project (id),
    contract_id     bigint REFERENCES ptx.contract (id),
    org_ids         bigint[] NOT NULL DEFAULT '{}',
    expert_id       bigint REFERENCES ptx.expert (id),
    agency_id       bigint REFERENCES ptx.org (id),
    supervisor_id   bigint REFERENCES ptx.org (id),
    event_on        date NOT NULL,
    evidence        jsonb NOT NULL CHECK (pg_catalog.jsonb_typeof(evidence) = 'object'),
    detected_at     timestamptz NOT NULL DEFAULT ptx.now(),
    detected_by     text NOT NULL DEFAULT session_user,
    UNIQUE (kind, subject)
);
COMMENT ON TABLE ptx.red_flag IS 'red flags (关联对比分析预警) found over the trading data, each with its evidence; never changed';
COMMENT ON COLUMN ptx.red_flag.kind IS 'what was found; docs/reference/red-flags.md defines each kind';
COMMENT ON COLUMN ptx.red_flag.subject IS 'what the flag is about, as the ids that identify it (e.g. project, round and bidders); unique with the kind';
COMMENT ON COLUMN ptx.red_flag.org_ids IS 'the organisations concerned (bidders, winner, tenderee, supplier), sorted';
COMMENT ON COLUMN ptx.red_flag.agency_id IS 'the tendering agency (代理机构) of the project, when it had one';
COMMENT ON COLUMN ptx.red_flag.supervisor_id IS 'the supervisory department (监管部门) named by the project';
COMMENT ON COLUMN ptx.red_flag.event_on IS 'the day of the event that raised the flag: opening, end of a round, award, contract';
COMMENT ON COLUMN ptx.red_flag.evidence IS 'the rows and values that raised the flag, and the settings applied';
CREATE INDEX red_flag_project_idx ON ptx.red_flag (project_id);
CREATE INDEX red_flag_agency_idx ON ptx.red_flag (agency_id, event_on) WHERE agency_id IS NOT NULL;
CREATE INDEX red_flag_event_idx ON ptx.red_flag (event_on);
SELECT pg_catalog.pg_extension_config_dump('ptx.red_flag', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.red_flag', 'id'), '');

CREATE TRIGGER red_flag_append_only BEFORE UPDATE OR DELETE ON ptx.red_flag
    FOR EACH ROW EXECUTE FUNCTION ptx.append_only('A red flag found unfounded is dismissed with ptx.dismiss_red_flag.');
CREATE TRIGGER red_flag_no_truncate BEFORE TRUNCATE ON ptx.red_flag
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.append_only('A red flag found unfounded is dismissed with ptx.dismiss_red_flag.');

------------------------------------------------------------------------
-- Dismissals (排除): a flag examined and found unfounded.
------------------------------------------------------------------------
CREATE TABLE ptx.red_flag_dismissal (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    flag_id         bigint NOT NULL UNIQUE REFERENCES ptx.red_flag (id),
    reason          text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    dismissed_at    timestamptz NOT NULL DEFAULT ptx.now(),
    dismissed_by    text NOT NULL DEFAULT session_user
);
COMMENT ON TABLE ptx.red_flag_dismissal IS 'dismissals (排除) of red flags found unfounded, with the reason; never changed';
SELECT pg_catalog.pg_extension_config_dump('ptx.red_flag_dismissal', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.red_flag_dismissal', 'id'), '');

CREATE FUNCTION ptx.red_flag_dismissal_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    d ptx.red_flag_dismissal;
BEGIN
    NEW.dismissed_at := ptx.now();
    NEW.dismissed_by := session_user;
    SELECT * INTO d FROM ptx.red_flag_dismissal x WHERE x.flag_id = NEW.flag_id;
    IF FOUND THEN
        PERFORM ptx.raise('red_flags.already_dismissed', NEW.flag_id::text, d.dismissed_by, d.dismissed_at::text,
                          d.reason);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER red_flag_dismissal_before_insert BEFORE INSERT ON ptx.red_flag_dismissal
    FOR EACH ROW EXECUTE FUNCTION ptx.red_flag_dismissal_before_insert();
CREATE TRIGGER red_flag_dismissal_append_only BEFORE UPDATE OR DELETE ON ptx.red_flag_dismissal
    FOR EACH ROW EXECUTE FUNCTION ptx.append_only('A dismissal is a record and stays as it was made.');
CREATE TRIGGER red_flag_dismissal_no_truncate BEFORE TRUNCATE ON ptx.red_flag_dismissal
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.append_only('A dismissal is a record and stays as it was made.');

CREATE FUNCTION ptx.dismiss_red_flag(flag_id bigint, reason text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.red_flag f WHERE f.id = dismiss_red_flag.flag_id) THEN
        PERFORM ptx.raise('red_flags.flag_missing', COALESCE(flag_id::text, 'NULL'));
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        PERFORM ptx.raise('red_flags.dismissal_reason', flag_id::text);
    END IF;
    INSERT INTO ptx.red_flag_dismissal AS d (flag_id, reason)
    VALUES (dismiss_red_flag.flag_id, dismiss_red_flag.reason)
    RETURNING d.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.dismiss_red_flag(bigint, text) IS
    'dismiss (排除) a red flag found unfounded, with the reason; the dismissal is a record, whose id is returned';

CREATE VIEW ptx.red_flag_status AS
SELECT f.id, f.kind, f.subject, f.project_id, p.code AS project_code, f.contract_id, f.org_ids,
       f.expert_id, f.agency_id, f.supervisor_id, f.event_on, f.evidence, f.detected_at,
       CASE WHEN d.id IS NULL THEN 'open' ELSE 'dismissed' END AS status,
       d.reason AS dismissal_reason, d.dismissed_by, d.dismissed_at
  FROM ptx.red_flag f
  LEFT JOIN ptx.project p ON p.id = f.project_id
  LEFT JOIN ptx.red_flag_dismissal d ON d.flag_id = f.id;
COMMENT ON VIEW ptx.red_flag_status IS 'red flags with their status: open, or dismissed with the reason and who dismissed it';

GRANT SELECT ON ptx.red_flag, ptx.red_flag_dismissal, ptx.red_flag_status
    TO ptx_admin, ptx_supervisor;
GRANT INSERT ON ptx.red_flag_dismissal TO ptx_admin, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.dismiss_red_flag(bigint, text) TO ptx_admin, ptx_supervisor;
