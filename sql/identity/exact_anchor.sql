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

anchored as (
    select
        uid,
        case
            when in_rule then min(uid) over (partition by in_rule, id_std, name_key, birth_date)
            else uid
        end as anchor
    from records
),

-- Each member's place in its group by uid (1 = the anchor) and the group's size, computed here on two
-- columns: representatives.sql picks values by this integer rank instead of ranking wide rows by uid.
final as (
    select
        uid,
        anchor,
        row_number() over (partition by anchor order by uid) as rank_in_group,
        count(*) over (partition by anchor) as group_size
    from anchored
)

select * from final
