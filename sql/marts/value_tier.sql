-- Tonight's tiers (window ending with the month of as_of) into marts.value_tier_history, replacing as_of.
create schema if not exists marts;

create or replace temp table tier_tonight as
select $as_of::date as as_of_date, * exclude (servicing_12m)
from tiers_at($as_of, $top_share, $gold_share);

create table if not exists marts.value_tier_history as select * from tier_tonight limit 0;

comment on table marts.value_tier_history is 'Value tier per customer for every business date: trailing 12-month profit contribution and the tier it gives.';
comment on column marts.value_tier_history.as_of_date is 'Business date of this version.';
comment on column marts.value_tier_history.customer_id is 'Resolved customer.';
comment on column marts.value_tier_history.tier is 'TOP (top 1% of profitable customers by 12-month contribution), GOLD (next 9%), GENERAL (the rest), LOW (contribution below zero: costs more than it brings). Shares as configured on the run.';
comment on column marts.value_tier_history.contribution_12m is 'Profit contribution (CNY) of the 12 months ending with the business date''s month (marts.contribution_monthly).';
comment on column marts.value_tier_history.deposit_12m is 'Deposit spread part of contribution_12m (CNY).';
comment on column marts.value_tier_history.loan_12m is 'Loan margin net of expected and realised loss, part of contribution_12m (CNY).';
comment on column marts.value_tier_history.card_12m is 'Card income part of contribution_12m (CNY).';
comment on column marts.value_tier_history.fx_12m is 'FX spread part of contribution_12m (CNY).';
comment on column marts.value_tier_history.months_observed is 'Months of the window in which the customer had any contribution row (account open or activity).';
comment on column marts.value_tier_history.percentile is 'Percent rank of contribution_12m among all customers (0 lowest, 1 highest).';
