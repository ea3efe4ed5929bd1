-- Replace the standardised rows of tonight's new and changed records; drop rows whose record is gone.
delete from identity.party_std where uid in (select uid from new_party_std);

delete from identity.party_std where uid not in (select system || ':' || source_key from staging.party);

insert into identity.party_std by name select * from new_party_std;
