-- Golden record per customer: survivorship by evidence, one rule for every voted field.
--   Each record votes for its normalised value of a field with a weight that decays with the age of
--   the record (last_seen; half-life one year). The value with the most weight wins; ties go to the
--   value other evidence backs: a name the customer's Latin spellings spell (a Latin name, a bracketed
--   alias, an e-mail's local part: `wudan88@…` backs 吴丹 against the typo 吴林), a city, province or
--   district where a valid resident ID of the customer was issued (its region code); then to the
--   more common value in the whole population (a typo or a homophone is rarer than the name it
--   spoils), then to a value backed by a record whose valid resident ID agrees with it, then to the
--   more trusted system (deposit core banking > loan > card > fx), then to the most recently seen.
--   Birth date and sex read from a valid resident ID outrank any typed-in value (priority 1).
--   City is voted by a script-free key (pinyin), so an English FX address backs the Chinese city.
--   Province and district are voted from the parsed Chinese addresses (party_std.addr_*).
-- Lineage: <field>_source names the record that supplied the value and why ("card:H01 2 of 3 records").
-- first_seen: the earliest customer-since or account open date across the customer's records.
-- Phone, e-mail, address: the most recently seen record that has one (contact details go stale).
-- Hashes: HMAC-SHA256 (RFC 2104) of the standardised value, key pads bound as $ipad / $opad.
with scope as (
    select * from golden_scope
),

map as (
    select * from identity.customer_map semi join scope using (customer_id)
),

trust as (
    select * from (values ('deposit', 1), ('loan', 2), ('card', 3), ('fx', 4)) as t(system, trust_rank)
),

tonight as (
    select max(last_seen) as d from staging.party
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
        party.last_seen,
        pow(0.5, date_diff('day', party.last_seen, tonight.d) / 365.0) as weight,
        regexp_replace(split_part(std.email_std, '@', 1), '[^a-z]', '', 'g') as email_letters,
        map.system || ':' || map.source_key as source
    from map
    join identity.party_std as std on std.system = map.system and std.source_key = map.source_key
    join staging.party as party on party.system = map.system and party.source_key = map.source_key
    join trust on trust.system = map.system
    cross join tonight
),

opened as (
    select system, source_key, min(open_date) as open_date
    from staging.account semi join map using (system, source_key)
    group by all
),

cities as (
    select * from golden_city_keys
),

-- One row per record, field and candidate value.
votes as (
    select customer_id, source, weight, id_good, trust_rank, last_seen, 'name' as field, name_cn as value,
        name_cn as vkey, 0 as priority, name_key as skey from records where name_cn is not null
    union all
    select customer_id, source, weight, id_good, trust_rank, last_seen, 'id_no', id_std, id_std,
        id_valid::int, null from records where id_std is not null
    union all
    select customer_id, source, weight, id_good, trust_rank, last_seen, 'birth_date', birth_date::varchar,
        birth_date::varchar, 0, null from records where birth_date is not null
    union all
    select customer_id, source, weight, true, trust_rank, last_seen, 'birth_date', v, v, 1, null
    from (select *, strftime(try_strptime(substr(id_std, 7, 8), '%Y%m%d'), '%Y-%m-%d') as v from records)
    where id_valid and length(id_std) = 18 and v is not null
    union all
    select customer_id, source, weight, id_good, trust_rank, last_seen, 'gender', gender, gender, 0, null
    from records where gender is not null
    union all
    select customer_id, source, weight, true, trust_rank, last_seen, 'gender',
        case when try_cast(substr(id_std, 17, 1) as int) % 2 = 1 then 'M' else 'F' end, null, 1, null
    from records where id_valid and length(id_std) = 18 and try_cast(substr(id_std, 17, 1) as int) is not null
    union all
    select customer_id, source, weight, id_good, trust_rank, last_seen, 'city', cities.city, cities.city_key, 0, null
    from records join cities on cities.address = records.address
    union all
    select customer_id, source, weight, id_good, trust_rank, last_seen, 'province', addr_province, addr_province, 0, null
    from records where addr_province is not null
    union all
    select customer_id, source, weight, id_good, trust_rank, last_seen, 'district', addr_district, addr_district, 0, null
    from records where addr_district is not null
),

