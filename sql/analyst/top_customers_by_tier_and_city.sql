-- Top 10 customers by 12-month profit contribution in each tier and city.
select
    c.city,
    v.tier,
    c.customer_id,
    c.name,
    c.systems,
    round(v.contribution_12m, 2) as contribution_12m_cny
from crm.value_tier as v
join crm.customer as c using (customer_id)
qualify row_number() over (partition by c.city, v.tier order by v.contribution_12m desc) <= 10
order by c.city nulls last, v.tier, contribution_12m_cny desc;
