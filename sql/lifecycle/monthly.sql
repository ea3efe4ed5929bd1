-- Lifecycle stage at every month-end of the data up to as_of (the rules are in models/lifecycle.py) of
-- the customers in temp table lifecycle_scope (sql/lifecycle/scope.sql): their rows are replaced, the
-- others' kept; customers no longer in the map drop out. Needs temp table account_customer
-- (sql/marts/account_customer.sql) and marts.contribution_monthly. Money is summed as DECIMAL: a double sum
-- differs in its last bits with the order of its rows, and a rounded cent would then flip.
create schema if not exists marts;

create or replace temp table lifecycle_tonight as
with months as (
    select distinct month from marts.contribution_monthly
    where month <= $as_of
),

acct as (
    select
        customer_id,
        system,
        account_key,
        product,
        currency,
        open_date,
        end_date
    from account_customer
    where open_date <= $as_of and product is not null and customer_id in (select customer_id from lifecycle_scope)
),

fx as (
    select
        m.customer_id,
        d.trade_date
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.trade_date <= $as_of and m.customer_id in (select customer_id from lifecycle_scope)
),

first_seen as (
    select
        customer_id,
        min(d) as first_date
    from (select
        customer_id,
        open_date as d
    from acct
    union all
    select
        customer_id,
        trade_date
    from fx)
    group by customer_id
),

-- Products held at each month-end: open accounts, and FX when a deal fell in the 365 days up to it.
held as (
    select
        a.customer_id,
        mo.month,
        count(distinct a.product) as n
    from acct as a
    join months as mo on a.open_date <= mo.month and (a.end_date is null or a.end_date > mo.month)
    group by all
    union all
    select distinct
        f.customer_id,
        mo.month,
        1
    from fx as f
    join months as mo on f.trade_date <= mo.month and f.trade_date > mo.month - 365
),

products as (
    select
        customer_id,
        month,
        sum(n)::integer as n_products
    from held
    group by all
),

deposit_month as (
    select
        a.customer_id,
        last_day(b.balance_date) as month,
        sum((b.balance * coalesce(c.cny_per_unit, 1))::decimal(38, 10))::double as deposit_cny
    from (
        select
            acct_no,
            balance_date,
            balance
        from staging.deposit_balance
        where
            balance_date <= $as_of and acct_no in (
                select account_key from acct
                where system = 'deposit'
            )
        qualify last_in_month(acct_no, balance_date)
    ) as b
    join acct as a on a.system = 'deposit' and a.account_key = b.acct_no
    left join rule_ccy as c on c.currency = a.currency
    group by all
),

loan_month as (
    select
        a.customer_id,
        last_day(l.as_of) as month,
        sum(coalesce(l.outstanding, 0)::decimal(38, 10))::double as loan_cny
    from (
        select
            contract_no,
            as_of,
            outstanding
        from staging.loan_balance
        where
            as_of <= $as_of and contract_no in (
                select account_key from acct
                where system = 'loan'
            )
        qualify last_in_month(contract_no, as_of)
    ) as l
    join acct as a on a.system = 'loan' and a.account_key = l.contract_no
    group by all
),

activity_month as (
    select
        customer_id,
        month,
        count(*) as events
    from (
        select
            a.customer_id,
            last_day(t.txn_time::date) as month
        from staging.card_txn as t
        join acct as a on a.system = 'card' and a.account_key = t.card_acct_id
        where t.txn_type in ('PURCHASE', 'CASH_ADVANCE') and t.txn_time < $as_of::date + interval 1 day
        union all
        select
            customer_id,
            last_day(trade_date)
        from fx
    )
    group by all
),

grid as (
    select
        f.customer_id,
        mo.month,
        date_diff('month', f.first_date, mo.month) as tenure_months
    from first_seen as f
    join months as mo on f.first_date <= mo.month
),

