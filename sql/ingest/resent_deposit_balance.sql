-- Rows already staged from an EARLIER (or later) delivery are re-sent, not new activity: kept out
-- of staging so they count once, and counted as rows_resent. A re-sent delivery of the SAME date
-- still replaces its own date (ingest/activity_rows.sql).
update parsed set __resent = true
from staging.deposit_balance s
where s.acct_no = parsed.acct_no and s.balance_date = parsed.balance_date
  and s.delivery_date <> $business_date::date
  and len(parsed.__errors) = 0;
