-- Each roll call uploaded for a session, numbered. A different one uploaded later replaces the one in force (a reason
-- is required): the old one and its events stay, superseded, so the history shows who changed what, when and why.
CREATE TABLE roll_calls (
    roll_call_id {{uuid}} PRIMARY KEY,
    session_id {{uuid}} NOT NULL,
    number INTEGER NOT NULL,
    -- SHA-256 of the roll call's events (officer, kind, instant): the same roll call saved again another way is recognized.
    fingerprint TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at {{timestamp}} NOT NULL,
    reason TEXT NULL,
    replaces {{uuid}} NULL,
    rows_read INTEGER NOT NULL,
    events INTEGER NOT NULL,
    superseded_by {{uuid}} NULL,
    superseded_at {{timestamp}} NULL,
    UNIQUE (session_id, number)
);
-- At most one roll call in force per session.
CREATE UNIQUE INDEX roll_calls_in_force ON roll_calls (session_id) WHERE superseded_at IS NULL;

-- Where an event came from: 'api', 'roll_call' or 'correction' (NULL: recorded before sources were kept). A correction of
-- a roll-call event belongs to the same roll call, so replacing the roll call supersedes the correction too. Who
-- superseded an event is kept beside why (correction_reason); a replacement roll call is named in superseded_by_roll_call.
ALTER TABLE attendance_events ADD COLUMN source TEXT NULL;
ALTER TABLE attendance_events ADD COLUMN roll_call_id {{uuid}} NULL;
ALTER TABLE attendance_events ADD COLUMN superseded_by_roll_call {{uuid}} NULL;
ALTER TABLE attendance_events ADD COLUMN corrected_by TEXT NULL;
UPDATE attendance_events SET source = 'correction' WHERE event_id IN (SELECT superseded_by FROM attendance_events WHERE superseded_by IS NOT NULL);
CREATE INDEX attendance_events_roll_call ON attendance_events (roll_call_id);
