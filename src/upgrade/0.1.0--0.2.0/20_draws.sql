-- Draws (DESIGN.md §11.1), from 0.1.0: runs before the functions are
-- replaced.  The red flag kind cancelled_draw (src/sql/85_red_flags.sql):
-- the list of kinds grows, so every 0.1.0 flag still satisfies it.
ALTER TABLE ptx.red_flag DROP CONSTRAINT red_flag_kind_check;
ALTER TABLE ptx.red_flag ADD CONSTRAINT red_flag_kind_check CHECK (kind IN (
    'shared_contact', 'same_fingerprint', 'same_document', 'identical_price',
    'single_bid', 'close_runner_up', 'others_rejected',
    'repeated_winner', 'expert_winner', 'below_threshold', 'split_below_threshold',
    'cancelled_draw'));
