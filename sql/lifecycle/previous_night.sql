-- The night marts.customer_lifecycle_monthly was last updated for, if it is before as_of and judged the
-- same last month-end as tonight: its rows then stand for every customer whose inputs did not change
-- since. NULL (recompute everyone) after a month-end, or when rerunning or replaying an earlier date.
select max(s.as_of_date) as previous
from marts.customer_lifecycle_state as s
where
    s.as_of_date < $as_of
    and (select max(month) from marts.customer_lifecycle_monthly)
    = (
        select max(month) from marts.contribution_monthly
        where month <= $as_of
    )
