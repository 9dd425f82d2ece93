-- Rating after each job (评价反馈) and dynamic management (动态管理,
-- notice §5): each member of a committee is rated once the result is
-- published; an expert whose recent average falls below the threshold is
-- suspended.  Dismissal (清退) is ptx.dismiss_expert; the history is kept
-- in ptx.expert_status_event.

INSERT INTO ptx.policy_default (key, value, unit, basis, description) VALUES
  ('expert.rating_window', 5, 'ratings', '内政办发〔2018〕67号 §5 (评价反馈, 动态管理)',
   'the average of an expert''s latest this many ratings decides a suspension'),
  ('expert.rating_min_count', 3, 'ratings', '内政办发〔2018〕67号 §5',
   'an expert is judged on ratings once there are at least this many in the window'),
  ('expert.rating_suspend_below', 60, 'points of 100', '内政办发〔2018〕67号 §5',
   'an average rating below this suspends the expert'),
  ('expert.rating_suspend_days', 180, 'days', '内政办发〔2018〕67号 §5',
   'length of a suspension for poor ratings');

CREATE TABLE ptx.expert_rating (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  bigint NOT NULL REFERENCES ptx.project (id),
    expert_id   bigint NOT NULL REFERENCES ptx.expert (id),
    score       int NOT NULL CHECK (score BETWEEN 0 AND 100),
    comment     text,
    rated_by    text NOT NULL DEFAULT session_user,
    rated_at    timestamptz NOT NULL DEFAULT ptx.now(),
    UNIQUE (project_id, expert_id)
);
COMMENT ON TABLE ptx.expert_rating IS 'ratings of experts after each job (评价反馈), 0 to 100';
CREATE INDEX expert_rating_expert_idx ON ptx.expert_rating (expert_id, rated_at);
SELECT pg_catalog.pg_extension_config_dump('ptx.expert_rating', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ptx.expert_rating', 'id'), '');

CREATE FUNCTION ptx.expert_rating_review() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    win int := ptx.setting('expert.rating_window')::int;
    n int;
    avg_score numeric;
    threshold numeric := ptx.setting('expert.rating_suspend_below');
BEGIN
    IF (SELECT e.status FROM ptx.expert e WHERE e.id = NEW.expert_id) <> 'active' THEN
        RETURN NULL;
    END IF;
    SELECT count(*), avg(r.score) INTO n, avg_score
      FROM (SELECT x.score FROM ptx.expert_rating x
             WHERE x.expert_id = NEW.expert_id
             ORDER BY x.rated_at DESC, x.id DESC
             LIMIT win) r;
    IF n >= ptx.setting('expert.rating_min_count') AND avg_score < threshold THEN
        INSERT INTO ptx.expert_status_event (expert_id, status, suspended_until, reason)
        VALUES (NEW.expert_id, 'suspended',
                ptx.today() + ptx.setting('expert.rating_suspend_days')::int,
                format('average rating %s over the latest %s jobs is below %s',
                       round(avg_score, 1), n, threshold));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER expert_rating_review AFTER INSERT ON ptx.expert_rating
    FOR EACH ROW EXECUTE FUNCTION ptx.expert_rating_review();

CREATE FUNCTION ptx.rate_expert(project_id bigint, expert_id bigint, score int, comment text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ptx.project p WHERE p.id = rate_expert.project_id) THEN
        PERFORM ptx.raise('rating.project_not_found', COALESCE(rate_expert.project_id::text, '<NULL>'));
    END IF;
    IF NOT ptx.draw_project_published(rate_expert.project_id) THEN
        PERFORM ptx.raise('rating.not_published', rate_expert.project_id::text);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ptx.committee_member m
                    WHERE m.project_id = rate_expert.project_id AND m.expert_id = rate_expert.expert_id) THEN
        PERFORM ptx.raise('rating.not_a_member', COALESCE(rate_expert.expert_id::text, '<NULL>'),
                          rate_expert.project_id::text);
    END IF;
    IF score IS NULL OR score NOT BETWEEN 0 AND 100 THEN
        PERFORM ptx.raise('rating.invalid_score', COALESCE(score::text, '<NULL>'));
    END IF;
    IF EXISTS (SELECT 1 FROM ptx.expert_rating x
                WHERE x.project_id = rate_expert.project_id AND x.expert_id = rate_expert.expert_id) THEN
        PERFORM ptx.raise('rating.already_rated', rate_expert.expert_id::text, rate_expert.project_id::text);
    END IF;
    INSERT INTO ptx.expert_rating AS r (project_id, expert_id, score, comment)
    VALUES (rate_expert.project_id, rate_expert.expert_id, rate_expert.score, rate_expert.comment)
    RETURNING r.id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION ptx.rate_expert(bigint, bigint, int, text) IS
    'rate a member of a project''s committee after the result is published (0-100); poor averages suspend the expert';

GRANT SELECT ON ptx.expert_rating TO ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.rate_expert(bigint, bigint, int, text) TO ptx_admin, ptx_operator, ptx_supervisor;
