-- The (customer, computation date) pairs of tonight without a carried row: the only ones computed tonight.
select
    d.customer_id,
    d.computed_as_of as as_of_date
from feature_dates as d
where
    not exists (
        select 1 from marts.churn_features as f
        where f.as_of_date = $as_of and f.customer_id = d.customer_id
    )
order by d.customer_id
