-- Each officer's arm of randomization: the arm of the sector they were in when the sectors were randomized, or of the
-- sector they joined when enrolled later (Enrollment's OfficerArmsAssigned). Every guard, plan and export uses this arm,
-- never the current sector's: a control officer who moves into a treatment sector stays control.
CREATE TABLE officer_arms (
    officer_id {{uuid}} PRIMARY KEY,
    arm TEXT NOT NULL,
    sector_id {{uuid}} NOT NULL,
    randomization_id {{uuid}} NULL,
    enrolled_after_randomization {{bool}} NOT NULL,
    assigned_at {{timestamp}} NOT NULL
);

-- Consent to SMS from the roster (OfficerEnrolled, OfficerConsentChanged): the latest change wins.
CREATE TABLE officer_consents (
    officer_id {{uuid}} PRIMARY KEY,
    consent {{bool}} NOT NULL,
    changed_at {{timestamp}} NOT NULL
);

-- Officers known before this replica: their current sector's arm, the only arm every check used until now, with no
-- randomization id, so that Enrollment's one-time backfill (OfficerArmsAssigned) replaces it with the arm of randomization.
INSERT INTO officer_arms (officer_id, arm, sector_id, randomization_id, enrolled_after_randomization, assigned_at)
SELECT o.officer_id, a.arm, o.sector_id, NULL, {{false}}, COALESCE(o.sector_changed_at, CURRENT_TIMESTAMP) FROM officer_sectors o JOIN sector_arms a ON a.sector_id = o.sector_id;

-- Officers known before consent was carried were all sent to as consenting: they keep that until the roster says otherwise.
INSERT INTO officer_consents (officer_id, consent, changed_at)
SELECT officer_id, {{true}}, COALESCE(sector_changed_at, CURRENT_TIMESTAMP) FROM officer_sectors;
