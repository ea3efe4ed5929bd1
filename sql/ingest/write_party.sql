-- Merge tonight's party snapshot: latest delivery wins, first_seen kept, last_seen = tonight.
-- Records missing from tonight's snapshot keep their row and their old last_seen.
create or replace temp table party_tonight as
select
    n.*,
    least(coalesce(p.first_seen, $business_date::date), $business_date::date) as first_seen,
    $business_date::date as last_seen
from new_party as n
left join staging.party as p on p.system = n.system and p.source_key = n.source_key
where p.last_seen is null or p.last_seen <= $business_date::date;

delete from staging.party p
where exists (
    select 1 from party_tonight as t
    where t.system = p.system and t.source_key = p.source_key
);

insert into staging.party by name select * from party_tonight;
