-- A history as analysts know it: every published date with the versions valid on it.
create or replace view ${history} as
select
    p.as_of_date,
    ${cols}
from crm.publication as p
inner join ${versions} as v
    on v.valid_from <= p.as_of_date and (v.valid_to is null or v.valid_to > p.as_of_date);
