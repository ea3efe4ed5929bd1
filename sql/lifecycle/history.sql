-- Tonight's version of crm.customer_lifecycle: each customer's stage at the last month-end on or before
-- as_of (stages are judged on whole months), with the stage a month earlier. Replaces as_of.
-- The months in the current stage count the rows since the customer's latest change of stage (a row
-- whose stage differs from the month before's): two hash aggregates, where windows sorted every row.
create or replace temp table lifecycle_latest as
with last_month as (
    select max(month) as month from marts.customer_lifecycle_monthly
),

stage_start as (
    select
        customer_id,
        max(month) filter (where stage is distinct from previous_stage) as since
    from marts.customer_lifecycle_monthly
    group by customer_id
),

run_length as (
    select
        m.customer_id,
        count(*) as months_in_stage
    from marts.customer_lifecycle_monthly as m
    join stage_start as s on s.customer_id = m.customer_id and m.month >= s.since
    group by m.customer_id
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
join run_length as cur on cur.customer_id = m.customer_id;

create table if not exists marts.customer_lifecycle_history as select * from lifecycle_latest limit 0;
