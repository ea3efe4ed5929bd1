-- Reconciliation figures of the current card_txn file: per measure, the file's own figure (rows as the
-- CSV scan counted them; money sums from the all-VARCHAR read of the file, parsable values only) and
-- the parts of it quarantined and re-sent. check_reconciliation.sql adds what staging holds.
insert into new_file_totals
select $file, 'rows', $rows_read,
    (select count(*) from new_rejected where file = $file),
    (select count(*) from parsed where __resent)
union all
select $file, 'amount',
    (select sum(exact(num(v("amount")))) from raw_file),
    (select sum(exact(amount)) from parsed where len(__errors) > 0),
    (select sum(exact(amount)) from parsed where __resent);
