-- Activity rows already staged (in ${staging}, by ${keys}) from an EARLIER (or later) delivery are re-sent,
-- not new activity: kept out of staging so they count once, and counted as rows_resent. A re-sent
-- delivery of the SAME date still replaces its own date (ingest/activity_rows.sql).
update parsed set __resent = true
from (
    select p.__line
    from parsed as p
    inner join ${staging} as s using (${keys})
    where s.delivery_date <> $business_date::date and len(p.__errors) = 0
) as r
where parsed.__line = r.__line;
