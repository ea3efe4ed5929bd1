-- Where the next-best-product model of version model_version is saved.
select model_path from marts.next_best_product_model
where model_version = $model_version
