-- The per-date form of sql/marts/churn_features.sql before it computed every date in one pass (2026-11-28):
-- not run by the pipeline; tests/unit/test_churn_snapshots_one_pass.py checks the one-pass query against it.
-- Point-in-time churn features per customer at as_of: only rows dated on or before as_of and accounts
-- opened on or before it; a close date after as_of is treated as unknown (the account counts as open),
-- and the account status (current state) is never used. Reused for training dates and for scoring.
-- Loan contracts carry no close date: a loan with no balance reported in the 45 days up to as_of
-- (balances come at least monthly) is taken as closed the day after its last report; otherwise a
-- settled loan's last outstanding would count as held forever.
-- Computed for the customers in temp table feature_scope (customer_id) only: a night recomputes the
-- customers whose inputs changed. in_population says whether the customer is scored on as_of.
with loan_last as (
    select
        contract_no,
        max(as_of) as last_report
    from staging.loan_balance
    where as_of <= $as_of
    group by contract_no
),

acct as (
    select
        m.customer_id,
        a.system,
        a.account_key,
        a.product,
        coalesce(a.currency, 'CNY') as currency,
        a.open_date,
        case
            when a.close_date <= $as_of then a.close_date
            when a.system = 'loan' and ll.last_report < $as_of::date - 45 then ll.last_report + 1
        end as close_date,
        a.maturity_date
    from staging.account as a
    join identity.customer_map as m on m.system = a.system and m.source_key = a.source_key
    left join loan_last as ll on a.system = 'loan' and ll.contract_no = a.account_key
    where a.open_date <= $as_of and m.customer_id in (select customer_id from feature_scope)
),

ccy as (
    select *
    from
        (values ('CNY', 1.0), ('USD', 7.10), ('EUR', 7.70), ('HKD', 0.91), ('JPY', 0.047), ('GBP', 9.00))
            as t (currency, cny_per_unit)
),

dep_rows as (
    select
        b.acct_no,
        b.balance_date,
        b.balance * coalesce(c.cny_per_unit, 1) as balance_cny,
        a.customer_id,
        a.close_date
    from staging.deposit_balance as b
    join acct as a on a.system = 'deposit' and a.account_key = b.acct_no
    left join ccy as c on c.currency = a.currency
    where b.balance_date <= $as_of
),

-- Deposit balance (CNY) at as_of and 1, 3, 6 months earlier: each account's last row on or before the date,
-- for accounts not closed by then.
points as (
    select
        k,
        (last_day($as_of::date - to_months(k)) - (last_day($as_of::date) - $as_of::date)::integer)::date as at_date
    from (values (0), (1), (3), (6)) as p (k)
),

dep_points as (
    select
        customer_id,
        k,
        sum(coalesce(balance_cny, 0)) as bal
    from (
        select
            d.customer_id,
            d.balance_cny,
            p.k
        from dep_rows as d
        join points as p on d.balance_date <= p.at_date and (d.close_date is null or d.close_date > p.at_date)
        qualify row_number() over (partition by p.k, d.acct_no order by d.balance_date desc) = 1
    )
    group by all
),

dep_change as (
    select
        customer_id,
        max(balance_date) as last_change
    from (
        select
            customer_id,
            balance_date,
            (balance_cny is distinct from lag(balance_cny) over (partition by acct_no order by balance_date)) as changed
        from dep_rows
    )
    where changed
    group by customer_id
),

loan_rows as (
    select
        l.contract_no,
        l.as_of,
        l.outstanding,
        l.days_past_due,
        a.customer_id,
        a.close_date
    from staging.loan_balance as l
    join acct as a on a.system = 'loan' and a.account_key = l.contract_no
    where l.as_of <= $as_of
),

