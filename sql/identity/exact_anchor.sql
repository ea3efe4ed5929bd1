-- uid -> anchor: the first uid of its exact-rule group (same valid resident ID, pinyin name key and
-- birth date); a record outside any group is its own anchor. Runs on DuckDB and Spark.
with records as (
    select
        uid,
        id_std,
        name_key,
        birth_date,
        coalesce(id_valid, false) and name_key is not null and birth_date is not null as in_rule
    from party_in
),

final as (
    select
        uid,
        case
            when in_rule then min(uid) over (partition by in_rule, id_std, name_key, birth_date)
            else uid
        end as anchor
    from records
)

select * from final
