-- Whether the SMS provider itself refuses the officer's number: set by a STOP-family reply or a 21610, cleared only by
-- START, UNSTOP or YES (ALTA cannot lift it). While set, the officer cannot be active for SMS. The instant it last
-- changed orders facts that arrive late (a 21610 from before a START must not block again).
ALTER TABLE officers ADD COLUMN sms_blocked_at_provider {{bool}} NOT NULL DEFAULT {{false}};
ALTER TABLE officers ADD COLUMN provider_block_changed_at {{timestamp}} NULL;
