-- Sectors carry any number of named strata (JSON object: {"alcaldia": "Cuauhtémoc", "size": "large"}),
-- frozen once the sectors are randomized.
ALTER TABLE sectors ADD COLUMN strata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE sectors ADD COLUMN updated_at {{timestamp}} NULL;

-- Unknown roster columns are kept, not refused (JSON object of column → value).
ALTER TABLE officers ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
-- Study status: active | sms_opted_out | withdrawn | wrong_number | inactive.
ALTER TABLE officers ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE officers ADD COLUMN status_changed_at {{timestamp}} NULL;
-- The arm of randomization, kept for analysis whatever transfers follow (set at randomization, or at
-- enrollment into an already randomized sector).
ALTER TABLE officers ADD COLUMN randomized_arm TEXT NULL;
ALTER TABLE officers ADD COLUMN cross_arm_transfer {{bool}} NOT NULL DEFAULT {{false}};

-- Every status change: what, from what, why, by whom (source: import | manager | keyword).
CREATE TABLE officer_status_history (
    id {{identity}},
    officer_id {{uuid}} NOT NULL REFERENCES officers (id),
    status TEXT NOT NULL,
    previous_status TEXT NULL,
    source TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    reason TEXT NULL,
    changed_at {{timestamp}} NOT NULL
);
CREATE INDEX officer_status_history_officer ON officer_status_history (officer_id);

-- A change of sector is a transfer, with its date; across arms it is flagged for analysis.
CREATE TABLE officer_transfers (
    id {{identity}},
    officer_id {{uuid}} NOT NULL REFERENCES officers (id),
    from_sector_id {{uuid}} NOT NULL,
    to_sector_id {{uuid}} NOT NULL,
    from_arm TEXT NULL,
    to_arm TEXT NULL,
    cross_arm {{bool}} NOT NULL,
    transferred_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at {{timestamp}} NOT NULL
);
CREATE INDEX officer_transfers_officer ON officer_transfers (officer_id);

-- Signs that the study has started (an SMS accepted, a training scheduled): after the first, a
-- randomization can no longer be voided.
CREATE TABLE study_activity (
    kind TEXT PRIMARY KEY,
    first_seen_at {{timestamp}} NOT NULL
);
