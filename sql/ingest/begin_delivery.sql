-- Per-delivery scratch tables (temporary: private to this connection, gone when it closes).
create or replace temp table new_party as select * exclude (first_seen, last_seen) from staging.party limit 0;
create or replace temp table new_account as
select * exclude (first_seen, last_seen, changed_on)
from staging.account
limit 0;
create or replace temp table new_rejected (
    file varchar, line bigint, field varchar, reason varchar, raw_line varchar, action varchar default 'row_rejected'
);
create or replace temp table new_file_stats (
    file varchar,
    rows_control bigint,
    rows_read bigint,
    rows_staged bigint,
    rows_quarantined bigint,
    sha256 varchar,
    rows_resent bigint default 0,
    fields_nulled bigint default 0
);
create or replace temp table new_file_totals (
    file varchar,
    measure varchar,
    file_value decimal(38, 6),
    quarantined_value decimal(38, 6),
    resent_value decimal(38, 6)
);
