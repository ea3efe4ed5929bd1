insert into marts.next_best_product_model values (
    $model_version, current_timestamp, $trained_as_of, $train_from, $train_to, $validate_from, $validate_to,
    $n_train, $customers_taking, $hit_rate_at_1, $hit_rate_at_3, $baseline_hit_rate_at_1, $baseline_hit_rate_at_3,
    $fit_seconds, $model_path
);
