-- Mark a business date published (after its analyst file was swapped in); a rerun replaces its row.
delete from marts.publication where as_of_date = $as_of;
insert into marts.publication values ($as_of, current_timestamp, $run_id);
