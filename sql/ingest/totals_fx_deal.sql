-- Reconciliation figures of the current fx_deal file: per measure, the file's own figure (rows as the
-- CSV scan counted them; money sums from the all-VARCHAR read of the file, parsable values only) and
-- the parts of it quarantined and re-sent. check_reconciliation.sql adds what staging holds.
insert into new_file_totals
select $file, 'rows', $rows_read,
    (select count(*) from new_rejected where file = $file),
    (select count(*) from parsed where __resent)
union all
select $file, 'sell_amount',
    (select sum(exact(num(v("sell_amount")))) from raw_file),
    (select sum(exact(sell_amount)) from parsed where len(__errors) > 0),
    (select sum(exact(sell_amount)) from parsed where __resent)
union all
select $file, 'buy_amount',
    (select sum(exact(num(v("buy_amount")))) from raw_file),
    (select sum(exact(buy_amount)) from parsed where len(__errors) > 0),
    (select sum(exact(buy_amount)) from parsed where __resent)
union all
select $file, 'margin_cny',
    (select sum(exact(num(v("margin_cny")))) from raw_file),
    (select sum(exact(margin_cny)) from parsed where len(__errors) > 0),
    (select sum(exact(margin_cny)) from parsed where __resent);
