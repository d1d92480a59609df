-- What Messaging answered for a dispatched SMS (accepted, failed, refused...), once the re-dispatch job asked: an answered
-- row is never asked about again.
ALTER TABLE planned_sms ADD COLUMN answered_state TEXT NULL;
ALTER TABLE planned_sms ADD COLUMN answered_at {{timestamp}} NULL;
-- When Messaging was last asked about it: an unanswered row is asked again only after the re-dispatch delay.
ALTER TABLE planned_sms ADD COLUMN last_checked_at {{timestamp}} NULL;
-- Sent again under the same id because Messaging never received it (the bus lost it, or it ended in an error queue).
ALTER TABLE planned_sms ADD COLUMN redispatch_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE planned_sms ADD COLUMN last_redispatched_at {{timestamp}} NULL;
CREATE INDEX planned_sms_unanswered ON planned_sms (dispatched_at) WHERE status = 'dispatched' AND answered_state IS NULL;