loan_points as (
    select
        customer_id,
        k,
        sum(coalesce(outstanding, 0)) as outstanding,
        max(coalesce(days_past_due, 0)) as dpd
    from (
        select
            l.customer_id,
            l.outstanding,
            l.days_past_due,
            p.k
        from loan_rows as l
        join
            points as p
            on l.as_of <= p.at_date and p.k in (0, 3) and (l.close_date is null or l.close_date > p.at_date)
        qualify row_number() over (partition by p.k, l.contract_no order by l.as_of desc) = 1
    )
    group by all
),

card as (
    select
        a.customer_id,
        sum(case when t.txn_type = 'PURCHASE' and t.txn_time >= $as_of::date - 89 then t.amount else 0 end) as spend_90,
        sum(case
            when t.txn_type = 'PURCHASE' and t.txn_time >= $as_of::date - 179 and t.txn_time < $as_of::date - 89
                then t.amount
            else 0
        end) as spend_prev_90,
        count(*) filter (where t.txn_type in ('PURCHASE', 'CASH_ADVANCE') and t.txn_time >= $as_of::date - 89)
            as txns_90,
        count(
            *) filter (
            where t.txn_type in ('PURCHASE', 'CASH_ADVANCE') and t.txn_time >= $as_of::date - 179
            and t.txn_time < $as_of::date - 89
        ) as txns_prev_90,
        count(*) filter (where t.txn_type in ('PURCHASE', 'CASH_ADVANCE') and t.txn_time >= $as_of::date - 364)
            as txns_365,
        max(case when t.txn_type in ('PURCHASE', 'CASH_ADVANCE', 'PAYMENT', 'REFUND') then t.txn_time end)::date
            as last_txn
    from staging.card_txn as t
    join acct as a on a.system = 'card' and a.account_key = t.card_acct_id
    where t.txn_time < $as_of::date + interval 1 day
    group by a.customer_id
),

fx as (
    select
        m.customer_id,
        count(*) filter (where d.trade_date > $as_of::date - 90) as fx_deals_90,
        count(*) filter (where d.trade_date > $as_of::date - 365) as fx_deals_365,
        coalesce(sum(d.margin_cny) filter (where d.trade_date > $as_of::date - 365), 0) as fx_margin_365,
        min(d.trade_date) as first_deal,
        max(d.trade_date) as last_deal
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.trade_date <= $as_of and m.customer_id in (select customer_id from feature_scope)
    group by m.customer_id
),

accts as (
    select
        customer_id,
        min(open_date) as first_open,
        max(open_date) as last_open,
        count(*) filter (where close_date is null) as n_open_accounts,
        count(distinct product) filter (where close_date is null) as n_open_products,
        count(distinct system) filter (where close_date is null) as n_open_systems,
        count(*) filter (where close_date is null and system = 'deposit') as n_deposit,
        count(*) filter (where close_date is null and system = 'card') as n_card,
        count(*) filter (where close_date is null and product = 'CREDIT') as n_credit_card,
        count(*) filter (where close_date is null and system = 'loan') as n_loan,
        count(*) filter (where close_date > $as_of::date - 90) as closed_90,
        count(*) filter (where close_date > $as_of::date - 365) as closed_365,
        count(*) filter (where open_date > $as_of::date - 90) as opened_90,
        count(*) filter (where close_date is null and maturity_date > $as_of and maturity_date <= $as_of::date + 90)
            as maturing_90,
        count(*) filter (where close_date is null and (maturity_date is null or maturity_date > $as_of::date + 90))
            as not_maturing_90
    from acct
    group by customer_id
),

customers as (
    select customer_id from accts
    union
    select customer_id from fx
)

