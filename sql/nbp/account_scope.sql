-- Narrows temp table account_customer to the customers re-scored as of $computed_as_of (temp table
-- nbp_dates): sql/nbp/holdings.sql then reads only their accounts and balances.
create or replace temp table account_customer as
select a.*
from account_customer as a
where a.customer_id in (
    select customer_id from nbp_dates
    where not carried and computed_as_of = $computed_as_of
);
