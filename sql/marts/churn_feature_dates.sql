-- The date as of which each customer's churn features, score and drivers are computed on night as_of:
-- the later of (a) the last delivery in (since, as_of] that changed the customer's inputs and (b) the
-- customer's refresh date, the last day on or before as_of of a fixed weekday per customer (a hash of
-- the id), so that every customer is recomputed at least every refresh_days days, spread over the week.
-- Since since = as_of - refresh_days, older changes are always overtaken by (b).
-- The date is a function of the data alone: two nights giving a customer the same date means nothing the
-- features read at that date changed in between, so the values are carried; a full recomputation
-- computes each customer at the same date and publishes the same values.
-- Inputs changed by a delivery: a card transaction or FX deal; a deposit or loan balance row that is
-- back-dated, the account's first in two months, or a material move (more than 10% of the previous
-- balance and more than 1,000 units) or a change in days past due; any field of an account; the
-- customer's records (a record assigned to them, or a merge, split or move naming them).
with map as (
    select
        customer_id,
        system,
        source_key
    from identity.customer_map
),

acct as (
    select
        m.customer_id,
        a.system,
        a.account_key,
        a.changed_on
    from staging.account as a
    join map as m using (system, source_key)
),

dep_recent as (
    select
        acct_no,
        balance_date,
        balance,
        delivery_date,
        lag(balance) over (partition by acct_no order by balance_date) as prev
    from staging.deposit_balance
    where
        balance_date > $since::date - 62 and balance_date <= $as_of
        and acct_no in (
            select acct_no from staging.deposit_balance
            where delivery_date > $since and delivery_date <= $as_of
        )
    qualify delivery_date > $since and delivery_date <= $as_of
),

loan_recent as (
    select
        contract_no,
        as_of,
        outstanding,
        days_past_due,
        delivery_date,
        lag(outstanding) over (partition by contract_no order by as_of) as prev,
        lag(days_past_due) over (partition by contract_no order by as_of) as prev_dpd,
        row_number() over (partition by contract_no order by as_of) as n
    from staging.loan_balance
    where
        as_of > $since::date - 62 and as_of <= $as_of
        and contract_no in (
            select contract_no from staging.loan_balance
            where delivery_date > $since and delivery_date <= $as_of
        )
    qualify delivery_date > $since and delivery_date <= $as_of
),

events as (
    select
        a.customer_id,
        t.delivery_date as changed
    from staging.card_txn as t
    join acct as a on a.system = 'card' and a.account_key = t.card_acct_id
    where t.delivery_date > $since and t.delivery_date <= $as_of
    union all
    select
        m.customer_id,
        d.delivery_date
    from staging.fx_deal as d
    join map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.delivery_date > $since and d.delivery_date <= $as_of
    union all
    select
        a.customer_id,
        r.delivery_date
    from dep_recent as r
    join acct as a on a.system = 'deposit' and a.account_key = r.acct_no
    where
        r.balance_date < r.delivery_date or r.prev is null
        or abs(coalesce(r.balance, 0) - r.prev) > greatest(0.1 * abs(r.prev), 1000)
    union all
    select
        a.customer_id,
        r.delivery_date
    from loan_recent as r
    join acct as a on a.system = 'loan' and a.account_key = r.contract_no
    where
        r.as_of < r.delivery_date or r.n = 1
        or abs(coalesce(r.outstanding, 0) - coalesce(r.prev, 0)) > greatest(0.1 * abs(coalesce(r.prev, 0)), 1000)
        or r.days_past_due is distinct from r.prev_dpd
    union all
    select
        customer_id,
        changed_on
    from acct
    where changed_on > $since and changed_on <= $as_of
    union all
    select
        customer_id,
        assigned_on
    from identity.customer_map
    where assigned_on > $since and assigned_on <= $as_of
    union all
    select
        customer_id,
        business_date
    from identity.id_event
    where business_date > $since and business_date <= $as_of
    union all
    select
        other_customer_id,
        business_date
    from identity.id_event
    where business_date > $since and business_date <= $as_of
),

last_change as (
    select
        customer_id,
        max(changed) as changed
    from events
    group by customer_id
),

customers as (
    select distinct customer_id from map
)

select
    c.customer_id,
    greatest(
        l.changed,
        $as_of::date - (
            (($as_of::date - date '2000-01-01') + (hash(c.customer_id) % $refresh_days)::integer)
            % $refresh_days
        )::integer
    ) as computed_as_of
from customers as c
left join last_change as l using (customer_id)
order by c.customer_id
