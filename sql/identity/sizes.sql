-- Sizes that decide the kind of night: records standardised, records already matched.
with std as (
    select count(*) as n from identity.party_std
),

map as (
    select count(*) as n from identity.customer_map
),

final as (
    select
        std.n as party_records,
        map.n as mapped_records
    from std, map
)

select * from final
