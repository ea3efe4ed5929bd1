-- The last night before as_of with lifetime values.
select max(as_of_date) from marts.lifetime_value_history
where as_of_date < $as_of
