-- An incremental night's records: the working set's rows of the standardised and the matched records,
-- read by read_party_std.sql and previous_state.sql in place of the whole tables.
create or replace temp view working_party_std as
select std.* from identity.party_std as std semi join working_set using (uid);

create or replace temp view working_party_matched as
select matched.* from identity.party_matched as matched semi join working_set using (uid);
