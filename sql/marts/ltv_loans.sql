-- Per open loan contract, as of its customer's date d in temp table ltv_todo (customer_id, computed_as_of),
-- what the lifetime value projects: its last outstanding of the last complete month on d, the monthly
-- margin of the contribution rule (rate - cost of funds - PD x LGD, per CNY outstanding), the months left
-- to maturity (the generator's and the banks' loans amortise linearly to maturity), and the loss a
-- write-off would book per CNY outstanding (LGD x the product's write-off share of early-ended contracts,
-- a population figure fitted with the BTYD parameters: temp table ltv_write_off, '*' for all products),
-- and the loss expected soon from its lateness today (LGD x the roll rate of its days-past-due bucket into
-- a write-off within 120 days: temp table ltv_write_off_dpd, fitted with them).
-- Needs temp table account_customer and the contribution rule (sql/marts/contribution_rule.sql).
with contracts as (
    select
        a.account_key,
        a.customer_id,
        a.product,
        a.annual_rate,
        a.end_date,
        s.maturity_date,
        t.computed_as_of as d,
        case
            when day(t.computed_as_of + 1) = 1 then t.computed_as_of
            else date_trunc('month', t.computed_as_of)::date - 1
        end as last_complete
    from account_customer as a
    join ltv_todo as t on t.customer_id = a.customer_id
    join staging.account as s on s.system = 'loan' and s.account_key = a.account_key
    where a.system = 'loan'
),

month_rows as (
    select
        b.contract_no,
        b.as_of,
        b.outstanding,
        b.days_past_due,
        c.last_complete
    from staging.loan_balance as b
    join contracts as c on c.account_key = b.contract_no
    where b.as_of <= c.last_complete and b.as_of > last_day(c.last_complete - interval 12 month)
    qualify last_in_month(b.contract_no, b.as_of)
),

-- A late payment in one month says little about the next ones: the expected loss uses the mean PD of the
-- contract's month-end rows over the last 12 months, not the PD of the last row alone.
mean_pd as (
    select
        r.contract_no,
        avg(p.pd) as pd
    from month_rows as r
    asof join rule_pd as p on coalesce(r.days_past_due, 0) >= p.min_dpd
    group by r.contract_no
),

last_row as (
    select * from month_rows
    where as_of > last_day(last_complete - interval 1 month)
    qualify last_row(contract_no, as_of)
)

select
    c.customer_id,
    c.account_key,
    l.outstanding,
    loan_margin_monthly(c.annual_rate, p.pd, g.lgd) as margin_monthly,
    -- whole months from the balance row to maturity; NULL maturity: no run-off known
    case
        when c.maturity_date is null then null
        else greatest(1, date_diff('month', l.as_of, c.maturity_date))
    end as months_left,
    loan_lgd(g.lgd) * coalesce(w.share, wa.share, 0) as write_off_loss_rate,
    coalesce(r.rate, 0) as write_off_soon_share,
    loan_lgd(g.lgd) as lgd
from last_row as l
join contracts as c on c.account_key = l.contract_no
join mean_pd as p on p.contract_no = l.contract_no
asof left join ltv_write_off_dpd as r on coalesce(l.days_past_due, 0) >= r.min_dpd
left join rule_lgd as g on g.product = c.product
left join ltv_write_off as w on w.product = c.product
left join ltv_write_off as wa on wa.product = '*'
where l.outstanding > 0 and (c.end_date is null or c.end_date > c.d)
order by c.customer_id, c.account_key
