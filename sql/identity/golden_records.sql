-- The customer's source records with their standardised fields, trust and age weight: stored as a temp
-- table (spillable) rather than a CTE the golden query reads five times (materialised in memory).
create or replace temp table golden_records as
with scope as (
    select * from golden_scope
),

map as (
    select * from identity.customer_map semi join scope using (customer_id)
),

trust as (
    select * from (values ('deposit', 1), ('loan', 2), ('card', 3), ('fx', 4)) as t (system, trust_rank)
),

tonight as (
    select max(last_seen) as d from staging.party
)

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
cross join tonight;
