-- Sequence for audit events written with mandate.audit.hash-chain=false (benchmarking the cost of
-- the chain only): they all go to chain 0 with a sequence number from here and do not verify.
CREATE SEQUENCE audit_unchained_seq START WITH 1000000000000;
