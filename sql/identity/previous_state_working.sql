-- Records of the incremental working set as they were last resolved, with their customer assignment.
with std as (
    select
        uid,
        system,
        source_key
    from identity.party_matched semi join working_set using (uid)
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
