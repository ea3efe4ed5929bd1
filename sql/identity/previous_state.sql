-- Records as they were last resolved, joined to their customer assignment. ${party_matched}:
-- identity.party_matched, or the working set's view of it (sql/identity/working_records.sql).
with std as (
    select
        uid,
        system,
        source_key
    from ${party_matched}
),

map as (
    select * from identity.customer_map
),

final as (
    select
        std.uid,
        map.customer_id,
        map.match_rule,
        map.match_probability,
        map.assigned_on
    from std
    left join map
        on map.system = std.system and map.source_key = std.source_key
)

select * from final
