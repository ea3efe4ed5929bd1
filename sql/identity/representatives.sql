-- One row per exact-rule group (uid = anchor) with each field's first non-null value by uid: pairs
-- inside a group are already decided, so only groups are compared. Runs on DuckDB and Spark.
with grouped as (
    select
        p.*,
        a.anchor,
        a.rank_in_group,
        a.group_size
    from party_scope as p
    join anchors as a on p.uid = a.uid
),

single as (
    select
        uid,
        name_cn,
        py_fwd,
        py_rev,
        name_key,
        alias_key,
        id_type,
        id_std,
        id_valid,
        birth_date,
        gender,
        phone_std,
        email_std,
        name_parts,
        addr_norm,
        addr_tokens,
        addr_nums,
        postcode,
        addr_city,
        addr_district,
        addr_street,
        addr_house
    from grouped
    where group_size = 1
),

merged as (
    select
        anchor as uid,
        min_by(name_cn, case when name_cn is not null then rank_in_group end) as name_cn,
        min_by(py_fwd, case when py_fwd is not null then rank_in_group end) as py_fwd,
        min_by(py_rev, case when py_rev is not null then rank_in_group end) as py_rev,
        min_by(name_key, case when name_key is not null then rank_in_group end) as name_key,
        min_by(alias_key, case when alias_key is not null then rank_in_group end) as alias_key,
        min_by(id_type, case when id_type is not null then rank_in_group end) as id_type,
        min_by(id_std, case when id_std is not null then rank_in_group end) as id_std,
        min_by(id_valid, case when id_valid is not null then rank_in_group end) as id_valid,
        min_by(birth_date, case when birth_date is not null then rank_in_group end) as birth_date,
        min_by(gender, case when gender is not null then rank_in_group end) as gender,
        min_by(phone_std, case when phone_std is not null then rank_in_group end) as phone_std,
        min_by(email_std, case when email_std is not null then rank_in_group end) as email_std,
        min_by(name_parts, case when name_parts is not null then rank_in_group end) as name_parts,
        min_by(addr_norm, case when addr_norm is not null then rank_in_group end) as addr_norm,
        min_by(addr_tokens, case when addr_tokens is not null then rank_in_group end) as addr_tokens,
        min_by(addr_nums, case when addr_nums is not null then rank_in_group end) as addr_nums,
        min_by(postcode, case when postcode is not null then rank_in_group end) as postcode,
        -- The parts of one record's address, not a mix of several.
        min_by(addr_city, case when addr_norm is not null then rank_in_group end) as addr_city,
        min_by(addr_district, case when addr_norm is not null then rank_in_group end) as addr_district,
        min_by(addr_street, case when addr_norm is not null then rank_in_group end) as addr_street,
        min_by(addr_house, case when addr_norm is not null then rank_in_group end) as addr_house
    from grouped
    where group_size > 1
    group by anchor
),

final as (
    select * from single
    union all
    select * from merged
)

select * from final
