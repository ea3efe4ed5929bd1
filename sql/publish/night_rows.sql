-- Tonight's rows of a history about to be published (temp table pub_rows).
select count(*) as night_rows from pub_rows
where as_of_date = $as_of
