-- Sector codes and names, from Enrollment's SectorRegistered (for plans, feeds and reports).
CREATE TABLE sectors (
    sector_id {{uuid}} PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE venues (
    venue_id {{uuid}} PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    capacity INTEGER NOT NULL,
    address TEXT NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE trainers (
    trainer_id {{uuid}} PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at {{timestamp}} NOT NULL
);

-- A sector's people of one role trained together: three sessions on consecutive working days.
CREATE TABLE cohorts (
    cohort_id {{uuid}} PRIMARY KEY,
    sector_id {{uuid}} NOT NULL,
    role TEXT NOT NULL,
    number INTEGER NOT NULL,
    venue_id {{uuid}} NOT NULL REFERENCES venues (venue_id),
    trainer_id {{uuid}} NOT NULL REFERENCES trainers (trainer_id),
    status TEXT NOT NULL,
    protocol_version TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL
);
CREATE INDEX cohorts_sector ON cohorts (sector_id);

CREATE TABLE sessions (
    session_id {{uuid}} PRIMARY KEY,
    cohort_id {{uuid}} NOT NULL REFERENCES cohorts (cohort_id),
    day_number INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    starts_at {{timestamp}} NOT NULL,
    ends_at {{timestamp}} NOT NULL,
    venue_id {{uuid}} NOT NULL REFERENCES venues (venue_id),
    trainer_id {{uuid}} NOT NULL REFERENCES trainers (trainer_id),
    status TEXT NOT NULL
);
CREATE INDEX sessions_cohort ON sessions (cohort_id);
-- A venue or a trainer holds one session a day at most (cancelled sessions free the day).
CREATE INDEX sessions_venue_day ON sessions (venue_id, local_date);
CREATE INDEX sessions_trainer_day ON sessions (trainer_id, local_date);

CREATE TABLE cohort_members (
    cohort_id {{uuid}} NOT NULL REFERENCES cohorts (cohort_id),
    officer_id {{uuid}} NOT NULL,
    added_at {{timestamp}} NOT NULL,
    removed_at {{timestamp}} NULL,
    PRIMARY KEY (cohort_id, officer_id)
);
CREATE INDEX cohort_members_officer ON cohort_members (officer_id);

-- Every change to a plan: what, from what, to what, who, when.
CREATE TABLE plan_changes (
    id {{identity}},
    entity TEXT NOT NULL,
    entity_id {{uuid}} NOT NULL,
    change TEXT NOT NULL,
    old_value TEXT NULL,
    new_value TEXT NULL,
    changed_by TEXT NOT NULL,
    changed_at {{timestamp}} NOT NULL
);
