-- The publication row of a business date (written after its analyst file was swapped in).
select
    $as_of::date as as_of_date,
    current_timestamp::timestamp as published_at,
    $run_id::varchar as run_id
