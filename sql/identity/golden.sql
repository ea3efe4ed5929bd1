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
-- Not materialized: a CTE read several times is otherwise copied into memory; this one is a table.
with records as not materialized (
    select * from golden_records
),

opened as (
    select
        system,
        source_key,
        min(open_date) as open_date
    from staging.account semi join records using (system, source_key)
    group by all
),

-- How common each value is in the whole population (not only tonight's scope, so a full and an
-- incremental night break ties alike).
population as (
    select
        'name' as field,
        name_cn as vkey,
        count(*) as freq
    from identity.party_std
    where name_cn is not null
    group by all
    union all
    select
        'city',
        c.city_key,
        count(*)
    from staging.party as p join golden_city_keys as c on c.address = p.address
    group by all
    union all
    select
        'province',
        addr_province,
        count(*)
    from identity.party_std
    where addr_province is not null
    group by all
    union all
    select
        'district',
        addr_district,
        count(*)
    from identity.party_std
    where addr_district is not null
    group by all
),

scored as not materialized (
    select * from golden_scored
),

picked as (
    -- One ordered aggregate over a struct, not one per column: each buffers its group's rows.
    select
        customer_id,
        field,
        won.value,
        won.source,
        won.support,
        won.weight as won_weight,
        won.backed as won_backed,
        priority,
        voters
    from (
        select
            t.customer_id,
            t.field,
            first(
                { 'value': t.value, 'source': t.source, 'support': t.support, 'weight': t.weight, 'backed': t.backed }
                order by
                    t.priority desc, t.weight desc, t.backed desc, p.freq desc nulls last,
                    t.id_backed desc, t.trust_rank, t.last_seen desc, t.vkey
            ) as won,
            max(t.priority) as priority,
            sum(t.support) filter (where t.priority = 0) as voters
        from scored as t
        left join population as p on p.field = t.field and p.vkey = t.vkey
        group by all
    )
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
        case
            when min(started_on) is null then 'first delivery'
            else first(source order by started_on nulls last, source) || ' customer since / account opened'
        end as first_seen_source
    from started
    group by customer_id
),

rest as (
    select
        customer_id,
        first(name_latin order by (system = 'fx') desc, last_seen desc) filter (where name_latin is not null)
            as name_latin,
        first(id_type order by id_valid desc, id_good desc, trust_rank, last_seen desc) filter (
            where id_std is not null
        ) as id_type,
        first(phone_std order by last_seen desc, trust_rank) filter (where phone_std is not null) as phone,
        first(email_std order by last_seen desc, trust_rank) filter (where email_std is not null) as email,
        first(address order by last_seen desc, trust_rank) filter (where address is not null) as address,
        first(employer order by (system = 'loan') desc, last_seen desc) filter (where employer is not null) as employer,
        first(nationality order by (system = 'fx') desc, last_seen desc) filter (where nationality is not null)
            as nationality,
        list(distinct system order by system) as systems,
        count(*) as source_records
    from records
    group by customer_id
),

pinyin as (
    -- The pinyin of the surviving name, from a record that spells it so.
    select
        w.customer_id,
        first(r.py_fwd order by r.trust_rank, r.last_seen desc) as name_pinyin
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
        case
            when wide.id_no is not null
                then sha256($opad || unhex(sha256($ipad || encode(wide.id_no))))
        end as id_hash,
        case
            when rest.phone is not null
                then sha256($opad || unhex(sha256($ipad || encode(rest.phone))))
        end as phone_hash,
        case
            when wide.id_no is not null and length(wide.id_no) > 7
                then left(wide.id_no, 3) || repeat('*', length(wide.id_no) - 7) || right(wide.id_no, 4)
        end as id_masked,
        case
            when rest.phone is not null
                then left(rest.phone, 3) || repeat('*', length(rest.phone) - 7) || right(rest.phone, 4)
        end as phone_masked,
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
        select
            customer_id,
            first(py_fwd order by trust_rank, last_seen desc) as py_fwd
        from records
        where py_fwd is not null
        group by customer_id
    ) as first_latin using (customer_id)
)

select * from final
order by customer_id
