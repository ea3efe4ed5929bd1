-- Activity rows: a (re-)sent delivery replaces its date, it never doubles.
delete from staging.card_txn where delivery_date = $business_date;
insert into staging.card_txn by name select *, $business_date::date as delivery_date from new_card_txn;
