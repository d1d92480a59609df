-- Calendar subscription links, one in force per venue and per trainer: a secret token in the URL (calendar apps send no
-- header), of which only the SHA-256 is kept. A new link replaces the one in force; replaced and revoked links stay, with who and when.
CREATE TABLE feed_tokens (
    token_hash TEXT PRIMARY KEY,
    owner_kind TEXT NOT NULL,
    owner_id {{uuid}} NOT NULL,
    created_by TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    revoked_by TEXT NULL,
    revoked_at {{timestamp}} NULL
);
CREATE UNIQUE INDEX feed_tokens_in_force ON feed_tokens (owner_kind, owner_id) WHERE revoked_at IS NULL;

-- Each session's iCalendar SEQUENCE, raised whenever it moves, is re-staffed or cancelled, so calendar apps replace their copy;
-- sessions changed before start from the changes already recorded.
ALTER TABLE sessions ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN changed_at {{timestamp}} NULL;
UPDATE sessions SET sequence = (SELECT COUNT(*) FROM plan_changes p
    WHERE (p.entity = 'session' AND p.entity_id = sessions.session_id)
       OR (p.entity = 'cohort' AND p.entity_id = sessions.cohort_id AND p.change IN ('moved', 'venue_changed', 'trainer_changed', 'cancelled')));
