-- Every candidate value per customer and field with its vote weight, support and backing evidence (the
-- rules are in golden.sql): a temp table, so the ordered picks over millions of rows can spill.
create or replace temp table golden_scored as
-- Not materialized: a CTE read several times is otherwise copied into memory; this one is a table.
with records as not materialized (
    select * from golden_records
),

cities as (
    select * from golden_city_keys
),

-- One row per record, field and candidate value.
votes as (
    select
        customer_id,
        source,
        weight,
        id_good,
        trust_rank,
        last_seen,
        'name' as field,
        name_cn as value,
        name_cn as vkey,
        0 as priority,
        name_key as skey
    from records
    where name_cn is not null
    union all
    select
        customer_id,
        source,
        weight,
        id_good,
        trust_rank,
        last_seen,
        'id_no',
        id_std,
        id_std,
        id_valid::int,
        null
    from records
    where id_std is not null
    union all
    select
        customer_id,
        source,
        weight,
        id_good,
        trust_rank,
        last_seen,
        'birth_date',
        birth_date::varchar,
        birth_date::varchar,
        0,
        null
    from records
    where birth_date is not null
    union all
    select
        customer_id,
        source,
        weight,
        true,
        trust_rank,
        last_seen,
        'birth_date',
        v,
        v,
        1,
        null
    from (select
        *,
        strftime(try_strptime(substr(id_std, 7, 8), '%Y%m%d'), '%Y-%m-%d') as v
    from records)
    where id_valid and length(id_std) = 18 and v is not null
    union all
    select
        customer_id,
        source,
        weight,
        id_good,
        trust_rank,
        last_seen,
        'gender',
        gender,
        gender,
        0,
        null
    from records
    where gender is not null
    union all
    select
        customer_id,
        source,
        weight,
        true,
        trust_rank,
        last_seen,
        'gender',
        case when try_cast(substr(id_std, 17, 1) as int) % 2 = 1 then 'M' else 'F' end,
        null,
        1,
        null
    from records
    where id_valid and length(id_std) = 18 and try_cast(substr(id_std, 17, 1) as int) is not null
    union all
    select
        customer_id,
        source,
        weight,
        id_good,
        trust_rank,
        last_seen,
        'city',
        cities.city,
        cities.city_key,
        0,
        null
    from records join cities on cities.address = records.address
    union all
    select
        customer_id,
        source,
        weight,
        id_good,
        trust_rank,
        last_seen,
        'province',
        addr_province,
        addr_province,
        0,
        null
    from records
    where addr_province is not null
    union all
    select
        customer_id,
        source,
        weight,
        id_good,
        trust_rank,
        last_seen,
        'district',
        addr_district,
        addr_district,
        0,
        null
    from records
    where addr_district is not null
),

tallied as (
    select
        customer_id,
        field,
        priority,
        coalesce(vkey, value) as vkey,
        -- arg_max / arg_min, not ordered first(): those buffer every row of a group and cannot spill.
        arg_max(value, weight) as value,
        round(sum(weight), 6) as weight,
        count(*) as support,
        bool_or(id_good) as id_backed,
        min(trust_rank) as trust_rank,
        max(last_seen) as last_seen,
        arg_min(source, { 'trust': trust_rank, 'age': date '2100-01-01' - last_seen, 'source': source }) as source,
        any_value(skey) as skey
    from votes
    group by all
),

-- Evidence beside the votes, for ties: the customer's Latin spellings of a name (anagram key, as
-- name_key) and the places their valid resident IDs were issued (region code, division table).
id_regions as (
    select distinct
        customer_id,
        substr(id_std, 1, 6) as region
    from records
    where id_valid and length(id_std) = 18
),

backing as (
    select
        customer_id,
        'name' as field,
        name_key as vkey
    from records
    where name_cn is null and name_key is not null
    union all
    select
        customer_id,
        'name',
        alias_key
    from records
    where alias_key is not null
    union all
    select
        customer_id,
        'name',
        array_to_string(list_sort(string_split(email_letters, '')), '')
    from records
    where length(email_letters) >= 4
    union all
    select
        i.customer_id,
        'province',
        g.province
    from id_regions as i join (select distinct
        left(region, 2) as r,
        province
    from golden_region) as g
        on g.r = left(i.region, 2)
    union all
    select
        i.customer_id,
        'city',
        g.city_key
    from id_regions as i join (select distinct
        left(region, 4) as r,
        city_key
    from golden_region) as g
        on g.r = left(i.region, 4)
    where g.city_key is not null
    union all
    select
        i.customer_id,
        'district',
        g.district
    from id_regions as i join golden_region as g on g.region = i.region
    where g.district is not null
),

backed as (
    select
        customer_id,
        field,
        vkey,
        count(*) as n
    from backing
    group by all
)

select
    t.*,
    coalesce(b.n, 0) as backed
from tallied as t
left join backed as b on b.customer_id = t.customer_id and b.field = t.field and b.vkey = coalesce(t.skey, t.vkey);
