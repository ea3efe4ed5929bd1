-- Term frequency of each postcode over all records (a shared postcode of a big town weighs less).
with std as (
    select postcode from identity.party_std
    where postcode is not null
),

final as (
    select
        postcode,
        count(*) / sum(count(*)) over () as tf_postcode
    from std
    group by postcode
)

select * from final
