-- Tonight's carried propensities: last night's rows of the customers of temp table nbp_dates marked
-- carried, re-dated and copied table to table (never read into Python); computed_as_of keeps their date.
insert into marts.next_best_product_history by name
select n.* replace ($as_of::date as as_of_date)
from marts.next_best_product_history as n
inner join nbp_dates as d on d.customer_id = n.customer_id and d.carried
where n.as_of_date = $previous and n.model_version = $model_version
