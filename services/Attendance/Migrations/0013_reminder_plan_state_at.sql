-- When the reminder's plan state (planned, skipped with its reason, restored) was last decided in the Scheduler: a fact
-- older than it no longer changes the row, so the latest state wins whatever order the events arrive in.
ALTER TABLE reminder_ledger ADD COLUMN plan_state_at {{timestamp}} NULL;
UPDATE reminder_ledger SET plan_state_at = COALESCE(skipped_at, planned_at);
