-- The last published date before as_of in the analyst file being built (NULL: none).
select max(as_of_date) as previous_date from pub.crm.publication
where as_of_date < $as_of
