-- Point-in-time churn features per customer and date: only rows dated on or before the date and accounts
-- opened on or before it; a close date after the date is treated as unknown (the account counts as open),
-- and the account status (current state) is never used. Reused for training dates and for scoring.
-- Loan contracts carry no close date: a loan with no balance reported in the 45 days up to the date
-- (balances come at least monthly) is taken as closed the day after its last report; otherwise a
-- settled loan's last outstanding would count as held forever.
-- Computed for the (customer_id, as_of_date) pairs of temp table feature_points only, every date in one
-- pass over each staging table (training asks for 15 month-ends, a night for each customer's own date):
-- balances are looked up with ASOF joins, card and FX rows joined to the dates on or after them.
-- in_population says whether the customer is scored on the date.
with pts as (
    select
        customer_id,
        as_of_date
    from feature_points
),

ccy as (
    select *
    from
        (values ('CNY', 1.0), ('USD', 7.10), ('EUR', 7.70), ('HKD', 0.91), ('JPY', 0.047), ('GBP', 9.00))
            as t (currency, cny_per_unit)
),

acct_all as (
    select
        m.customer_id,
        a.system,
        a.account_key,
        a.product,
        coalesce(a.currency, 'CNY') as currency,
        a.open_date,
        a.close_date,
        a.maturity_date
    from staging.account as a
    join identity.customer_map as m on m.system = a.system and m.source_key = a.source_key
    where m.customer_id in (select customer_id from pts)
),

acct_dated as (
    select
        a.*,
        p.as_of_date
    from acct_all as a
    join pts as p on p.customer_id = a.customer_id and a.open_date <= p.as_of_date
),

-- The balance and card rows of these customers' accounts only: an ASOF join sorts its whole right side.
dep_rows as (
    select
        acct_no,
        balance_date,
        balance
    from staging.deposit_balance
    where acct_no in (
        select account_key from acct_all
        where system = 'deposit'
    )
),

loan_rows as (
    select
        contract_no,
        as_of,
        outstanding,
        days_past_due
    from staging.loan_balance
    where contract_no in (
        select account_key from acct_all
        where system = 'loan'
    )
),

-- each loan's last report on or before each date
loan_last as (
    select
        a.account_key,
        a.as_of_date,
        l.as_of as last_report
    from (select
        account_key,
        as_of_date
    from acct_dated
    where system = 'loan') as a
    asof join loan_rows as l on l.contract_no = a.account_key and a.as_of_date >= l.as_of
),

acct as (
    select
        a.customer_id,
        a.as_of_date,
        a.system,
        a.account_key,
        a.product,
        a.currency,
        a.open_date,
        case
            when a.close_date <= a.as_of_date then a.close_date
            when a.system = 'loan' and ll.last_report < a.as_of_date - 45 then ll.last_report + 1
        end as close_date,
        a.maturity_date
    from acct_dated as a
    left join loan_last as ll on a.system = 'loan' and ll.account_key = a.account_key and ll.as_of_date = a.as_of_date
),

-- Deposit balance (CNY) at the date and 1, 3, 6 months earlier: each account's last row on or before the
-- point, for accounts not closed by then.
points as (
    select *
    from (
        select
            a.customer_id,
            a.as_of_date,
            a.system,
            a.account_key,
            a.currency,
            a.close_date,
            p.k,
            (last_day(a.as_of_date - to_months(p.k)) - (last_day(a.as_of_date) - a.as_of_date)::integer)::date
                as at_date
        from acct as a
        cross join (values (0), (1), (3), (6)) as p (k)
        where a.system = 'deposit' or (a.system = 'loan' and p.k in (0, 3))
    )
    where close_date is null or close_date > at_date
),

dep_points as (
    select
        p.customer_id,
        p.as_of_date,
        p.k,
        sum(coalesce(b.balance * coalesce(c.cny_per_unit, 1), 0)) as bal
    from (
        select * from points
        where system = 'deposit'
    ) as p
    asof join dep_rows as b on b.acct_no = p.account_key and p.at_date >= b.balance_date
    left join ccy as c on c.currency = p.currency
    group by all
),

loan_points as (
    select
        p.customer_id,
        p.as_of_date,
        p.k,
        sum(coalesce(l.outstanding, 0)) as outstanding,
        max(coalesce(l.days_past_due, 0)) as dpd
    from (
        select * from points
        where system = 'loan'
    ) as p
    asof join loan_rows as l on l.contract_no = p.account_key and p.at_date >= l.as_of
    group by all
),

-- A deposit account's balance rows that differ from the row before: whether a row changed depends on
-- earlier rows only, so one pass serves every date.
dep_changed as (
    select
        acct_no,
        balance_date
    from (
        select
            b.acct_no,
            b.balance_date,
            (
                b.balance * coalesce(c.cny_per_unit, 1)
                is distinct from lag(b.balance * coalesce(c.cny_per_unit, 1))
                    over (partition by b.acct_no order by b.balance_date)
            ) as changed
        from dep_rows as b
        join
            (select distinct
                account_key,
                currency
            from acct_all
            where system = 'deposit') as a
            on a.account_key = b.acct_no
        left join ccy as c on c.currency = a.currency
    )
    where changed
),

dep_change as (
    select
        a.customer_id,
        a.as_of_date,
        max(d.balance_date) as last_change
    from (select
        customer_id,
        as_of_date,
        account_key
    from acct
    where system = 'deposit') as a
    join dep_changed as d on d.acct_no = a.account_key and d.balance_date <= a.as_of_date
    group by all
),

-- the window bounds as timestamps once per card and date, not per card row
card_acct as (
    select
        customer_id,
        as_of_date,
        account_key,
        (as_of_date - 89)::timestamp as from_90,
        (as_of_date - 179)::timestamp as from_180,
        (as_of_date - 364)::timestamp as from_365,
        as_of_date + interval 1 day as until
    from acct
    where system = 'card'
),

-- each card's rows up to each date: one hash join and aggregate (an ASOF join for the last activity would
-- sort every card row)
card as (
    select
        a.customer_id,
        a.as_of_date,
        sum(case when t.txn_type = 'PURCHASE' and t.txn_time >= a.from_90 then t.amount else 0 end) as spend_90,
        sum(case
            when t.txn_type = 'PURCHASE' and t.txn_time >= a.from_180 and t.txn_time < a.from_90
                then t.amount
            else 0
        end) as spend_prev_90,
        count(*) filter (where t.txn_type in ('PURCHASE', 'CASH_ADVANCE') and t.txn_time >= a.from_90) as txns_90,
        count(
            *) filter (
            where t.txn_type in ('PURCHASE', 'CASH_ADVANCE') and t.txn_time >= a.from_180
            and t.txn_time < a.from_90
        ) as txns_prev_90,
        count(*) filter (where t.txn_type in ('PURCHASE', 'CASH_ADVANCE') and t.txn_time >= a.from_365) as txns_365,
        max(case when t.txn_type in ('PURCHASE', 'CASH_ADVANCE', 'PAYMENT', 'REFUND') then t.txn_time end)::date
            as last_txn
    from staging.card_txn as t
    join card_acct as a on a.account_key = t.card_acct_id and t.txn_time < a.until
    where t.txn_time < (select max(as_of_date) from pts) + interval 1 day
    group by all
),

