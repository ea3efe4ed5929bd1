-- Whom to call first on as_of: every scored customer with a positive lifetime value, ranked by value at
-- risk = 90-day churn probability x the lifetime value if retained (expected_ltv_cny already discounts
-- churn: multiplying it by the probability again ranks the likeliest leavers last), with the churn drivers,
-- the value tier and the relationship-manager branch (the open branch of the customer's earliest deposit
-- record: only the deposit system delivers a branch). Replaces the date in marts.retention_priority_history.
create or replace temp table retention_tonight as
with home_branch as (
    select
        m.customer_id,
        p.branch
    from identity.customer_map as m
    join staging.party as p on p.system = m.system and p.source_key = m.source_key
    where m.system = 'deposit' and p.branch is not null
    qualify row_number() over (partition by m.customer_id order by p.since_date nulls last, p.source_key) = 1
),

at_risk as (
    select
        r.customer_id,
        r.churn_probability * l.ltv_if_retained_cny as value_at_risk_cny,
        r.churn_probability,
        r.horizon_days,
        r.risk_band,
        l.expected_ltv_cny,
        l.ltv_if_retained_cny,
        t.tier as value_tier,
        b.branch,
        r.driver_1,
        r.driver_2,
        r.driver_3
    from marts.churn_risk_history as r
    join marts.lifetime_value_history as l on l.as_of_date = r.as_of_date and l.customer_id = r.customer_id
    left join marts.value_tier_history as t on t.as_of_date = r.as_of_date and t.customer_id = r.customer_id
    left join home_branch as b on b.customer_id = r.customer_id
    where r.as_of_date = $as_of and l.ltv_if_retained_cny > 0 and r.churn_probability is not null
)

select
    $as_of::date as as_of_date,
    row_number() over (order by value_at_risk_cny desc, customer_id) as priority_rank,
    customer_id,
    value_at_risk_cny,
    churn_probability,
    horizon_days,
    risk_band,
    expected_ltv_cny,
    ltv_if_retained_cny,
    value_tier,
    branch,
    row_number() over (partition by branch order by value_at_risk_cny desc, customer_id) as branch_rank,
    driver_1,
    driver_2,
    driver_3,
    sum(value_at_risk_cny) over (order by value_at_risk_cny desc, customer_id rows unbounded preceding)
    / nullif(sum(value_at_risk_cny) over (), 0) as cumulative_share
from at_risk;
