-- The highest customer id ever issued (current ids and those retired by merges), for the id sequence.
with current_ids as (
    select customer_id from identity.customer_map
),

event_ids as (
    select customer_id from identity.id_event
    union all
    select other_customer_id from identity.id_event
),

final as (
    select max(customer_id) as customer_id
    from (
        select customer_id from current_ids
        union all
        select customer_id from event_ids
    )
)

select * from final
