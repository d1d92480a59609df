-- Messages a transaction caused, relayed to the bus after commit (also after a crash or a broker outage).
CREATE TABLE outbox_messages (
    id {{identity}},
    message_id {{uuid}} NOT NULL UNIQUE,
    message_type TEXT NOT NULL,
    destination TEXT NULL,
    body TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NULL
);

-- Message ids each consumer has handled, written in the same transaction as the effect.
CREATE TABLE inbox_messages (
    consumer TEXT NOT NULL,
    message_id {{uuid}} NOT NULL,
    handled_at {{timestamp}} NOT NULL,
    PRIMARY KEY (consumer, message_id)
);
