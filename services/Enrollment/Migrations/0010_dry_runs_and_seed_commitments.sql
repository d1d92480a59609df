-- Every dry run of a randomization (who, when, the inputs and the hash of the allocation it showed), so that trying
-- seeds until one pleases is visible. randomization_id: the commit it preceded (set by that commit).
CREATE TABLE randomization_dry_runs (
    id {{uuid}} PRIMARY KEY,
    seed BIGINT NOT NULL,
    algorithm_version TEXT NOT NULL,
    strata_columns TEXT NOT NULL,
    treated_share DOUBLE PRECISION NOT NULL,
    allocation_hash TEXT NOT NULL,
    sector_list_hash TEXT NOT NULL,
    sector_count INTEGER NOT NULL,
    treated_count INTEGER NOT NULL,
    requested_by TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    randomization_id {{uuid}} NULL REFERENCES randomizations (id)
);
CREATE INDEX randomization_dry_runs_by_randomization ON randomization_dry_runs (randomization_id, created_at);

-- The committed allocation's hash, comparable with the dry runs' (null for records older than this migration).
ALTER TABLE randomizations ADD COLUMN allocation_hash TEXT NULL;

-- A seed's SHA-256 registered before the draw: pending, then used by the commit whose seed matches it, or replaced by a
-- newer one before any draw. Rows are never deleted.
CREATE TABLE seed_commitments (
    id {{uuid}} PRIMARY KEY,
    seed_sha256 TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at {{timestamp}} NOT NULL,
    status TEXT NOT NULL,
    randomization_id {{uuid}} NULL REFERENCES randomizations (id),
    replaced_at {{timestamp}} NULL,
    replaced_by TEXT NULL
);
-- At most one pending commitment, whoever writes.
CREATE UNIQUE INDEX seed_commitments_one_pending ON seed_commitments (status) WHERE status = 'pending';
