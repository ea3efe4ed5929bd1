-- Per open loan contract on as_of, what the lifetime value projects: its last outstanding of the last
-- complete month, the monthly margin of the contribution rule (rate - cost of funds - PD x LGD, per CNY
-- outstanding), the months left to maturity (the generator's and the banks' loans amortise
-- linearly to maturity), and the loss a write-off would book per CNY outstanding (LGD x the share of
-- this product's early-ended contracts that were written off rather than settled, in the history).
-- Needs temp tables account_customer and rule_* (models/value.py).
with month_rows as (
    select contract_no, as_of, outstanding, days_past_due
    from staging.loan_balance
    where as_of <= $last_complete and as_of > last_day($last_complete::date - interval 12 month)
    qualify row_number() over (partition by contract_no, last_day(as_of) order by as_of desc) = 1
),

-- A late payment in one month says little about the next ones: the expected loss uses the mean PD of the
-- contract's month-end rows over the last 12 months, not the PD of the last row alone.
mean_pd as (
    select r.contract_no, avg(p.pd) as pd
    from month_rows as r
    asof join rule_pd as p on coalesce(r.days_past_due, 0) >= p.min_dpd
    group by r.contract_no
),

last_row as (
    select * from month_rows
    where as_of > last_day($last_complete::date - interval 1 month)
    qualify row_number() over (partition by contract_no order by as_of desc) = 1
),

contracts as (
    select a.account_key, a.customer_id, a.product, a.annual_rate, a.end_date, a.status, s.maturity_date
    from account_customer as a
    join staging.account as s on s.system = 'loan' and s.account_key = a.account_key
    where a.system = 'loan'
),

-- Contracts that ended before their maturity: written off, or settled (repaid early, or the customer left).
ended as (
    select product, count(*) filter (where status = 'WRITTEN_OFF') as written_off, count(*) as n
    from contracts
    where status in ('WRITTEN_OFF', 'SETTLED') and end_date <= $as_of
      and (maturity_date is null or end_date < maturity_date)
    group by product
),

write_off_share as (
    select product, written_off / n as share from ended
    union all
    select '*', coalesce(sum(written_off) / nullif(sum(n), 0), 0) from ended
)

select
    c.customer_id,
    c.account_key,
    l.outstanding,
    (coalesce(c.annual_rate, 0) / 100 - $cost_of_funds - p.pd * coalesce(g.lgd, $lgd_default)) / 12 as margin_monthly,
    -- whole months from the balance row to maturity; NULL maturity: no run-off known
    case when c.maturity_date is null then null
         else greatest(1, date_diff('month', l.as_of, c.maturity_date)) end as months_left,
    coalesce(g.lgd, $lgd_default) * coalesce(w.share, wa.share, 0) as write_off_loss_rate
from last_row as l
join contracts as c on c.account_key = l.contract_no
join mean_pd as p on p.contract_no = l.contract_no
left join rule_lgd as g on g.product = c.product
left join write_off_share as w on w.product = c.product
left join write_off_share as wa on wa.product = '*'
where l.outstanding > 0 and (c.end_date is null or c.end_date > $as_of)
order by c.customer_id, c.account_key
