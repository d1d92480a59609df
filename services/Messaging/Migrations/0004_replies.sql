-- Replies are classified by the protocol's keywords and tied to what they answer.
ALTER TABLE officer_sectors ADD COLUMN role TEXT NULL;
ALTER TABLE inbound_sms ADD COLUMN category TEXT NULL;
ALTER TABLE inbound_sms ADD COLUMN acknowledged_sms_id {{uuid}} NULL;
ALTER TABLE inbound_sms ADD COLUMN reply_sms_id {{uuid}} NULL;
CREATE INDEX inbound_sms_officer ON inbound_sms (officer_id, id);
CREATE INDEX inbound_sms_acknowledged ON inbound_sms (acknowledged_sms_id);
CREATE INDEX outbound_sms_officer_purpose_accepted ON outbound_sms (officer_id, purpose, accepted_at);
