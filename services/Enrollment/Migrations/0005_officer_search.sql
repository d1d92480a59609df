-- Badge and name, lower case, without accents or spaces ("López García" → "lopezgarcia"), so a search for
-- "lopez" or "JOSÉ" finds what a manager expects on SQLite as on PostgreSQL.
ALTER TABLE officers ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
