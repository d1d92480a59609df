-- Depends on 0001: fails if the scripts run out of order or twice.
ALTER TABLE widgets ADD COLUMN note TEXT NULL;
