-- Cancelling a draw request (撤销抽取申请, DESIGN.md §11.1).  A project has
-- one expert draw per tender round (PX008 on a second request,
-- 63_expert_draw.sql): another one is a replacement (补抽, ptx.replace_pick)
-- or follows a recorded cancellation.  A request may be cancelled only
-- before its execution, with a reason; the cancellation is a row of its
-- own (captured by the ledger like every ptx table), shown to supervisors
-- and auditors at once, published in ptx_public with the project's result,
-- and counted by the red flag cancelled_draw.

CREATE TABLE ptx.draw_cancellation (
    draw_id         bigint PRIMARY KEY REFERENCES ptx.draw_request (id),
    reason          text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
    cancelled_by    text NOT NULL DEFAULT session_user,
    cancelled_at    timestamptz NOT NULL DEFAULT ptx.now()
);
COMMENT ON TABLE ptx.draw_cancellation IS 'draw requests cancelled before their execution (撤销抽取申请), with the reason; never changed';
SELECT pg_catalog.pg_extension_config_dump('ptx.draw_cancellation', '');
CREATE TRIGGER draw_cancellation_append_only BEFORE UPDATE OR DELETE ON ptx.draw_cancellation
    FOR EACH ROW EXECUTE FUNCTION ptx.append_only('A cancellation is final: request a new draw.');
CREATE TRIGGER draw_cancellation_no_truncate BEFORE TRUNCATE ON ptx.draw_cancellation
    FOR EACH STATEMENT EXECUTE FUNCTION ptx.append_only('A cancellation is final: request a new draw.');

CREATE FUNCTION ptx.cancel_draw(draw_id bigint, reason text) RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r ptx.draw_request;
    x ptx.draw_execution;
BEGIN
    IF reason IS NULL OR btrim(reason) = '' THEN
        PERFORM ptx.raise('draw_cancel.reason_missing');
    END IF;
    -- waits for an execution under way, which holds this lock
    SELECT * INTO r FROM ptx.draw_request d WHERE d.id = cancel_draw.draw_id FOR UPDATE;
    IF NOT FOUND OR r.kind <> 'expert' THEN
        PERFORM ptx.raise('draw_cancel.not_expert_draw', COALESCE(cancel_draw.draw_id::text, '<NULL>'));
    END IF;
    SELECT * INTO x FROM ptx.draw_execution e WHERE e.draw_id = r.id;
    IF FOUND THEN
        PERFORM ptx.raise('draw_cancel.executed', r.id::text, x.executed_by, x.executed_at::text);
    END IF;
    IF EXISTS (SELECT 1 FROM ptx.draw_cancellation c WHERE c.draw_id = r.id) THEN
        PERFORM ptx.raise('draw_cancel.already_cancelled', r.id::text);
    END IF;
    PERFORM ptx.check_project_open_for_draw(r.project_id);
    INSERT INTO ptx.draw_cancellation (draw_id, reason) VALUES (r.id, btrim(cancel_draw.reason));
END
$$;
COMMENT ON FUNCTION ptx.cancel_draw(bigint, text) IS
    'cancel an expert draw request before its execution, with a reason; the project may then request another draw for the round';

-- For supervisors and auditors: every cancellation, with its project.
CREATE VIEW ptx.draw_cancellation_state AS
SELECT c.draw_id, d.kind, d.project_id, p.code AS project_code,
       COALESCE((d.pool_rules ->> 'round')::int, 1) AS round,   -- ptx.expert_draw_round
       d.purpose, d.requested_by, d.requested_at, c.reason, c.cancelled_by, c.cancelled_at,
       p.supervisor_id
  FROM ptx.draw_cancellation c
  JOIN ptx.draw_request d ON d.id = c.draw_id
  LEFT JOIN ptx.project p ON p.id = d.project_id;
COMMENT ON VIEW ptx.draw_cancellation_state IS 'cancelled draw requests with their project, round, requester, reason and who cancelled them';

-- For the public, once the project's result is published.
CREATE VIEW ptx_public.draw_cancellation WITH (security_barrier = true) AS
SELECT c.draw_id,
       pr.code AS project_code,
       d.purpose,
       d.requested_at,
       pg_catalog.encode(d.commitment, 'hex') AS commitment,
       c.reason,
       c.cancelled_at
  FROM ptx.draw_cancellation c
  JOIN ptx.draw_request d ON d.id = c.draw_id
  JOIN ptx.project pr ON pr.id = d.project_id
 WHERE pr.state IN ('publicity', 'awarded', 'contracted', 'closed');
COMMENT ON VIEW ptx_public.draw_cancellation IS 'draw requests cancelled before execution, with the reason, for projects whose result is published';

GRANT SELECT ON ptx.draw_cancellation, ptx.draw_cancellation_state TO ptx_operator, ptx_supervisor, ptx_auditor;
GRANT SELECT ON ptx_public.draw_cancellation TO ptx_public, ptx_admin, ptx_operator, ptx_supervisor;
GRANT EXECUTE ON FUNCTION ptx.cancel_draw(bigint, text) TO ptx_operator;
