-- A reply a person must read (free text, help, an unknown number) is marked handled: when, by whom (the principal's
-- name) and with what note. The delivery monitor lists them by category, newest first.
ALTER TABLE inbound_sms ADD COLUMN handled_at {{timestamp}} NULL;
ALTER TABLE inbound_sms ADD COLUMN handled_by TEXT NULL;
ALTER TABLE inbound_sms ADD COLUMN handled_note TEXT NULL;
CREATE INDEX inbound_sms_category ON inbound_sms (category, id);

-- Each consistency audit that ran to the end: when, who asked, the period asked of the provider, the verdict and the
-- differences by kind (JSON object kind → count), so the console shows the last audit's verdict without running one.
CREATE TABLE audit_runs (
    id {{identity}},
    ran_at {{timestamp}} NOT NULL,
    ran_by TEXT NOT NULL,
    period_from {{timestamp}} NULL,
    period_to {{timestamp}} NOT NULL,
    clean {{bool}} NOT NULL,
    differences BIGINT NOT NULL,
    differences_by_kind TEXT NOT NULL,
    unsettled BIGINT NOT NULL
);
