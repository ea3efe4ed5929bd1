-- Clean rows of the current file -> this delivery's new_card_txn (written to staging.card_txn by models/ingest/load.py).
insert into new_card_txn by name
select * exclude (__line, __errors, __raw, __resent) from parsed where len(__errors) = 0 and not __resent;