select
    $as_of::date as as_of_date,
    c.customer_id,
    -- population: an open account on as_of, or an FX deal in the last 365 days, and not already gone: a
    -- customer whose balances are under the 100 CNY floor with no card or FX activity in the last 90 days
    -- meets the churn condition today, so there is nothing left to predict (the generator's truth agrees)
    (
        (coalesce(a.n_open_accounts, 0) > 0 or coalesce(f.fx_deals_365, 0) > 0)
        and not (
            coalesce(d0.bal, 0) + coalesce(l0.outstanding, 0) < 100
            and coalesce(k.txns_90, 0) = 0
            and coalesce(f.fx_deals_90, 0) = 0
        )
    ) as in_population,
    ($as_of::date - least(coalesce(a.first_open, f.first_deal), coalesce(f.first_deal, a.first_open)))::integer
        as tenure_days,
    coalesce(a.n_open_accounts, 0)::integer as n_open_accounts,
    coalesce(a.n_open_products, 0)::integer as n_open_products,
    coalesce(a.n_open_systems, 0)::integer + (coalesce(f.fx_deals_365, 0) > 0)::integer as n_open_systems,
    coalesce(a.n_deposit, 0)::integer as n_deposit_accounts,
    coalesce(a.n_card, 0)::integer as n_cards,
    coalesce(a.n_credit_card, 0)::integer as n_credit_cards,
    coalesce(a.n_loan, 0)::integer as n_loans,
    coalesce(d0.bal, 0) as deposit_balance,
    coalesce(d1.bal, 0) as deposit_balance_1m,
    coalesce(d3.bal, 0) as deposit_balance_3m,
    coalesce(d6.bal, 0) as deposit_balance_6m,
    ln((coalesce(d0.bal, 0) + 100) / (coalesce(d3.bal, 0) + 100)) as deposit_trend_3m,
    ln((coalesce(d0.bal, 0) + 100) / (coalesce(d6.bal, 0) + 100)) as deposit_trend_6m,
    ln((coalesce(d0.bal, 0) + 100) / (coalesce(d1.bal, 0) + 100)) as deposit_trend_1m,
    coalesce(l0.outstanding, 0) as loan_outstanding,
    ln((coalesce(l0.outstanding, 0) + 100) / (coalesce(l3.outstanding, 0) + 100)) as loan_trend_3m,
    coalesce(l0.dpd, 0)::integer as days_past_due,
    coalesce(k.spend_90, 0) as card_spend_90d,
    ln((coalesce(k.spend_90, 0) + 10) / (coalesce(k.spend_prev_90, 0) + 10)) as card_spend_trend,
    coalesce(k.txns_90, 0)::integer as card_txns_90d,
    coalesce(k.txns_90, 0)::integer - coalesce(k.txns_prev_90, 0)::integer as card_txns_change,
    coalesce(k.txns_365, 0)::integer as card_txns_365d,
    coalesce(f.fx_deals_90, 0)::integer as fx_deals_90d,
    coalesce(f.fx_deals_365, 0)::integer as fx_deals_365d,
    coalesce(f.fx_margin_365, 0) as fx_margin_365d,
    ($as_of::date - greatest(k.last_txn, f.last_deal, a.last_open, dc.last_change))::integer as days_since_activity,
    coalesce(a.closed_90, 0)::integer as closed_90d,
    coalesce(a.closed_365, 0)::integer as closed_365d,
    coalesce(a.opened_90, 0)::integer as opened_90d,
    coalesce(a.maturing_90, 0)::integer as maturing_90d,
    (coalesce(a.not_maturing_90, 0) = 0)::integer as all_maturing_90d
from customers as c
left join accts as a using (customer_id)
left join fx as f using (customer_id)
left join card as k using (customer_id)
left join dep_change as dc using (customer_id)
left join dep_points as d0 on d0.customer_id = c.customer_id and d0.k = 0
left join dep_points as d1 on d1.customer_id = c.customer_id and d1.k = 1
left join dep_points as d3 on d3.customer_id = c.customer_id and d3.k = 3
left join dep_points as d6 on d6.customer_id = c.customer_id and d6.k = 6
left join loan_points as l0 on l0.customer_id = c.customer_id and l0.k = 0
left join loan_points as l3 on l3.customer_id = c.customer_id and l3.k = 3
order by c.customer_id
