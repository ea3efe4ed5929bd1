-- One output's status for a date.
select
    $as_of::date as as_of_date,
    $output::varchar as output,
    $status::varchar as status,
    $reason::varchar as reason