-- How common each value is in the whole population (not only tonight's scope, so a full and an
-- incremental night break ties alike).
population as (
    select 'name' as field, name_cn as vkey, count(*) as freq
    from identity.party_std where name_cn is not null group by all
    union all
    select 'city', c.city_key, count(*)
    from staging.party as p join golden_city_keys as c on c.address = p.address group by all
    union all
    select 'province', addr_province, count(*)
    from identity.party_std where addr_province is not null group by all
    union all
    select 'district', addr_district, count(*)
    from identity.party_std where addr_district is not null group by all
),

tallied as (
    select
        customer_id,
        field,
        priority,
        coalesce(vkey, value) as vkey,
        first(value order by weight desc) as value,
        round(sum(weight), 6) as weight,
        count(*) as support,
        bool_or(id_good) as id_backed,
        min(trust_rank) as trust_rank,
        max(last_seen) as last_seen,
        first(source order by trust_rank, last_seen desc, source) as source,
        any_value(skey) as skey
    from votes
    group by all
),

-- Evidence beside the votes, for ties: the customer's Latin spellings of a name (anagram key, as
-- name_key) and the places their valid resident IDs were issued (region code, division table).
id_regions as (
    select distinct customer_id, substr(id_std, 1, 6) as region
    from records where id_valid and length(id_std) = 18
),

backing as (
    select customer_id, 'name' as field, name_key as vkey from records where name_cn is null and name_key is not null
    union all
    select customer_id, 'name', alias_key from records where alias_key is not null
    union all
    select customer_id, 'name', array_to_string(list_sort(string_split(email_letters, '')), '')
    from records where length(email_letters) >= 4
    union all
    select i.customer_id, 'province', g.province
    from id_regions as i join (select distinct left(region, 2) as r, province from golden_region) as g
        on g.r = left(i.region, 2)
    union all
    select i.customer_id, 'city', g.city_key
    from id_regions as i join (select distinct left(region, 4) as r, city_key from golden_region) as g
        on g.r = left(i.region, 4)
    where g.city_key is not null
    union all
    select i.customer_id, 'district', g.district
    from id_regions as i join golden_region as g on g.region = i.region
    where g.district is not null
),

backed as (
    select customer_id, field, vkey, count(*) as n from backing group by all
),

scored as (
    select t.*, coalesce(b.n, 0) as backed
    from tallied as t
    left join backed as b on b.customer_id = t.customer_id and b.field = t.field and b.vkey = coalesce(t.skey, t.vkey)
),

picked as (
    select
        t.customer_id,
        t.field,
        first(t.value order by t.priority desc, t.weight desc, t.backed desc, p.freq desc nulls last,
            t.id_backed desc, t.trust_rank, t.last_seen desc, t.vkey) as value,
        first(t.source order by t.priority desc, t.weight desc, t.backed desc, p.freq desc nulls last,
            t.id_backed desc, t.trust_rank, t.last_seen desc, t.vkey) as source,
        first(t.support order by t.priority desc, t.weight desc, t.backed desc, p.freq desc nulls last,
            t.id_backed desc, t.trust_rank, t.last_seen desc, t.vkey) as support,
        first(t.weight order by t.priority desc, t.weight desc, t.backed desc, p.freq desc nulls last,
            t.id_backed desc, t.trust_rank, t.last_seen desc, t.vkey) as won_weight,
        first(t.backed order by t.priority desc, t.weight desc, t.backed desc, p.freq desc nulls last,
            t.id_backed desc, t.trust_rank, t.last_seen desc, t.vkey) as won_backed,
        max(t.priority) as priority,
        sum(t.support) filter (where t.priority = 0) as voters
    from scored as t
    left join population as p on p.field = t.field and p.vkey = t.vkey
    group by all
),

-- How a tie was settled: by the backing evidence, or by frequency, ID agreement and trust.
ties as (
    select
        p.customer_id,
        p.field,
        count(*) filter (where s.weight = p.won_weight) > 1 as tied,
        count(*) filter (where s.weight = p.won_weight and s.backed = p.won_backed) > 1 as backed_tied
    from picked as p
    join scored as s on s.customer_id = p.customer_id and s.field = p.field and s.priority = p.priority
    group by all
),

lineage as (
    select
        p.customer_id,
        p.field,
        p.value,
        p.source || case
            when p.priority = 1 then ' resident ID'
            else ' ' || p.support || ' of ' || p.voters || ' records'
        end || case
            when not t.tied or p.priority = 1 then ''
            when not t.backed_tied and p.field = 'name' then ', tie settled by a Latin spelling of the name'
            when not t.backed_tied then ', tie settled by the resident ID''s region'
            else ', tie settled by frequency, ID and system trust'
        end as source
    from picked as p
    join ties as t using (customer_id, field)
),

