-- The population the BTYD parameters are fitted on: every customer of tonight's map as of as_of
-- (temp table ltv_todo, read by sql/marts/btyd_summary.sql).
create or replace temp table ltv_todo as select distinct
    customer_id,
    $as_of::date as computed_as_of
from identity.customer_map;
