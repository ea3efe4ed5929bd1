-- Activity ids of one system's delivery that staging holds more than once (any delivery): each would
-- count twice downstream. Blocking (quality/checks.py); only tonight's keys are looked up.
select target, key, keys_counted_twice from (
    select 'card_txn' as target, 'txn_id' as key, count(*) as keys_counted_twice
    from (
        select s.txn_id from staging.card_txn s
        where $system = 'card'
          and exists (select 1 from staging.card_txn n where n.delivery_date = $business_date and n.txn_id = s.txn_id)
        group by all having count(*) > 1
    )
    union all
    select 'fx_deal' as target, 'deal_id' as key, count(*) as keys_counted_twice
    from (
        select s.deal_id from staging.fx_deal s
        where $system = 'fx'
          and exists (select 1 from staging.fx_deal n where n.delivery_date = $business_date and n.deal_id = s.deal_id)
        group by all having count(*) > 1
    )
    union all
    select 'deposit_balance' as target, 'acct_no+balance_date' as key, count(*) as keys_counted_twice
    from (
        select s.acct_no, s.balance_date from staging.deposit_balance s
        where $system = 'deposit'
          and exists (select 1 from staging.deposit_balance n where n.delivery_date = $business_date and n.acct_no = s.acct_no and n.balance_date = s.balance_date)
        group by all having count(*) > 1
    )
    union all
    select 'loan_balance' as target, 'contract_no+as_of' as key, count(*) as keys_counted_twice
    from (
        select s.contract_no, s.as_of from staging.loan_balance s
        where $system = 'loan'
          and exists (select 1 from staging.loan_balance n where n.delivery_date = $business_date and n.contract_no = s.contract_no and n.as_of = s.as_of)
        group by all having count(*) > 1
    )
) where keys_counted_twice > 0
