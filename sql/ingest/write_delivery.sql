-- Quarantine and delivery log of this system's delivery (a re-sent delivery replaces its rows).
delete from quarantine.rejected_row where system = $system and business_date = $business_date::date;
insert into quarantine.rejected_row (system, business_date, file, line, field, reason, raw_line, action)
select $system, $business_date::date, file, line, field, reason, raw_line, action from new_rejected;

delete from ingest.delivery_log where system = $system and business_date = $business_date::date;
insert into ingest.delivery_log
    (system, business_date, kind, file, rows_control, rows_read, rows_staged, rows_quarantined, sha256, loaded_at,
     fields_nulled, rows_resent)
select
    $system, $business_date::date, $kind, file, rows_control, rows_read, rows_staged, rows_quarantined,
    sha256, current_localtimestamp()::timestamp, fields_nulled, rows_resent
from new_file_stats;

delete from ingest.file_totals where system = $system and business_date = $business_date::date;
insert into ingest.file_totals
select $system, $business_date::date, file, measure, file_value, quarantined_value, resent_value
from new_file_totals;
