-- The night's retention figures: customers ranked, value at risk, and the value at risk of the first 5%.
with night as (
    select
        priority_rank,
        value_at_risk_cny
    from marts.retention_priority_history
    where as_of_date = $as_of
),

final as (
    select
        count(*) as customers,
        sum(value_at_risk_cny) as value_at_risk_cny,
        sum(value_at_risk_cny) filter (
            where priority_rank <= ceil(0.05 * (select count(*) from night))
        ) as top_5pct_cny
    from night
)

select * from final
