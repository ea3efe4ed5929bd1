-- Tonight's standardised party records: the fields resolution reads (the match fields, SPLINK_COLUMNS
-- in models/identity/match/settings.py, and the record's key), not the golden record's.
-- ${party_std}: identity.party_std on a full night, the working set's view of it on an incremental one
-- (sql/identity/working_records.sql).
with std as (
    select
        uid,
        system,
        source_key,
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
    from ${party_std}
),

final as (
    select * from std
)

select * from final
