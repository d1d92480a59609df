-- When the roster last changed the officer's consent to SMS (it takes effect from then; null: as first imported).
ALTER TABLE officers ADD COLUMN consent_changed_at {{timestamp}} NULL;
