-- A sector's IANA time zone (America/Tijuana), when it is not the protocol's: due times, quiet hours, roll-call times
-- and calendar feeds of its officers use it. Null: the protocol's zone.
ALTER TABLE sectors ADD COLUMN time_zone TEXT NULL;
