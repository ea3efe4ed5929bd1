-- The last month-end judged on night as_of.
select max(month) as last_month from marts.contribution_monthly
where month <= $as_of
