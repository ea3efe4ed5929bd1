-- Clean rows of the current file -> this delivery's new_loan_balance (written to staging.loan_balance by models/ingest/load.py).
insert into new_loan_balance by name
select * exclude (__line, __errors, __raw, __resent) from parsed where len(__errors) = 0 and not __resent;
