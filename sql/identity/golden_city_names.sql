-- The city named in each delivered address: the city parsed from a Chinese address (party_std's
-- addr_city, from the division table: `上海浦东新区…` names 上海市 too), else the last comma-separated
-- Latin words of an English one (`…, Jing'an District, Shanghai`). Keys are added in Python (pinyin).
create or replace temp table golden_address_city as
with parsed as (
    select distinct
        party.address,
        std.addr_city
    from staging.party as party
    join identity.party_std as std on std.system = party.system and std.source_key = party.source_key
    where party.address is not null
),

final as (
    select
        address,
        coalesce(
            addr_city,
            nullif(trim(regexp_extract(address, ',\s*([A-Za-z][A-Za-z'' .-]{1,30})\s*$', 1)), '')
        ) as city
    from parsed
)

select distinct
    address,
    city
from final
where city is not null;
