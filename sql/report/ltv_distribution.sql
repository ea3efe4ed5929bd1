-- Customers per lifetime-value band (CNY); bands widen by powers of ten.
with banded as (
    select
        case
            when expected_ltv_cny < 0 then '< 0'
            when expected_ltv_cny < 100 then '0-100'
            when expected_ltv_cny < 1000 then '100-1k'
            when expected_ltv_cny < 10000 then '1k-10k'
            when expected_ltv_cny < 100000 then '10k-100k'
            else '>= 100k'
        end as band,
        expected_ltv_cny
    from crm.lifetime_value_history
    where as_of_date = $as_of
)

select
    band,
    count(*) as customers,
    sum(expected_ltv_cny) as total_ltv
from banded
group by band
order by min(expected_ltv_cny)
