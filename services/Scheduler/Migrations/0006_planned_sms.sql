-- Every SMS the Scheduler means to send (logistics now, reminders later), one row each, claimed by the dispatcher
-- when due. The row's id is the SendSms id, so a row is sent at most once whatever the bus redelivers.
-- status: planned → dispatched, or cancelled (a plan change made it wrong), or skipped (it could not be sent: reason).
CREATE TABLE planned_sms (
    sms_id {{uuid}} PRIMARY KEY,
    officer_id {{uuid}} NOT NULL,
    purpose TEXT NOT NULL,
    kind TEXT NOT NULL,
    cohort_id {{uuid}} NULL,
    session_id {{uuid}} NULL,
    reminder_number INTEGER NULL,
    body TEXT NOT NULL,
    due_at {{timestamp}} NOT NULL,
    -- Past this instant the row is skipped as missed_window instead of sent late.
    window_ends_at {{timestamp}} NULL,
    -- From this instant on nothing more is sent (skipped as after_cutoff).
    cutoff_at {{timestamp}} NULL,
    protocol_version TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NULL,
    planned_by TEXT NOT NULL,
    planned_at {{timestamp}} NOT NULL,
    dispatched_at {{timestamp}} NULL,
    late {{bool}} NOT NULL DEFAULT FALSE,
    closed_at {{timestamp}} NULL
);
CREATE INDEX planned_sms_due ON planned_sms (status, due_at);
CREATE INDEX planned_sms_officer ON planned_sms (officer_id, status);
CREATE INDEX planned_sms_cohort ON planned_sms (cohort_id, status);

-- Changes are read per cohort, with the manager's reason.
ALTER TABLE plan_changes ADD COLUMN cohort_id {{uuid}} NULL;
ALTER TABLE plan_changes ADD COLUMN reason TEXT NULL;
UPDATE plan_changes SET cohort_id = entity_id WHERE entity = 'cohort';
CREATE INDEX plan_changes_cohort ON plan_changes (cohort_id);
