-- Monthly profit contribution (CNY) per customer, every month of the data up to as_of, by the rule of
-- sql/marts/contribution_rule.sql (its macros and temp tables rule_*, loaded by models.value.load_rules).
-- Needs temp table account_customer (sql/marts/account_customer.sql). Computes every (customer, month) when
-- full, else only the months and customers of temp tables contribution_months and contribution_customers
-- (sql/marts/contribution_scope.sql), replacing those rows: the rows of other months and customers read
-- nothing that changed.
create schema if not exists marts;

create or replace temp table contribution_tonight as
with in_scope as (
    select
        system,
        account_key
    from account_customer
    where customer_id in (select customer_id from contribution_customers)
),

deposit_last as (
    select
        acct_no,
        balance_date,
        balance,
        interest_rate
    from staging.deposit_balance
    where
        balance_date <= $as_of and (
            $full or last_day(balance_date) in (select month from contribution_months)
            or acct_no in (
                select account_key from in_scope
                where system = 'deposit'
            )
        )
    qualify last_in_month(acct_no, balance_date)
),

deposit_month as (
    select
        a.customer_id,
        last_day(b.balance_date) as month,
        sum(deposit_cny(b.balance, c.cny_per_unit, a.currency, f.rate, b.interest_rate)) as deposit_cny
    from deposit_last as b
    join account_customer as a on a.system = 'deposit' and a.account_key = b.acct_no
    left join rule_ftp as f on f.product = a.product
    left join rule_ccy as c on c.currency = a.currency
    group by all
),

loan_last as (
    select
        contract_no,
        as_of,
        outstanding,
        days_past_due
    from staging.loan_balance
    where
        as_of <= $as_of and (
            $full or last_day(as_of) in (select month from contribution_months)
            or contract_no in (
                select account_key from in_scope
                where system = 'loan'
            )
        )
    qualify last_in_month(contract_no, as_of)
),

loan_month as (
    select
        a.customer_id,
        last_day(l.as_of) as month,
        sum(loan_cny(l.outstanding, a.annual_rate, p.pd, g.lgd)) as loan_cny
    from loan_last as l
    join account_customer as a on a.system = 'loan' and a.account_key = l.contract_no
    asof join rule_pd as p on coalesce(l.days_past_due, 0) >= p.min_dpd
    left join rule_lgd as g on g.product = a.product
    group by all
),

-- A written-off contract books the realised loss (LGD x its last positive outstanding) in that month.
write_off as (
    select
        a.customer_id,
        last_day(l.as_of) as month,
        sum(write_off_cny(l.outstanding, g.lgd)) as loan_cny
    from (
        select
            contract_no,
            as_of,
            outstanding
        from staging.loan_balance
        where as_of <= $as_of and outstanding > 0
        qualify last_row(contract_no, as_of)
    ) as l
    join account_customer as a on a.system = 'loan' and a.account_key = l.contract_no
    left join rule_lgd as g on g.product = a.product
    where a.status = 'WRITTEN_OFF'
    group by all
),

card_month as (
    select
        a.customer_id,
        last_day(t.txn_time::date) as month,
        sum(card_cny(t.txn_type, t.amount)) as card_cny
    from staging.card_txn as t
    join account_customer as a on a.system = 'card' and a.account_key = t.card_acct_id
    where
        t.txn_time < $as_of::date + interval 1 day and t.amount is not null and (
            $full or last_day(t.txn_time::date) in (select month from contribution_months)
            or a.customer_id in (select customer_id from contribution_customers)
        )
    group by all
),

fx_month as (
    select
        m.customer_id,
        last_day(d.trade_date) as month,
        sum(coalesce(d.margin_cny, 0)) as fx_cny
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.trade_date <= $as_of
    group by all
),

-- Months of the data: from the first month with a balance row (start of the delivered history).
months as (
    select
        last_day(m)::date as month,
        date_trunc('month', m)::date as month_start
    from range(
        (select date_trunc('month', min(d)) from (
            select min(balance_date) as d from staging.deposit_balance
            union all
            select min(as_of) from staging.loan_balance
            union all
            select min(txn_time)::date from staging.card_txn
        )
        where d is not null),
        $as_of::date + interval 1 day,
        interval 1 month
    ) as t (m)
),

servicing_month as (
    select
        a.customer_id,
        m.month,
        servicing_cny(count(*)) as servicing_cny
    from account_customer as a
    join months as m
        on
            a.open_date <= m.month
            and (a.end_date is null or a.end_date >= m.month_start)
    group by all
),

parts as (
    select
        customer_id,
        month,
        deposit_cny,
        0.0 as loan_cny,
        0.0 as card_cny,
        0.0 as fx_cny,
        0.0 as servicing_cny
    from deposit_month
    union all by name
    select
        customer_id,
        month,
        loan_cny
    from loan_month
    union all by name
    select
        customer_id,
        month,
        loan_cny
    from write_off
    union all by name
    select
        customer_id,
        month,
        card_cny
    from card_month
    union all by name
    select
        customer_id,
        month,
        fx_cny
    from fx_month
    union all by name
    select
        customer_id,
        month,
        servicing_cny
    from servicing_month
)

select
    customer_id,
    month::date as month,
    coalesce(sum(deposit_cny), 0) as deposit_cny,
    coalesce(sum(loan_cny), 0) as loan_cny,
    coalesce(sum(card_cny), 0) as card_cny,
    coalesce(sum(fx_cny), 0) as fx_cny,
    coalesce(sum(servicing_cny), 0) as servicing_cny,
    coalesce(sum(deposit_cny), 0) + coalesce(sum(loan_cny), 0) + coalesce(sum(card_cny), 0)
    + coalesce(sum(fx_cny), 0) + coalesce(sum(servicing_cny), 0) as total_cny
from parts
where
    month <= last_day($as_of::date) and month >= (select min(month) from months) and (
        $full or month in (select month from contribution_months)
        or customer_id in (select customer_id from contribution_customers)
    )
group by all;

create table if not exists marts.contribution_monthly as select * from contribution_tonight limit 0;

delete from marts.contribution_monthly
where
    $full
    or month in (select month from contribution_months)
    or customer_id in (select customer_id from contribution_customers)
    or customer_id not in (select customer_id from identity.customer_map);

insert into marts.contribution_monthly select * from contribution_tonight
order by customer_id, month;

create table if not exists marts.contribution_state (as_of_date date);
delete from marts.contribution_state;
insert into marts.contribution_state values ($as_of);
