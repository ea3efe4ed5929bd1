-- Every record of one customer.
with map as (
    select
        system || ':' || source_key as uid,
        customer_id
    from identity.customer_map
),

final as (
    select uid from map
    where customer_id = $customer_id
)

select * from final
