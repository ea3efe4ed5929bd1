-- The customers whose lifecycle rows a daily night recomputes (temp table lifecycle_scope): those whose
-- attribution changed since the previous night (temp table contribution_customers,
-- sql/marts/contribution_scope.sql) and those with a row delivered since then that is dated in a judged
-- month (on or before last_month): every other customer's rows read nothing new. The night after a
-- month-end recomputes everyone (sql/lifecycle/scope_all.sql).
create or replace temp table lifecycle_scope as
with acct as (
    select
        customer_id,
        system,
        account_key
    from account_customer
    where customer_id is not null
),

backdated as (
    select a.customer_id
    from staging.card_txn as t
    join acct as a on a.system = 'card' and a.account_key = t.card_acct_id
    where t.delivery_date > $previous and t.delivery_date <= $as_of and t.txn_time < $last_month::date + interval 1 day
    union all
    select m.customer_id
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.delivery_date > $previous and d.delivery_date <= $as_of and d.trade_date <= $last_month
    union all
    select a.customer_id
    from staging.deposit_balance as b
    join acct as a on a.system = 'deposit' and a.account_key = b.acct_no
    where b.delivery_date > $previous and b.delivery_date <= $as_of and b.balance_date <= $last_month
    union all
    select a.customer_id
    from staging.loan_balance as l
    join acct as a on a.system = 'loan' and a.account_key = l.contract_no
    where l.delivery_date > $previous and l.delivery_date <= $as_of and l.as_of <= $last_month
)

select customer_id from contribution_customers
union
select customer_id from backdated;
