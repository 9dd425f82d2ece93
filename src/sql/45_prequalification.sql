-- Prequalification (资格预审, 招标投标法实施条例 §15–§19, §21).  An open
-- tender may first qualify its bidders: the tenderee publishes a
-- prequalification announcement (资格预审公告) while the project is
-- registered (or failed, for the next round), sells the prequalification
-- documents for at least prequalification.sale_days (5, §16) and takes
-- applications for at least prequalification.application_days (5, §17)
-- after the sale ends.  The results (资格预审结果) name the applicants that
-- passed; with fewer than prequalification.min_qualified (3, §19) the tender
-- cannot go on.  Then the project is announced as usual (the invitation to
-- bid) and only the applicants that passed may bid (§19: 未通过资格预审的申请
-- 人不具有投标资格).  A clarification or amendment of the prequalification
-- documents (ptx.amend_documents while the applications are open) keeps at
-- least amendment.min_days.prequalification (3, §21) before the
-- application deadline, moving it when needed.
--
-- The periods count by the law's calendar (src/sql/41_calendar.sql): the
-- first day not counted, the last day ending at 24:00 China time and
-- carried past a holiday.  Reference: docs/reference/lifecycle.md.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('prequalification.sale_days', 5, 'days', '招标投标法实施条例 §16',
   'least days the prequalification documents are on sale (资格预审文件的发售期)'),
  ('prequalification.application_days', 5, 'days', '招标投标法实施条例 §17',
   'least days from the end of the sale to the application deadline (提交资格预审申请文件的时间)'),
  ('prequalification.min_qualified', 3, 'applicants', '招标投标法实施条例 §19',
   'fewest applicants passing the prequalification for the tender to go on (少于3个的，应当重新招标)'),
  ('amendment.min_days.prequalification', 3, 'days', '招标投标法实施条例 §21',
   'least days between a clarification or amendment of the prequalification documents and the application deadline');

CREATE TABLE ptx.prequalification (
    project_id      bigint NOT NULL REFERENCES ptx.project (id),
    round           integer NOT NULL,
    announced_at    timestamptz NOT NULL,
    sale_until      date NOT NULL,
    application_deadline timestamptz NOT NULL,
    results_at      timestamptz,
    recorded_by     text NOT NULL DEFAULT session_user,
    PRIMARY KEY (project_id, round),
    CHECK (application_deadline > announced_at),
    CHECK (results_at IS NULL OR results_at >= application_deadline)
);
COMMENT ON TABLE ptx.prequalification IS
    'prequalifications (资格预审) of open tenders: the announcement, the sale of the documents, the application deadline and when the results were recorded';
COMMENT ON COLUMN ptx.prequalification.sale_until IS 'the last day the prequalification documents are sold (§16: at least prequalification.sale_days)';
COMMENT ON COLUMN ptx.prequalification.application_deadline IS 'the deadline for applications (§17); moved by an amendment less than amendment.min_days.prequalification before it (§21)';
COMMENT ON COLUMN ptx.prequalification.results_at IS 'when the results were recorded; the project may be announced from then on';
SELECT pg_catalog.pg_extension_config_dump('ptx.prequalification', '');

CREATE TABLE ptx.prequalified (
    project_id  bigint NOT NULL,
    round       integer NOT NULL,
    bidder_id   bigint NOT NULL REFERENCES ptx.org (id),
    PRIMARY KEY (project_id, round, bidder_id),
    FOREIGN KEY (project_id, round) REFERENCES ptx.prequalification (project_id, round)
);
COMMENT ON TABLE ptx.prequalified IS
    'the applicants that passed a prequalification (通过资格预审的申请人): only they may bid in the round';
SELECT pg_catalog.pg_extension_config_dump('ptx.prequalified', '');

