-- Every address with its city and the city's script-free key; `city` is shown in the population's
-- most common Chinese spelling of that key, so an English-only address still names 上海市.
create or replace temp table golden_city_keys as
with keyed as (
    select
        a.address,
        a.city,
        k.city_key
    from golden_address_city as a
    join golden_city_key_map as k using (city)
),

spelling as (
    select
        city_key,
        first(city order by regexp_matches(city, '[\x{3400}-\x{9fff}]') desc, n desc, city) as shown
    from (select
        city_key,
        city,
        count(*) as n
    from keyed
    group by all)
    group by city_key
),

final as (
    select
        keyed.address,
        spelling.shown as city,
        keyed.city_key
    from keyed
    join spelling using (city_key)
)

select * from final;
