-- Test-only state: what a handler changes in the same transaction as its outbox and inbox rows.
CREATE TABLE widgets (
    id {{uuid}} PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id {{uuid}} NULL,
    due_at {{timestamp}} NULL,
    created_at {{timestamp}} NOT NULL
);
