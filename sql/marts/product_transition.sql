-- The next product per product set, learned from the whole history up to as_of (population figures,
-- refitted weekly like the lifetime value's parameters, models/value.py): each time a customer took a
-- product (an account opening, or the first FX deal), the set of products it held just before; per set,
-- the product most often taken next and its share of the moves out of the set. Into
-- marts.product_transition, replacing fitted_on = as_of. Needs temp table account_customer.
create schema if not exists marts;

create or replace temp table transition_tonight as
with acct as (
    select
        customer_id,
        product,
        open_date,
        end_date
    from account_customer
    where open_date <= $as_of and product is not null
),

fx as (
    select
        m.customer_id,
        d.trade_date
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.trade_date <= $as_of
),

opens as (
    select
        customer_id,
        product,
        open_date as t
    from acct
    union
    select
        customer_id,
        'FX',
        min(trade_date)
    from fx
    group by customer_id
),

held_before as (
    select
        o.customer_id,
        o.t,
        a.product
    from opens as o
    join acct as a
        on a.customer_id = o.customer_id and a.open_date < o.t and (a.end_date is null or a.end_date >= o.t)
    union
    select
        o.customer_id,
        o.t,
        'FX'
    from opens as o
    join fx as f on f.customer_id = o.customer_id and f.trade_date < o.t and f.trade_date > o.t - 365
),

sets_before as (
    select
        customer_id,
        t,
        array_to_string(list_sort(list_distinct(list(product))), ',') as product_set
    from held_before
    group by customer_id, t
),

taken as (
    select distinct
        o.customer_id,
        o.t,
        o.product,
        coalesce(s.product_set, '') as product_set
    from opens as o
    left join sets_before as s using (customer_id, t)
    where not list_contains(string_split(coalesce(s.product_set, ''), ','), o.product)
),

transitions as (
    select
        product_set,
        product,
        count(*) as n,
        count(*) / sum(count(*)) over (partition by product_set) as rate
    from taken
    group by product_set, product
)

select
    $as_of::date as fitted_on,
    product_set,
    product as next_product,
    rate as next_product_rate
from transitions
qualify row_number() over (partition by product_set order by n desc, product) = 1;

create table if not exists marts.product_transition as select * from transition_tonight limit 0;
