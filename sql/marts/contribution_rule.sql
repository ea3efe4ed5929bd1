-- The profit-contribution rule, written once (constants from models/contribution_rules.py): its per-product
-- constants as temp tables rule_*, its scalars as variables, its per-row formulas as macros. Read by
-- contribution_monthly.sql (realised contribution), ltv_new_business_fit.sql (new business), ltv_loans.sql
-- and btyd_summary.sql (lifetime value) and lifecycle/monthly.sql (month-end balances).
create or replace temp table rule_ftp as
select
    unnest($ftp_product)::varchar as product,
    unnest($ftp_rate)::double as rate;

create or replace temp table rule_pd as
select
    unnest($pd_min_dpd)::integer as min_dpd,
    unnest($pd_rate)::double as pd;

create or replace temp table rule_lgd as
select
    unnest($lgd_product)::varchar as product,
    unnest($lgd_rate)::double as lgd;

create or replace temp table rule_ccy as
select
    unnest($ccy_currency)::varchar as currency,
    unnest($ccy_cny_per_unit)::double as cny_per_unit;

set variable ftp_foreign = $ftp_foreign::double;
set variable cost_of_funds = $cost_of_funds::double;
set variable lgd_default = $lgd_default::double;
set variable interchange_rate = $interchange_rate::double;
set variable cash_advance_fee_rate = $cash_advance_fee_rate::double;
set variable servicing_cost = $servicing_cost::double;

-- A balance counts once a month: an account's last row of each month (rows where this is true).
create or replace temp macro last_in_month(account, day) as
row_number() over (partition by account, last_day(day) order by day desc) = 1;

-- A written-off contract's last row (its last positive outstanding, when rows are those above zero).
create or replace temp macro last_row(account, day) as
row_number() over (partition by account order by day desc) = 1;

-- Loss given default of a loan product (the highest when the product has none).
create or replace temp macro loan_lgd(lgd) as coalesce(lgd, getvariable('lgd_default'));

-- A deposit's month from its last balance row: the FTP credit (its product's rate in CNY, the flat
-- foreign rate otherwise) less the interest paid, on the balance in CNY.
create or replace temp macro deposit_cny(balance, cny_per_unit, currency, ftp_rate, interest_rate) as
coalesce(balance, 0) * coalesce(cny_per_unit, 1)
* (
    case when currency = 'CNY' then coalesce(ftp_rate, getvariable('ftp_foreign')) else getvariable('ftp_foreign') end
    - coalesce(interest_rate, 0) / 100
) / 12;

-- A loan's month from its last balance row: interest margin over the cost of funds less expected loss
-- (PD of its days-past-due bucket x LGD).
create or replace temp macro loan_cny(outstanding, annual_rate, pd, lgd) as
coalesce(outstanding, 0) * (coalesce(annual_rate, 0) / 100 - getvariable('cost_of_funds')) / 12
- coalesce(outstanding, 0) * pd * loan_lgd(lgd) / 12;

-- The same margin per CNY outstanding, for a forecast month.
create or replace temp macro loan_margin_monthly(annual_rate, pd, lgd) as
(coalesce(annual_rate, 0) / 100 - getvariable('cost_of_funds') - pd * loan_lgd(lgd)) / 12;

-- A written-off contract books the realised loss: LGD x its last positive outstanding.
create or replace temp macro write_off_cny(outstanding, lgd) as -(outstanding * loan_lgd(lgd));

-- A card transaction's income: interchange on purchases (returned on refunds), a fee share on cash
-- advances, fees and interest as booked.
create or replace temp macro card_cny(txn_type, amount) as case txn_type
    when 'PURCHASE' then amount * getvariable('interchange_rate')
    when 'REFUND' then -amount * getvariable('interchange_rate')
    when 'CASH_ADVANCE' then amount * getvariable('cash_advance_fee_rate')
    when 'FEE' then amount
    when 'INTEREST' then amount
    else 0
end;

-- Servicing cost of the accounts open in a month.
create or replace temp macro servicing_cny(accounts) as -getvariable('servicing_cost') * accounts;
