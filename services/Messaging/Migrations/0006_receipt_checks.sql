-- When the reconciliation job last asked the provider about an SMS's receipt, so the oldest unanswered never starve the rest.
ALTER TABLE outbound_sms ADD COLUMN receipt_checked_at {{timestamp}} NULL;
