-- Per loan product ('*': all products), the share of contracts ended before maturity by as_of that were
-- written off rather than settled (repaid early, or the customer left): a population figure of the lifetime
-- value, fitted on the same nights as the BTYD parameters. Needs temp table account_customer.
with contracts as (
    select
        a.product,
        a.end_date,
        a.status,
        s.maturity_date
    from account_customer as a
    join staging.account as s on s.system = 'loan' and s.account_key = a.account_key
    where a.system = 'loan'
),

ended as (
    select
        product,
        count(*) filter (where status = 'WRITTEN_OFF') as written_off,
        count(*) as n
    from contracts
    where
        status in ('WRITTEN_OFF', 'SETTLED') and end_date <= $as_of
        and (maturity_date is null or end_date < maturity_date)
    group by product
)

select
    product,
    written_off / n as share
from ended
union all
select
    '*',
    coalesce(sum(written_off) / nullif(sum(n), 0), 0)
from ended
