-- Clean rows of the current file -> this delivery's new_deposit_balance (written to staging.deposit_balance by models/ingest/load.py).
insert into new_deposit_balance by name
select * exclude (__line, __errors, __raw, __resent) from parsed where len(__errors) = 0 and not __resent;
