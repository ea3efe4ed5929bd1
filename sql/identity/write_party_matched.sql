-- Remember the match fields of the records matched tonight, as tonight's party_std has them.
delete from identity.party_matched
where uid in (select uid from matched_uids);

insert into identity.party_matched by name
select std.* from identity.party_std as std semi join matched_uids using (uid);
