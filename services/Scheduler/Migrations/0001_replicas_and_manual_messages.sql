-- What the Scheduler knows of officers and arms, learned from Enrollment's events (no names, no phones).
CREATE TABLE officers (
    officer_id {{uuid}} PRIMARY KEY,
    sector_id {{uuid}} NOT NULL,
    role TEXT NOT NULL,
    enrolled_at {{timestamp}} NOT NULL
);

CREATE TABLE sector_arms (
    sector_id {{uuid}} PRIMARY KEY,
    arm TEXT NOT NULL,
    randomization_id {{uuid}} NOT NULL
);

-- One-off messages a manager sent to an officer (each becomes one SendSms with the same id).
CREATE TABLE manual_messages (
    sms_id {{uuid}} PRIMARY KEY,
    officer_id {{uuid}} NOT NULL,
    body TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at {{timestamp}} NOT NULL
);
