-- A sector's own IANA time zone (null: the protocol's), from Enrollment's SectorRegistered; the latest registration wins.
ALTER TABLE sectors ADD COLUMN time_zone TEXT NULL;
ALTER TABLE sectors ADD COLUMN registered_at {{timestamp}} NULL;
