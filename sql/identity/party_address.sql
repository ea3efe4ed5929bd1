-- Delivered address of every party record (party_read carries the fingerprinted identity fields;
-- standardisation joins the address on).
with party as (
    select system, source_key, address from staging.party
),

final as (
    select * from party
)

select * from final
