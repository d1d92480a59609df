-- What the provider itself did on each reply: 'block' after a STOP-family keyword, 'unblock' after START, UNSTOP or YES.
-- The latest of them says whether the provider refuses SMS to the officer, so no answer is sent that it would refuse.
ALTER TABLE inbound_sms ADD COLUMN provider_action TEXT NULL;
