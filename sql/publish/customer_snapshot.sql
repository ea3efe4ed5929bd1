-- Tonight's analyst-safe copies of the customer view and the data-quality figures, versioned by as_of_date.
-- Only masked and hashed forms of ID and phone numbers leave the restricted identity schema;
-- the full address and e-mail stay behind too (analysts get the city).
create schema if not exists marts;

create or replace temp table customer_tonight as
select
    $as_of::date as as_of_date,
    customer_id,
    name,
    name_pinyin,
    name_latin,
    birth_date,
    gender,
    city,
    id_type,
    id_masked,
    id_hash,
    phone_masked,
    phone_hash,
    array_to_string(systems, ',') as systems,
    source_records,
    first_seen,
    name_source,
    birth_date_source,
    gender_source,
    city_source,
    first_seen_source,
    province,
    province_source,
    district,
    district_source
from identity.customer_golden;

create table if not exists marts.customer_history as select * from customer_tonight limit 0;
-- Lineage columns added after the first release (older versions keep them empty).
alter table marts.customer_history add column if not exists name_source varchar;
alter table marts.customer_history add column if not exists birth_date_source varchar;
alter table marts.customer_history add column if not exists gender_source varchar;
alter table marts.customer_history add column if not exists city_source varchar;
alter table marts.customer_history add column if not exists first_seen_source varchar;
alter table marts.customer_history add column if not exists province varchar;
alter table marts.customer_history add column if not exists province_source varchar;
alter table marts.customer_history add column if not exists district varchar;
alter table marts.customer_history add column if not exists district_source varchar;

create or replace temp table source_tonight as
select
    $as_of::date as as_of_date,
    system,
    source_key,
    customer_id,
    match_rule,
    match_probability,
    assigned_on
from identity.customer_map;

create table if not exists marts.customer_source_history as select * from source_tonight limit 0;

create or replace temp table quality_tonight as
select
    $as_of::date as as_of_date,
    system,
    file,
    kind,
    rows_control,
    rows_read,
    rows_staged,
    rows_quarantined,
    fields_nulled,
    coalesce(rows_resent, 0) as rows_resent
from ingest.delivery_log
where business_date = $as_of;

create table if not exists marts.data_quality_history as select * from quality_tonight limit 0;
alter table marts.data_quality_history add column if not exists fields_nulled bigint;  -- warehouses from before
-- Histories made before rows_resent existed (their files re-sent nothing that was caught: 0).
alter table marts.data_quality_history add column if not exists rows_resent bigint default 0;

-- Reasons only, never the rejected values (raw lines can carry personal data).
create or replace temp table reasons_tonight as
select
    $as_of::date as as_of_date,
    system,
    file,
    field,
    split_part(reason, ';', 1) as reason,
    count(*) as rows_quarantined,
    action
from quarantine.rejected_row
where business_date = $as_of
group by all;

create table if not exists marts.quarantine_reason_history as select * from reasons_tonight limit 0;
alter table marts.quarantine_reason_history add column if not exists action varchar;  -- warehouses from before
