-- What tonight's contribution recomputes (sql/marts/contribution_monthly.sql): every (customer, month)
-- when full, else the months a delivery since the last computed night (previous) touched (the months of
-- its activity rows, and the business date's month) for every customer, and every month of the customers
-- whose attribution changed: a record (re)assigned, a merge, split or move, an account whose fields
-- changed, or new activity on a closed account (it moves the account's end, or a write-off's month).
create or replace temp table contribution_months as
select distinct last_day(d)::date as month
from (
    select balance_date as d from staging.deposit_balance
    where delivery_date > $previous and delivery_date <= $as_of
    union all
    select as_of from staging.loan_balance
    where delivery_date > $previous and delivery_date <= $as_of
    union all
    select txn_time::date from staging.card_txn
    where delivery_date > $previous and delivery_date <= $as_of
    union all
    select trade_date from staging.fx_deal
    where delivery_date > $previous and delivery_date <= $as_of
    union all
    select $as_of::date
)
where d <= $as_of;

create or replace temp table contribution_customers as
with closed_active as (
    select
        acct_no as account_key,
        'deposit' as system
    from staging.deposit_balance
    where delivery_date > $previous and delivery_date <= $as_of
    union
    select
        contract_no,
        'loan'
    from staging.loan_balance
    where delivery_date > $previous and delivery_date <= $as_of
    union
    select
        card_acct_id,
        'card'
    from staging.card_txn
    where delivery_date > $previous and delivery_date <= $as_of
)

select customer_id from identity.customer_map
where assigned_on > $previous and assigned_on <= $as_of
union
select customer_id from identity.id_event
where business_date > $previous and business_date <= $as_of
union
select other_customer_id from identity.id_event
where business_date > $previous and business_date <= $as_of
union
select customer_id from account_customer as a
where a.customer_id is not null and (
    (a.changed_on > $previous and a.changed_on <= $as_of)
    or (
        a.status in ('CLOSED', 'SETTLED', 'WRITTEN_OFF')
        and exists (
            select 1 from closed_active as x
            where x.system = a.system and x.account_key = a.account_key
        )
    )
);
