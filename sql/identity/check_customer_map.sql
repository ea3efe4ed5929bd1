-- Source records without a customer id, held twice, or with a NULL id (all must be 0).
with party as (
    select
        system,
        source_key
    from staging.party
),

map as (
    select * from identity.customer_map
),

missing as (
    select count(*) as n from party anti join map using (system, source_key)
),

doubled as (
    select count(*) as n from (
        select
            system,
            source_key
        from map
        group by all
        having count(*) > 1
    )
),

unassigned as (
    select count(*) as n from map
    where customer_id is null
),

final as (
    select
        missing.n as records_missing,
        doubled.n as records_doubled,
        unassigned.n as records_without_id
    from missing, doubled, unassigned
)

select * from final
