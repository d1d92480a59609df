-- The zone whose quiet hours apply to the SMS (the officer's sector's, from SendSms; null: the protocol's), kept so a
-- re-driven send is held to the same window.
ALTER TABLE outbound_sms ADD COLUMN time_zone TEXT NULL;
