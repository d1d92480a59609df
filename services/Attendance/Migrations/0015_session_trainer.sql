-- The session's trainer as the Scheduler last staffed it (TrainingSessionScheduled.TrainerId; a re-staffing publishes the
-- session again): a principal bound to a trainer records and reads only that trainer's sessions. Null: scheduled before
-- this column, so only a principal bound to no trainer (a manager) may use the session until the Scheduler publishes it again.
ALTER TABLE sessions ADD COLUMN trainer_id {{uuid}} NULL;
