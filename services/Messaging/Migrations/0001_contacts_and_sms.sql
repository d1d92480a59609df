-- Replica of what Messaging needs to decide whether it may send: phone (from Enrollment's command), sector, arm.
CREATE TABLE contacts (
    officer_id {{uuid}} PRIMARY KEY,
    phone_e164 TEXT NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
CREATE INDEX contacts_phone ON contacts (phone_e164);

CREATE TABLE officer_sectors (
    officer_id {{uuid}} PRIMARY KEY,
    sector_id {{uuid}} NOT NULL
);

CREATE TABLE sector_arms (
    sector_id {{uuid}} PRIMARY KEY,
    arm TEXT NOT NULL
);

-- One row per SendSms (its SmsId): the send's own state machine, and the provider's current status.
--   state: new (claimed, not yet checked) | sending (a request is out, lease until sending_lease_until) | retrying (a transient error, not accepted)
--          | accepted | failed (provider refused for good) | refused (our guards refused; nothing left)
--   status: the provider's status, which only moves forward (queued < sending < sent < delivered|undelivered|failed)
CREATE TABLE outbound_sms (
    sms_id {{uuid}} PRIMARY KEY,
    officer_id {{uuid}} NOT NULL,
    purpose TEXT NOT NULL,
    body TEXT NOT NULL,
    to_phone TEXT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt_at {{timestamp}} NULL,
    sending_lease_until {{timestamp}} NULL,
    refusal_reason TEXT NULL,
    provider_sid TEXT NULL,
    segments INTEGER NULL,
    status TEXT NULL,
    error_code INTEGER NULL,
    requested_at {{timestamp}} NOT NULL,
    accepted_at {{timestamp}} NULL,
    status_updated_at {{timestamp}} NULL
);
CREATE INDEX outbound_sms_officer ON outbound_sms (officer_id);
CREATE INDEX outbound_sms_provider_sid ON outbound_sms (provider_sid);

-- Every status callback as received (also duplicates and late ones), for the full history.
CREATE TABLE sms_status_history (
    id {{identity}},
    sms_id {{uuid}} NOT NULL,
    provider_sid TEXT NULL,
    status TEXT NOT NULL,
    error_code INTEGER NULL,
    source TEXT NOT NULL,
    received_at {{timestamp}} NOT NULL
);
CREATE INDEX sms_status_history_sms ON sms_status_history (sms_id);

-- Signed callbacks for an SMS we have no record of: kept for review, never dropped.
CREATE TABLE unmatched_callbacks (
    id {{identity}},
    sms_id TEXT NULL,
    provider_sid TEXT NULL,
    status TEXT NULL,
    payload TEXT NOT NULL,
    received_at {{timestamp}} NOT NULL
);

CREATE TABLE inbound_sms (
    id {{identity}},
    provider_sid TEXT NOT NULL UNIQUE,
    from_phone TEXT NOT NULL,
    to_phone TEXT NOT NULL,
    body TEXT NOT NULL,
    officer_id {{uuid}} NULL,
    received_at {{timestamp}} NOT NULL
);
