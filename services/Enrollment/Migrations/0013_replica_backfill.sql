-- One-time announcements the other services' replicas need after an upgrade. A study that already has officers when
-- arms of randomization and consent start travelling (OfficerArmsAssigned, OfficerConsentChanged) gets them told once
-- (Officers/ReplicaBackfill); a new study needs none.
CREATE TABLE replica_backfills (
    name TEXT PRIMARY KEY,
    requested_at {{timestamp}} NOT NULL,
    done_at {{timestamp}} NULL
);
INSERT INTO replica_backfills (name, requested_at)
SELECT 'officer-arms-and-consent', CURRENT_TIMESTAMP WHERE EXISTS (SELECT 1 FROM officers);
