-- Candidates carry the evaluation that named them (src/sql/43_lifecycle.sql):
-- a project goes back from publicity to evaluation after an objection to
-- the result is upheld, and the next evaluation names its candidates under
-- the same ranks.  0.1.0's candidates are all of the first evaluation.
-- A candidate set aside is set aside for the round: its key no longer
-- refers to one evaluation's candidate row (ptx.set_aside_candidate checks
-- it is a candidate of the current one).
ALTER TABLE ptx.candidate_set_aside
    DROP CONSTRAINT candidate_set_aside_project_id_round_bidder_id_fkey,
    ADD CONSTRAINT candidate_set_aside_project_id_fkey
        FOREIGN KEY (project_id) REFERENCES ptx.project (id),
    ADD CONSTRAINT candidate_set_aside_bidder_id_fkey
        FOREIGN KEY (bidder_id) REFERENCES ptx.org (id);
ALTER TABLE ptx.candidate
    ADD COLUMN evaluation integer NOT NULL DEFAULT 1 CHECK (evaluation >= 1),
    DROP CONSTRAINT candidate_pkey,
    DROP CONSTRAINT candidate_project_id_round_bidder_id_key,
    ADD CONSTRAINT candidate_pkey PRIMARY KEY (project_id, round, evaluation, rank),
    ADD CONSTRAINT candidate_project_id_round_evaluation_bidder_id_key
        UNIQUE (project_id, round, evaluation, bidder_id);
