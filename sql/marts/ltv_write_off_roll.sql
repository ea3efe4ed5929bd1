-- Per days-past-due bucket of late contracts (the floors above 0 of the contribution rule's PD table, temp
-- table rule_pd): the share of loan contracts at a month-end in that bucket that were written off within
-- the next 120 days (a roll rate), over the month-ends whose 120 following days are observed by as_of. A
-- contract that is 30 days late is written off soon whether or not the churn model expects its customer to
-- leave. Contracts not late keep the churn-tied write-off share alone (ltv_write_off_share.sql): a roll rate
-- for them too would count their write-offs twice. A written-off contract
-- ends at its last balance report (account_customer.end_date), which may be the month-end itself.
-- Needs temp tables account_customer and rule_pd.
with month_rows as (
    select
        contract_no,
        as_of,
        coalesce(days_past_due, 0) as dpd
    from staging.loan_balance
    where as_of = last_day(as_of) and as_of <= $as_of::date - 120 and days_past_due > 0
),

written_off as (
    select
        account_key,
        end_date
    from account_customer
    where system = 'loan' and status = 'WRITTEN_OFF' and end_date <= $as_of
)

select
    p.min_dpd,
    avg((w.end_date is not null and w.end_date >= r.as_of and w.end_date <= r.as_of + 120)::integer) as rate
from month_rows as r
asof join rule_pd as p on r.dpd >= p.min_dpd
left join written_off as w on w.account_key = r.contract_no
group by p.min_dpd
order by p.min_dpd
