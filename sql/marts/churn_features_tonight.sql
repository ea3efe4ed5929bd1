-- Tonight's churn feature rows and those in the scored population, for the step's metadata.
select
    count(*) as customers,
    count(*) filter (where in_population) as in_population
from marts.churn_features
where as_of_date = $as_of