-- Records: what was announced and who passed are never changed or removed;
-- the functions below only move the application deadline later (an
-- amendment, before the results) and record the results once.
CREATE FUNCTION ptx.prequalification_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.project_id, NEW.round, NEW.announced_at, NEW.sale_until, NEW.recorded_by)
           IS NOT DISTINCT FROM (OLD.project_id, OLD.round, OLD.announced_at, OLD.sale_until, OLD.recorded_by)
       AND OLD.results_at IS NULL
       AND NEW.application_deadline >= OLD.application_deadline THEN
        RETURN NEW;
    END IF;
    PERFORM ptx.raise('prequalification.record', TG_OP, TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER prequalification_before_write BEFORE UPDATE OR DELETE ON ptx.prequalification
    FOR EACH ROW EXECUTE FUNCTION ptx.prequalification_before_write();

CREATE FUNCTION ptx.prequalification_refuse_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ptx.raise('prequalification.record', TG_OP, TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER prequalification_no_truncate BEFORE TRUNCATE ON ptx.prequalification
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.prequalification_refuse_write();
CREATE TRIGGER prequalified_before_write BEFORE UPDATE OR DELETE ON ptx.prequalified
    FOR EACH ROW EXECUTE FUNCTION ptx.prequalification_refuse_write();
CREATE TRIGGER prequalified_no_truncate BEFORE TRUNCATE ON ptx.prequalified
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.prequalification_refuse_write();

-- The earliest application deadline's day for a prequalification announced
-- on a day: the sale's last day, then the applications' period after it.
CREATE FUNCTION ptx.prequalification_earliest(announced date) RETURNS date
    LANGUAGE sql STABLE STRICT
    RETURN ptx.clock_date(ptx.clock_date(announced, 'prequalification.sale_days'),
                          'prequalification.application_days');
COMMENT ON FUNCTION ptx.prequalification_earliest(date) IS
    'the first day an application deadline may fall on for a prequalification announced on the given day (§16 sale, then §17 applications)';

CREATE FUNCTION ptx.announce_prequalification(project_id bigint, application_deadline timestamptz)
    RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    t timestamptz := ptx.now();
    earliest date;
BEGIN
    PERFORM ptx.check_centre('announce_prequalification', project_id);
    p := ptx.project_lock(project_id);
    IF p.category NOT IN ('construction', 'other') OR p.method <> 'open' THEN
        PERFORM ptx.raise('prequalification.not_open_tender', p.code, p.category, p.method);
    END IF;
    IF p.state NOT IN ('registered', 'failed') THEN
        PERFORM ptx.raise('prequalification.wrong_state', p.code, p.state);
    END IF;
    IF EXISTS (SELECT 1 FROM ptx.prequalification q
                WHERE q.project_id = p.id
                  AND q.round = p.round + CASE WHEN p.state = 'failed' THEN 1 ELSE 0 END) THEN
        PERFORM ptx.raise('prequalification.exists', p.code);
    END IF;
    IF application_deadline IS NULL OR NOT pg_catalog.isfinite(application_deadline) THEN
        PERFORM ptx.raise('prequalification.bad_deadline', p.code, COALESCE(application_deadline::text, 'NULL'));
    END IF;
    earliest := ptx.prequalification_earliest(ptx.local_date(t));
    IF ptx.local_date(application_deadline) < earliest THEN
        PERFORM ptx.raise('prequalification.too_short', p.code, application_deadline::text,
                          earliest::text, ptx.clock_date(ptx.local_date(t), 'prequalification.sale_days')::text);
    END IF;
    INSERT INTO ptx.prequalification (project_id, round, announced_at, sale_until, application_deadline)
    VALUES (p.id, p.round + CASE WHEN p.state = 'failed' THEN 1 ELSE 0 END, t,
            ptx.clock_date(ptx.local_date(t), 'prequalification.sale_days'), application_deadline);
END
$$;
COMMENT ON FUNCTION ptx.announce_prequalification(bigint, timestamptz) IS
    'publish the prequalification announcement (资格预审公告) of an open tender, with the application deadline; at least the sale (§16) and the applications'' period (§17)';

-- The prequalification of the project's coming or current round whose
-- applications are still open, NULL when there is none.
CREATE FUNCTION ptx.open_prequalification(project_id bigint) RETURNS ptx.prequalification
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT q.*
          FROM ptx.project p
          JOIN ptx.prequalification q
            ON q.project_id = p.id
           AND q.round = p.round + CASE WHEN p.state = 'failed' THEN 1 ELSE 0 END
         WHERE p.id = open_prequalification.project_id
           AND p.state IN ('registered', 'failed')
           AND q.results_at IS NULL;
    END;
COMMENT ON FUNCTION ptx.open_prequalification(bigint) IS
    'the prequalification of the project not yet decided (results not recorded), or NULL';

-- A clarification or amendment of the prequalification documents (§21):
-- called by ptx.amend_documents while the applications are open, after its
-- check of the login's trading centre; granted to nobody.
CREATE FUNCTION ptx.amend_prequalification(project_id bigint, summary text,
                                           new_deadline timestamptz DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project := ptx.project_lock(project_id);
    q ptx.prequalification;
    t timestamptz := ptx.now();
    key text := 'amendment.min_days.prequalification';
    earliest date;
    deadline timestamptz;
    moved boolean := false;
    new_id bigint;
BEGIN
    -- internal: ptx.amend_documents checked the login's centre
    SELECT * INTO q FROM ptx.prequalification x
     WHERE x.project_id = p.id
       AND x.round = p.round + CASE WHEN p.state = 'failed' THEN 1 ELSE 0 END
       AND x.results_at IS NULL
       FOR UPDATE;
    IF NOT FOUND OR p.state NOT IN ('registered', 'failed') THEN
        PERFORM ptx.raise('prequalification.none_open', p.code);
    END IF;
    IF summary IS NULL OR pg_catalog.btrim(summary) = '' THEN
        PERFORM ptx.raise('prequalification.amendment_summary', p.code);
    END IF;
    IF t >= q.application_deadline THEN
        PERFORM ptx.raise('prequalification.deadline_passed', p.code, q.application_deadline::text);
    END IF;
    IF new_deadline IS NOT NULL AND NOT pg_catalog.isfinite(new_deadline) THEN
        PERFORM ptx.raise('prequalification.bad_deadline', p.code, new_deadline::text);
    END IF;
    IF new_deadline < q.application_deadline THEN
        PERFORM ptx.raise('prequalification.deadline_forward', p.code,
                          q.application_deadline::text, new_deadline::text);
    END IF;
    deadline := COALESCE(new_deadline, q.application_deadline);
    earliest := ptx.clock_date(ptx.local_date(t), key);
    IF ptx.local_date(deadline) < earliest THEN
        -- 不足3日的，应当顺延: the same hour, on the earliest day
        deadline := ((deadline AT TIME ZONE 'Asia/Shanghai')
                     + (earliest - ptx.local_date(deadline)) * interval '1 day') AT TIME ZONE 'Asia/Shanghai';
        moved := true;
    END IF;
    IF deadline <> q.application_deadline THEN
        UPDATE ptx.prequalification x SET application_deadline = deadline
         WHERE x.project_id = q.project_id AND x.round = q.round;
    END IF;
    INSERT INTO ptx.document_amendment (project_id, round, summary, issued_at, period_key,
                                        earliest_day, deadline_before, deadline_after, moved)
    VALUES (p.id, q.round, summary, t, key, earliest, q.application_deadline, deadline, moved)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.amend_prequalification(bigint, text, timestamptz) IS
    'internal to ptx.amend_documents: clarify or amend the prequalification documents (资格预审文件的澄清或者修改, §21), at least amendment.min_days.prequalification before the application deadline, which moves when needed';

CREATE FUNCTION ptx.record_prequalification(project_id bigint, qualified bigint[]) RETURNS integer
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    p ptx.project;
    q ptx.prequalification;
    t timestamptz := ptx.now();
    n integer;
    least_n integer := ptx.setting('prequalification.min_qualified');
    bad bigint;
BEGIN
    PERFORM ptx.check_centre('record_prequalification', project_id);
    p := ptx.project_lock(project_id);
    SELECT * INTO q FROM ptx.prequalification x
     WHERE x.project_id = p.id
       AND x.round = p.round + CASE WHEN p.state = 'failed' THEN 1 ELSE 0 END
       AND x.results_at IS NULL
       FOR UPDATE;
    IF NOT FOUND OR p.state NOT IN ('registered', 'failed') THEN
        PERFORM ptx.raise('prequalification.none_open', p.code);
    END IF;
    IF t < q.application_deadline THEN
        PERFORM ptx.raise('prequalification.applications_open', p.code, q.application_deadline::text);
    END IF;
    IF qualified IS NULL OR pg_catalog.array_position(qualified, NULL) IS NOT NULL
       OR (SELECT count(DISTINCT x) FROM unnest(qualified) x) <> cardinality(qualified) THEN
        PERFORM ptx.raise('prequalification.bad_list', p.code, COALESCE(qualified::text, 'NULL'));
    END IF;
    SELECT x INTO bad FROM unnest(qualified) x
     WHERE NOT EXISTS (SELECT 1 FROM ptx.org o WHERE o.id = x AND 'bidder' = ANY (o.roles))
     LIMIT 1;
    IF bad IS NOT NULL THEN
        PERFORM ptx.raise('prequalification.not_a_bidder', bad::text, p.code);
    END IF;
    n := cardinality(qualified);
    IF n < least_n THEN
        PERFORM ptx.raise('prequalification.too_few', p.code, n::text, least_n::text);
    END IF;
    INSERT INTO ptx.prequalified (project_id, round, bidder_id)
    SELECT q.project_id, q.round, x FROM unnest(qualified) x ORDER BY x;
    UPDATE ptx.prequalification x SET results_at = t
     WHERE x.project_id = q.project_id AND x.round = q.round;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ptx.record_prequalification(bigint, bigint[]) IS
    'record the results of a prequalification (资格预审结果) after the application deadline: the applicants that passed, at least prequalification.min_qualified (§19); returns their number';

-- The announcement of a prequalified round waits for the results; only the
-- applicants that passed may bid in it.
CREATE FUNCTION ptx.project_prequalification_guard() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    q ptx.prequalification;
BEGIN
    SELECT * INTO q FROM ptx.prequalification x
     WHERE x.project_id = NEW.id
       AND x.round = OLD.round + CASE WHEN OLD.state = 'failed' THEN 1 ELSE 0 END;
    IF FOUND AND q.results_at IS NULL THEN
        PERFORM ptx.raise('prequalification.results_pending', NEW.code, q.application_deadline::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER project_prequalification_guard BEFORE UPDATE OF state ON ptx.project
    FOR EACH ROW WHEN (OLD.state IN ('registered', 'failed') AND NEW.state = 'announced')
    EXECUTE FUNCTION ptx.project_prequalification_guard();

CREATE FUNCTION ptx.bid_prequalified() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ptx.prequalification q
                WHERE q.project_id = NEW.project_id AND q.round = NEW.round)
       AND NOT EXISTS (SELECT 1 FROM ptx.prequalified a
                        WHERE a.project_id = NEW.project_id AND a.round = NEW.round
                          AND a.bidder_id = NEW.bidder_id) THEN
        PERFORM ptx.raise('prequalification.not_qualified', NEW.bidder_id::text,
                          (SELECT p.code FROM ptx.project p WHERE p.id = NEW.project_id), NEW.round::text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER bid_prequalified BEFORE INSERT ON ptx.bid
    FOR EACH ROW EXECUTE FUNCTION ptx.bid_prequalified();

-- The public sees the announcement, its deadline and, once recorded, who
-- passed (资格预审结果).
CREATE VIEW ptx_public.prequalification WITH (security_barrier = true) AS
SELECT p.code, p.title, q.round, q.announced_at, q.sale_until, q.application_deadline, q.results_at,
       (SELECT pg_catalog.array_agg(o.name ORDER BY o.name)
          FROM ptx.prequalified a JOIN ptx.org o ON o.id = a.bidder_id
         WHERE a.project_id = q.project_id AND a.round = q.round) AS qualified
  FROM ptx.prequalification q
  JOIN ptx.project p ON p.id = q.project_id;
COMMENT ON VIEW ptx_public.prequalification IS
    'prequalification announcements (资格预审公告) and results (资格预审结果): who passed, once recorded';

GRANT SELECT ON ptx.prequalification, ptx.prequalified TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT SELECT ON ptx_public.prequalification TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
GRANT EXECUTE ON FUNCTION ptx.announce_prequalification(bigint, timestamptz),
    ptx.record_prequalification(bigint, bigint[])
    TO ptx_admin, ptx_operator;
GRANT EXECUTE ON FUNCTION ptx.prequalification_earliest(date), ptx.open_prequalification(bigint)
    TO ptx_admin, ptx_operator, ptx_supervisor, ptx_auditor;
