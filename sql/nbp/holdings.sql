-- Products each customer holds at as_of (accounts opened by then and not closed by then; FX: a deal
-- in the 365 days up to it) and the customer's age: point-in-time inputs of the next-best-product model.
-- Needs temp table account_customer (sql/marts/account_customer.sql). A close date after as_of is unknown
-- on as_of, so only close dates on or before it count.
with acct as (
    select
        customer_id,
        product
    from account_customer
    where
        open_date <= $as_of and product is not null
        and (end_date is null or end_date > $as_of)
),

fx as (
    select distinct
        m.customer_id,
        'FX' as product
    from staging.fx_deal as d
    join identity.customer_map as m on m.system = 'fx' and m.source_key = d.client_ref
    where d.trade_date <= $as_of and d.trade_date > $as_of::date - 365
),

-- The best card held and its credit limit: a bank-assigned level that follows income (the wealthy take
-- savings and FX, the young credit and car loans). Card fields are static in the account snapshot.
cards as (
    select
        customer_id,
        max(case card_level when 'DIAMOND' then 3 when 'PLATINUM' then 2 when 'GOLD' then 1 else 0 end) as card_level,
        max(coalesce(credit_limit, 0)) as credit_limit
    from account_customer as a
    join staging.account as s on s.system = 'card' and s.account_key = a.account_key
    where a.system = 'card' and a.open_date <= $as_of and (a.end_date is null or a.end_date > $as_of)
    group by customer_id
),

-- Current-account accounts of these customers, once: the balance points below are looked up per account.
current_acct as (
    select
        customer_id,
        account_key,
        currency,
        open_date,
        end_date
    from account_customer
    where system = 'deposit' and product = 'CURRENT' and open_date <= $as_of
),

-- The points the current-account balance is read at: now, 30 and 91 days ago (k 0, 1, 3) and the last 13
-- month-ends (m 0-12; m 0 is the last month-end on or before the date, the date itself at a month-end).
balance_points as (
    select
        k,
        at_date
    from (values (0, $as_of::date), (1, $as_of::date - 30), (3, $as_of::date - 91)) as p (k, at_date)
    union all
    select
        100 + m as k,
        last_day((date_trunc('month', $as_of::date + 1) - interval 1 day)::date - to_months(m)) as at_date
    from range(13) as r (m)
),

-- Each account's last balance on or before each point, for accounts open then: saving up shows here before a
-- savings product or a mortgage (the all-deposit trend of the churn features dilutes it with time deposits).
current_at as (
    select
        a.customer_id,
        a.k,
        sum(b.balance * coalesce(c.cny_per_unit, 1)) as balance
    from (
        select
            ca.*,
            p.k,
            p.at_date
        from current_acct as ca
        cross join balance_points as p
        where ca.open_date <= p.at_date and (ca.end_date is null or ca.end_date > p.at_date)
    ) as a
    asof join (
        select
            acct_no,
            balance_date,
            balance
        from staging.deposit_balance
        where balance_date <= $as_of and acct_no in (select account_key from current_acct)
    ) as b on b.acct_no = a.account_key and a.at_date >= b.balance_date
    left join (values ('CNY', 1.0), ('USD', 7.10), ('EUR', 7.70), ('HKD', 0.91), ('JPY', 0.047), ('GBP', 9.00))
        as c (currency, cny_per_unit)
        on c.currency = a.currency
    group by all
),

-- Trends against the customer's own past (log ratios, 100 CNY added so empty accounts stay finite): now against
-- 1, 3 and 6 months ago and against the mean of the last 12 month-ends, and the peak of the last three
-- month-ends (or now) against the 9 month-ends before them; a peak that has just moved into a new product
-- still shows in the last.
current_trend as (
    select
        customer_id,
        coalesce(sum(balance) filter (where k = 0), 0) as b_now,
        coalesce(sum(balance) filter (where k = 1), 0) as b_1m,
        coalesce(sum(balance) filter (where k = 3), 0) as b_3m,
        coalesce(sum(balance) filter (where k = 106), 0) as b_6m,
        coalesce(sum(balance) filter (where k between 101 and 112), 0) / 12 as b_mean_12m,
        greatest(
            b_now,
            coalesce(sum(balance) filter (where k = 100), 0),
            coalesce(sum(balance) filter (where k = 101), 0),
            coalesce(sum(balance) filter (where k = 102), 0)
        ) as b_peak_3m,
        coalesce(sum(balance) filter (where k between 103 and 112), 0) / 10 as b_mean_before
    from current_at
    group by customer_id
),

-- Card use in the last 30 and 90 days against the customer's own rate over the 9 months before (log ratios
-- of monthly counts, 1 added): spending picks up before a credit card or a consumer or car loan.
card_use as (
    select
        a.customer_id,
        count(*) filter (where t.txn_time >= $as_of::date - 29) as txns_30,
        count(*) filter (where t.txn_time >= $as_of::date - 299 and t.txn_time < $as_of::date - 29) as txns_31_300,
        count(*) filter (where t.txn_time >= $as_of::date - 89) as txns_90,
        count(*) filter (where t.txn_time < $as_of::date - 89) as txns_91_360
    from staging.card_txn as t
    join account_customer as a on a.system = 'card' and a.account_key = t.card_acct_id and a.open_date <= $as_of
    where
        t.txn_type in ('PURCHASE', 'CASH_ADVANCE')
        and t.txn_time >= $as_of::date - 359 and t.txn_time < $as_of::date + interval 1 day
    group by a.customer_id
),

held as (
    select
        customer_id,
        product
    from acct
    union
    select
        customer_id,
        product
    from fx
)

select
    h.customer_id,
    array_to_string(list_sort(list_distinct(list(h.product))), ',') as products,
    date_diff('year', any_value(g.birth_date), $as_of::date) as age_years,
    coalesce(any_value(t.b_now), 0) as current_balance,
    coalesce(ln((any_value(t.b_now) + 100) / (any_value(t.b_3m) + 100)), 0) as current_trend_3m,
    coalesce(ln((any_value(t.b_now) + 100) / (any_value(t.b_1m) + 100)), 0) as current_trend_1m,
    coalesce(ln((any_value(t.b_now) + 100) / (any_value(t.b_6m) + 100)), 0) as current_trend_6m,
    coalesce(ln((any_value(t.b_now) + 100) / (any_value(t.b_mean_12m) + 100)), 0) as current_vs_12m,
    coalesce(ln((any_value(t.b_peak_3m) + 100) / (any_value(t.b_mean_before) + 100)), 0) as current_peak_3m_vs_9m,
    coalesce(any_value(u.txns_30), 0) as card_txns_30d,
    coalesce(ln((any_value(u.txns_30) + 1) / (any_value(u.txns_31_300) / 9 + 1)), 0) as card_txns_30d_vs_9m,
    coalesce(ln((any_value(u.txns_90) / 3 + 1) / (any_value(u.txns_91_360) / 9 + 1)), 0) as card_txns_90d_vs_9m,
    -- party attributes as the golden record states them tonight (employment and nationality rarely change)
    (any_value(g.employer) = '退休')::integer as retired,
    (any_value(g.employer) is not null and any_value(g.employer) <> '退休')::integer as employed,
    (coalesce(any_value(g.nationality), 'CN') <> 'CN')::integer as foreign_national,
    coalesce(any_value(c.card_level), -1) as card_level,
    coalesce(any_value(c.credit_limit), 0) as credit_limit
from held as h
left join identity.customer_golden as g using (customer_id)
left join current_trend as t using (customer_id)
left join cards as c using (customer_id)
left join card_use as u using (customer_id)
group by h.customer_id
