-- Per feature, tonight's mean, median and maximum over the scored population, for the step's metadata.
with tonight as (
    select columns(* exclude (as_of_date, customer_id, computed_as_of, in_population))::double
    from marts.churn_features
    where as_of_date = $as_of and in_population
),

long as (
    unpivot tonight on columns(*) into name feature value v
)

select
    feature,
    round(avg(v), 2) as mean,
    round(median(v), 2) as median,
    round(max(v), 2) as max
from long
group by feature
order by feature
