-- Endline freezes of the dosage ledger: a header per snapshot and one immutable row per officer. Nothing ever updates
-- or deletes these rows; a later freeze is a new version.
CREATE TABLE dosage_snapshots (
    version INTEGER PRIMARY KEY,
    taken_at {{timestamp}} NOT NULL,
    taken_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- 'study' (a manager's freeze of both arms) or 'cohort' (a cohort's endline, cohort_id set).
    scope TEXT NOT NULL,
    cohort_id {{uuid}} NULL,
    officers INTEGER NOT NULL
);
-- A cohort's endline is frozen once (NULLs are distinct: any number of study freezes).
CREATE UNIQUE INDEX dosage_snapshots_cohort ON dosage_snapshots (cohort_id);

-- The officer's DosageRow as it stood at taken_at, as JSON, so a later ledger or codebook change never rewrites it.
CREATE TABLE dosage_snapshot_rows (
    version INTEGER NOT NULL,
    officer_id {{uuid}} NOT NULL,
    dose TEXT NOT NULL,
    PRIMARY KEY (version, officer_id)
);
CREATE INDEX dosage_snapshot_rows_officer ON dosage_snapshot_rows (officer_id, version);
