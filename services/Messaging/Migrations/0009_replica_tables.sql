-- The officer replica has one shape in every service (Platform's OfficerReplica writes it): officer_sectors becomes
-- officers as the other services have it, with the status history, transfers, and each sector's stratum and draw time.
-- A row a transfer created before its enrollment arrived (the old upsert) keeps a null role and enrollment time.
CREATE TABLE officers (
    officer_id {{uuid}} PRIMARY KEY,
    sector_id {{uuid}} NOT NULL,
    role TEXT NULL,
    enrolled_at {{timestamp}} NULL,
    sector_changed_at {{timestamp}} NULL,
    role_changed_at {{timestamp}} NULL
);
INSERT INTO officers (officer_id, sector_id, role, enrolled_at, sector_changed_at)
SELECT officer_id, sector_id, role, sector_changed_at, sector_changed_at FROM officer_sectors;
DROP TABLE officer_sectors;

CREATE TABLE officer_status_history (
    id {{identity}},
    officer_id {{uuid}} NOT NULL,
    status TEXT NOT NULL,
    previous_status TEXT NULL,
    source TEXT NOT NULL,
    changed_at {{timestamp}} NOT NULL
);
CREATE INDEX officer_status_history_officer ON officer_status_history (officer_id, changed_at);

CREATE TABLE officer_transfers (
    id {{identity}},
    officer_id {{uuid}} NOT NULL,
    from_sector_id {{uuid}} NOT NULL,
    to_sector_id {{uuid}} NOT NULL,
    cross_arm {{bool}} NOT NULL,
    transferred_on TEXT NOT NULL,
    recorded_at {{timestamp}} NOT NULL
);
CREATE INDEX officer_transfers_officer ON officer_transfers (officer_id, recorded_at);

ALTER TABLE sector_arms ADD COLUMN stratum TEXT NULL;
ALTER TABLE sector_arms ADD COLUMN randomized_at {{timestamp}} NULL;
