-- tiers_at(window_end, top_share, gold_share): value tier of every customer with contribution in the
-- 12 months ending with the month of window_end (months > last_day(window_end - 12 months)).
-- LOW: 12-month contribution < 0. TOP: the top_share of profitable customers (contribution > 0) by
-- contribution; GOLD: the next gold_share; GENERAL: the rest (ties broken by customer_id).
create or replace temp macro tiers_at(window_end, top_share, gold_share) as table
    with window_sums as (
        select
            customer_id,
            sum(total_cny) as contribution_12m,
            sum(deposit_cny) as deposit_12m,
            sum(loan_cny) as loan_12m,
            sum(card_cny) as card_12m,
            sum(fx_cny) as fx_12m,
            sum(servicing_cny) as servicing_12m,
            count(*)::integer as months_observed
        from marts.contribution_monthly
        where month > last_day(window_end::date - interval 12 month) and month <= last_day(window_end::date)
        group by customer_id
    ),

    ranked as (
        select
            *,
            row_number() over (
                order by case when contribution_12m > 0 then 0 else 1 end, contribution_12m desc, customer_id
            ) as profit_rank,
            sum(case when contribution_12m > 0 then 1 else 0 end) over () as n_profitable,
            percent_rank() over (order by contribution_12m) as percentile
        from window_sums
    )

    select
        customer_id,
        case
            when contribution_12m < 0 then 'LOW'
            when
                contribution_12m > 0 and profit_rank <= greatest(1, ceil(round(top_share * n_profitable, 9)))
                then 'TOP'
            when
                contribution_12m > 0 and profit_rank <= ceil(round((top_share + gold_share) * n_profitable, 9))
                then 'GOLD'
            else 'GENERAL'
        end as tier,
        contribution_12m,
        deposit_12m,
        loan_12m,
        card_12m,
        fx_12m,
        servicing_12m,
        months_observed,
        percentile
    from ranked;
