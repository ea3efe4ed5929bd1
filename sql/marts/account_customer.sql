-- Accounts of every system with the customer they belong to tonight (staging.account -> customer_map),
-- and the last date each account shows activity (closed accounts without a close date end there).
create or replace temp table account_customer as
-- Only a closed account without a close date ends at its last activity: the activity tables are
-- aggregated for those accounts alone (1.7% of them at 100k persons), not for every account, since
-- next best product builds this table twice per training month-end.
with ended_undated as (
    select
        system,
        account_key
    from staging.account
    where close_date is null and status in ('CLOSED', 'SETTLED', 'WRITTEN_OFF')
),

last_activity as (
    select
        acct_no as account_key,
        'deposit' as system,
        max(balance_date) as last_date
    from staging.deposit_balance
    where
        balance_date <= $as_of
        and acct_no in (
            select e.account_key from ended_undated as e
            where e.system = 'deposit'
        )
    group by all
    union all
    select
        contract_no,
        'loan',
        max(as_of)
    from staging.loan_balance
    where
        as_of <= $as_of
        and contract_no in (
            select e.account_key from ended_undated as e
            where e.system = 'loan'
        )
    group by all
    union all
    select
        card_acct_id,
        'card',
        max(txn_time)::date
    from staging.card_txn
    where
        txn_time < $as_of::date + interval 1 day
        and card_acct_id in (
            select e.account_key from ended_undated as e
            where e.system = 'card'
        )
    group by all
)

select
    a.system,
    a.account_key,
    a.source_key,
    m.customer_id,
    a.product,
    coalesce(a.currency, 'CNY') as currency,
    a.annual_rate,
    a.open_date,
    a.close_date,
    a.status,
    a.changed_on,
    -- Effective end of the account: its close date, else for a closed/settled/written-off
    -- account without one, its last activity (or open date).
    coalesce(
        a.close_date,
        case when a.status in ('CLOSED', 'SETTLED', 'WRITTEN_OFF') then coalesce(l.last_date, a.open_date) end
    ) as end_date
from staging.account as a
join identity.customer_map as m on m.system = a.system and m.source_key = a.source_key
left join last_activity as l on l.system = a.system and l.account_key = a.account_key;
