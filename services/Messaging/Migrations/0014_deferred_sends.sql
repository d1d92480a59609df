-- A send that meets quiet hours is held, not refused (state deferred): until the window opens in the officer's zone
-- (deferred_until), and sent then only if its late window is still open (send_by, from SendSms; null: no deadline).
ALTER TABLE outbound_sms ADD COLUMN deferred_until {{timestamp}} NULL;
ALTER TABLE outbound_sms ADD COLUMN send_by {{timestamp}} NULL;
CREATE INDEX outbound_sms_deferred ON outbound_sms (state, deferred_until);
