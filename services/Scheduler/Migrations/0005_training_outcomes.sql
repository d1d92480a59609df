-- What each officer attended of their cohort, from Attendance when the cohort closed, and whether the protocol
-- makes them eligible for reminders (the denominator stays visible: ineligible officers have rows too).
CREATE TABLE training_outcomes (
    officer_id {{uuid}} NOT NULL,
    cohort_id {{uuid}} NOT NULL,
    minutes_attended INTEGER NOT NULL,
    minutes_planned INTEGER NOT NULL,
    sessions_attended INTEGER NOT NULL,
    sessions INTEGER NOT NULL,
    walk_in {{bool}} NOT NULL,
    eligible {{bool}} NOT NULL,
    protocol_version TEXT NOT NULL,
    closed_at {{timestamp}} NOT NULL,
    PRIMARY KEY (officer_id, cohort_id)
);
