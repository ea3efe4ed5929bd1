-- Churn label per customer and date for the window (as_of_date, as_of_date + $horizon_days], from the data
-- (the future is known here): churned = 1 when every account the customer held on the date is closed by the
-- window's end and none was opened since, or when their total balance (deposits in CNY + loan outstanding)
-- at the window's end is below 100 CNY with no card transaction (purchase, cash advance, payment, refund)
-- and no FX deal in the window.
-- An account counts as closed by a date from its close date, or, for a closed/settled/written-off account
-- without one, from its last activity.
-- For the rows of the registered frame population (customer_id, as_of_date, n_open_accounts), every date in
-- one pass over each staging table: balances at the window's end are looked up with ASOF joins.
with pop as (
    select
        customer_id,
        as_of_date::date as as_of_date,
        (as_of_date::date + $horizon_days::integer)::date as horizon_end,
        n_open_accounts
    from population
),

acct_all as (
    select
        m.customer_id,
        a.system,
        a.account_key,
        a.open_date,
        coalesce(a.currency, 'CNY') as currency,
        coalesce(
            a.close_date,
            case when a.status in ('CLOSED', 'SETTLED', 'WRITTEN_OFF') then coalesce(
                case a.system
                    when
                        'deposit'
                        then (
                            select max(balance_date) from staging.deposit_balance
                            where acct_no = a.account_key
                        )
                    when
                        'loan'
                        then (
                            select max(as_of) from staging.loan_balance
                            where contract_no = a.account_key and outstanding > 0
                        )
                    else (
                        select max(txn_time)::date from staging.card_txn
                        where card_acct_id = a.account_key
                    )
                end, a.open_date
            ) end
        ) as end_date
    from staging.account as a
    join identity.customer_map as m on m.system = a.system and m.source_key = a.source_key
    where m.customer_id in (select customer_id from pop)
),

acct as (
    select
        a.customer_id,
        p.as_of_date,
        p.horizon_end,
        a.system,
        a.account_key,
        a.currency,
        a.end_date
    from acct_all as a
    join pop as p on p.customer_id = a.customer_id and a.open_date <= p.horizon_end
),

open_at_end as (
    select
        customer_id,
        as_of_date,
        count(*) as n_open_end
    from acct
    where end_date is null or end_date > horizon_end
    group by customer_id, as_of_date
),

held_at_end as (
    select * from acct
    where end_date is null or end_date > horizon_end
),

balance_end as (
    select
        customer_id,
        as_of_date,
        sum(bal) as balance_end
    from (
        select
            a.customer_id,
            a.as_of_date,
            b.balance * coalesce(c.cny_per_unit, 1) as bal
        from (
            select * from held_at_end
            where system = 'deposit'
        ) as a
        asof join (
            -- only these accounts' rows: an ASOF join sorts its whole right side
            select
                acct_no,
                balance_date,
                balance
            from staging.deposit_balance
            where acct_no in (
                select account_key from held_at_end
                where system = 'deposit'
            )
        ) as b on b.acct_no = a.account_key and a.horizon_end >= b.balance_date
        left join (values ('CNY', 1.0), ('USD', 7.10), ('EUR', 7.70), ('HKD', 0.91), ('JPY', 0.047), ('GBP', 9.00))
            as c (currency, cny_per_unit)
            on c.currency = a.currency
        union all
        select
            a.customer_id,
            a.as_of_date,
            l.outstanding
        from (
            select * from held_at_end
            where system = 'loan'
        ) as a
        asof join (
            select
                contract_no,
                as_of,
                outstanding
            from staging.loan_balance
            where contract_no in (
                select account_key from held_at_end
                where system = 'loan'
            )
        ) as l on l.contract_no = a.account_key and a.horizon_end >= l.as_of
    )
    group by customer_id, as_of_date
),

active as (
    select
        a.customer_id,
        a.as_of_date
    from staging.card_txn as t
    join acct as a
        on
            a.system = 'card' and a.account_key = t.card_acct_id
            and t.txn_time >= a.as_of_date + interval 1 day and t.txn_time < a.horizon_end + interval 1 day
    where
        t.txn_type in ('PURCHASE', 'CASH_ADVANCE', 'PAYMENT', 'REFUND')
        and t.txn_time > (select min(as_of_date) from pop)
        and t.txn_time < (select max(horizon_end) from pop) + interval 1 day
    union
    select
        p.customer_id,
        p.as_of_date
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    join pop as p on p.customer_id = m.customer_id and d.trade_date > p.as_of_date and d.trade_date <= p.horizon_end
)

select
    p.customer_id,
    p.as_of_date,
    (
        (p.n_open_accounts > 0 and coalesce(o.n_open_end, 0) = 0)
        or (coalesce(b.balance_end, 0) < 100 and x.customer_id is null)
    )::integer as churned
from pop as p
left join open_at_end as o using (customer_id, as_of_date)
left join balance_end as b using (customer_id, as_of_date)
left join active as x using (customer_id, as_of_date)
