-- The bank's own new business, point in time: the customers known on t0 (a month-end), per segment of t0
-- (value band: their tier over the 12 months to t0; tenure band: months since their first account or FX
-- deal), with the contribution realised in each month k = 1..months after t0 from what they opened after
-- t0: accounts opened after t0, and FX for customers whose first deal came after t0. Contribution by the
-- rule of sql/marts/contribution_rule.sql. Needs temp tables account_customer and rule_*, and the macros
-- tiers_at (sql/marts/tier_macro.sql) and tenure_band (sql/marts/ltv_band_macro.sql).
with fx_customer as (
    select
        m.customer_id,
        d.trade_date,
        d.margin_cny
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.trade_date <= $window_end
),

fx_before as (
    select distinct customer_id from fx_customer
    where trade_date <= $t0
),

first_seen as (
    select
        customer_id,
        min(d) as first_date
    from (
        select
            customer_id,
            open_date as d
        from account_customer
        union all
        select
            customer_id,
            trade_date
        from fx_customer
    )
    where d <= $t0
    group by customer_id
),

known as (
    select
        t.customer_id,
        t.tier as value_band,
        tenure_band(date_diff('month', f.first_date, $t0::date)) as tenure_band
    from tiers_at($t0, $top_share, $gold_share) as t
    join first_seen as f using (customer_id)
),

months as (
    select
        k,
        last_day($t0::date + to_months(k))::date as month,
        date_trunc('month', $t0::date + to_months(k))::date as month_start
    from range(1, $months + 1) as r (k)
),

opened as (
    select a.*
    from account_customer as a
    join known as n using (customer_id)
    where a.open_date > $t0 and a.open_date <= $window_end
),

deposit_last as (
    select
        b.acct_no,
        b.balance_date,
        b.balance,
        b.interest_rate
    from staging.deposit_balance as b
    where
        b.balance_date > $t0 and b.balance_date <= $window_end
        and b.acct_no in (
            select account_key from opened
            where system = 'deposit'
        )
    qualify last_in_month(b.acct_no, b.balance_date)
),

deposit_month as (
    select
        a.customer_id,
        last_day(b.balance_date) as month,
        sum(deposit_cny(b.balance, c.cny_per_unit, a.currency, f.rate, b.interest_rate)) as new_cny
    from deposit_last as b
    join opened as a on a.system = 'deposit' and a.account_key = b.acct_no
    left join rule_ftp as f on f.product = a.product
    left join rule_ccy as c on c.currency = a.currency
    group by all
),

loan_last as (
    select
        l.contract_no,
        l.as_of,
        l.outstanding,
        l.days_past_due
    from staging.loan_balance as l
    where
        l.as_of > $t0 and l.as_of <= $window_end
        and l.contract_no in (
            select account_key from opened
            where system = 'loan'
        )
    qualify last_in_month(l.contract_no, l.as_of)
),

loan_month as (
    select
        a.customer_id,
        last_day(l.as_of) as month,
        sum(loan_cny(l.outstanding, a.annual_rate, p.pd, g.lgd)) as new_cny
    from loan_last as l
    join opened as a on a.system = 'loan' and a.account_key = l.contract_no
    asof join rule_pd as p on coalesce(l.days_past_due, 0) >= p.min_dpd
    left join rule_lgd as g on g.product = a.product
    group by all
),

-- A written-off contract books LGD x its last positive outstanding in that row's month.
write_off as (
    select
        a.customer_id,
        last_day(l.as_of) as month,
        sum(write_off_cny(l.outstanding, g.lgd)) as new_cny
    from (
        select
            contract_no,
            as_of,
            outstanding
        from staging.loan_balance
        where
            contract_no in (
                select account_key from opened
                where system = 'loan'
            ) and outstanding > 0
        qualify last_row(contract_no, as_of)
    ) as l
    join opened as a on a.system = 'loan' and a.account_key = l.contract_no
    left join rule_lgd as g on g.product = a.product
    where a.status = 'WRITTEN_OFF' and l.as_of <= $window_end
    group by all
),

card_month as (
    select
        a.customer_id,
        last_day(t.txn_time::date) as month,
        sum(card_cny(t.txn_type, t.amount)) as new_cny
    from staging.card_txn as t
    join opened as a on a.system = 'card' and a.account_key = t.card_acct_id
    where
        t.txn_time >= $t0::date + interval 1 day and t.txn_time < $window_end::date + interval 1 day
        and t.amount is not null
    group by all
),

fx_month as (
    select
        x.customer_id,
        last_day(x.trade_date) as month,
        sum(coalesce(x.margin_cny, 0)) as new_cny
    from fx_customer as x
    join known as n using (customer_id)
    where x.trade_date > $t0 and x.customer_id not in (select customer_id from fx_before)
    group by all
),

servicing_month as (
    select
        a.customer_id,
        m.month,
        servicing_cny(count(*)) as new_cny
    from opened as a
    join months as m on a.open_date <= m.month and (a.end_date is null or a.end_date >= m.month_start)
    group by all
),

new_business as (
    select
        customer_id,
        month,
        new_cny
    from deposit_month
    union all
    select
        customer_id,
        month,
        new_cny
    from loan_month
    union all
    select
        customer_id,
        month,
        new_cny
    from write_off
    union all
    select
        customer_id,
        month,
        new_cny
    from card_month
    union all
    select
        customer_id,
        month,
        new_cny
    from fx_month
    union all
    select
        customer_id,
        month,
        new_cny
    from servicing_month
),

segment_month as (
    select
        n.value_band,
        n.tenure_band,
        b.month,
        sum(b.new_cny) as new_cny
    from new_business as b
    join known as n using (customer_id)
    group by all
),

segments as (
    select
        value_band,
        tenure_band,
        count(*) as customers
    from known
    group by all
)

select
    s.value_band,
    s.tenure_band,
    s.customers,
    m.k,
    coalesce(g.new_cny, 0) as new_cny
from segments as s
cross join months as m
left join segment_month as g on g.value_band = s.value_band and g.tenure_band = s.tenure_band and g.month = m.month
order by s.value_band, s.tenure_band, m.k
