-- Golden record per customer. Survivorship, attribute by attribute:
--   name, id, birth date, gender: a record whose valid ID agrees with its birth date and sex first, then the
--     most trusted system (deposit core banking > loan > card > fx: branch KYC before self-service), then the
--     most recently seen record;
--   phone, email, address: the most recently seen record that has one (contact details go stale), then trust;
--   (recency = the record's last_seen in staging.party)
--   employer: loan (income verified) first; nationality: fx first; names in Latin script: fx name_en first.
-- Empty values never win (every pick filters out NULLs), so the most complete value survives.
-- Hashes: HMAC-SHA256 (RFC 2104) of the standardised value, key pads bound as $ipad / $opad.
with scope as (
    select * from golden_scope
),

map as (
    select * from identity.customer_map semi join scope using (customer_id)
),

std as (
    select * from identity.party_std
),

party as (
    select * from staging.party
),

trust as (
    select * from (values ('deposit', 1), ('loan', 2), ('card', 3), ('fx', 4)) as t(system, trust_rank)
),

records as (
    select
        map.customer_id,
        std.*,
        coalesce(std.id_consistent, false) as id_good,
        trust.trust_rank,
        -- A Latin name delivered in a Chinese-name column (standardisation leaves name_cn empty).
        coalesce(party.name_latin, case when std.name_cn is null then party.name end) as name_latin,
        party.address,
        party.employer,
        party.nationality,
        party.since_date,
        party.first_seen,
        party.last_seen
    from map
    join std on std.system = map.system and std.source_key = map.source_key
    join party on party.system = map.system and party.source_key = map.source_key
    join trust on trust.system = map.system
),

picked as (
    select
        customer_id,
        first(name_cn order by id_good desc, trust_rank, last_seen desc) filter (where name_cn is not null) as name,
        first(name_latin order by (system = 'fx') desc, last_seen desc) filter (where name_latin is not null) as name_latin,
        first(py_fwd order by id_good desc, trust_rank, last_seen desc) filter (where py_fwd is not null) as name_pinyin,
        first(id_type order by id_valid desc, id_good desc, trust_rank, last_seen desc) filter (where id_std is not null) as id_type,
        first(id_std order by id_valid desc, id_good desc, trust_rank, last_seen desc) filter (where id_std is not null) as id_no,
        first(birth_date order by id_good desc, trust_rank, last_seen desc) filter (where birth_date is not null) as birth_date,
        first(gender order by id_good desc, trust_rank, last_seen desc) filter (where gender is not null) as gender,
        first(phone_std order by last_seen desc, trust_rank) filter (where phone_std is not null) as phone,
        first(email_std order by last_seen desc, trust_rank) filter (where email_std is not null) as email,
        first(address order by last_seen desc, trust_rank) filter (where address is not null) as address,
        first(employer order by (system = 'loan') desc, last_seen desc) filter (where employer is not null) as employer,
        first(nationality order by (system = 'fx') desc, last_seen desc) filter (where nationality is not null) as nationality,
        list(distinct system order by system) as systems,
        count(*) as source_records,
        min(coalesce(first_seen, since_date)) as first_seen
    from records
    group by customer_id
),

final as (
    select
        *,
        case when id_no is not null
            then sha256($opad || unhex(sha256($ipad || encode(id_no)))) end as id_hash,
        case when phone is not null
            then sha256($opad || unhex(sha256($ipad || encode(phone)))) end as phone_hash,
        case when id_no is not null and length(id_no) > 7
            then left(id_no, 3) || repeat('*', length(id_no) - 7) || right(id_no, 4) end as id_masked,
        case when phone is not null
            then left(phone, 3) || repeat('*', length(phone) - 7) || right(phone, 4) end as phone_masked
    from picked
)

select * from final order by customer_id
