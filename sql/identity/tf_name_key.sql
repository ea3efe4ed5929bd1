-- Term frequency of each pinyin name key over all records (common names weigh less when they agree).
with std as (
    select name_key from identity.party_std
    where name_key is not null
),

final as (
    select
        name_key,
        count(*) / sum(count(*)) over () as tf_name_key
    from std
    group by name_key
)

select * from final
