-- Per customer of temp table ltv_todo (customer_id, computed_as_of = d): the balance-driven monthly
-- contribution run-rate as of d (mean over the last 3 complete months on d of deposit + servicing
-- contribution, plus card fees and interest) and tonight's 90-day churn probability, which was computed
-- as of the same d (NULL when the customer is outside the churn population). Loans are not in the
-- run-rate: they amortise and can be written off, so they are projected per contract
-- (sql/marts/ltv_loans.sql).
with dates as (
    select
        customer_id,
        -- the last complete month-end on d (d itself when it is one)
        case
            when day(computed_as_of + 1) = 1 then computed_as_of
            else date_trunc('month', computed_as_of)::date - 1
        end as last_complete
    from ltv_todo
),

months as (
    select
        m.customer_id,
        m.deposit_cny + m.servicing_cny as balance_cny
    from marts.contribution_monthly as m
    join dates as d using (customer_id)
    where m.month <= d.last_complete and m.month > last_day(d.last_complete - interval 3 month)
),

card_other as (
    select
        a.customer_id,
        sum(t.amount) as fees
    from staging.card_txn as t
    join account_customer as a on a.system = 'card' and a.account_key = t.card_acct_id
    join dates as d on d.customer_id = a.customer_id
    where
        t.txn_type in ('FEE', 'INTEREST')
        and t.txn_time >= last_day(d.last_complete - interval 3 month) + interval 1 day
        and t.txn_time < d.last_complete + interval 1 day
    group by all
),

balance as (
    select
        customer_id,
        sum(balance_cny) as balance_cny
    from months
    group by customer_id
)

select
    d.customer_id,
    (coalesce(b.balance_cny, 0) + coalesce(o.fees, 0)) / 3 as balance_monthly_cny,
    r.churn_probability
from dates as d
left join balance as b using (customer_id)
left join card_other as o using (customer_id)
left join marts.churn_risk_history as r on r.customer_id = d.customer_id and r.as_of_date = $as_of
order by d.customer_id
