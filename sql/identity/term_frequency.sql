-- Term frequency of each value of one match column over all records (a common name, the postcode of a big
-- town, a building many share: agreeing on it weighs less). ${col} is the column, ${tf_col} its tf_ name.
with std as (
    select ${col} from identity.party_std
    where ${col} is not null
),

final as (
    select
        ${col},
        count(*) / sum(count(*)) over () as ${tf_col}
    from std
    group by ${col}
)

select * from final
