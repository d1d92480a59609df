-- The relay reads the least-tried, oldest rows first (ORDER BY attempts, id LIMIT n, skipping locked ones). With this index
-- it reads them in that order and stops at the batch; without it every round sorted the whole outbox (3.5 ms a round with
-- a burst of SendSms waiting in the Scheduler's).
CREATE INDEX IF NOT EXISTS outbox_messages_relay_order ON outbox_messages (attempts, id);
