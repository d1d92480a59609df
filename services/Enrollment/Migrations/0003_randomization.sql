-- The randomization record: how the allocation was made (algorithm version, strata, share, a hash of the sector list),
-- and whether it still holds (committed | voided, with who, when and why). A row written before this migration is the
-- first algorithm's (seeded System.Random, one stratum, one half), and stays valid as such.
ALTER TABLE randomizations ADD COLUMN algorithm_version TEXT NOT NULL DEFAULT 'system-random-legacy';
ALTER TABLE randomizations ADD COLUMN strata_columns TEXT NOT NULL DEFAULT '[]';
ALTER TABLE randomizations ADD COLUMN treated_share DOUBLE PRECISION NOT NULL DEFAULT 0.5;
ALTER TABLE randomizations ADD COLUMN sector_list_hash TEXT NULL;
ALTER TABLE randomizations ADD COLUMN sector_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE randomizations ADD COLUMN treated_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE randomizations ADD COLUMN status TEXT NOT NULL DEFAULT 'committed';
ALTER TABLE randomizations ADD COLUMN voided_by TEXT NULL;
ALTER TABLE randomizations ADD COLUMN voided_at {{timestamp}} NULL;
ALTER TABLE randomizations ADD COLUMN void_reason TEXT NULL;

-- At most one committed randomization, whoever writes (a partial unique index: PostgreSQL and SQLite alike).
CREATE UNIQUE INDEX randomizations_one_committed ON randomizations (status) WHERE status = 'committed';

-- Each sector's arm in each randomization, voided ones included, with the officers and commanders it had then
-- (what the balance table counts). Pseudonymous: sector ids and codes, no names.
CREATE TABLE allocation (
    randomization_id {{uuid}} NOT NULL REFERENCES randomizations (id),
    sector_id {{uuid}} NOT NULL,
    sector_code TEXT NOT NULL,
    stratum TEXT NOT NULL,
    arm TEXT NOT NULL,
    officers INTEGER NOT NULL,
    commanders INTEGER NOT NULL,
    PRIMARY KEY (randomization_id, sector_id)
);

INSERT INTO allocation (randomization_id, sector_id, sector_code, stratum, arm, officers, commanders)
SELECT s.randomization_id, s.id, s.code, '', s.arm,
       (SELECT COUNT(*) FROM officers o WHERE o.sector_id = s.id AND o.role = 'officer'),
       (SELECT COUNT(*) FROM officers o WHERE o.sector_id = s.id AND o.role = 'commander')
FROM sectors s JOIN randomizations r ON r.id = s.randomization_id
WHERE s.arm IS NOT NULL;

UPDATE randomizations SET
    sector_count = (SELECT COUNT(*) FROM allocation a WHERE a.randomization_id = randomizations.id),
    treated_count = (SELECT COUNT(*) FROM allocation a WHERE a.randomization_id = randomizations.id AND a.arm = 'treatment');

UPDATE officers SET randomized_arm = (SELECT s.arm FROM sectors s WHERE s.id = officers.sector_id)
WHERE randomized_arm IS NULL;
