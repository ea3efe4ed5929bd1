-- The latest date value tiers were computed for (an unpartitioned check run reads that one).
select max(as_of_date) as as_of_date from marts.value_tier_history
