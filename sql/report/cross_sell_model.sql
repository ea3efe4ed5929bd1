-- The next-best-product model version that scored the report date: out-of-time hit rates and windows.
select
    model_version,
    trained_as_of,
    train_from,
    train_to,
    validate_from,
    validate_to,
    n_train,
    customers_taking,
    hit_rate_at_1,
    hit_rate_at_3,
    baseline_hit_rate_at_1,
    baseline_hit_rate_at_3,
    fit_seconds
from crm.next_best_product_model
where model_version = (
    select any_value(model_version) from crm.next_best_product_history
    where as_of_date = $as_of
)
