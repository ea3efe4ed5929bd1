-- The first published date after as_of in the analyst file being built (NULL: none).
select min(as_of_date) as next_date from pub.crm.publication
where as_of_date > $as_of
