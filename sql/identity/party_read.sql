-- Party records to standardise tonight: new ones and those whose delivered fields changed since they
-- were last standardised (all of them when $full).
-- Every delivery re-sends most records unchanged, so the test for "changed" is one native hash per
-- record (golden_hash); the md5 of the match fields (raw_hash, read by dirty_records) is computed
-- only for the records that pass it.
with party as (
    select * from staging.party
),

done as (
    select
        system,
        source_key,
        golden_hash
    from identity.party_std
    where not $full
),

-- Every field but last_seen, which moves whenever a snapshot is delivered: address, employer,
-- branch, since date... and any column staging.party gains later.
golden_fields as (
    select * exclude (last_seen) from party
),

fingerprinted as (
    select
        system,
        source_key,
        name,
        name_latin,
        id_type,
        id_no,
        birth_date,
        gender,
        phone,
        email,
        address,
        -- Fingerprint of every field the golden record can read: a change restandardises the record.
        cast(hash(golden_fields) as varchar) as golden_hash
    from golden_fields
),

changed as (
    select * from fingerprinted anti join done using (system, source_key, golden_hash)
),

final as (
    select
        *,
        -- Fingerprint of every field the matcher compares: a record whose fingerprint moved is matched again.
        md5(cast(row(name, name_latin, id_type, id_no, birth_date, gender, phone, email, address) as varchar))
            as raw_hash
    from changed
)

select * from final
