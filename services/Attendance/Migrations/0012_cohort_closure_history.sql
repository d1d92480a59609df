-- Every close and reopen of a cohort's attendance: who, when, why (a reopen needs a reason). cohort_closures keeps only
-- the cohort's current close, so a reopened cohort takes corrections again.
CREATE TABLE cohort_closure_history (
    id {{identity}},
    cohort_id {{uuid}} NOT NULL,
    action TEXT NOT NULL,
    done_by TEXT NOT NULL,
    done_at {{timestamp}} NOT NULL,
    reason TEXT NULL,
    members_eligible INTEGER NULL,
    members_not_eligible INTEGER NULL
);
CREATE INDEX cohort_closure_history_cohort ON cohort_closure_history (cohort_id, done_at);
INSERT INTO cohort_closure_history (cohort_id, action, done_by, done_at) SELECT cohort_id, 'closed', closed_by, closed_at FROM cohort_closures;
