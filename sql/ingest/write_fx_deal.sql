-- Activity rows: a (re-)sent delivery replaces its date, it never doubles.
delete from staging.fx_deal where delivery_date = $business_date;
insert into staging.fx_deal by name select *, $business_date::date as delivery_date from new_fx_deal;
