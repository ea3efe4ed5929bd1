-- sql/marts/btyd_summary.sql for the customers of temp table ltv_todo, each as of its own date d
-- (computed_as_of): card purchase days and FX deal days up to d, recency and T in days on d.
-- Money is summed as DECIMAL, as there: the forecast must not move with the last bits of a parallel sum.
with card_days as (
    select
        a.customer_id,
        t.txn_time::date as day,
        sum(case t.txn_type
            when 'PURCHASE' then t.amount * $interchange_rate
            when 'REFUND' then -t.amount * $interchange_rate
            when 'CASH_ADVANCE' then t.amount * $cash_advance_fee_rate
        end::decimal(38, 10)) as value
    from staging.card_txn as t
    join account_customer as a on a.system = 'card' and a.account_key = t.card_acct_id
    join ltv_todo as d on d.customer_id = a.customer_id
    where t.txn_time < d.computed_as_of + interval 1 day and t.txn_type in ('PURCHASE', 'CASH_ADVANCE', 'REFUND')
    group by all
    having sum(case when t.txn_type in ('PURCHASE', 'CASH_ADVANCE') then 1 else 0 end) > 0
),

fx_days as (
    select m.customer_id, d.trade_date as day, sum(coalesce(d.margin_cny, 0)::decimal(38, 10)) as value
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    join ltv_todo as o on o.customer_id = m.customer_id
    where d.trade_date <= o.computed_as_of
    group by all
),

days as (
    select 'card' as kind, * from card_days
    union all
    select 'fx', * from fx_days
),

marked as (
    select *, min(day) over (partition by kind, customer_id) as first_day from days
)

select
    m.kind,
    m.customer_id,
    (count(*) - 1)::integer as frequency,
    (max(m.day) - min(m.day))::double as recency_days,
    (any_value(o.computed_as_of) - min(m.day))::double as t_days,
    coalesce(avg(m.value) filter (where m.day > m.first_day), 0)::double as monetary_value
from marked as m
join ltv_todo as o using (customer_id)
group by m.kind, m.customer_id
order by m.kind, m.customer_id
