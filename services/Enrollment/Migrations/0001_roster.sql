CREATE TABLE sectors (
    id {{uuid}} PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    arm TEXT NULL,
    randomization_id {{uuid}} NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE officers (
    id {{uuid}} PRIMARY KEY,
    badge TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    sector_id {{uuid}} NOT NULL REFERENCES sectors (id),
    phone_e164 TEXT NOT NULL,
    consent {{bool}} NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
CREATE UNIQUE INDEX officers_phone ON officers (phone_e164);

CREATE TABLE randomizations (
    id {{uuid}} PRIMARY KEY,
    seed BIGINT NOT NULL,
    requested_by TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    assignments TEXT NOT NULL
);
