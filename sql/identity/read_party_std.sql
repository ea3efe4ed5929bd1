-- Tonight's standardised party records.
with std as (
    select * from identity.party_std
),

final as (
    select * from std
)

select * from final