wide as (
    select
        customer_id,
        max(value) filter (where field = 'name') as name,
        max(source) filter (where field = 'name') as name_source,
        max(value) filter (where field = 'id_no') as id_no,
        max(value) filter (where field = 'birth_date')::date as birth_date,
        max(source) filter (where field = 'birth_date') as birth_date_source,
        max(value) filter (where field = 'gender') as gender,
        max(source) filter (where field = 'gender') as gender_source,
        max(value) filter (where field = 'city') as city,
        max(source) filter (where field = 'city') as city_source,
        max(value) filter (where field = 'province') as province,
        max(source) filter (where field = 'province') as province_source,
        max(value) filter (where field = 'district') as district,
        max(source) filter (where field = 'district') as district_source
    from lineage
    group by customer_id
),

started as (
    select
        r.customer_id,
        r.source,
        least(r.since_date, o.open_date) as started_on,
        r.first_seen
    from records as r
    left join opened as o on o.system = r.system and o.source_key = r.source_key
),

first_seen as (
    select
        customer_id,
        coalesce(min(started_on), min(first_seen)) as first_seen,
        case when min(started_on) is null then 'first delivery'
            else first(source order by started_on nulls last, source) || ' customer since / account opened'
        end as first_seen_source
    from started
    group by customer_id
),

rest as (
    select
        customer_id,
        first(name_latin order by (system = 'fx') desc, last_seen desc) filter (where name_latin is not null) as name_latin,
        first(id_type order by id_valid desc, id_good desc, trust_rank, last_seen desc) filter (where id_std is not null) as id_type,
        first(phone_std order by last_seen desc, trust_rank) filter (where phone_std is not null) as phone,
        first(email_std order by last_seen desc, trust_rank) filter (where email_std is not null) as email,
        first(address order by last_seen desc, trust_rank) filter (where address is not null) as address,
        first(employer order by (system = 'loan') desc, last_seen desc) filter (where employer is not null) as employer,
        first(nationality order by (system = 'fx') desc, last_seen desc) filter (where nationality is not null) as nationality,
        list(distinct system order by system) as systems,
        count(*) as source_records
    from records
    group by customer_id
),

pinyin as (
    -- The pinyin of the surviving name, from a record that spells it so.
    select w.customer_id, first(r.py_fwd order by r.trust_rank, r.last_seen desc) as name_pinyin
    from wide as w join records as r on r.customer_id = w.customer_id and r.name_cn = w.name
    group by w.customer_id
),

final as (
    select
        rest.customer_id,
        wide.name,
        rest.name_latin,
        coalesce(pinyin.name_pinyin, first_latin.py_fwd) as name_pinyin,
        rest.id_type,
        wide.id_no,
        wide.birth_date,
        wide.gender,
        rest.phone,
        rest.email,
        rest.address,
        rest.employer,
        rest.nationality,
        rest.systems,
        rest.source_records,
        fs.first_seen,
        case when wide.id_no is not null
            then sha256($opad || unhex(sha256($ipad || encode(wide.id_no)))) end as id_hash,
        case when rest.phone is not null
            then sha256($opad || unhex(sha256($ipad || encode(rest.phone)))) end as phone_hash,
        case when wide.id_no is not null and length(wide.id_no) > 7
            then left(wide.id_no, 3) || repeat('*', length(wide.id_no) - 7) || right(wide.id_no, 4) end as id_masked,
        case when rest.phone is not null
            then left(rest.phone, 3) || repeat('*', length(rest.phone) - 7) || right(rest.phone, 4) end as phone_masked,
        wide.city,
        wide.name_source,
        wide.birth_date_source,
        wide.gender_source,
        wide.city_source,
        fs.first_seen_source,
        wide.province,
        wide.province_source,
        wide.district,
        wide.district_source
    from rest
    left join wide using (customer_id)
    left join pinyin using (customer_id)
    left join first_seen as fs using (customer_id)
    left join (
        select customer_id, first(py_fwd order by trust_rank, last_seen desc) as py_fwd
        from records where py_fwd is not null group by customer_id
    ) as first_latin using (customer_id)
)

select * from final order by customer_id
