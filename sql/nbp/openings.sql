-- Products each customer took in (as_of, horizon_end]: account openings, and FX for a first deal in
-- the window after none in the 365 days up to as_of. The label of the next-best-product model; the
-- caller keeps only products not held on as_of.
with opened as (
    select
        customer_id,
        product
    from account_customer
    where open_date > $as_of and open_date <= $horizon_end and product is not null
),

deals as (
    select
        m.customer_id,
        d.trade_date
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.trade_date > $as_of::date - 365 and d.trade_date <= $horizon_end
)

select distinct
    customer_id,
    product
from opened
union
select
    customer_id,
    'FX'
from deals
group by customer_id
having min(trade_date) > $as_of