fx as (
    select
        p.customer_id,
        p.as_of_date,
        count(*) filter (where d.trade_date > p.as_of_date - 90) as fx_deals_90,
        count(*) filter (where d.trade_date > p.as_of_date - 365) as fx_deals_365,
        coalesce(sum(d.margin_cny) filter (where d.trade_date > p.as_of_date - 365), 0) as fx_margin_365,
        min(d.trade_date) as first_deal,
        max(d.trade_date) as last_deal
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    join pts as p on p.customer_id = m.customer_id and d.trade_date <= p.as_of_date
    group by all
),

accts as (
    select
        customer_id,
        as_of_date,
        min(open_date) as first_open,
        max(open_date) as last_open,
        count(*) filter (where close_date is null) as n_open_accounts,
        count(distinct product) filter (where close_date is null) as n_open_products,
        count(distinct system) filter (where close_date is null) as n_open_systems,
        count(*) filter (where close_date is null and system = 'deposit') as n_deposit,
        count(*) filter (where close_date is null and system = 'card') as n_card,
        count(*) filter (where close_date is null and product = 'CREDIT') as n_credit_card,
        count(*) filter (where close_date is null and system = 'loan') as n_loan,
        count(*) filter (where close_date > as_of_date - 90) as closed_90,
        count(*) filter (where close_date > as_of_date - 365) as closed_365,
        count(*) filter (where open_date > as_of_date - 90) as opened_90,
        count(*) filter (where close_date is null and maturity_date > as_of_date and maturity_date <= as_of_date + 90)
            as maturing_90,
        count(*) filter (where close_date is null and (maturity_date is null or maturity_date > as_of_date + 90))
            as not_maturing_90
    from acct
    group by customer_id, as_of_date
),

customers as (
    select
        customer_id,
        as_of_date
    from accts
    union
    select
        customer_id,
        as_of_date
    from fx
)

select
    c.as_of_date,
    c.customer_id,
    -- population: an open account on the date, or an FX deal in the last 365 days, and not already gone: a
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
    (c.as_of_date - least(coalesce(a.first_open, f.first_deal), coalesce(f.first_deal, a.first_open)))::integer
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
    (c.as_of_date - greatest(k.last_txn, f.last_deal, a.last_open, dc.last_change))::integer as days_since_activity,
    coalesce(a.closed_90, 0)::integer as closed_90d,
    coalesce(a.closed_365, 0)::integer as closed_365d,
    coalesce(a.opened_90, 0)::integer as opened_90d,
    coalesce(a.maturing_90, 0)::integer as maturing_90d,
    (coalesce(a.not_maturing_90, 0) = 0)::integer as all_maturing_90d
from customers as c
left join accts as a using (customer_id, as_of_date)
left join fx as f using (customer_id, as_of_date)
left join card as k using (customer_id, as_of_date)
left join dep_change as dc using (customer_id, as_of_date)
left join dep_points as d0 on d0.customer_id = c.customer_id and d0.as_of_date = c.as_of_date and d0.k = 0
left join dep_points as d1 on d1.customer_id = c.customer_id and d1.as_of_date = c.as_of_date and d1.k = 1
left join dep_points as d3 on d3.customer_id = c.customer_id and d3.as_of_date = c.as_of_date and d3.k = 3
left join dep_points as d6 on d6.customer_id = c.customer_id and d6.as_of_date = c.as_of_date and d6.k = 6
left join loan_points as l0 on l0.customer_id = c.customer_id and l0.as_of_date = c.as_of_date and l0.k = 0
left join loan_points as l3 on l3.customer_id = c.customer_id and l3.as_of_date = c.as_of_date and l3.k = 3
order by c.as_of_date, c.customer_id
