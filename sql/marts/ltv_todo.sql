-- The customers whose lifetime value is computed tonight: tonight's dates less those carried from the
-- previous night (registered frame ltv_carried_ids).
create or replace temp table ltv_todo as
select * from ltv_dates
where customer_id not in (select customer_id from ltv_carried_ids);
