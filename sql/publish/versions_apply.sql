-- Swap the touched versions for the merged ones (one key's versions never overlap).
delete from ${versions}
where rowid in (select stored_row from version_touched);

insert into ${versions} by name
select * from version_merged;
