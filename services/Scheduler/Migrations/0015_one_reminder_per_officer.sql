-- Reminder k is planned once per officer, whatever closes twice. This index was first added by editing 0006 after it had
-- been applied, so a database that ran the earlier 0006 lacked it; a database that ran the edited one has it already.
CREATE UNIQUE INDEX IF NOT EXISTS planned_sms_one_reminder ON planned_sms (officer_id, reminder_number) WHERE kind = 'reminder';
