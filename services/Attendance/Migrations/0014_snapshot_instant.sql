-- A snapshot's values are the ledger as of an instant (the cohort's endline, or the moment of a manager's freeze), not
-- as of when the job ran: as_of is that instant. Its rows are written once the ledger has had time to receive late events
-- dated before it (sealed_at); until then they are read from the ledger as of as_of.
ALTER TABLE dosage_snapshots ADD COLUMN as_of {{timestamp}} NULL;
ALTER TABLE dosage_snapshots ADD COLUMN sealed_at {{timestamp}} NULL;
-- Snapshots taken before this change were written as of their taking, at once.
UPDATE dosage_snapshots SET as_of = taken_at, sealed_at = taken_at;
CREATE INDEX dosage_snapshots_unsealed ON dosage_snapshots (sealed_at, as_of);

-- Who a snapshot holds, fixed when it is taken (their rows come later, when it is sealed).
CREATE TABLE dosage_snapshot_members (
    version INTEGER NOT NULL,
    officer_id {{uuid}} NOT NULL,
    PRIMARY KEY (version, officer_id)
);
CREATE INDEX dosage_snapshot_members_officer ON dosage_snapshot_members (officer_id, version);
INSERT INTO dosage_snapshot_members (version, officer_id) SELECT version, officer_id FROM dosage_snapshot_rows;
