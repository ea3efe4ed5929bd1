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

-- Current-account balances now, one and three months ago: saving up shows here before a savings product or a
-- mortgage (the all-deposit trend of the churn features dilutes it with time deposits).
current_at as (
    select
        customer_id,
        k,
        sum(balance_cny) as balance
    from (
        -- each account's latest balance on or before each point (an aggregate, not a window: no sort)
        select
            a.customer_id,
            p.k,
            arg_max(b.balance, b.balance_date) * coalesce(any_value(c.cny_per_unit), 1) as balance_cny
        from (values (0, $as_of::date), (1, $as_of::date - 30), (3, $as_of::date - 91)) as p (k, at_date)
        join account_customer as a
            on
                a.product = 'CURRENT' and a.open_date <= p.at_date
                and (a.end_date is null or a.end_date > p.at_date)
        join staging.deposit_balance as b on b.acct_no = a.account_key and b.balance_date <= p.at_date
        left join (values ('CNY', 1.0), ('USD', 7.10), ('EUR', 7.70), ('HKD', 0.91), ('JPY', 0.047), ('GBP', 9.00))
            as c (currency, cny_per_unit)
            on c.currency = a.currency
        where a.system = 'deposit'
        group by a.customer_id, p.k, b.acct_no
    )
    group by all
),

current_trend as (
    select
        customer_id,
        sum(balance) filter (where k = 0) as current_balance,
        ln(
            (coalesce(sum(balance) filter (where k = 0), 0) + 100)
            / (coalesce(sum(balance) filter (where k = 3), 0) + 100)
        ) as current_trend_3m,
        ln(
            (coalesce(sum(balance) filter (where k = 0), 0) + 100)
            / (coalesce(sum(balance) filter (where k = 1), 0) + 100)
        ) as current_trend_1m
    from current_at
    group by customer_id
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
    coalesce(any_value(t.current_balance), 0) as current_balance,
    coalesce(any_value(t.current_trend_3m), 0) as current_trend_3m,
    coalesce(any_value(t.current_trend_1m), 0) as current_trend_1m,
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
group by h.customer_id
-- a fixed order: the training snapshots sample customers by position, so the sample is the same each run
order by h.customer_id
