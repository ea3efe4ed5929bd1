-- Merge tonight's account snapshot: latest delivery wins, first_seen kept, last_seen = tonight.
create or replace temp table account_tonight as
select
    n.*,
    least(coalesce(a.first_seen, $business_date::date), $business_date::date) as first_seen,
    $business_date::date as last_seen
from new_account n
left join staging.account a on a.system = n.system and a.account_key = n.account_key
where a.last_seen is null or a.last_seen <= $business_date::date;

delete from staging.account a
where exists (select 1 from account_tonight t where t.system = a.system and t.account_key = a.account_key);

insert into staging.account by name select * from account_tonight;
