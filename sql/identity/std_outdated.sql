-- Standardised rows written by an older version of the standardisation (they lack newer fields).
with std as (
    select std_version from identity.party_std
),

final as (
    select count(*) as outdated from std
    where std_version is distinct from $version
)

select * from final
