-- The last three months of contribution by product family (the asset's preview).
select
    month,
    count(*) as customers,
    sum(deposit_cny) as deposit_cny,
    sum(loan_cny) as loan_cny,
    sum(card_cny) as card_cny,
    sum(fx_cny) as fx_cny,
    sum(servicing_cny) as servicing_cny,
    sum(total_cny) as total_cny
from marts.contribution_monthly
group by month
order by month desc
limit 3
