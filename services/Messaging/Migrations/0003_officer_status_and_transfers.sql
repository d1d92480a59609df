-- Study status replica: only active officers receive SMS. Kept apart from officer_sectors so either event may arrive first.
CREATE TABLE officer_statuses (
    officer_id {{uuid}} PRIMARY KEY,
    status TEXT NOT NULL,
    changed_at {{timestamp}} NOT NULL
);

-- When the officer's sector was last set, so a late event never moves an officer back.
ALTER TABLE officer_sectors ADD COLUMN sector_changed_at {{timestamp}} NULL;
