-- Customers, profit and expected lifetime value per combination of products held.
select
    p.products,
    count(*) as customers,
    round(sum(v.contribution_12m), 0) as contribution_12m_cny,
    round(avg(v.contribution_12m), 2) as avg_contribution_12m_cny,
    round(avg(l.expected_ltv_cny), 2) as avg_expected_ltv_cny
from crm.product_holding as p
join crm.value_tier as v using (customer_id)
join crm.lifetime_value as l using (customer_id)
group by p.products
order by contribution_12m_cny desc;
