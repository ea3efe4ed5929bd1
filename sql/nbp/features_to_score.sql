-- The churn features of tonight's customers to re-score (temp table nbp_dates, not carried): the churn step
-- already computed them as of each customer's computed_as_of, so they are read, not recomputed.
select f.*
from marts.churn_features as f
inner join nbp_dates as d on d.customer_id = f.customer_id and not d.carried
where f.as_of_date = $as_of
order by f.customer_id
