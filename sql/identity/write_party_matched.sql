-- Remember which records were matched tonight and the fingerprint of their match fields then (raw_hash,
-- read by dirty_records): bookkeeping only, the fields themselves stay in party_std (a second copy of
-- every field cost a full night a third of its write).
delete from identity.party_matched
where uid in (select uid from matched_uids);

insert into identity.party_matched by name
select
    std.uid,
    std.system,
    std.source_key,
    std.raw_hash,
    std.std_on,
    std.std_version,
    std.golden_hash
from identity.party_std as std semi join matched_uids using (uid);
