-- The console's officers list pages 100,000 officers by badge with any mix of filters, and counts the matches: each
-- filter's column leads an index that also holds the badge order. A walk-in is found by badge whatever its case, and the
-- home page counts officers by arm of randomization and status.
CREATE INDEX officers_sector_badge ON officers (sector_id, badge);
CREATE INDEX officers_status_badge ON officers (status, badge);
CREATE INDEX officers_consent_badge ON officers (consent, badge);
CREATE INDEX officers_role_badge ON officers (role, badge);
CREATE INDEX officers_badge_lower ON officers (lower(badge));
CREATE INDEX officers_arm_status ON officers (randomized_arm, status);
