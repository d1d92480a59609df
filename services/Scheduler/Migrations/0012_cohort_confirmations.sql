-- Officers who confirmed their training by replying OK to its invitation (or to its change notice or day-before
-- reminder, which name the same training): the first OK per cohort, with the SMS it answered.
CREATE TABLE cohort_confirmations (
    cohort_id {{uuid}} NOT NULL,
    officer_id {{uuid}} NOT NULL,
    sms_id {{uuid}} NOT NULL,
    kind TEXT NOT NULL,
    reply TEXT NOT NULL,
    confirmed_at {{timestamp}} NOT NULL,
    PRIMARY KEY (cohort_id, officer_id)
);
