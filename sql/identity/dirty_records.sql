-- Records to match tonight: never matched, or their identity fields changed since they were matched
-- (party_matched keeps the fingerprint they had then).
with std as (
    select
        uid,
        system,
        source_key,
        raw_hash
    from identity.party_std
),

matched as (
    select
        uid,
        raw_hash
    from identity.party_matched
),

final as (
    select std.uid
    from std
    left join matched using (uid)
    -- party_matched and customer_map are written together: no matched row means no customer yet.
    where
        matched.uid is null
        or std.raw_hash is distinct from matched.raw_hash
)

select * from final
order by uid
