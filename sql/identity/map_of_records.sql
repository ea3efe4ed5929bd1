-- Current customer of the named records (uids system:source_key).
with map as (
    select
        system || ':' || source_key as uid,
        customer_id
    from identity.customer_map
),

final as (
    select
        uid,
        customer_id
    from map
    where list_contains($uids, uid)
)

select * from final
