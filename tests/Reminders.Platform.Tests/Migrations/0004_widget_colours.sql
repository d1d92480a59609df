-- Brings a database that ran an edited 0002 (with note) and one that did not to one schema: note is there, colour is added.
ALTER TABLE widgets ADD COLUMN IF NOT EXISTS note TEXT NULL;
ALTER TABLE widgets ADD COLUMN IF NOT EXISTS colour TEXT NULL;
