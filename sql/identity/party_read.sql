-- Party records to standardise tonight: new ones and those whose fields changed since they were last
-- standardised (all of them when $full).
with party as (
    select * from staging.party
),

done as (
    select system, source_key, raw_hash, golden_hash from identity.party_std where not $full
),

-- Every field but last_seen, which moves whenever a snapshot is delivered: address, employer,
-- branch, since date... and any column staging.party gains later.
golden_fields as (
    select * exclude (last_seen) from party
),

fingerprinted as (
    select
        system, source_key, name, name_latin, id_type, id_no, birth_date, gender, phone, email,
        -- Fingerprint of every field the matcher compares (party_address's address too): a record
        -- whose fingerprint moved is matched again.
        md5(cast(row(name, name_latin, id_type, id_no, birth_date, gender, phone, email, address) as varchar))
            as raw_hash,
        -- Fingerprint of every field the golden record can read: a change refreshes it, not the match.
        md5(cast(golden_fields as varchar)) as golden_hash
    from golden_fields
),

final as (
    select * from fingerprinted anti join done using (system, source_key, raw_hash, golden_hash)
)

select * from final
