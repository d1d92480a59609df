-- Two officers may swap phones in one import: uniqueness is checked on the final state by the importer
-- (under an import lock), not row by row by the database.
DROP INDEX officers_phone;
CREATE INDEX officers_phone ON officers (phone_e164);
