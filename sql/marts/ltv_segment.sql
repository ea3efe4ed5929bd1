-- The new-business segment of each customer of temp table ltv_todo (customer_id, computed_as_of = d), as
-- of d: value band (LOW below zero, TOP / GOLD from the fitted cuts, else GENERAL) of the contribution of
-- the 12 complete months on d (complete, so a carried value stays what a recomputation gives), and tenure
-- band since its first account or FX deal (macro tenure_band); with that contribution, which shares its
-- segment's new business out, and tonight's 90-day churn probability.
-- Needs temp table account_customer.
with dates as (
    select
        customer_id,
        computed_as_of as d,
        case
            when day(computed_as_of + 1) = 1 then computed_as_of
            else date_trunc('month', computed_as_of)::date - 1
        end as last_complete
    from ltv_todo
),

value_12m as (
    select
        c.customer_id,
        sum(c.total_cny) as contribution_12m
    from marts.contribution_monthly as c
    join dates as d using (customer_id)
    where c.month <= d.last_complete and c.month > last_day(d.last_complete - interval 12 month)
    group by c.customer_id
),

first_seen as (
    select
        customer_id,
        min(first_date) as first_date
    from (
        select
            a.customer_id,
            min(a.open_date) as first_date
        from account_customer as a
        join dates as d on d.customer_id = a.customer_id and a.open_date <= d.d
        group by all
        union all
        select
            m.customer_id,
            min(x.trade_date)
        from staging.fx_deal as x
        join identity.customer_map as m on m.system = 'fx' and m.source_key = x.client_ref
        join dates as d on d.customer_id = m.customer_id and x.trade_date <= d.d
        group by all
    )
    group by customer_id
)

select
    d.customer_id,
    case
        when coalesce(v.contribution_12m, 0) < 0 then 'LOW'
        when v.contribution_12m > 0 and v.contribution_12m >= $cut_top then 'TOP'
        when v.contribution_12m > 0 and v.contribution_12m >= $cut_gold then 'GOLD'
        else 'GENERAL'
    end as value_band,
    tenure_band(coalesce(date_diff('month', f.first_date, d.d), 0)) as tenure_band,
    coalesce(v.contribution_12m, 0) as contribution_12m,
    r.churn_probability
from dates as d
left join value_12m as v using (customer_id)
left join first_seen as f using (customer_id)
left join marts.churn_risk_history as r on r.customer_id = d.customer_id and r.as_of_date = $as_of
order by d.customer_id
