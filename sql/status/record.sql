-- Set one output's status for a date; a rerun of the date replaces it.
delete from marts.output_status where as_of_date = $as_of and output = $output;
insert into marts.output_status values ($as_of::date, $output, $status, $reason);
