-- Study status replica, kept apart so it may arrive before the officer's enrollment.
CREATE TABLE officer_statuses (
    officer_id {{uuid}} PRIMARY KEY,
    status TEXT NOT NULL,
    changed_at {{timestamp}} NOT NULL
);

-- When the officer's sector or role was last set, so a late event never moves an officer back.
ALTER TABLE officers ADD COLUMN sector_changed_at {{timestamp}} NULL;
ALTER TABLE officers ADD COLUMN role_changed_at {{timestamp}} NULL;
