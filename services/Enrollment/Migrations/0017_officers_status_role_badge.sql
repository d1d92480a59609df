-- The officers list's usual pair of filters, active officers of one role, holds 90 % of 100,000 officers: with only
-- (status, badge) its count read every matching row for its role. This index counts the pair from the index alone and
-- still pages it in badge order.
CREATE INDEX officers_status_role_badge ON officers (status, role, badge);
