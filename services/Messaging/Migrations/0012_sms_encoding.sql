-- Outbound SMS keep their encoding and segment count. These columns were first added by editing 0004 after it had been
-- applied, so a database that ran the earlier 0004 lacked them; a database that ran the edited one has them already.
ALTER TABLE outbound_sms ADD COLUMN IF NOT EXISTS encoding TEXT NULL;
ALTER TABLE outbound_sms ADD COLUMN IF NOT EXISTS computed_segments INTEGER NULL;
