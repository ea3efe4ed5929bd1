-- Figures for customer_resolution's metadata: one row per match rule.
with map as (
    select * from identity.customer_map
),

final as (
    select
        match_rule,
        count(*) as records,
        (select count(distinct customer_id) from map) as customers
    from map
    group by match_rule
)

select * from final
order by match_rule
