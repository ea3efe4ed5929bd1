-- Activity rows: a (re-)sent delivery replaces its date, it never doubles.
delete from staging.loan_balance where delivery_date = $business_date;
insert into staging.loan_balance by name select *, $business_date::date as delivery_date from new_loan_balance;
