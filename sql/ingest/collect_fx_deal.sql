-- Clean rows of the current file -> this delivery's new_fx_deal (written to staging.fx_deal by models/ingest/load.py).
insert into new_fx_deal by name
select * exclude (__line, __errors, __raw, __resent) from parsed where len(__errors) = 0 and not __resent;
