-- Merge tonight's account snapshot: latest delivery wins, first_seen kept, last_seen = tonight,
-- changed_on = tonight when the account is new or any of its fields differs from the stored row.
create or replace temp table account_tonight as
select
    n.*,
    least(coalesce(a.first_seen, $business_date::date), $business_date::date) as first_seen,
    $business_date::date as last_seen,
    case
        when
            a.account_key is null
            or (row(
                n.source_key, n.product, n.currency, n.card_level, n.credit_limit, n.principal, n.annual_rate,
                n.open_date, n.maturity_date, n.close_date, n.status
            )
            is distinct from row(
                a.source_key, a.product, a.currency, a.card_level, a.credit_limit, a.principal,
                a.annual_rate, a.open_date, a.maturity_date, a.close_date, a.status
            ))
            then $business_date::date
        else coalesce(a.changed_on, a.first_seen)
    end as changed_on
from new_account as n
left join staging.account as a on a.system = n.system and a.account_key = n.account_key
where a.last_seen is null or a.last_seen <= $business_date::date;

delete from staging.account a
where exists (
    select 1 from account_tonight as t
    where t.system = a.system and t.account_key = a.account_key
);

insert into staging.account by name select * from account_tonight;
