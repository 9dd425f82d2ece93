-- Entries are found by relation, key and project through the indexes the
-- sealer builds (30_ledger_index.sql): they are filled here for every block
-- sealed so far, and the two indexes that writers maintained go.
SELECT ptx.ledger_index_block(b.block_no, b.first_seq, b.last_seq)
  FROM ptx.ledger_block b
 ORDER BY b.block_no;
DROP INDEX ptx.ledger_entry_relation_key_idx;
DROP INDEX ptx.ledger_entry_project_idx;
