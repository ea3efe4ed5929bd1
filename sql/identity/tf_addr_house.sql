-- Term frequency of each parsed house (city | district | street | number) over all records:
-- a building many share weighs less.
with std as (
    select addr_house from identity.party_std
    where addr_house is not null
),

final as (
    select
        addr_house,
        count(*) / sum(count(*)) over () as tf_addr_house
    from std
    group by addr_house
)

select * from final
