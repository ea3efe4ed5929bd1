-- The ten commonest product sets on as_of and the next product their holders most often take.
select
    products,
    count(*) as customers,
    any_value(next_product) as next_product,
    round(any_value(next_product_rate), 3) as rate
from marts.product_holding
where as_of_date = $as_of
group by products
order by customers desc
limit 10
