-- Tonight's standardised records of the incremental working set.
with std as (
    select * from identity.party_std
),

final as (
    select std.* from std semi join working_set using (uid)
)

select * from final
