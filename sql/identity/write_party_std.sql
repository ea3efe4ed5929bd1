-- Replace the standardised rows of tonight's new and changed records; drop rows whose record is gone.
delete from identity.party_std
where uid in (select uid from new_party_std);

delete from identity.party_std as std
where not exists (
    select 1 from staging.party as p
    where p.system = std.system and p.source_key = std.source_key
);

insert into identity.party_std by name select * from new_party_std;
