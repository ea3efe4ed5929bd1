-- Reconciliation figures of the current loan_balance file: per measure, the file's own figure (rows as the
-- CSV scan counted them; money sums from the all-VARCHAR read of the file, parsable values only) and
-- the parts of it quarantined and re-sent. check_reconciliation.sql adds what staging holds.
insert into new_file_totals
select $file, 'rows', $rows_read,
    (select count(*) from new_rejected where file = $file),
    (select count(*) from parsed where __resent)
union all
select $file, 'outstanding',
    (select sum(exact(num(v("outstanding")))) from raw_file),
    (select sum(exact(outstanding)) from parsed where len(__errors) > 0),
    (select sum(exact(outstanding)) from parsed where __resent)
union all
select $file, 'interest_accrued',
    (select sum(exact(num(v("interest_accrued")))) from raw_file),
    (select sum(exact(interest_accrued)) from parsed where len(__errors) > 0),
    (select sum(exact(interest_accrued)) from parsed where __resent);
