-- The city named in each delivered address: `…市` in a Chinese address, the last comma-separated
-- Latin words of an English one (`…, Jing'an District, Shanghai`). Keys are added in Python (pinyin).
create or replace temp table golden_address_city as
with addresses as (
    select distinct address from staging.party where address is not null
),

final as (
    select
        address,
        coalesce(
            nullif(regexp_extract(address, '([^省区]{2,4}?市)', 1), ''),
            nullif(trim(regexp_extract(address, ',\s*([A-Za-z][A-Za-z'' .-]{1,30})\s*$', 1)), '')
        ) as city
    from addresses
)

select * from final where city is not null;
