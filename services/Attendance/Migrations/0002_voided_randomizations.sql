-- Which randomization a sector's arm comes from, so a void removes only its own arms and a later randomization
-- replaces them (rows written before this migration have none: they belong to the only randomization there was).
ALTER TABLE sector_arms ADD COLUMN randomization_id {{uuid}} NULL;

-- Randomizations Enrollment voided: their arms no longer hold, and a late SectorsRandomized of one must not bring them back.
CREATE TABLE voided_randomizations (
    randomization_id {{uuid}} PRIMARY KEY,
    voided_at {{timestamp}} NOT NULL
);
