-- The officer replica has one shape in every service (Platform's OfficerReplica writes it): status history,
-- transfers, and each sector's stratum and draw time, as Attendance already kept them.
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
