-- A history published as versions before, now rebuilt as a table: its view and its versions go.
drop view ${history};
drop table if exists ${versions};
