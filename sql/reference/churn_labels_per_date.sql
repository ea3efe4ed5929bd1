-- The per-date form of sql/marts/churn_labels.sql before it labelled every date in one pass (2026-11-28):
-- not run by the pipeline; tests/unit/test_churn_snapshots_one_pass.py checks the one-pass query against it.
-- Churn label per customer for the window (as_of, horizon_end], from the data (the future is known here):
-- churned = 1 when every account the customer held on as_of is closed by horizon_end and none was opened
-- since, or when their total balance (deposits in CNY + loan outstanding) on horizon_end is below 100 CNY
-- with no card transaction (purchase, cash advance, payment, refund) and no FX deal in the window.
-- An account counts as closed by a date from its close date, or, for a closed/settled/written-off account
-- without one, from its last activity.
with acct as (
    select
        m.customer_id,
        a.system,
        a.account_key,
        a.open_date,
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
    where a.open_date <= $horizon_end
),

open_at_end as (
    select
        customer_id,
        count(*) as n_open_end
    from acct
    where end_date is null or end_date > $horizon_end
    group by customer_id
),

balance_end as (
    select
        customer_id,
        sum(bal) as balance_end
    from (
        select
            a.customer_id,
            b.balance * coalesce(c.cny_per_unit, 1) as bal
        from staging.deposit_balance as b
        join acct as a on a.system = 'deposit' and a.account_key = b.acct_no
        join staging.account as s on s.system = 'deposit' and s.account_key = b.acct_no
        left join (values ('CNY', 1.0), ('USD', 7.10), ('EUR', 7.70), ('HKD', 0.91), ('JPY', 0.047), ('GBP', 9.00))
            as c (currency, cny_per_unit)
            on c.currency = coalesce(s.currency, 'CNY')
        where b.balance_date <= $horizon_end and (a.end_date is null or a.end_date > $horizon_end)
        qualify row_number() over (partition by b.acct_no order by b.balance_date desc) = 1
        union all
        select
            a.customer_id,
            l.outstanding
        from staging.loan_balance as l
        join acct as a on a.system = 'loan' and a.account_key = l.contract_no
        where l.as_of <= $horizon_end and (a.end_date is null or a.end_date > $horizon_end)
        qualify row_number() over (partition by l.contract_no order by l.as_of desc) = 1
    )
    group by customer_id
),

active as (
    select a.customer_id
    from staging.card_txn as t
    join acct as a on a.system = 'card' and a.account_key = t.card_acct_id
    where
        t.txn_type in ('PURCHASE', 'CASH_ADVANCE', 'PAYMENT', 'REFUND')
        and t.txn_time >= $as_of::date + interval 1 day and t.txn_time < $horizon_end::date + interval 1 day
    union
    select m.customer_id
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.trade_date > $as_of and d.trade_date <= $horizon_end
)

select
    p.customer_id,
    (
        (p.n_open_accounts > 0 and coalesce(o.n_open_end, 0) = 0)
        or (coalesce(b.balance_end, 0) < 100 and x.customer_id is null)
    )::integer as churned
from population as p
left join open_at_end as o using (customer_id)
left join balance_end as b using (customer_id)
left join (select distinct customer_id from active) as x using (customer_id)
