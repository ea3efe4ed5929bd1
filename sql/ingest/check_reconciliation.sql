-- Reconciliation of one system's activity files (blocking check, quality/checks.py): per file and
-- measure (rows, each money column) the file's own figure from ingestion (ingest.file_totals), what
-- staging holds for the delivery now, and the parts quarantined and re-sent. file = staged +
-- quarantined + re-sent, exactly (DECIMAL sums).
with staged as (
    select 'card_txn.csv' as file, 'rows' as measure, count(*)::decimal(38, 6) as staged_value
    from staging.card_txn where delivery_date = $business_date and $system = 'card'
    union all
    select 'card_txn.csv', 'amount', sum(try_cast(amount as decimal(38, 6)))
    from staging.card_txn where delivery_date = $business_date and $system = 'card'
    union all
    select 'fx_deal.csv' as file, 'rows' as measure, count(*)::decimal(38, 6) as staged_value
    from staging.fx_deal where delivery_date = $business_date and $system = 'fx'
    union all
    select 'fx_deal.csv', 'sell_amount', sum(try_cast(sell_amount as decimal(38, 6)))
    from staging.fx_deal where delivery_date = $business_date and $system = 'fx'
    union all
    select 'fx_deal.csv', 'buy_amount', sum(try_cast(buy_amount as decimal(38, 6)))
    from staging.fx_deal where delivery_date = $business_date and $system = 'fx'
    union all
    select 'fx_deal.csv', 'margin_cny', sum(try_cast(margin_cny as decimal(38, 6)))
    from staging.fx_deal where delivery_date = $business_date and $system = 'fx'
    union all
    select 'deposit_balance.csv' as file, 'rows' as measure, count(*)::decimal(38, 6) as staged_value
    from staging.deposit_balance where delivery_date = $business_date and $system = 'deposit'
    union all
    select 'deposit_balance.csv', 'balance', sum(try_cast(balance as decimal(38, 6)))
    from staging.deposit_balance where delivery_date = $business_date and $system = 'deposit'
    union all
    select 'loan_balance.csv' as file, 'rows' as measure, count(*)::decimal(38, 6) as staged_value
    from staging.loan_balance where delivery_date = $business_date and $system = 'loan'
    union all
    select 'loan_balance.csv', 'outstanding', sum(try_cast(outstanding as decimal(38, 6)))
    from staging.loan_balance where delivery_date = $business_date and $system = 'loan'
    union all
    select 'loan_balance.csv', 'interest_accrued', sum(try_cast(interest_accrued as decimal(38, 6)))
    from staging.loan_balance where delivery_date = $business_date and $system = 'loan'
)
select t.file, t.measure, coalesce(t.file_value, 0) as file_value, coalesce(s.staged_value, 0) as staged_value,
    coalesce(t.quarantined_value, 0) as quarantined_value, coalesce(t.resent_value, 0) as resent_value
from ingest.file_totals t
left join staged s on s.file = t.file and s.measure = t.measure
where t.system = $system and t.business_date = $business_date
order by t.file, t.measure
