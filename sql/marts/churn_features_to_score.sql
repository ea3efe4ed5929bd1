-- Tonight's features of the scored population that have no score row tonight yet (the carried ones were
-- copied first, sql/marts/churn_risk_carry.sql): the only rows a night reads, scores and explains.
select f.*
from marts.churn_features as f
where
    f.as_of_date = $as_of and f.in_population
    and not exists (
        select 1 from marts.churn_risk_history as r
        where r.as_of_date = $as_of and r.customer_id = f.customer_id
    )
order by f.customer_id
