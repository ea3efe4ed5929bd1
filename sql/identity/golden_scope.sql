-- Customers whose golden record is rebuilt tonight: all of them ($full), else those touched tonight:
-- a record standardised again (its fields changed), a record assigned to a new customer, or an id
-- named in tonight's merge/split/move events (retired ids are removed).
create or replace temp table golden_scope as
with std as (
    select * from identity.party_std
),

map as (
    select * from identity.customer_map
),

events as (
    select * from identity.id_event
    where business_date = $business_date
),

changed_records as (
    select
        system,
        source_key
    from std
    where std_on = $business_date
),

touched as (
    select customer_id from map
    where assigned_on = $business_date
    union
    select customer_id from map semi join changed_records using (system, source_key)
    union
    select customer_id from events
    union
    select other_customer_id from events
),

everyone as (
    select distinct customer_id from map
),

final as (
    select customer_id from everyone
    where $full
    union
    select customer_id from touched
    where not $full
)

select * from final;
