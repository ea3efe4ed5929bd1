-- The night's contribution figures: the scope recomputed, the table's size and total, the last 3 months.
select
    (select count(*) from contribution_months) as months_recomputed,
    (select count(*) from contribution_customers) as customers_recomputed,
    count(*) as row_count,
    count(distinct customer_id) as customers,
    count(distinct month) as months,
    min(month) as first_month,
    max(month) as last_month,
    sum(total_cny) as total_cny
from marts.contribution_monthly
