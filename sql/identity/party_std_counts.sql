-- Figures for the party_standardised asset's metadata.
with std as (
    select * from identity.party_std
),

final as (
    select
        count(*) as records,
        count(*) filter (where std_on = $business_date) as records_standardised_tonight,
        count(*) filter (where id_type = 'RESIDENT') as resident_ids,
        count(*) filter (where id_type = 'RESIDENT' and id_valid) as resident_ids_valid,
        count(*) filter (where id_type = 'RESIDENT' and id_upgraded) as resident_ids_upgraded_15_to_18,
        count(phone_std) as phones_usable,
        count(*) filter (where name_cn is null and py_fwd is not null) as names_latin_only
    from std
)

select * from final
