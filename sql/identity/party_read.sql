-- Party records to standardise tonight: new ones and those whose identity fields changed since they
-- were last standardised (all of them when $full).
with party as (
    select * from staging.party
),

done as (
    select system, source_key, raw_hash from identity.party_std where not $full
),

fingerprinted as (
    select
        system, source_key, name, name_latin, id_type, id_no, birth_date, gender, phone, email,
        -- Fingerprint of the fields identity reads: an unchanged record is not standardised again.
        md5(cast(row(name, name_latin, id_type, id_no, birth_date, gender, phone, email) as varchar)) as raw_hash
    from party
),

final as (
    select * from fingerprinted anti join done using (system, source_key, raw_hash)
)

select * from final
