-- Per customer on as_of: the balance-driven monthly contribution run-rate (mean over the last 3 complete
-- months of deposit + servicing contribution, plus card fees and interest) and the 90-day churn
-- probability scored on as_of (NULL when the customer is outside the churn population). Loans are not
-- in the run-rate: they amortise and can be written off, so they are projected per contract
-- (sql/marts/ltv_loans.sql).
with months as (
    select customer_id, month, deposit_cny + servicing_cny as balance_cny
    from marts.contribution_monthly
    where month <= $last_complete and month > last_day($last_complete::date - interval 3 month)
),

card_other as (
    select a.customer_id, sum(t.amount) as fees
    from staging.card_txn as t
    join account_customer as a on a.system = 'card' and a.account_key = t.card_acct_id
    where t.txn_type in ('FEE', 'INTEREST')
      and t.txn_time >= last_day($last_complete::date - interval 3 month) + interval 1 day
      and t.txn_time < $last_complete::date + interval 1 day
    group by all
),

customers as (
    select customer_id from marts.value_tier_history where as_of_date = $as_of
    union
    select customer_id from marts.churn_risk_history where as_of_date = $as_of
)

select
    c.customer_id,
    (coalesce(sum(m.balance_cny), 0) + coalesce(any_value(o.fees), 0)) / 3 as balance_monthly_cny,
    any_value(r.churn_probability) as churn_probability
from customers as c
left join months as m using (customer_id)
left join card_other as o using (customer_id)
left join marts.churn_risk_history as r on r.customer_id = c.customer_id and r.as_of_date = $as_of
group by c.customer_id
order by c.customer_id
