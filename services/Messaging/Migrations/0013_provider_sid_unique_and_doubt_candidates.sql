-- A provider message is attributed to at most one SMS: an in-doubt lookup could once claim another SMS's message.
DROP INDEX outbound_sms_provider_sid;
CREATE UNIQUE INDEX outbound_sms_provider_sid ON outbound_sms (provider_sid);
-- A send in doubt that two provider messages could be (same number, same text, inside its request's time window) is not
-- guessed: state in_doubt_ambiguous, never sent again automatically, and these sids (comma-separated) for a person to resolve.
ALTER TABLE outbound_sms ADD COLUMN in_doubt_candidates TEXT NULL;
