-- Tonight's commonest drivers with their figures masked ("deposit balance down #% in # months").
with tonight as (
    select
        driver_1,
        driver_2,
        driver_3
    from marts.churn_risk_history
    where as_of_date = $as_of
),

drivers as (
    select driver_1 as driver from tonight
    union all
    select driver_2 from tonight
    union all
    select driver_3 from tonight
)

select
    regexp_replace(driver, '[\d,.]+', '#', 'g') as masked,
    count(*) as customers
from drivers
where driver is not null
group by masked
order by customers desc, masked
limit 8
