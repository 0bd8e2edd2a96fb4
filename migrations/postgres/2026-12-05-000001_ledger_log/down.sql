DROP TABLE ledger_checkpoints;
DROP TABLE ledger_log_state;
DROP TABLE ledger_log_nodes;
DROP TABLE ledger_log_leaves;
