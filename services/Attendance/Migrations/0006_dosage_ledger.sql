-- The provider's id of each SMS (what the consistency audit matches against the provider's log).
ALTER TABLE sms_ledger ADD COLUMN provider_sid TEXT NULL;

-- Every SMS event as it arrived (accepted, each status callback, failed, refused), for the support view.
CREATE TABLE sms_status_history (
    id {{identity}},
    sms_id {{uuid}} NOT NULL,
    event TEXT NOT NULL,
    status TEXT NULL,
    error_code INTEGER NULL,
    detail TEXT NULL,
    occurred_at {{timestamp}} NOT NULL
);
CREATE INDEX sms_status_history_sms ON sms_status_history (sms_id, occurred_at);

-- One row per planned reminder (officer × number), keyed by the id it is sent with; joined to sms_ledger at read time,
-- so a receipt folded before the plan still counts. An acknowledgment arriving before the plan leaves number null.
CREATE TABLE reminder_ledger (
    sms_id {{uuid}} PRIMARY KEY,
    officer_id {{uuid}} NOT NULL,
    cohort_id {{uuid}} NULL,
    number INTEGER NULL,
    due_at {{timestamp}} NULL,
    protocol_version TEXT NULL,
    planned_at {{timestamp}} NULL,
    skip_reason TEXT NULL,
    skipped_at {{timestamp}} NULL,
    acknowledged_at {{timestamp}} NULL,
    acknowledgment_reply TEXT NULL
);
CREATE INDEX reminder_ledger_officer ON reminder_ledger (officer_id, number);

-- Every study-status change (the replica in officer_statuses keeps only the latest): first opt-out, withdrawal.
CREATE TABLE officer_status_history (
    id {{identity}},
    officer_id {{uuid}} NOT NULL,
    status TEXT NOT NULL,
    previous_status TEXT NULL,
    source TEXT NOT NULL,
    changed_at {{timestamp}} NOT NULL
);
CREATE INDEX officer_status_history_officer ON officer_status_history (officer_id, changed_at);
-- Changes folded before this table existed: only the latest of each officer is known.
INSERT INTO officer_status_history (officer_id, status, previous_status, source, changed_at)
SELECT officer_id, status, NULL, 'replica', changed_at FROM officer_statuses;

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

-- The sector's randomization stratum and when it was randomized (an officer's sector of randomization is the one they
-- were in then).
ALTER TABLE sector_arms ADD COLUMN stratum TEXT NULL;
ALTER TABLE sector_arms ADD COLUMN randomized_at {{timestamp}} NULL;

-- Each officer's totals over a closed cohort, written in the closing transaction: the protocol's denominator, read
-- without recomputing attendance.
CREATE TABLE cohort_officer_totals (
    cohort_id {{uuid}} NOT NULL,
    officer_id {{uuid}} NOT NULL,
    minutes_planned INTEGER NOT NULL,
    minutes_attended INTEGER NOT NULL,
    sessions_planned INTEGER NOT NULL,
    sessions_attended INTEGER NOT NULL,
    walk_in {{bool}} NOT NULL,
    PRIMARY KEY (cohort_id, officer_id)
);
CREATE INDEX cohort_officer_totals_officer ON cohort_officer_totals (officer_id);
CREATE INDEX cohort_members_officer ON cohort_members (officer_id);
CREATE INDEX attendance_events_officer ON attendance_events (officer_id);
