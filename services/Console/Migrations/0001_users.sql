CREATE TABLE users (
    id {{uuid}} PRIMARY KEY,
    name TEXT NOT NULL,
    normalized_name TEXT NOT NULL UNIQUE,
    full_name TEXT NULL,
    role TEXT NOT NULL,
    trainer_id {{uuid}} NULL,
    password_hash TEXT NOT NULL,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until {{timestamp}} NULL,
    last_sign_in_at {{timestamp}} NULL,
    disabled {{bool}} NOT NULL DEFAULT {{false}},
    created_at {{timestamp}} NOT NULL,
    created_by TEXT NOT NULL
);
