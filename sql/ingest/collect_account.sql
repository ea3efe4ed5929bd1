-- Clean rows of the current file -> this delivery's new_account (written to staging.account in write_account).
insert into new_account by name
select * exclude (__line, __errors, __raw, __resent) from parsed where len(__errors) = 0 and not __resent;
