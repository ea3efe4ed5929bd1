-- Clean rows of the current file -> this delivery's new_party (written to staging.party in write_party).
insert into new_party by name
select * exclude (__line, __errors, __nulled, __raw, __resent) from parsed where len(__errors) = 0 and not __resent;