filled as (
    select
        g.customer_id,
        g.month,
        g.tenure_months,
        coalesce(p.n_products, 0) as n_products,
        coalesce(d.deposit_cny, 0) as deposit_cny,
        coalesce(l.loan_cny, 0) as loan_cny,
        coalesce(v.events, 0) as events,
        coalesce(c.total_cny, 0) as contribution_cny
    from grid as g
    left join products as p using (customer_id, month)
    left join deposit_month as d using (customer_id, month)
    left join loan_month as l using (customer_id, month)
    left join activity_month as v using (customer_id, month)
    left join marts.contribution_monthly as c using (customer_id, month)
),

windows as (
    select
        *,
        lag(deposit_cny, 3) over w as deposit_cny_3m_ago,
        lag(n_products, 3) over w as n_products_3m_ago,
        lag(n_products, 6) over w as n_products_6m_ago,
        sum(events) over (w rows between 2 preceding and current row) as events_3m,
        sum(events) over (w rows between 5 preceding and 3 preceding) as events_prev_3m,
        avg(contribution_cny) over (w rows between 2 preceding and current row) as contribution_3m,
        case
            when count(*) over (w rows between 5 preceding and 3 preceding) = 3
                then avg(contribution_cny) over (w rows between 5 preceding and 3 preceding)
        end as contribution_prev_3m
    from filled
    window w as (partition by customer_id order by month)
),

judged as (
    select
        *,
        case
            -- the churn definition's state: nothing held, or balances under the floor and no activity for 3 months
            when n_products = 0 or (deposit_cny + loan_cny < $floor_cny and events_3m = 0) then 'lapsed'
            -- money or activity falling away, unless a product was taken meanwhile (a down payment is no decline)
            when tenure_months >= $trend_months and (
                (n_products <= n_products_3m_ago and (
                    (deposit_cny_3m_ago >= $min_deposit_cny and deposit_cny < $decline_ratio * deposit_cny_3m_ago)
                    or (events_prev_3m >= $min_events and events_3m < $activity_ratio * events_prev_3m)
                ))
                or n_products < n_products_3m_ago
            ) then 'decline'
            when tenure_months < $acquisition_months then 'acquisition'
            when
                n_products > n_products_6m_ago
                or (
                    tenure_months < $growth_months and contribution_prev_3m > 0
                    and contribution_3m >= $growth_ratio * contribution_prev_3m
                )
                then 'growth'
            else 'maturity'
        end as stage
    from windows
),

final as (
    select
        customer_id,
        month,
        stage,
        lag(stage) over (partition by customer_id order by month) as previous_stage,
        tenure_months::integer as tenure_months,
        n_products,
        n_products_3m_ago,
        round(deposit_cny, 2) as deposit_cny,
        round(deposit_cny_3m_ago, 2) as deposit_cny_3m_ago,
        events_3m::integer as activity_3m,
        events_prev_3m::integer as activity_prev_3m,
        round(contribution_3m, 2) as contribution_3m_cny,
        round(contribution_prev_3m, 2) as contribution_prev_3m_cny
    from judged
)

-- A customer lapsed more than 3 months ago drops out (a silent one stays lapsed while accounts stay open).
select *
from final
where not (stage = 'lapsed' and n_products = 0 and previous_stage = 'lapsed' and n_products_3m_ago = 0);

create table if not exists marts.customer_lifecycle_monthly as select * from lifecycle_tonight limit 0;

delete from marts.customer_lifecycle_monthly
where
    customer_id in (select customer_id from lifecycle_scope)
    or customer_id not in (select customer_id from identity.customer_map);

insert into marts.customer_lifecycle_monthly select * from lifecycle_tonight
order by month, customer_id;


create or replace table marts.customer_lifecycle_state as select $as_of::date as as_of_date;

comment on table marts.customer_lifecycle_state is
'The night customer_lifecycle_monthly was last updated for (the next night updates only what changed since).';
