-- Products each customer holds on as_of, with the product customers with the same product set most often
-- took next (marts.product_transition fitted on fitted_on). Needs temp table account_customer. Products:
-- the account product codes (CURRENT, TIME, NOTICE, DEBIT, CREDIT, MORTGAGE, AUTO, CONSUMER, BUSINESS) and
-- FX (a deal in the last 365 days).
-- Incremental: a customer's holding on the previous night (NULL: none, compute everyone) is carried unless
-- something it reads changed in (previous, as_of]: an account's fields (changed_on), an account opening or
-- ending, an FX deal delivered, traded, or leaving the 365-day window, the customer's records (identity).
create schema if not exists marts;

create or replace temp table holding_changed as
select customer_id from account_customer
where
    (changed_on > $previous and changed_on <= $as_of)
    or (open_date > $previous and open_date <= $as_of)
    or (end_date > $previous and end_date <= $as_of)
union
select m.customer_id
from staging.fx_deal as d
join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
where
    (d.delivery_date > $previous and d.delivery_date <= $as_of)
    or (d.trade_date > $previous and d.trade_date <= $as_of)
    or (d.trade_date > $previous::date - 365 and d.trade_date <= $as_of::date - 365)
union
select customer_id from identity.customer_map
where assigned_on > $previous and assigned_on <= $as_of
union
select customer_id from identity.id_event
where business_date > $previous and business_date <= $as_of
union
select other_customer_id from identity.id_event
where business_date > $previous and business_date <= $as_of;

create or replace temp table holding_carried as
select p.* exclude (p.as_of_date, p.next_product, p.next_product_rate)
from marts.product_holding as p
where
    p.as_of_date = $previous
    and exists (
        select 1 from identity.customer_map as m
        where m.customer_id = p.customer_id
    )
    and not exists (
        select 1 from holding_changed as c
        where c.customer_id = p.customer_id
    );

create or replace temp table holding_tonight as
with customers as (
    select distinct m.customer_id
    from identity.customer_map as m
    where not exists (
        select 1 from holding_carried as c
        where c.customer_id = m.customer_id
    )
),

held_now as (
    select
        a.customer_id,
        a.system,
        a.product
    from account_customer as a
    join customers as c using (customer_id)
    where a.open_date <= $as_of and a.product is not null and (a.end_date is null or a.end_date > $as_of)
    union
    select
        m.customer_id,
        'fx',
        'FX'
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    join customers as c on c.customer_id = m.customer_id
    where d.trade_date <= $as_of and d.trade_date > $as_of::date - 365
),

computed as (
    select
        c.customer_id,
        coalesce(
            array_to_string(list_sort(list_distinct(list(h.product) filter (where h.product is not null))), ','), ''
        ) as products,
        coalesce(
            array_to_string(list_sort(list_distinct(list(h.system) filter (where h.system is not null))), ','), ''
        ) as systems,
        count(distinct h.product)::integer as n_products,
        coalesce(bool_or(h.system = 'deposit'), false) as has_deposit,
        coalesce(bool_or(h.system = 'card'), false) as has_card,
        coalesce(bool_or(h.product = 'CREDIT'), false) as has_credit_card,
        coalesce(bool_or(h.system = 'loan'), false) as has_loan,
        coalesce(bool_or(h.system = 'fx'), false) as has_fx
    from customers as c
    left join held_now as h using (customer_id)
    group by c.customer_id
),

holding as (
    select * from holding_carried
    union all by name
    select * from computed
)

select
    $as_of::date as as_of_date,
    h.*,
    t.next_product,
    t.next_product_rate
from holding as h
left join marts.product_transition as t on t.fitted_on = $fitted_on and t.product_set = h.products;
