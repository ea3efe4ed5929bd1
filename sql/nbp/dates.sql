-- Tonight's next-best-product customers (the scored churn population of tonight's churn features) and the
-- date each one's propensities are computed as of: its churn features' computed_as_of, which moves when a
-- delivery changed the customer's inputs and at least weekly (sql/marts/churn_feature_dates.sql), so a full
-- recomputation computes every customer at the same date as the incremental night did.
-- carried: last night's rows still hold (same date, same model version, same product holding tonight as
-- last night): the same inputs give the same propensities. New customers, and every customer when
-- $previous is null (first or full night), are re-scored.
create or replace temp table nbp_dates as
with last_night as (
    select distinct
        customer_id,
        computed_as_of
    from marts.next_best_product_history
    where as_of_date = $previous and model_version = $model_version
)

select
    f.customer_id,
    f.computed_as_of::date as computed_as_of,
    (l.customer_id is not null and h1.products is not distinct from h0.products) as carried
from marts.churn_features as f
left join last_night as l on l.customer_id = f.customer_id and l.computed_as_of = f.computed_as_of
left join marts.product_holding as h1 on h1.as_of_date = $as_of and h1.customer_id = f.customer_id
left join marts.product_holding as h0 on h0.as_of_date = $previous and h0.customer_id = f.customer_id
where f.as_of_date = $as_of and f.in_population;
