-- Randomizations Enrollment voided: their arms no longer hold, and a late SectorsRandomized of one must not bring them back.
CREATE TABLE voided_randomizations (
    randomization_id {{uuid}} PRIMARY KEY,
    voided_at {{timestamp}} NOT NULL
);
