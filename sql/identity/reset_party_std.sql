-- A full standardisation rebuilds every row.
delete from identity.party_std;
