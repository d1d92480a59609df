-- The session's sector's IANA time zone (null: the protocol's), from TrainingSessionScheduled: roll-call times are read on its wall clock.
ALTER TABLE sessions ADD COLUMN time_zone TEXT NULL;
