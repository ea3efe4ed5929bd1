-- Per customer transaction summary for the BTYD models on as_of, for card purchase days and FX deal days:
-- kind, frequency (transaction days after the first), recency and T in days, and monetary value (mean
-- contribution per repeat transaction day: interchange on purchases net of refunds plus cash-advance fees
-- for cards, the deal margin for FX).
-- Money is summed as DECIMAL: a parallel sum of doubles differs in its last bits from run to run, and
-- the BG/NBD x Gamma-Gamma fit turns those bits into visible differences in lifetime value.
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
    where t.txn_time < $as_of::date + interval 1 day and t.txn_type in ('PURCHASE', 'CASH_ADVANCE', 'REFUND')
    group by all
    having sum(case when t.txn_type in ('PURCHASE', 'CASH_ADVANCE') then 1 else 0 end) > 0
),

fx_days as (
    select m.customer_id, d.trade_date as day, sum(coalesce(d.margin_cny, 0)::decimal(38, 10)) as value
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.trade_date <= $as_of
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
    kind,
    customer_id,
    (count(*) - 1)::integer as frequency,
    (max(day) - min(day))::double as recency_days,
    ($as_of::date - min(day))::double as t_days,
    coalesce(avg(value) filter (where day > first_day), 0)::double as monetary_value
from marked
group by kind, customer_id
order by kind, customer_id
