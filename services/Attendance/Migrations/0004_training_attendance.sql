-- The Scheduler's sessions and cohort members, learned from its events.
CREATE TABLE sessions (
    session_id {{uuid}} PRIMARY KEY,
    cohort_id {{uuid}} NOT NULL,
    sector_id {{uuid}} NOT NULL,
    role TEXT NOT NULL,
    day_number INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    starts_at {{timestamp}} NOT NULL,
    ends_at {{timestamp}} NOT NULL,
    venue TEXT NOT NULL,
    status TEXT NOT NULL,
    scheduled_at {{timestamp}} NOT NULL
);
CREATE INDEX sessions_cohort ON sessions (cohort_id);

CREATE TABLE cohort_members (
    cohort_id {{uuid}} NOT NULL,
    officer_id {{uuid}} NOT NULL,
    PRIMARY KEY (cohort_id, officer_id)
);

-- When the member list of a cohort was last replaced (a late, older list is ignored).
CREATE TABLE cohort_member_lists (
    cohort_id {{uuid}} PRIMARY KEY,
    changed_at {{timestamp}} NOT NULL
);

-- Check-ins, check-outs and excuses as trainers recorded them. A correction never edits a row: it supersedes it
-- with a new one (or with nothing), keeping the old value, the new value, who, when and why.
CREATE TABLE attendance_events (
    event_id {{uuid}} PRIMARY KEY,
    session_id {{uuid}} NOT NULL,
    officer_id {{uuid}} NOT NULL,
    kind TEXT NOT NULL,
    at {{timestamp}} NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at {{timestamp}} NOT NULL,
    superseded_by {{uuid}} NULL,
    superseded_at {{timestamp}} NULL,
    correction_reason TEXT NULL
);
CREATE INDEX attendance_events_session ON attendance_events (session_id, officer_id);
