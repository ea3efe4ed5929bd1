-- Transaction summary for the BTYD models of the customers of temp table ltv_todo, each as of its own date
-- d (computed_as_of), for card purchase days and FX deal days up to d: kind, frequency (transaction days
-- after the first), recency and T in days on d, and monetary value (mean contribution per repeat
-- transaction day: interchange on purchases net of refunds plus cash-advance fees for cards, the deal
-- margin for FX). The population fit reads it with everyone at as_of (sql/marts/ltv_fit_scope.sql), the
-- forecast with each customer at its churn-features date.
-- Money is summed as DECIMAL: a parallel sum of doubles differs in its last bits from run to run, and
-- the BG/NBD x Gamma-Gamma fit turns those bits into visible differences in lifetime value.
with card_days as (
    select
        a.customer_id,
        t.txn_time::date as day,
        sum(card_cny(t.txn_type, t.amount)::decimal(38, 10)) as value
    from staging.card_txn as t
    join account_customer as a on a.system = 'card' and a.account_key = t.card_acct_id
    join ltv_todo as d on d.customer_id = a.customer_id
    where t.txn_time < d.computed_as_of + interval 1 day and t.txn_type in ('PURCHASE', 'CASH_ADVANCE', 'REFUND')
    group by all
    having sum(case when t.txn_type in ('PURCHASE', 'CASH_ADVANCE') then 1 else 0 end) > 0
),

fx_days as (
    select
        m.customer_id,
        d.trade_date as day,
        sum(coalesce(d.margin_cny, 0)::decimal(38, 10)) as value
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    join ltv_todo as o on o.customer_id = m.customer_id
    where d.trade_date <= o.computed_as_of
    group by all
),

days as (
    select
        'card' as kind,
        *
    from card_days
    union all
    select
        'fx',
        *
    from fx_days
)

select
    m.kind,
    m.customer_id,
    (count(*) - 1)::integer as frequency,
    (max(m.day) - min(m.day))::double as recency_days,
    (any_value(o.computed_as_of) - min(m.day))::double as t_days,
    -- the mean over the days after the first, by an aggregate: a window for the first day sorted every row
    case
        when count(*) > 1 then ((sum(m.value) - arg_min(m.value, m.day)) / (count(*) - 1))::double else 0
    end as monetary_value
from days as m
join ltv_todo as o using (customer_id)
group by m.kind, m.customer_id
order by m.kind, m.customer_id
