-- Tonight's version of crm.customer_lifecycle: each customer's stage at the last month-end on or before
-- as_of (stages are judged on whole months), with the stage a month earlier. Replaces as_of.
create or replace temp table lifecycle_latest as
with last_month as (
    select max(month) as month from marts.customer_lifecycle_monthly
),

runs as (
    -- a run: consecutive month-ends in one stage
    select
        customer_id,
        month,
        sum((stage is distinct from previous_stage)::integer) over (partition by customer_id order by month) as run
    from marts.customer_lifecycle_monthly
),

run_length as (
    select
        customer_id,
        month,
        count(*) over (partition by customer_id, run) as months_in_stage
    from runs
)

select
    $as_of::date as as_of_date,
    m.customer_id,
    m.month as month_end,
    m.stage,
    m.previous_stage,
    cur.months_in_stage::integer as months_in_stage,
    m.tenure_months,
    m.n_products,
    m.deposit_cny,
    m.activity_3m,
    m.contribution_3m_cny
from marts.customer_lifecycle_monthly as m
join last_month as l on m.month = l.month
join run_length as cur on cur.customer_id = m.customer_id and cur.month = m.month;

create table if not exists marts.customer_lifecycle_history as select * from lifecycle_latest limit 0;
