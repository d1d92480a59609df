-- A skipped reminder planned again (ReminderRestorer): when, and the skip reason that was lifted.
ALTER TABLE planned_sms ADD COLUMN restored_at {{timestamp}} NULL;
ALTER TABLE planned_sms ADD COLUMN lifted_reason TEXT NULL;
