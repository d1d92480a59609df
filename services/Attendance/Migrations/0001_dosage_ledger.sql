CREATE TABLE officers (
    officer_id {{uuid}} PRIMARY KEY,
    sector_id {{uuid}} NOT NULL,
    role TEXT NOT NULL,
    enrolled_at {{timestamp}} NOT NULL
);

CREATE TABLE sector_arms (
    sector_id {{uuid}} PRIMARY KEY,
    arm TEXT NOT NULL
);

-- One row per SMS, folded from Messaging's events in whatever order they arrive.
CREATE TABLE sms_ledger (
    sms_id {{uuid}} PRIMARY KEY,
    officer_id {{uuid}} NOT NULL,
    purpose TEXT NOT NULL,
    accepted {{bool}} NOT NULL DEFAULT {{false}},
    accepted_at {{timestamp}} NULL,
    segments INTEGER NULL,
    status TEXT NULL,
    status_rank INTEGER NOT NULL DEFAULT 0,
    error_code INTEGER NULL,
    refusal_reason TEXT NULL,
    delivered_at {{timestamp}} NULL,
    updated_at {{timestamp}} NOT NULL
);
CREATE INDEX sms_ledger_officer ON sms_ledger (officer_id);
