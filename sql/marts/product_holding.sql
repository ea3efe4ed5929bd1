-- Products each customer holds on as_of and the product customers with the same product set most often
-- took next. Needs temp table account_customer. Products: the account product codes (CURRENT, TIME,
-- NOTICE, DEBIT, CREDIT, MORTGAGE, AUTO, CONSUMER, BUSINESS) and FX (a deal in the last 365 days).
create schema if not exists marts;

create or replace temp table holding_tonight as
with acct as (
    select customer_id, system, product, open_date, end_date
    from account_customer
    where open_date <= $as_of and product is not null
),

fx as (
    select m.customer_id, d.trade_date
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.trade_date <= $as_of
),

-- Every time a customer took a product: each account opening, and the first FX deal.
opens as (
    select customer_id, product, open_date as t from acct
    union
    select customer_id, 'FX', min(trade_date) from fx group by customer_id
),

held_before as (
    select o.customer_id, o.t, a.product
    from opens as o
    join acct as a
        on a.customer_id = o.customer_id and a.open_date < o.t and (a.end_date is null or a.end_date >= o.t)
    union
    select o.customer_id, o.t, 'FX'
    from opens as o
    join fx as f on f.customer_id = o.customer_id and f.trade_date < o.t and f.trade_date > o.t - 365
),

sets_before as (
    select customer_id, t, array_to_string(list_sort(list_distinct(list(product))), ',') as product_set
    from held_before
    group by customer_id, t
),

taken as (
    select distinct o.customer_id, o.t, o.product, coalesce(s.product_set, '') as product_set
    from opens as o
    left join sets_before as s using (customer_id, t)
    where not list_contains(string_split(coalesce(s.product_set, ''), ','), o.product)
),

transitions as (
    select product_set, product, count(*) as n, count(*) / sum(count(*)) over (partition by product_set) as rate
    from taken
    group by product_set, product
),

held_now as (
    select customer_id, system, product from acct where end_date is null or end_date > $as_of
    union
    select customer_id, 'fx', 'FX' from fx where trade_date > $as_of::date - 365
),

customers as (select distinct customer_id from identity.customer_map),

holding as (
    select
        c.customer_id,
        coalesce(array_to_string(list_sort(list_distinct(list(h.product) filter (where h.product is not null))), ','), '') as products,
        coalesce(array_to_string(list_sort(list_distinct(list(h.system) filter (where h.system is not null))), ','), '') as systems,
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

best_next as (
    select product_set, product as next_product, rate as next_product_rate
    from transitions
    qualify row_number() over (partition by product_set order by n desc, product) = 1
)

select $as_of::date as as_of_date, h.*, b.next_product, b.next_product_rate
from holding as h
left join best_next as b on b.product_set = h.products;

create table if not exists marts.product_holding as select * from holding_tonight limit 0;
delete from marts.product_holding where as_of_date = $as_of;
insert into marts.product_holding by name select * from holding_tonight;

comment on table marts.product_holding is 'Products held and next likely product per customer for every business date.';
comment on column marts.product_holding.as_of_date is 'Business date of this version.';
comment on column marts.product_holding.customer_id is 'Resolved customer.';
comment on column marts.product_holding.products is 'Comma-separated products held on the date: account products (CURRENT, TIME, NOTICE, DEBIT, CREDIT, MORTGAGE, AUTO, CONSUMER, BUSINESS) and FX (a deal in the last 365 days).';
comment on column marts.product_holding.systems is 'Comma-separated source systems in which the customer holds a product.';
comment on column marts.product_holding.n_products is 'Number of distinct products held.';
comment on column marts.product_holding.has_deposit is 'Holds an open deposit account.';
comment on column marts.product_holding.has_card is 'Holds an open card (debit or credit).';
comment on column marts.product_holding.has_credit_card is 'Holds an open credit card.';
comment on column marts.product_holding.has_loan is 'Holds an open loan.';
comment on column marts.product_holding.has_fx is 'Dealt FX in the last 365 days.';
comment on column marts.product_holding.next_product is 'Product (not held) most often taken next, in the history, by customers holding exactly this product set.';
comment on column marts.product_holding.next_product_rate is 'Share of the moves out of this product set that went to next_product.';
