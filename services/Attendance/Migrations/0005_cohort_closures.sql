-- A closed cohort takes no more attendance; its totals went to the Scheduler.
CREATE TABLE cohort_closures (
    cohort_id {{uuid}} PRIMARY KEY,
    closed_by TEXT NOT NULL,
    closed_at {{timestamp}} NOT NULL
);
