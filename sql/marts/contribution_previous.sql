-- The night marts.contribution_monthly was last computed for.
select max(as_of_date) from marts.contribution_state
