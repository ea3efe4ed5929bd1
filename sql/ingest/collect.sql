-- Clean rows of the current snapshot file -> this delivery's ${new_rows} (new_party, new_account), written to
-- staging by models/ingest/load.py. Columns named __* are the parse's bookkeeping, not data.
insert into ${new_rows} by name
select columns(lambda c: not starts_with(c, '__')) from parsed
where len(__errors) = 0 and not __resent;
