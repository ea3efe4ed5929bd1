-- v() of sql/ingest/macros.sql for a file in which no value starts or ends with whitespace
-- (models/ingest/scan.py _EdgeSpace): the trim test costs more than the rest of the parse.
create or replace temp macro v(x) as x;
