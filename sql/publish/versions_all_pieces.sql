-- Every published date's rows as pieces [date, next published date): merged, they are the versions of a
-- whole rebuild (the first night, a changed layout, a new hashing key).
create or replace temp table version_piece as
with dates as (
    select
        as_of_date,
        lead(as_of_date) over (order by as_of_date) as next_date
    from ${dates}
)

select
    ${cols},
    r.as_of_date as valid_from,
    d.next_date as valid_to
from ${rows} as r
inner join dates as d on r.as_of_date = d.as_of_date;
